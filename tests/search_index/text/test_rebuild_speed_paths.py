"""The fast paths of a rebuild give the same index content as the plain ones they replace."""
import html
import re
import unicodedata
from collections import Counter

import nh3
import pytest
from django.urls import set_script_prefix
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.formats import Frequency, Positions
from whoosh.support.charset import accent_map

from faq.models import FAQ
from search_index.backends import get_backend
from search_index.backends.whoosh.arrays.codec import PackedPositions, TermCounts
from search_index.backends.whoosh.searcher import get_searcher
from search_index.documents.builders import _MARKDOWN_RULES, faq_document, plain_text
from search_index.query.spelling import suggest
from search_index.sync.rebuild import rebuild
from search_index.text import analysis
from search_index.text.analysis import (
    STOP_WORDS,
    WORD_PATTERN,
    medical_analyzer,
    vocabulary_analyzer,
)
from search_index.text.vocabulary import SHORTEST_SPELLING_WORD, count_words, distinct_words
from tests.index_factories import make_faq


class _Nfkc(Filter):
    def __call__(self, tokens):
        for t in tokens:
            t.text = unicodedata.normalize("NFKC", t.text)
            yield t


def reference_medical():
    """The filter chain the one-step analyzer replaced, built from Whoosh's own parts."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | _Nfkc()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_WORDS, minsize=2)
        | StemFilter(lang="en", cachesize=50000)
    )


def reference_vocabulary():
    return RegexTokenizer(WORD_PATTERN) | _Nfkc() | LowercaseFilter() | CharsetFilter(accent_map)


OPTIONS = [
    {},
    {"positions": True},
    {"positions": True, "chars": True, "start_pos": 3, "start_char": 7},
    {"positions": True, "removestops": False},
    {"keeporiginal": True, "chars": True},
    {"tokenize": False, "positions": True, "chars": True},
    {"mode": "query", "removestops": False, "positions": True},
]

SAMPLES = [
    "",
    "a",
    "The the THE",
    "Numbness & TINGLING in the feet, don't I'm",
    "Paresthésie, ﬁbromyalgia, ＦＵＬＬ-width, Ⅻ, ½ dose, x² and µg",
    "in the of at what is it? running runs ran; İstanbul ǅemal ß straße",
    "Hereditary hemorrhagic telangiectasia (HHT) — 5-10 mg/day; 'quoted' words' o'clock",
    "\u0301combining first, tab\tnew\nline",
]


def tokens(analyzer, text, options):
    """Every attribute a Whoosh field or query can read from each token."""
    names = ("text", "pos", "startchar", "endchar", "stopped", "boost", "original")
    return [
        {name: getattr(t, name, None) for name in names}
        for t in analyzer(text, **options)
    ]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("text", SAMPLES)
def test_medical_analyzer_equals_the_filter_chain(text, options):
    assert tokens(medical_analyzer(), text, options) == tokens(reference_medical(), text, options)


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("text", SAMPLES)
def test_vocabulary_analyzer_equals_the_filter_chain(text, options):
    expected = tokens(reference_vocabulary(), text, options)
    assert tokens(vocabulary_analyzer(), text, options) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from(OPTIONS))
def test_any_text_analyses_as_the_filter_chain(text, options):
    assert tokens(medical_analyzer(), text, options) == tokens(reference_medical(), text, options)
    expected = tokens(reference_vocabulary(), text, options)
    assert tokens(vocabulary_analyzer(), text, options) == expected


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.sampled_from(SAMPLES), st.text(max_size=80)))
def test_terms_are_the_tokens_texts(text):
    for analyzer in (medical_analyzer(), vocabulary_analyzer()):
        assert analyzer.terms(text) == [t.text for t in analyzer(text)]


def test_a_full_cache_starts_afresh_and_still_analyses(monkeypatch):
    monkeypatch.setattr(analysis, "CACHE_WORDS", 3)
    analyzer = medical_analyzer()
    words = "numbness tingling burning aching stabbing the numbness".split()
    assert [analyzer.term(w)[0] for w in words] == [
        "numb", "tingl", "burn", "ach", "stab", "the", "numb",
    ]
    assert len(analysis.WordAnalyzer._caches[True]) <= 3


def test_analyzers_compare_by_kind_so_a_stored_schema_matches():
    assert medical_analyzer() == medical_analyzer()
    assert medical_analyzer() != vocabulary_analyzer()


def reference_word_values(field_format, text, analyzer):
    """What Whoosh's Positions format yields, a Token at a time."""
    return list(Positions.word_values(field_format, text, analyzer, mode="index"))


