"""One test per class of export difference the duplicate rules handle, with records written
the way Medline (Ovid), Embase, PubMed, Scopus and Web of Science export them, and one per
class of false merge they must refuse (recurring titles, shared DOIs, chains)."""

from __future__ import annotations

import pytest

from review.screening.dedupe import detect
from review.screening.dedupe.authors import author_similarity, parse_authors
from review.screening.dedupe.pages import pages_agree, parse_pages
from review.screening.dedupe.titles import notice_kind, parse_title, spelling
from review.screening.dedupe.venues import venues_match


def merged(*records: dict) -> list[list[str]]:
    return sorted(sorted(c.keys) for c in detect(list(records)).clusters)


def paper(key: str, **fields) -> dict:
    base = {
        "key": key,
        "kind": "article",
        "title": "Cervical intraepithelial neoplasia and cervicovaginal shedding of human "
        "immunodeficiency virus",
        "authors": ["Spinillo, A.", "Zara, F.", "Gardella, B.", "Preti, E."],
        "year": 2006,
        "venue": "Obstetrics and Gynecology",
        "volume": "107",
        "pages": "314-320",
    }
    return {**base, **fields}


# --- journal names -------------------------------------------------------------------------


def test_journal_subtitles_qualifiers_and_medium_designations():
    """NLM's "Title : official journal of ...", "(Clinical research ed.)", "[Electronic
    Resource]", "The", "&", case: all name one journal."""
    same = [
        (
            "Journal of clinical oncology : official journal of the American Society of "
            "Clinical Oncology",
            "Journal of Clinical Oncology",
        ),
        ("PLoS ONE [Electronic Resource]", "PLOS One"),
        ("BMJ (Clinical research ed.)", "BMJ"),
        ('"Lung cancer (Amsterdam, Netherlands)"', "Lung Cancer"),
        (
            "The Journal of thoracic and cardiovascular surgery",
            "Journal of Thoracic & Cardiovascular Surgery",
        ),
        ("International journal of cancer.Journal international du cancer", "Int J Cancer"),
        ("Ai zheng = Aizheng = Chinese journal of cancer", "Chinese Journal of Cancer"),
        (
            "Chung-Hua Chung Liu Tsa Chih [Chinese Journal of Oncology]",
            "Chinese journal of oncology",
        ),
    ]
    for a, b in same:
        assert venues_match(a, b), (a, b)


def test_journal_abbreviations_by_word_truncation_and_contraction():
    """ISO 4 / NLM abbreviations match their full names by rule, not by a list."""
    same = [
        ("Curr Opin Lipidol", "Current Opinion in Lipidology"),
        (
            "Proc Natl Acad Sci U S A",
            "Proceedings of the National Academy of Sciences of the United States of America",
        ),
        ("Ann Fr Anesth Reanim", "Annales françaises d'anesthésie et de réanimation"),
        ("Dtsch Med Wochenschr", "Deutsche medizinische Wochenschrift (1946)"),
        ("Eur J Cardiothorac Surg", "European Journal of Cardio-Thoracic Surgery"),
        ("Jthoraccardiovascsurg", "The Journal of Thoracic and Cardiovascular Surgery"),
        (
            "JPEN. Journal of parenteral and enteral nutrition",
            "Jpen: Journal of Parenteral & Enteral Nutrition",
        ),
        ("Amcis 2017 Proceedings", "Americas Conference on Information Systems"),
        ("Cir Cir", "Cirugía y Cirujanos"),
    ]
    for a, b in same:
        assert venues_match(a, b), (a, b)
    different = [
        ("Journal of Cancer", "Journal of Cancer Research"),
        ("Nature", "Nature Medicine"),
        ("Cancer", "Clinical Cancer Research"),
        ("Journal of Digital Studies", "Workshop of Digital Studies"),
    ]
    for a, b in different:
        assert venues_match(a, b) is False, (a, b)
    assert venues_match("Cancer", None) is None


