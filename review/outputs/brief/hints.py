"""What a briefing table tells the team it could show otherwise (the documents leave these
out): each hint once here, in the command line's words, so `review brief` prints it as is
and the Brief screen can say it with its own keys."""

from __future__ import annotations

ALL_ROWS = "--all-rows shows the codes with no excerpt"
ALL_INDICATORS = "--all-rows lists the indicators with no evidence linked"
ATTRIBUTE = "--attribute NAME tabulates one of them"
RESOLVE = "review screen resolve settles the conflicts"
BLIND = (
    "blind coding is on, but the brief is the team's: it shows every coder's work "
    "(`review code blind off` once the team has compared)"
)
