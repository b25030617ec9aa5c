"""LaTeX to Unicode for display and search, fast enough for 50,000-entry libraries.

bibtexparser's `LatexDecodingMiddleware` (pylatexenc) costs ~3 ms an entry. Most field values
contain no LaTeX at all, so `decode` returns them untouched after one cheap check; the rest go
through one regular expression over a small table of accents, letters and text commands,
and NFC folds `e` + combining acute into `é`. The original value is kept elsewhere (the
record) so a BibTeX export still round-trips exactly what the user wrote.
"""

from __future__ import annotations

import re
import unicodedata

# Accent command -> combining character (NFC composes base + mark where Unicode can).
ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}

# Letter-like commands and symbols.
SYMBOLS = {
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "ss": "ß",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
    "textendash": "–",
    "textemdash": "—",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "textregistered": "®",
    "texttrademark": "™",
    "copyright": "©",
    "textcopyright": "©",
    "S": "§",
    "P": "¶",
    "pounds": "£",
    "euro": "€",
    "texteuro": "€",
    "textdegree": "°",
    "degree": "°",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textunderscore": "_",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "guillemotleft": "«",
    "guillemotright": "»",
    "textperiodcentered": "·",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "slash": "/",
    # BibLaTeX's punctuation and hyphenation commands (biblatex manual §4.6–4.7)
    "hyphen": "-",
    "hyph": "-",
    "nbhy": "-",
    "textminus": "−",
    "addcomma": ",",
    "adddot": ".",
    "addperiod": ".",
    "addcolon": ":",
    "addsemicolon": ";",
    "addspace": " ",
    "addnbspace": "\u00a0",
    "addthinspace": "\u2009",
    "space": " ",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "textasciicircum": "^",
    "textsection": "§",
    "textparagraph": "¶",
    "textdagger": "†",
    "quad": " ",
    "qquad": " ",
    "enspace": " ",
    "thinspace": " ",
    "nobreakspace": "\u00a0",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    "times": "×",
    "pm": "±",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "infty": "∞",
    "cdot": "·",
    "rightarrow": "→",
    "to": "→",
    "leftarrow": "←",
    "sim": "∼",
    "circ": "∘",
}
ESCAPES = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    "\\": " ",
    ",": "\u2009",
    ";": " ",
    "!": "",
    "/": "",
    "-": "",
}

# Commands whose argument is kept as text (formatting only).
_TOKEN = re.compile(
    r"""\\(?P<acc>['`^"~=.])\s*(?:\{\s*(?P<ab>\\?[A-Za-z]|)\s*\}|(?P<ac>\\?[A-Za-z]))"""
    r"""|\\(?P<accl>[uvHckrdbt])(?:\s*\{\s*(?P<alb>\\?[A-Za-z]|)\s*\}|\s+(?P<alc>[A-Za-z]))"""
    r"""|\\(?P<cmd>[A-Za-z]+)\s*(?:\{\})?"""
    r"""|\\(?P<esc>[&%$#_{}\\ ,;!/-])"""
    r"""|(?P<dash>---?)|(?P<quote>``|'')|(?P<tilde>~)"""
)


def _base(letter: str) -> str:
    """The letter under an accent; dotless \\i and \\j take the accent as plain i and j."""
    if letter.startswith("\\"):
        name = letter[1:]
        return name if name in ("i", "j") else SYMBOLS.get(name, name)
    return letter


def _replace(match: re.Match[str]) -> str:
    g = match.group
    if g("acc"):
        letter = g("ab") if g("ab") is not None else g("ac")
        return _base(letter) + ACCENTS[g("acc")]
    if g("accl"):
        letter = g("alb") if g("alb") is not None else g("alc")
        return _base(letter) + ACCENTS[g("accl")]
    if g("cmd"):
        name = g("cmd")
        return SYMBOLS.get(name, "")  # unknown commands (\emph, \mbox, \noopsort) vanish
    if g("esc"):
        return ESCAPES[g("esc")]
    if g("dash"):
        return "—" if len(g("dash")) == 3 else "–"
    if g("quote"):
        return "“" if g("quote") == "``" else "”"
    return " "  # ~ is a tie: a space for display and search


def needs_decoding(value: str) -> bool:
    """True when a value may hold LaTeX; the fast path for the great majority of fields."""
    return "\\" in value or "{" in value or "~" in value or "--" in value or "$" in value


def decode(value: str) -> str:
    """Readable Unicode for a BibTeX field value (braces, accents, commands, dashes, ties)."""
    if not needs_decoding(value):
        return " ".join(value.split())
    text = value
    if "\\" in text or "--" in text or "~" in text or "``" in text or "''" in text:
        text = _TOKEN.sub(_replace, text)  # (only braces or `$` otherwise: nothing to match)
    # str.replace, not str.translate (several times slower on non-ASCII text); split/join is
    # the same whitespace collapse as a `\s+` regex (both use str.isspace), only faster.
    text = text.replace("{", "").replace("}", "").replace("$", "")
    return unicodedata.normalize("NFC", " ".join(text.split()))
