"""Snippets: the passage of a stored body that best matches the query, with words marked.

The text is cut into plain pieces and matched words by character offsets; every piece is
HTML-escaped and only the <mark> tags around matches are added as markup, so stored content
can never inject HTML into a results page. Work is bounded: only the start of a long body
is analysed.

>>> snippet('Pins & needles <b>in</b> the feet', {"needl", "feet"})
'Pins &amp; <mark>needles</mark> &lt;b&gt;in&lt;/b&gt; the <mark>feet</mark>'
"""
import html
import re
from collections import Counter
from functools import lru_cache

from search_index.caching.registry import register
from search_index.text.analysis import WORD_PATTERN, medical_analyzer

SCAN_CHARS = 5000  # analyse no further into a body than this
SNIPPET_CHARS = 240
LEAD_CHARS = 50  # context kept before the first marked word
MAX_MATCHES = 200
# Markdown markers that would look like noise in a one-line snippet.
MARKDOWN_NOISE = re.compile(r"\*\*|__|^\s*(?:[-*+]\s+|#+\s*)", re.MULTILINE)

_analyzer = medical_analyzer()
TOKEN = re.compile(WORD_PATTERN)
NOTHING = re.compile(r"(?!)")


def one_line(text: str) -> str:
    """One line of text without Markdown emphasis, list bullets or headings."""
    # split() and join: substituting every single space cost half of this on a long answer.
    return " ".join(MARKDOWN_NOISE.sub(" ", text[:SCAN_CHARS]).split())


def find_matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, stem) of every word in text whose stem is one of the terms."""
    if not text.isascii():
        return _matches_among(_analyzer.spans(text), terms)
    # Only words that could stem to a term are analysed: a regular expression finds them,
    # where analysing every word of ten answers cost a page milliseconds.
    # Lower-cased (offsets stay: the text is ASCII), the pattern needs no IGNORECASE, which
    # made it nearly twice as slow.
    # An ASCII word's term is that of its lower-cased self: one loop, no generator chain.
    term = _analyzer.term
    found = []
    for match in _candidates(frozenset(terms)).finditer(text.lower()):
        stem, stopped = term(match.group())
        if not stopped and stem in terms:
            found.append((*match.span(), stem))
            if len(found) >= MAX_MATCHES:
                break
    return found


def _matches_among(spans, terms: set[str]) -> list[tuple[int, int, str]]:
    found = []
    for start, end, term in spans:
        if term in terms:
            found.append((start, end, term))
            if len(found) >= MAX_MATCHES:
                break
    return found


@lru_cache(maxsize=512)
def _candidates(terms: frozenset[str]) -> re.Pattern:
    """Words of an ASCII text that may stem to one of the terms, as the tokenizer cuts them.

    A Snowball stem keeps all but at most the last two letters of its word's start (even
    dying -> die), so a word is a candidate when it starts with the stem less two letters.
    A word starts where no word character, nor one followed by an apostrophe, comes before
    ("don't" is one word). The pattern is for lower-cased text.
    """
    # A term no token could be ("pins-and-needl", from a whole string) matches no word.
    tokens = [t for t in terms if TOKEN.fullmatch(t)]
    if not tokens:
        return NOTHING
    starts = sorted({re.escape(t[: max(1, len(t) - 2)]) for t in tokens}, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?<!\w')(?:{'|'.join(starts)})\w*(?:'\w+)*")


def best_window(matches: list[tuple[int, int, str]], width: int) -> int:
    """Start offset of the window that shows the most different terms, then most matches.

    Windows start at a match; one pass with a sliding count (matches are in text order and
    do not overlap), where comparing every window with every match cost milliseconds on a
    long answer full of the query's words.

    >>> best_window([(0, 4, "numb"), (50, 54, "numb"), (60, 64, "feet"), (99, 103, "numb")], 30)
    50
    """
    best_start, best_score = matches[0][0], (0, 0)
    inside: Counter = Counter()
    end = 0  # matches[i:end] fit in the window that starts at match i
    for i, (start, _end, stem) in enumerate(matches):
        end = max(end, i)
        while end < len(matches) and matches[end][1] <= start + width:
            inside[matches[end][2]] += 1
            end += 1
        if end > i:
            score = (len(inside), end - i)
            if score > best_score:
                best_start, best_score = start, score
            inside[stem] -= 1
            if not inside[stem]:
                del inside[stem]
    return best_start


def _cut(text: str, start: int, width: int) -> tuple[int, int]:
    """Widen start back to a word boundary and end forward to one, within the width."""
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else 0
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def snippet(text: str, terms: set[str], width: int = SNIPPET_CHARS) -> str:
    """Escaped HTML of the best passage of text, query words wrapped in <mark>."""
    text = one_line(text or "")
    matches = find_matches(text, terms) if terms else []
    anchor = best_window(matches, width - LEAD_CHARS) if matches else 0
    start, end = _cut(text, max(anchor - LEAD_CHARS, 0), width)
    pieces = ["…"] if start > 0 else []
    position = start
    for m_start, m_end, _stem in matches:
        if m_start < start or m_end > end:
            continue
        pieces.append(html.escape(text[position:m_start]))
        pieces.append(f"<mark>{html.escape(text[m_start:m_end])}</mark>")
        position = m_end
    pieces.append(html.escape(text[position:end]))
    if end < len(text):
        pieces.append("…")
    return "".join(pieces)


register("snippet patterns", _candidates.cache_clear)
