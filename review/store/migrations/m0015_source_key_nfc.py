"""Every source key in NFC, the one form a key is stored and looked up in.

A transcript or document is keyed by its file's stem, and before 2026-12-03 the stem was
stored as the file system gave it: decomposed (NFD, `u` + U+0308 for `ü`) for a file named on
macOS, or in a REFI-QDA project written there. Such a key could not be typed back (`review
passages Jürgen-interview` found nothing). Keys are now normalised to NFC on import and on
every look-up (`review.ingest.sources.normal_key`); this migration puts the keys already
stored into that form. A key whose NFC form another source already has takes the first free
`-2`, `-3`, ... suffix (what a second file with the same stem gets on import). The speakers'
`transcript` attribute, which names the transcripts they speak in by key, follows. Each
change is reported.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import text

SHOWN = 5  # renames named in the note


def _nfc(key: str) -> str:
    return key if key.isascii() else unicodedata.normalize("NFC", key)


def upgrade(op, conn) -> list[str]:
    rows = conn.execute(text("SELECT id, key FROM source ORDER BY id")).all()
    taken = {key for _, key in rows}
    renames: list[tuple[int, str, str]] = []
    for sid, key in rows:
        wanted = _nfc(key)
        if wanted == key:
            continue
        new, n = wanted, 1
        while new in taken:
            n += 1
            new = f"{wanted}-{n}"
        taken.discard(key)
        taken.add(new)
        renames.append((sid, key, new))
    if not renames:
        return []
    conn.execute(
        text("UPDATE source SET key = :k WHERE id = :i"),
        [{"k": new, "i": sid} for sid, _, new in renames],
    )
    renamed = {old: new for _, old, new in renames}
    attrs = conn.execute(
        text("SELECT id, value FROM participantattribute WHERE name = 'transcript'")
    ).all()
    changed = []
    for aid, value in attrs:
        seen = [k for k in (value or "").split("; ") if k]
        now = [renamed.get(k, k) for k in seen]
        if now != seen:
            changed.append({"v": "; ".join(now), "i": aid})
    if changed:
        conn.execute(text("UPDATE participantattribute SET value = :v WHERE id = :i"), changed)
    n = len(renames)
    suffixed = [(old, new) for _, old, new in renames if new != _nfc(old)]
    shown = ", ".join(new for _, _, new in renames[:SHOWN])
    more = f" and {n - SHOWN} more" if n > SHOWN else ""
    notes = [
        f"{n} source key{'s' if n != 1 else ''} stored decomposed (NFD, from a macOS file "
        f"name) now in NFC, so {'they' if n != 1 else 'it'} can be typed: {shown}{more}"
    ]
    for old, new in suffixed:
        notes.append(
            f"source key {_nfc(old)!r} was taken by another source: the decomposed one is "
            f"now {new!r}"
        )
    return notes
