"""Stage 2: deciding what is in the review — duplicates (`dedupe/`), screening decisions by
two reviewers (`decisions`), and the PRISMA 2020 counts that follow from them (`prisma`).
Imports only `review.ingest`, `review.store` and `review.errors`.
"""
