"""Briefing-note tables as plain data, and their renderers (Markdown, CSV, HTML, DOCX)."""