@pytest.mark.parametrize("boost", [1.0, 3.0])
@pytest.mark.parametrize("text", SAMPLES + ["feet feet numb the feet, numbness of feet"])
def test_packed_positions_index_as_whooshs_positions(text, boost):
    field_format = PackedPositions(field_boost=boost)
    for analyzer in (medical_analyzer(), vocabulary_analyzer()):
        expected = reference_word_values(field_format, text, analyzer)
        assert list(field_format.word_values(text, analyzer, mode="index")) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_indexes_as_whooshs_positions(text):
    field_format = PackedPositions(field_boost=2.0)
    expected = reference_word_values(field_format, text, medical_analyzer())
    assert list(field_format.word_values(text, medical_analyzer(), mode="index")) == expected


@pytest.mark.parametrize("boost", [1.0, 2.0])
@pytest.mark.parametrize("text", SAMPLES + ["feet feet numb the feet, numbness of feet"])
def test_term_counts_index_as_whooshs_frequency(text, boost):
    field_format = TermCounts(field_boost=boost)
    for analyzer in (medical_analyzer(), vocabulary_analyzer(), reference_medical()):
        expected = list(Frequency.word_values(field_format, text, analyzer, mode="index"))
        assert list(field_format.word_values(text, analyzer, mode="index")) == expected


def test_other_analyzers_and_values_still_take_whooshs_way():
    field_format = PackedPositions()
    chain = reference_medical()
    assert list(field_format.word_values("numb feet", chain, mode="index")) == (
        reference_word_values(field_format, "numb feet", chain)
    )
    whole = list(field_format.word_values("Numb Feet", medical_analyzer(), tokenize=False))
    assert [(word, count) for word, count, *_rest in whole] == [("numb feet", 1)]


def reference_plain_text(markdown_text):
    """plain_text with every text cleaned by nh3, as before the shortcut."""
    text = nh3.clean(markdown_text or "", tags=set())
    for needed, pattern, replacement in _MARKDOWN_RULES:
        if needed in text:
            text = pattern.sub(replacement, text)
    return html.unescape(text).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab _*#>-`[]()!:\n\t1.é’\"'\x0c\x01\r\x00&<\u00a0;", max_size=40))
def test_plain_text_equals_cleaning_every_text(markdown_text):
    assert plain_text(markdown_text) == reference_plain_text(markdown_text)


def reference_distinct_words(*parts):
    """The word-by-word vocabulary the faster one replaced."""
    return {word.lower() for part in parts for word in re.findall(WORD_PATTERN, part or "")}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="aAbB'-é É\n", max_size=30), max_size=4))
def test_distinct_words_are_the_lower_cased_words(parts):
    assert distinct_words(*parts) == reference_distinct_words(*parts)


def test_distinct_words_of_a_long_answer():
    parts = ("Numb feet?", "Numb FEET and numb hands", "FEET feet Feet hands don't Don't")
    expected = {"numb", "feet", "and", "hands", "don't"}
    assert distinct_words(*parts) == reference_distinct_words(*parts) == expected


@pytest.mark.django_db
def test_faq_documents_link_as_get_absolute_url(seed):
    faqs = list(FAQ.objects.select_related("article"))
    odd = FAQ(question="Odd slug?", slug="odd", article=None)
    assert faqs
    for faq in [*faqs, odd]:
        assert faq_document(faq)["url"] == faq.get_absolute_url()


@pytest.mark.django_db
def test_faq_links_follow_the_script_prefix(seed):
    faq = FAQ.objects.first()
    set_script_prefix("/health-faq/")
    try:
        assert faq_document(faq)["url"] == faq.get_absolute_url()
        assert faq_document(faq)["url"].startswith("/health-faq/")
    finally:
        set_script_prefix("/")


def test_vocabulary_leaves_out_words_spelling_never_uses():
    assert SHORTEST_SPELLING_WORD == 3
    counts = count_words([{"heading_path": "An ox in a leg", "body": "2 B12 ﬁ"}])
    assert counts == Counter({"leg": 1, "b12": 1, "ﬁ": 1})


@pytest.mark.django_db
def test_a_three_letter_word_is_still_offered_as_a_correction():
    make_faq(question="Why does my leg hurt?", answer="Rest the leg.", slug="leg-hurt")
    rebuild()
    reader = get_searcher().reader()
    assert ("words", "leg") in reader
    assert ("words", "my") not in reader
    assert suggest(get_backend().reader(), "legz") == "leg"