def test_a_journal_written_two_ways_merges_the_pair():
    full = paper(
        "ovid",
        venue="Cancer epidemiology, biomarkers & prevention : a publication of the "
        "American Association for Cancer Research, cosponsored by the American Society of "
        "Preventive Oncology",
        pages=None,
        volume=None,
    )
    short = paper("embase", venue="Cancer Epidemiol Biomarkers Prev", pages=None, volume=None)
    assert merged(full, short) == [["embase", "ovid"]]


def test_volume_and_first_page_outweigh_an_unrecognised_journal_name():
    """A journal and its translated name ("Aizheng" / "Chinese Journal of Cancer") do not
    abbreviate each other; the same volume and first page identify the article."""
    a = paper("a", venue="Aizheng", volume="28", pages="1324-1327")
    b = paper(
        "b", venue="Ai zheng = Aizheng = Chinese journal of cancer", volume="28", pages="1324-7"
    )
    c = paper("c", venue="Revista Brasileira de Ginecologia", volume="28", pages="1324-1327")
    assert merged(a, b, c) == [["a", "b", "c"]]
    d = paper("d", venue="Revista Brasileira de Ginecologia", volume=None, pages=None)
    result = detect([a, d])
    assert result.clusters == []
    assert "venues differ" in result.maybe[0].reasons


# --- authors -------------------------------------------------------------------------------


def test_author_forms_initials_order_diacritics_and_lost_characters():
    def sim(a, b):
        return author_similarity(parse_authors(a), parse_authors(b))

    assert sim("Ravichandran, Thiagarajan", "T. Ravichandran") == 1.0
    assert sim("Ekmekçioğlu, O.", "Ekmekçio?lu, O.") == 1.0  # an export's lost character
    assert sim("Ekmekçioğlu, O.", "Ekmekcioglu O") == 1.0
    assert sim("Chen, L. and Yang, B.", "Che, L and Yang, B") == 1.0  # cut short
    assert sim("Waldstrom, M and Ornskov, D", "Waldstrom, M and Omskov, D") == 0.5
    assert sim("Parry, Dilworth H", "Dilworth, H P") == 1.0  # given name and surname swapped
    assert sim("Zuna, R E et al.", "Zuna, Rosemary E. and Wang, S S and Schiffman, M") == 1.0
    assert sim("Li, Z", "Lu, Z") == 0.0  # short names: one letter is a different name
    assert sim("César, Jean", "Jean Laidé, Ben Loaeb") == 0.0  # a given name is not a swap


def test_corporate_authors_are_not_persons():
    """A trial group as the only author is no evidence against the people who wrote it."""
    assert parse_authors("ASCUS-LSIL Triage Study Group") == ()
    assert parse_authors("Group, ALTS") == ()
    people = paper("people", authors=["Solomon, D."])
    group = paper("group", authors=["ASCUS-LSIL, Triage Study"])
    assert merged(people, group) == [["group", "people"]]


def test_partly_differing_author_lists_need_the_citation_to_agree():
    a = paper(
        "a",
        authors=["Bhuniya, S.", "Arunabha, D. C.", "Sabyasachi, C.", "Indranil, S."],
        venue="Annals of Thoracic Medicine",
    )
    b = paper(
        "b",
        authors=["Bhuniya, S.", "Arunabha, D. C.", "Choudhury, S.", "Saha, I."],
        venue="Ann Thorac Med",
    )
    assert merged(a, b) == [["a", "b"]]
    c = dict(b, key="c", volume=None, pages=None)
    result = detect([a, c])
    assert result.clusters == [] and "authors partly differ" in result.maybe[0].reasons


# --- titles --------------------------------------------------------------------------------


