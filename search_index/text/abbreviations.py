"""Abbreviations defined in prose: "hereditary neuropathy with liability to pressure palsies
(HNPP)" -> ("HNPP", "hereditary neuropathy with liability to pressure palsies").

The Schwartz-Hearst method (A simple algorithm for identifying abbreviation definitions in
biomedical text, PSB 2003): a short form in parentheses, and before it the shortest run of
words in which the short form's letters occur in order, its first letter starting a word.
It is written here rather than taken from the `abbreviations` package (last released 2019):
the method is these few lines, and search needs a stricter short form than the paper's
(capital letters, so that "(rare)" or "(see below)" define nothing).
"""
import re
from collections.abc import Iterator

# A parenthesis holding one or two words of 2 to 10 characters, nothing nested.
PARENTHESIS = re.compile(r"\(\s*([^()\s;,]{2,10}(?: [^()\s;,]{1,10})?)\s*[;,)]")
# Two capitals (HNPP, AFib, HbA1c, NF1), no lower-case run after the first letter longer
# than the capitals ("Tylenol"), and not a plain number or Roman numeral.
SHORT_FORM = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*(?: [A-Za-z0-9-]+)?")
ROMAN = re.compile(r"[IVXLC]+")
# Where a sentence or clause ends, a long form cannot reach back over it.
CLAUSE_END = re.compile(r"[.;:!?\[\]()]\s")


def is_short_form(text: str) -> bool:
    """True for text that may abbreviate something: HNPP, ED, NF1, AFib."""
    capitals = sum(ch.isupper() for ch in text)
    lower = sum(ch.islower() for ch in text)
    return (
        bool(SHORT_FORM.fullmatch(text))
        and capitals >= 2
        and lower <= capitals
        and not ROMAN.fullmatch(text)
    )


def best_long_form(short: str, words: str) -> str | None:
    """The shortest tail of `words` whose letters hold the short form's in order, its first
    letter starting a word (the heart of Schwartz-Hearst)."""
    s, text = short.lower(), words.lower()
    s_at, t_at = len(s) - 1, len(text) - 1
    while s_at >= 0:
        ch = s[s_at]
        if not ch.isalnum():
            s_at -= 1
            continue
        while t_at >= 0 and (
            text[t_at] != ch or (s_at == 0 and t_at > 0 and text[t_at - 1].isalnum())
        ):
            t_at -= 1
        if t_at < 0:
            return None
        t_at -= 1
        s_at -= 1
    start = text.rfind(" ", 0, t_at + 1) + 1
    found = words[start:].strip(" -,")
    return found if len(found) > len(short) and short.lower() not in found.lower().split() else None


def definitions(text: str) -> Iterator[tuple[str, str]]:
    """(short form, long form) of every abbreviation the text defines in parentheses."""
    for match in PARENTHESIS.finditer(text):
        short = match.group(1).strip()
        if not is_short_form(short):
            continue
        before = text[max(0, match.start() - 300) : match.start()]
        clause = CLAUSE_END.split(before)[-1]
        most = min(len(short) + 5, len(short) * 2)
        words = clause.split()[-most:]
        if not words:
            continue
        long = best_long_form(short, " ".join(words))
        if long and long[0].isalpha():
            yield short, long
