"""Snippets: the best passage, query words marked, and nothing else ever markup."""
import random
import re

import pytest

from search_index.service import search
from search_index.text.analysis import medical_analyzer
from search_index.text.snippets import SNIPPET_CHARS, best_window, find_matches, one_line, snippet
from tests.index_factories import make_article, make_faq, make_section

pytest_plugins = ["tests.search_helpers"]

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><iframe src=javascript:alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<a href=\"javascript:alert(1)\">numb</a>",
]


def markup_tags(html: str) -> set[str]:
    return set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html))


@pytest.mark.parametrize("payload", HOSTILE)
def test_stored_markup_is_escaped_and_only_marks_are_tags(payload):
    html = snippet(f"Numb feet {payload} numb toes {payload}", {"numb", "feet", "script"})
    assert markup_tags(html) <= {"mark"}
    assert "<mark>Numb</mark>" in html


def test_the_passage_with_the_most_query_words_is_chosen():
    text = ("Filler words about nothing. " * 30) + "Burning feet and tingling toes at night. " + (
        "More filler here. " * 30
    )
    html = snippet(text, {"burn", "tingl", "night"})
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>Burning</mark> feet and <mark>tingling</mark> toes at <mark>night</mark>" in html
    assert len(re.sub(r"</?mark>", "", html)) <= SNIPPET_CHARS + 2


def test_no_match_shows_the_start_and_markdown_noise_is_dropped():
    html = snippet("**Bold** start\n- a list item\n## Heading", {"zzz"})
    assert html == "Bold start a list item Heading"


def test_long_bodies_are_cut_before_analysis():
    html = snippet("numb " * 200_000, {"numb"})
    assert html.count("<mark>") < 60


def test_empty_text():
    assert snippet("", {"numb"}) == ""


def test_hostile_stored_content_is_escaped_in_search_results(db, fresh_index):
    article = make_article(title='Numb <img src=x onerror=alert(1)> "><svg onload=alert(1)>',
                           slug="hostile")
    make_section(article, heading="<script>alert(1)</script> numb",
                 body="Numb feet &lt;script&gt;alert(2)&lt;/script&gt; "
                      "<img src=x onerror=alert(3)> \"><svg onload=alert(4)> numb")
    make_faq(article=article, question="Numb <b onmouseover=alert(5)>toes</b>?",
             answer="Numb `<script>alert(6)</script>` toes", status="published")
    fresh_index()
    hits = search("numb").hits
    assert len(hits) == 2
    for hit in hits:
        assert markup_tags(hit.snippet_html) <= {"mark"}, hit.snippet_html
        assert "<mark>" in hit.snippet_html



def windows_compared_one_by_one(matches, width):
    """The plain definition: every window starting at a match, scored against every match."""
    best_start, best_score = matches[0][0], (0, 0)
    for i, (start, _end, _stem) in enumerate(matches):
        inside = [m for m in matches[i:] if m[1] <= start + width]
        score = (len({m[2] for m in inside}), len(inside))
        if score > best_score:
            best_start, best_score = start, score
    return best_start


def test_best_window_is_the_plain_definition_computed_in_one_pass():
    rng = random.Random(5)
    for _ in range(500):
        matches, position = [], 0
        for _ in range(rng.randint(1, 60)):
            position += rng.randint(1, 40)
            length = rng.randint(1, 30)
            matches.append((position, position + length, rng.choice("abcdef")))
            position += length
        width = rng.choice([10, 60, 190, 400])
        assert best_window(matches, width) == windows_compared_one_by_one(matches, width)


TRICKY_WORDS = (
    "Numbness numb numbed NUMBLY tingling tingles don't patient's patients' 'quoted' "
    "dying die lying skies sky B12 b12s 3rd pins-and-needles pins_needles o'clock rock'n'roll "
    "it''s ''s feet foot's generously generation Emergency emergent added adding"
).split()


def test_matches_found_by_the_candidate_pattern_equal_analysing_every_word():
    analyzer = medical_analyzer()
    rng = random.Random(11)
    separators = [" ", ", ", ". ", "-", "/", "'", "''", " (", ") ", "\n"]
    for _ in range(400):
        words = [rng.choice(TRICKY_WORDS) for _ in range(rng.randint(1, 40))]
        text = "".join(w + rng.choice(separators) for w in words)
        chosen = " ".join(rng.sample(TRICKY_WORDS, rng.randint(1, 6)))
        # A term that no token could be ("pins-and-needl") matches nothing either way.
        terms = {t for _a, _b, t in analyzer.spans(chosen)} | {analyzer.term(chosen)[0]}
        everyword = [span for span in analyzer.spans(text) if span[2] in terms]
        assert find_matches(text, terms) == everyword, (text, terms)


def test_text_beyond_ascii_is_analysed_word_by_word():
    text = "Paresthésie or paresthesie? Numbness—numb feet"
    found = find_matches(text, {"paresthesi", "numb"})
    assert [text[a:b] for a, b, _ in found] == ["Paresthésie", "paresthesie", "Numbness", "numb"]


def test_one_line_is_the_plain_definition():
    noise = re.compile(r"\*\*|__|^\s*[-*+]\s+|^\s*#+\s*", re.MULTILINE)
    rng = random.Random(3)
    pieces = ["*", "**", "_", "__", "-", "+", "#", "##", " ", "  ", "\n", "\t", "\u00a0",
              "\u2003", "word", "Numb", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        assert one_line(text) == re.sub(r"\s+", " ", noise.sub(" ", text)).strip(), text