def test_database_annotations_in_titles_are_not_the_title():
    plain = parse_title("Intrapleural therapy for malignant pleural effusions").main
    for noted in [
        "Intrapleural therapy for malignant pleural effusions. [Review] [33 refs]",
        "Intrapleural therapy for malignant pleural effusions.[Erratum appears in Chest 1993 "
        "May;103(5):1640]",
        '"Intrapleural therapy for malignant pleural effusions.[Erratum appears in J Card Surg.'
        ' 2011 Mar;26(2):244 Note: Yeshaaiahu, Michal [corrected to Yeshayahu, Michal]]"',
        "Intrapleural therapy for malignant pleural effusions [Abstract]",
        "Intrapleural therapy for malignant pleural effusions [abstract no: 134]",
        "Intrapleural <i>therapy</i> for malignant pleural effusions.",
    ]:
        assert parse_title(noted).main == plain, noted
    # an erratum *note* does not make the paper an erratum
    a = paper("a", title="Timing of chest tube removal after coronary artery bypass surgery")
    b = paper("b", title=a["title"] + ".[Erratum appears in J Card Surg. 2011 Mar;26(2):244]")
    assert merged(a, b) == [["a", "b"]]


def test_translated_titles_in_brackets_original_and_two_languages():
    t = parse_title(
        "[Incentive spirometry with expiratory positive airway pressure brings benefits after "
        "myocardial revascularization] TO: Espirometria incentivada con presion positiva "
        "espiratoria es beneficiosa"
    )
    assert t.main.startswith("incentive spirometry") and t.translated
    assert t.forms == ("espirometria incentivada con presion positiva espiratoria es beneficiosa",)
    bilingual = paper(
        "scielo",
        title="Utilidad de los antimicrobianos en la toracostom?a cerrada por trauma; Are "
        "antimicrobials useful in closed thoracostomy due to trauma?",
        venue="Cir Cir",
        pages="29-32",
    )
    medline = paper(
        "medline",
        title="[Are antimicrobials useful in closed thoracostomy due to trauma?]",
        venue="Cirugia y cirujanos",
        pages="29-32",
    )
    original = paper(
        "embase",
        title="Are antimicrobials useful in closed thoracostomy due to trauma? <ORIGINAL> "
        "UTILIDAD DE LOS ANTIMICROBIANOS EN LA TORACOSTOMIA CERRADA POR TRAUMA",
        venue="Cirugia y Cirujanos",
        pages="29-32",
    )
    assert merged(bilingual, medline, original) == [["embase", "medline", "scielo"]]


def test_scopus_original_title_in_brackets_after_the_english_one():
    """Class: Scopus gives a non-English paper's title as "English title [Original title]".
    A bracket up to 60 characters was dropped as a tag, so the English title matched but the
    original was lost (a record holding only the original, from a national database, never
    met it); a longer one stayed in the title, which then matched neither. Now the bracket
    is the original title: a form, like MEDLINE's translation; a database's note in
    brackets ("[original article by … appears in …]", "[Review]") is still no title."""
    scopus = paper(
        "scopus",
        title="Quality of life after video-assisted thoracoscopic lobectomy in elderly "
        "patients [Qualité de vie après lobectomie par thoracoscopie vidéo-assistée chez le "
        "patient âgé]",
        venue="Revue des Maladies Respiratoires",
        volume="31",
        pages="617-624",
        year=2014,
    )
    t = parse_title(scopus["title"])
    assert t.main.startswith("quality of life") and t.main.endswith("elderly patients")
    assert t.forms == (
        "qualite de vie apres lobectomie par thoracoscopie video assistee chez le patient age",
    )
    assert t.translated
    pubmed = dict(scopus, key="pubmed", title=scopus["title"].split(" [")[0] + ".",
                  venue="Rev Mal Respir")  # fmt: skip
    original = dict(
        scopus,
        key="cairn",
        title="Qualité de vie après lobectomie par thoracoscopie vidéo-assistée chez le "
        "patient âgé",
        pages="617-24",
    )
    assert merged(scopus, pubmed) == [["pubmed", "scopus"]]
    assert merged(scopus, original) == [["cairn", "scopus"]]
    # (the English-only and the French-only record share no title: complete linkage sends
    # the third to the maybe queue rather than chain them through the Scopus record)
    short = dict(scopus, key="short", title="Pleural effusion in heart failure [Derrame "
                 "pleural en la insuficiencia cardíaca] [Review]")  # fmt: skip
    assert parse_title(short["title"]).forms == ("derrame pleural en la insuficiencia cardiaca",)
    noted = parse_title(
        "Commentary on Future directions in the management of non-small cell lung cancer "
        "[original article by Bunn P appears in LUNG CANCER 1993;9(Suppl 2):S91-107]"
    )
    assert noted.forms == () and noted.main.endswith("non small cell lung cancer")
    assert parse_title("Outcome of COPD patients [GOLD stage III]").forms == ()  # too short


