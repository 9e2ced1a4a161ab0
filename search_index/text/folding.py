"""Folding a word to the letters the index keeps: NFKC, lower case, accents off.

"Paresthésie", "PARESTHESIE" and "ｐａｒｅｓｔｈｅｓｉｅ" all become "paresthesie". The accents
folded are the ones index terms have always had folded (the Sphinx character table Whoosh
ships as `accent_map`): the Latin letters whose Unicode name is "LATIN SMALL LETTER x WITH
..." in the blocks below, and a few letters named otherwise. tests/search_index/backends/
whoosh/test_text_oracle.py checks every code point against Whoosh's table.

>>> fold("Paresthésie"), fold("ﬁbromyalgia"), fold("Straße")
('paresthesie', 'fibromyalgia', 'strase')
"""
import re
import unicodedata

# The code point ranges whose "LATIN SMALL LETTER x WITH ..." letters fold to x; the gaps
# hold letters the table never folded (swash tails, "h with hook", palatal hooks...).
FOLDED_RANGES = (
    (0x00C0, 0x023F), (0x0241, 0x0266), (0x0267, 0x02B0), (0x1D6C, 0x1D6F), (0x1D72, 0x1D74),
    (0x1D75, 0x1D76), (0x1E00, 0x1EFA), (0x2C60, 0x2C6D),
)
# Letters folded though their names do not say "x WITH", and seven combining marks that the
# table maps to letters (a slip of its own, kept so that terms stay as they were).
OTHER_FOLDS = {
    "ß": "s", "ð": "d", "þ": "t", "ı": "i", "ȷ": "j", "ƺ": "z", "ǯ": "z", "ǝ": "e", "ǣ": "a",
    "ǽ": "a", "ɚ": "e", "ɝ": "e", "ɟ": "j", "ʄ": "j", "ɵ": "o", "ʉ": "u", "ʏ": "y",
    "\u0303": "p", "\u0308": "t", "\u030a": "y", "\u030c": "j", "\u0323": "l", "\u0329": "s",
    "\u0331": "h",
}
_LETTER_WITH = re.compile(r"LATIN SMALL LETTER ([A-Z])(?: WITH .*)?$")


def _fold_table() -> dict[int, str]:
    table = {ord(letter): plain for letter, plain in OTHER_FOLDS.items()}
    for start, end in FOLDED_RANGES:
        for code in range(start, end):
            named = _LETTER_WITH.match(unicodedata.name(chr(code), ""))
            if named:
                table[code] = named.group(1).lower()
    return table


FOLDS = _fold_table()


def fold(word: str) -> str:
    """The word NFKC-normalised, lower-cased and without accents."""
    return unicodedata.normalize("NFKC", word).lower().translate(FOLDS)
