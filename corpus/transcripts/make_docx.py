"""Write fg3_public_health.docx, the sample corpus's Word transcript (run it to regenerate).

The speaker names are bold runs without a colon (a common house style of transcription
services), so the importer's bold-name detection is exercised; the note-taker appears both
as "Researcher 1" and "R1", which the importer treats as one person. Fictional, illustrative.

    .venv/bin/python corpus/transcripts/make_docx.py
"""

from __future__ import annotations

from pathlib import Path

HEADER = [
    "ILLUSTRATIVE TRANSCRIPT: fictional participants and places, written for the review sample "
    "corpus.",
    "Focus group 3: Co-production in public health",
    "Focus group: Public health",
    "Date: 4 April 2024",
    "Place: Meadows Health Centre, Eastbridge",
    "Facilitator: Kate Lindqvist",
    "Duration: 1h 20m",
]

TURNS = [
    (
        "Facilitator",
        "Welcome, and thank you for giving up your afternoon. Today is about health: "
        "how people look after their own health and each other's, and how residents work with the "
        "GP practice, the council's public health team and the NHS. My colleague is taking notes. "
        "Could we go round and introduce ourselves?",
    ),
    (
        "Rosa Delgado",
        "I'm Rosa. I was diagnosed with type 2 diabetes three years ago. I go to "
        "the peer support group here on Wednesdays and now I help run it.",
    ),
    (
        "Ken Mitchell",
        "Ken. I'm seventy-four. I lead one of the health walks on a Tuesday "
        "morning, round the canal. I've done it since my heart operation.",
    ),
    (
        "Fatima Begum",
        "Fatima. I care for my mum, she has dementia, and I've got three children. "
        "I'm on the patient participation group at the surgery, though I miss a lot of meetings.",
    ),
    (
        "Joe Carter",
        "Joe. I'm a personal trainer, I work at the leisure centre, and I was on the "
        "steering group for the new healthy weight programme.",
    ),
    (
        "Linda Osei",
        "Linda. I'm a school governor at Meadows Primary, and I volunteer with the food bank.",
    ),
    (
        "Marcus Reid",
        "Marcus. Honestly, I'm here because the receptionist asked me. I don't "
        "really get involved in anything. I work nights at the warehouse.",
    ),
    (
        "Facilitator",
        "Let's begin with what you do for your own health. What do you do yourselves, day to day?",
    ),
    (
        "Rosa Delgado",
        "For me it's everything. I check my blood sugar, I changed my diet, I walk "
        "every day. The nurse gave me the tools but I do the work myself. My health is my "
        "responsibility now, and the benefit is mine too, I've come off one of my tablets.",
    ),
    (
        "Marcus Reid",
        "I use the NHS app to order my prescriptions. That's about it. It's easy, I "
        "do it on my phone at three in the morning on my break. If I had to phone the surgery at "
        "eight o'clock I'd never manage it.",
    ),
    (
        "Fatima Begum",
        "Looking after mum is public health, I suppose, though nobody calls it "
        "that. I do her medication, her appointments, I spot when she's getting an infection. The "
        "home care workers come twice a day but I'm the one who knows her.",
    ),
    ("Facilitator", "Ken, how did the health walks start?"),
    (
        "Ken Mitchell",
        "The public health team trained a few of us as walk leaders. It was a "
        "one-day course. Now there are six walks a week across the town, all led by volunteers. We "
        "get fifteen, twenty people on mine. A lot of them live on their own. For some of them "
        "it's the only time they talk to anyone all week.",
    ),
    (
        "Ken Mitchell",
        "We look out for each other. If someone doesn't turn up two weeks running, "
        "somebody knocks on their door. That's not in any job description.",
    ),
    ("Facilitator", "Rosa, what about the peer support group?"),
    (
        "Rosa Delgado",
        "The diabetes nurse started it, and after a year she asked if a couple of us "
        "would take it over, because she didn't have the time. We meet together every week. People "
        "share recipes, we go to the market together. People listen to someone like them more than "
        "to a doctor. Some of our members don't trust the surgery at all, but they trust us.",
    ),
    ("Facilitator", "Fatima, tell us about the patient participation group."),
    (
        "Fatima Begum",
        "We meet every two months with the practice manager. We look at the "
        "patient survey results and the complaints, and we feed back what patients are saying. "
        "Last year we did a mystery-shopper exercise on the phone system and showed them that "
        "people were waiting forty minutes. They changed it to a call-back system.",
    ),
    (
        "Fatima Begum",
        "But I'll be honest, the group is nearly all retired people. I'm the "
        "youngest by twenty years. The practice thinks it's hearing from patients, but it's "
        "hearing from one kind of patient.",
    ),
    ("Researcher 1", "Can I ask, how did you find out the group existed?"),
    (
        "Fatima Begum",
        "A poster in the waiting room, years ago. Most people have never heard of it.",
    ),
    (
        "Marcus Reid",
        "I didn't know there was one. I didn't know you could do any of this. "
        "Nobody told me. I thought the surgery was just the surgery.",
    ),
    (
        "Facilitator",
        "Joe, you were on the steering group for the healthy weight programme. What "
        "did that involve?",
    ),
    (
        "Joe Carter",
        "The council was redesigning the weight management service. Instead of "
        "officers writing the specification on their own, they set up a group with residents, "
        "people who'd used the old service, and a couple of us from the leisure centre. We held "
        "workshops and people said the old programme was at times they couldn't make, in a "
        "building they didn't feel comfortable in, with a weigh-in in front of everyone. So we "
        "planned a new one: evening sessions, in community venues, weigh-ins in private, and a "
        "family option.",
    ),
    (
        "Joe Carter",
        "Then we helped decide which provider got the contract. Two residents sat on "
        "the panel that scored the bids. That was new. Usually the money is decided behind closed "
        "doors.",
    ),
    ("Facilitator", "How did the professionals respond to that?"),
    (
        "Joe Carter",
        "Mixed. The commissioners were supportive. Some of the clinicians less so. "
        "One of the dietitians said you can't design a clinical service by committee, and there "
        "was a lot about risk and governance and data protection. Every time we suggested "
        "something, someone said it wouldn't be allowed. It felt like they were protecting their "
        "expertise.",
    ),
    (
        "Linda Osei",
        "That's what we find with the school too. The kids designed a healthy tuck "
        "shop, and the school nurse was brilliant, but the catering contract said no, we can't "
        "sell anything we don't supply. It's red tape.",
    ),
    ("Facilitator", "Linda, say more about the school."),
    (
        "Linda Osei",
        "The governors asked the children what would help them eat better. They "
        "surveyed their classmates, they ran taste tests, they presented to the council's public "
        "health team. The council funded a breakfast club for two years as a result. The children "
        "were so proud. They learned that if you speak up, adults sometimes act. That's a lesson "
        "about citizenship as much as health.",
    ),
    ("Facilitator", "Has anyone been involved in deciding what health money is spent on?"),
    (
        "Ken Mitchell",
        "The health and wellbeing board held a big event to set its priorities for "
        "the next five years. Residents voted on the areas that mattered most. Loneliness came "
        "top, which surprised the officials. That's why the walks got more funding.",
    ),
    (
        "Fatima Begum",
        "But then the consultation on closing the clinic on Ash Road felt like it "
        "was already decided. We filled in forms, we went to meetings, and it closed anyway. After "
        "that a lot of people said it's a waste of time, they just tick the box.",
    ),
    (
        "Rosa Delgado",
        "That damaged trust. People in our group still talk about it. If they "
        "ignore you once, you don't go back.",
    ),
    ("Facilitator", "What about social care? Fatima, you mentioned the home care workers."),
    (
        "Fatima Begum",
        "Every six months the council reviews mum's care plan, and I'm asked to rate the service "
        "and say what's working. I told them the visits were too rushed, fifteen minutes to get "
        "her up, washed and fed. They changed the morning visit to thirty minutes. So my "
        "feedback did count. But I had to chase it, three phone calls, and I only knew to ask "
        "because another carer at the support group told me I could.",
    ),
    (
        "Linda Osei",
        "At the food bank we see the other side of it. People who can't afford to eat well, who "
        "have never been told about the free health checks. We started handing out the leaflets "
        "with the food parcels, and the health trainers now come once a month and do checks on "
        "the spot. That came from volunteers noticing what people needed.",
    ),
    (
        "Ken Mitchell",
        "We also fill in a little evaluation form for the walks, numbers, how people feel before "
        "and after. The public health team use it to report to the board. It matters to us that "
        "somebody looks at it.",
    ),
    ("Facilitator", "When residents do get a say, do you think they always choose well?"),
    (
        "Joe Carter",
        "Not always. At the priorities event a lot of people wanted a walk-in centre "
        "and shorter waits in A&E, right now. Which I understand. But the public health people "
        "were saying the long-term gains are in prevention, smoking, activity, diet, and that "
        "doesn't feel urgent to anyone until they're ill.",
    ),
    (
        "Ken Mitchell",
        "And the people who come to these things are people like me, retired, with "
        "time and a bus pass. The young families, the shift workers, they're not in the room. So "
        "we push for what our group needs.",
    ),
    (
        "Marcus Reid",
        "It's not that I don't care. It's that every meeting is at a time I'm "
        "asleep or at work. By the time I've done my shift I've got nothing left.",
    ),
    (
        "Fatima Begum",
        "Same. Between mum and the kids I haven't got an hour spare. Caring takes "
        "everything. If the meeting was online, or I could send my views in a message, I would.",
    ),
    ("R1", "What would make it worth your while to take part?"),
    (
        "Marcus Reid",
        "If I knew it would change something. If I could see that what I said "
        "mattered. Then I'd find the time.",
    ),
    (
        "Rosa Delgado",
        "Being asked personally. I only got involved because the nurse asked me. "
        "And feeling that people like me can make a difference. When I see someone in the group "
        "get their sugar down, I know it works.",
    ),
    (
        "Linda Osei",
        "Making it easy. Small things, a text, a quick survey, a rating after your "
        "appointment. Not everyone can sit on a board.",
    ),
    (
        "Ken Mitchell",
        "Doing it together. Nobody wants to be the only one. The walks work because "
        "it's a group, and because it's ours.",
    ),
    (
        "Joe Carter",
        "Trust in both directions. Professionals trusting residents to make "
        "decisions, and residents trusting that the decisions will stick.",
    ),
    ("Facilitator", "That's a good summary. Thank you all, this has been really valuable."),
]


def build(path: Path) -> Path:
    """Write the transcript: header paragraphs, then one paragraph per turn."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Focus group 3: Co-production in public health"
    document.core_properties.author = "review sample corpus (illustrative)"
    for line in HEADER:
        document.add_paragraph(line)
    for speaker, text in TURNS:
        paragraph = document.add_paragraph()
        paragraph.add_run(speaker).bold = True
        paragraph.add_run("\t" + text)
    document.save(path)
    return path


if __name__ == "__main__":
    out = build(Path(__file__).with_name("fg3_public_health.docx"))
    words = sum(len(t.split()) for _, t in TURNS)
    print(f"wrote {out} ({len(TURNS)} turns, {words} words)")