def test_a_title_translated_differently_needs_the_whole_citation():
    english = paper(
        "ovid",
        title="Antibiotic prophylaxis in pulmonary surgery. A controlled double-blind study of "
        "amoxicillin versus cefamandole",
        venue="Ann Fr Anesth Reanim",
        volume="13",
        pages="280-284",
        year=1994,
    )
    medline = dict(
        english,
        key="medline",
        title="[Comparison of amoxicillin and cefamandole in the prevention of "
        "bronchopulmonary infections in pulmonary surgery. A randomized double-blind study]",
        venue="Annales Francaises d Anesthesie et de Reanimation",
    )
    assert merged(english, medline) == [["medline", "ovid"]]
    other_page = dict(medline, key="other", pages="285-290")
    assert merged(english, other_page) == []
    untranslated = dict(medline, key="untranslated", title=medline["title"].strip("[]"))
    assert merged(english, untranslated) == []


def test_a_subtitle_or_group_name_left_out_needs_the_citation():
    short = paper("short", title="Regional immunotherapy with intrapleural BCG for lung cancer")
    long_ = paper("long", title=short["title"] + ". Surgical considerations")
    group = paper(
        "group",
        title=short["title"] + ". European Lung Cancer Working Party",
        venue="Obstet Gynecol",
    )
    assert merged(short, long_, group) == [["group", "long", "short"]]
    no_pages = dict(long_, key="nopages", pages=None, volume=None)
    result = detect([short, no_pages])
    assert result.clusters == []
    assert any("subtitle" in r for r in result.maybe[0].reasons)


def test_british_and_american_spelling():
    for uk, us in [
        ("tumour", "tumor"),
        ("haematology", "hematology"),
        ("randomised", "randomized"),
        ("centre", "center"),
        ("oesophageal", "esophageal"),
        ("paediatric", "pediatric"),
        ("analysed", "analyzed"),
        ("catalogue", "catalog"),
        ("modelled", "modeled"),
        ("programme", "program"),
    ]:
        assert spelling(uk) == spelling(us), (uk, us)
    uk = paper(
        "uk",
        title="A randomised trial of paediatric tumour centres in oesophageal haematology",
        pages=None,
    )
    us = paper(
        "us",
        title="A randomized trial of pediatric tumor centers in esophageal hematology",
        pages=None,
    )
    assert merged(uk, us) == [["uk", "us"]]


def test_numbered_parts_and_phases_are_different_works():
    one = paper("one", title="Linomide in relapsing MS: Part I: trial design", pages=None)
    two = paper("two", title="Linomide in relapsing MS: Part II: trial design", pages=None)
    phase = paper("p2", title="Phase II trial of ATRA-IV and depakote", pages=None)
    phase1 = paper("p1", title="Phase I trial of ATRA-IV and depakote", pages=None)
    assert merged(one, two) == [] and merged(phase, phase1) == []
    assert "numbers in the titles differ" in detect([one, two]).maybe[0].reasons
    # written apart or together, the same numbers; a typo inside a word on one page: one work
    a = paper("a", title="Prevalence of HPV16/18 among 10 000 women")
    b = paper("b", title="Prevalence of HPV 16/18 among 10000 women")
    c = paper("c", title="p6INK4a expression does not predict the outcome of CIN grade 2")
    d = paper("d", title="p16(INK4a) expression does not predict the outcome of CIN grade 2")
    assert merged(a, b) == [["a", "b"]]
    assert merged(c, d) == [["c", "d"]]
    assert merged(dict(c, pages=None), dict(d, pages=None)) == []


# --- pages, volume, years ------------------------------------------------------------------


