"""Stage 5: what the review hands on — the briefing note (`brief/`), bibliographies, coded
excerpts and REFI-QDA projects, and the one writer both interfaces call (`writer`). Imports
only the stages below it.
"""
