"""Stage 3: reading and coding — the codebook and its files, codings and memos, code
suggestions, inter-coder agreement, retrieval of excerpts, full-text search, the library of
sources and REFI-QDA project import. Imports only the stages below it.
"""