def test_page_forms():
    def agree(x, y):
        return pages_agree(parse_pages(x), parse_pages(y))

    assert agree("23-35", "23-5") and agree("1324-1327", "1324-7")
    assert agree("233-238+230-235+246-251", "230-5, 246-51, 233-8")
    assert agree("2243-5; author reply 2243-5", "2243-2245")
    assert agree("488", "487-488")  # one page kept: inside the range
    assert agree("S78-S89", "S3-89")  # a cut first page, the same last page
    assert agree("e123", "123") and agree("CD002273", "Cd002273")
    assert agree("969-972", "a1754") is None  # print pages vs an article number
    assert agree("1-6", "e12724") is None  # online-first pagination says nothing
    assert agree("13-May", "5-13") is None  # a spreadsheet made a date of it
    assert agree("Suppl-29", "S417-S429") is None
    assert agree("945-948", "948-961") is False
    bmj = paper("print", venue="BMJ", volume="337", pages="969-972")
    online = paper("online", venue="BMJ (Clinical research ed.)", volume="337", pages="a1754")
    assert merged(bmj, online) == [["online", "print"]]


def test_supplement_pages_with_an_s_or_a_roman_supplement_number():
    """Class: supplement pages. Oxford journals print the supplement's number in roman
    numerals before the page ("viii108": supplement 8, page 108; "iii53-iii59"), other
    exports write "viii-108", "S108", "Suppl 8:S108" or drop the mark. "viii108" gave no page
    at all (a four-letter prefix), so a supplement abstract with a garbled author list never
    had the volume and page that let it merge, and two abstracts on different pages of one
    supplement were not told apart by their pages."""

    def agree(x, y):
        return pages_agree(parse_pages(x), parse_pages(y))

    assert agree("viii108", "viii-108") and agree("viii108", "S108") and agree("viii108", "108")
    assert agree("iii53-iii59", "S53-S59") and agree("viii94-viii95", "94-5")
    assert agree("S12-S14", "12-14") and agree("Suppl 1:S12-S14", "S12-14")
    assert agree("S12-S14", "S15-S17") is False and agree("viii96", "viii108") is False
    # a supplement has its own pagination: an unmarked other number may be the issue's
    assert agree("S33-38", "1262-1268") is None
    # front matter in roman numerals is its own numbering
    assert agree("iii-iv", "iii") and agree("iii-iv", "v-vi") is False
    assert agree("iii", "3") is None and agree("63-71, vi", "63-71")
    embase = {
        "key": "embase",
        "kind": "article",
        "title": "The effect of all-trans retinoic acid with chemotherapy in advanced "
        "non-small cell lung cancer",
        "authors": ["Arrieta, O.", "Gonzalez-De la Rosa, C. H.", "Arechaga-Ocampo, E."],
        "year": 2008,
        "venue": "Annals of Oncology",
        "volume": "19",
        "issue": "Suppl 8",
        "pages": "viii108",
    }
    wos = {**embase, "key": "wos", "pages": "S108", "venue": "Ann Oncol",
           "authors": ["Arrieta, O", "Gonzalez, C", "Villanueva, C"]}  # fmt: skip
    scopus = {**wos, "key": "scopus", "pages": "viii-108"}
    assert merged(embase, wos, scopus) == [["embase", "scopus", "wos"]]
    other_page = {**embase, "key": "other", "pages": "viii96"}
    result = detect([embase, other_page])
    assert result.clusters == [] and "pages differ" in result.maybe[0].reasons


def test_missing_volume_or_issue_never_contradicts():
    full = paper(
        "full",
        issue="2",
        venue="Cochrane Database of Systematic Reviews",
        pages="CD006273",
        volume="6",
    )
    bare = paper("bare", venue="Cochrane Database Syst Rev", volume=None, pages=None)
    assert merged(full, bare) == [["bare", "full"]]
    other = paper("other", venue="Obstetrics & Gynecology", volume="108")
    assert merged(paper("p"), other) == []  # another volume


def test_one_year_apart_needs_online_first_or_the_citation():
    print_ = paper("print", year=2013, volume="398", pages="515-523")
    online_first = paper("ahead", year=2012, volume=None, pages="1-9")
    unconfirmed = paper("other", year=2012, volume=None, pages=None)
    assert merged(print_, online_first) == [["ahead", "print"]]
    result = detect([print_, unconfirmed])
    assert result.clusters == []
    assert "one year apart, nothing else confirms" in result.maybe[0].reasons


