"""Pure helpers for literature records: LaTeX decoding, names, DOIs, cite keys, kinds, fields.

No database and no interface code here: parsers in `review.ingest.formats` use these to turn every
export format into the same normalised `Source` columns.
"""

from review.ingest.literature.doi import normalise_doi
from review.ingest.literature.fields import (
    any_value,
    clean,
    is_placeholder,
    join_pages,
    parse_year,
    split_keywords,
    thin_record,
    tidy_pages,
    unquote_title,
)
from review.ingest.literature.keys import make_key
from review.ingest.literature.latex import decode as latex_to_unicode
from review.ingest.literature.names import (
    group_names,
    split_bibtex_authors,
    split_name_list,
    tidy_name,
    tidy_names,
)

__all__ = [
    "clean",
    "is_placeholder",
    "join_pages",
    "latex_to_unicode",
    "make_key",
    "any_value",
    "thin_record",
    "normalise_doi",
    "parse_year",
    "split_bibtex_authors",
    "split_keywords",
    "split_name_list",
    "group_names",
    "tidy_name",
    "tidy_names",
    "tidy_pages",
    "unquote_title",
]
