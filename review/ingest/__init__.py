"""Stage 1 of the user's day: getting evidence in.

Pure parsers (bytes in, records and problems out: `literature/`, `transcripts/`, `refi/`), the
importers that store them (`formats/`, one module a format), the import pipeline (one
transaction a file, an audit batch, problems with file and line), sources, passages and
participants. Imports only `review.store` and `review.errors`.
"""