# --- recurring titles, shared DOIs, chains -------------------------------------------------


def editorial(key: str, **fields) -> dict:
    base = {
        "key": key,
        "kind": "article",
        "title": "Editor's comments",
        "authors": ["Straub, Detmar W."],
        "year": 2010,
        "venue": "MIS Quarterly",
        "volume": "34",
        "doi": "10.2307/editorscomments",
    }
    return {**base, **fields}


def test_recurring_titles_sharing_a_doi_do_not_merge_across_issues_or_years():
    issues = [editorial(f"i{n}", issue=str(n), pages="iii-iv") for n in (1, 2, 3)]
    assert merged(*issues) == []
    years = [editorial("y2010"), editorial("y2011", year=2011, volume="35")]
    assert merged(*years) == []
    # the same editorial exported twice (same issue and page) is one record
    assert merged(
        editorial("a", issue="1", pages="iii"), editorial("b", issue="1", pages="iii")
    ) == [["a", "b"]]


def test_letters_and_replies_with_one_title_in_different_issues():
    letter = {
        "kind": "article",
        "title": "Letters to the editor",
        "authors": ["Smith, J."],
        "year": 2019,
        "venue": "Public Administration Review",
        "volume": "79",
    }
    a = {**letter, "key": "a", "issue": "1", "pages": "12"}
    b = {**letter, "key": "b", "issue": "2", "pages": "12"}
    c = {**letter, "key": "c", "pages": None}
    assert merged(a, b, c) == []


@pytest.mark.parametrize(
    "title",
    [
        "Response to letter",
        "Acknowledgement of reviewers",
        "Call for papers",
        "Notes on contributors",
        "Retraction notice",
        "Expression of concern",
        "A message from the editor",
        "President's message",
        "Report of the meeting",
    ],
)
def test_titles_of_journal_furniture_alone_recur_too(title):
    """A title made only of a journal's furniture words has no subject and comes back in
    every issue. Only the enumerated forms ("Editorial", "Letters to the editor", …) were
    known, so one editor's 'Response to letter' (or 'Acknowledgement of reviewers', a DOI
    shared by the issue's items) in issues 1 and 3 of one volume merged as 'same title,
    authors and year' (found by the import walk). The same item exported twice still meets
    in the maybe queue, as an editorial does; a title with a subject is no furniture (but a
    notice with one, "Response to letter on nurse staffing", is a notice: see
    `test_notices_recur_and_never_merge_across_issues_or_with_their_paper`)."""
    item = {
        "kind": "article",
        "title": title,
        "authors": ["Watson, Roger"],
        "year": 2019,
        "venue": "Journal of Advanced Nursing",
        "volume": "75",
    }
    issues = [{**item, "key": f"i{n}", "issue": str(n)} for n in (1, 3)]
    assert merged(*issues) == []
    shared = [{**i, "authors": [], "doi": "10.1111/jan.13900"} for i in issues]
    assert merged(*shared) == []
    twice = [{**item, "key": k, "issue": "1", "pages": "5"} for k in ("a", "b")]
    assert merged(*twice) == [["a", "b"]]
    subject = [{**i, "title": "A message from the editor on nurse staffing"} for i in issues]
    assert merged(*subject) == [["i1", "i3"]]


