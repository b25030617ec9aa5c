"""Stage 4: survey indicators and the evidence links that tie codes and excerpts to them.
Imports only the stages below it.
"""
