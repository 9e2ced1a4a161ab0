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

from .analysis import medical_analyzer

SCAN_CHARS = 5000  # analyse no further into a body than this
SNIPPET_CHARS = 240
LEAD_CHARS = 50  # context kept before the first marked word
MAX_MATCHES = 200
# Markdown markers that would look like noise in a one-line snippet.
MARKDOWN_NOISE = re.compile(r"\*\*|__|^\s*[-*+]\s+|^\s*#+\s*", re.MULTILINE)
SPACES = re.compile(r"\s+")

_analyzer = medical_analyzer()


def plain_text(text: str) -> str:
    """One line of text without Markdown emphasis, list bullets or headings."""
    return SPACES.sub(" ", MARKDOWN_NOISE.sub(" ", text[:SCAN_CHARS])).strip()


def find_matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, stem) of every word in text whose stem is one of the terms."""
    found = []
    for token in _analyzer(text, chars=True, positions=True):
        if token.text in terms:
            found.append((token.startchar, token.endchar, token.text))
            if len(found) >= MAX_MATCHES:
                break
    return found


def best_window(matches: list[tuple[int, int, str]], width: int) -> int:
    """Start offset of the window that shows the most different terms, then most matches."""
    best_start, best_score = matches[0][0], (0, 0)
    for i, (start, _end, _stem) in enumerate(matches):
        inside = [m for m in matches[i:] if m[1] <= start + width]
        score = (len({m[2] for m in inside}), len(inside))
        if score > best_score:
            best_start, best_score = start, score
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
    text = plain_text(text or "")
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