@pytest.mark.parametrize("prefix", ["Reply to: ", "Response to: ", "Correction to: "])
def test_a_notice_to_a_paper_is_not_a_translation_of_it(prefix):
    """Embase's "TO:" before an original-language title was matched in any case, so "Reply
    to: <the paper's title>" split there: its main title was "reply" and the paper's title a
    translated form, and with the paper's DOI (a reply indexed under it) the two merged as
    'same DOI; title matches in translation' (found by the import walk). Embase's own
    capital "TO:" still gives the original title."""
    original = paper("paper", doi="10.1097/01.AOG.0000196504.82532.d1")
    notice = paper("notice", title=prefix + original["title"], pages="e5")
    result = detect([original, notice])
    assert result.clusters == []
    assert any("vs the paper itself" in r for r in result.maybe[0].reasons)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Re: {}", "comment"),  # BMJ's rapid responses, J Urol's comments
        ("Addendum: {}", "addendum"),
        ("Letter: {}", "comment"),  # Aliment Pharmacol Ther's letters
        ("WITHDRAWN: {}", "withdrawal"),  # a Cochrane review withdrawn
        ("Retraction: {}", "retraction"),
        ("RETRACTED: {}", "retraction"),
        ("Retraction of: {}", "retraction"),
        ("Reply to: {}", "reply"),
        ("Correction to {}", "erratum"),
    ],
)
def test_a_notice_heading_is_never_the_paper(title, kind):
    """Class: notices about a paper, headed the way journals head them. Only erratum,
    retraction and reply words were known, so "Re: <the paper's title>", "Addendum: …",
    "Letter: …" and "WITHDRAWN: …" matched the paper itself at 93 % or more and merged with
    it (the same authors, year and journal); now they are notices like an erratum."""
    original = paper(
        "paper",
        title="Intrapleural tissue plasminogen activator and deoxyribonuclease in pleural "
        "infection",
        authors=["Rahman, N. M.", "Maskell, N. A.", "West, A.", "Teoh, R."],
        year=2011,
        venue="New England Journal of Medicine",
        volume="365",
        pages="518-526",
    )
    notice = dict(original, key="notice", title=title.format(original["title"]), pages=None)
    assert notice_kind(parse_title(notice["title"]).main, notice["title"]) == kind
    result = detect([original, notice])
    assert result.clusters == []
    assert f"{kind} vs the paper itself" in result.maybe[0].reasons


def test_notices_recur_and_never_merge_across_issues_or_with_their_paper():
    """Class: a notice's title recurs — "Reply to Smith et al." with every reply, "Erratum:
    <title>" with every correction of one paper — so, as an editorial, it merges only with
    the same volume, issue, year and first page, even under the paper's DOI; a letter and the
    reply to it are two notices. Titles that only look like one ("Re-evaluation …", "Surgical
    correction …", "Response to neoadjuvant chemotherapy …") are papers."""
    reply = {
        "key": "r1",
        "kind": "article",
        "title": "Reply to Brims et al.",
        "authors": ["Bhatnagar, R.", "Maskell, N. A."],
        "year": 2018,
        "venue": "European Respiratory Journal",
        "volume": "51",
        "issue": "2",
        "pages": "1702345",
    }
    other_issue = {**reply, "key": "r2", "issue": "5", "pages": None}
    other_year = {**reply, "key": "r3", "year": 2019, "volume": None, "issue": None,
                  "pages": None}  # fmt: skip
    other_page = {**reply, "key": "r4", "pages": "1702517"}
    other_volume = {**reply, "key": "r5", "volume": "52", "issue": None, "pages": None}
    assert merged(reply, other_issue, other_year, other_page, other_volume) == []
    reasons = {r for p in detect([reply, other_issue, other_year]).maybe for r in p.reasons}
    assert "a recurring title from another issue or year" in reasons
    assert merged(reply, {**reply, "key": "r1-embase", "pages": "1702345"}) == [["r1", "r1-embase"]]
    # two errata of one paper, both under its DOI, in different issues
    doi = "10.1056/NEJMoa1012740"
    errata = [
        {**reply, "key": f"e{n}", "title": "Erratum: Intrapleural tissue plasminogen activator "
         "and deoxyribonuclease in pleural infection", "issue": str(n), "doi": doi,
         "pages": None}
        for n in (3, 7)
    ]  # fmt: skip
    assert merged(*errata) == []
    letter = {**reply, "key": "letter", "title": "Letter: talc poudrage versus talc slurry "
              "in malignant pleural effusion", "pages": "1702400"}  # fmt: skip
    answer = {**letter, "key": "answer", "title": letter["title"] + " — authors' reply"}
    assert "comment vs reply" in detect([letter, answer]).maybe[0].reasons
    for title in [
        "Re-evaluation of pleural fluid pH in parapneumonic effusion",
        "Surgical correction of pectus excavatum in adults",
        "Response to neoadjuvant chemotherapy in advanced epithelial ovarian cancer",
        "Upper lid retraction in Graves' orbitopathy",
    ]:
        assert notice_kind(parse_title(title).main, title) is None, title
        twins = [paper(k, title=title, pages=None, volume=None) for k in ("a", "b")]
        assert merged(*twins) == [["a", "b"]], title


def test_errata_are_not_the_paper_even_with_its_doi():
    original = paper("paper", doi="10.1097/01.AOG.0000196504.82532.d1")
    erratum = paper(
        "erratum",
        title="Erratum: " + original["title"],
        doi=original["doi"],
        pages="1199",
        volume="108",
    )
    result = detect([original, erratum])
    assert result.clusters == []
    assert any("erratum" in r for r in result.maybe[0].reasons)


def test_abstracts_of_one_supplement_sharing_a_doi_are_not_one_record():
    """A supplement's DOI on every abstract: it is ignored, the abstracts stay apart and the
    maybe queue is not flooded; the same abstract exported twice still merges."""
    base = {
        "kind": "article",
        "year": 2011,
        "venue": "American Journal of Respiratory and Critical Care Medicine",
        "volume": "183",
        "doi": "10.1164/ajrccm-conference.2011.183.1",
    }
    titles = [
        "Efficacy of intrapleural streptokinase therapy in tubercular pleural effusions",
        "Indwelling pleural catheters reduce hospital admissions in malignant effusion",
        "Talc pleurodesis and days in hospital for malignant pleural effusion",
        "Thoracoscopic biopsy yield in undiagnosed exudative effusions",
    ]
    records = [
        {**base, "key": f"abs{n}", "title": t, "authors": [f"Author{n}, A."], "pages": f"A{n}0"}
        for n, t in enumerate(titles)
    ]
    twin = {**records[0], "key": "abs0-embase", "title": titles[0] + " [Abstract]"}
    result = detect([*records, twin])
    assert sorted(sorted(c.keys) for c in result.clusters) == [["abs0", "abs0-embase"]]
    assert result.shared_dois == ["10.1164/ajrccm-conference.2011.183.1"]
    assert result.maybe == []


def test_a_cluster_never_chains_records_that_a_veto_keeps_apart():
    """A~B and B~C but A and C are in different volumes: single linkage would merge all
    three; the cluster keeps the strong pair and the third goes to the maybe queue."""
    a = paper("a", volume="107", pages="314-320", issue="2")
    b = paper("b", volume=None, pages=None)  # matches both: no volume or pages
    c = paper("c", volume="108", pages="314-320")
    result = detect([a, b, c])
    clusters = [sorted(cl.keys) for cl in result.clusters]
    assert len(clusters) == 1 and not {"a", "c"} <= set(clusters[0])
    assert any("would join records that differ" in r for p in result.maybe for r in p.reasons)


def test_a_manuscript_and_the_paper_it_became_are_two_reports_to_look_at():
    """Class: an unpublished manuscript (BibTeX @unpublished, stored as a 'document') and the
    conference paper or article it became share title and authors but are two reports —
    found in a real bibliography (Scherl & Levesque, AAAI-93 and the 1995 MSS.), which a
    missing year let through as one. A person decides; the same record twice still merges."""
    conf = {"key": "Scherl:93", "kind": "conference", "title": "The Frame Problem and "
            "Knowledge-producing Actions", "authors": ["Scherl, Richard B.",
            "Levesque, Hector J."], "pages": "689-695"}  # fmt: skip
    mss = {**conf, "key": "Scherl:95", "kind": "document", "year": 1995, "pages": None}
    result = detect([conf, mss])
    assert result.clusters == []
    assert [sorted((p.a, p.b)) for p in result.maybe] == [["Scherl:93", "Scherl:95"]]
    assert "conference vs manuscript version" in result.maybe[0].reasons
    assert merged(mss, {**mss, "key": "Scherl:95b"}) == [["Scherl:95", "Scherl:95b"]]
