"""The engine-neutral text pipeline (text/) against Whoosh's own parts as the oracle.

The index's terms were always made by Whoosh's filter chain, Snowball stemmer and accent
table; text/ now makes them without Whoosh, and these tests show it makes the same ones,
token for token, through the Whoosh adapters (backends/whoosh/analysis.py) and the array
codec's formats.
"""
import unicodedata

import pytest
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
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

from faq.models import Section
from search_index.backends.whoosh.analysis import WhooshWords
from search_index.backends.whoosh.arrays.codec import PackedPositions, TermCounts
from search_index.text import analysis
from search_index.text.analysis import (
    STOP_WORDS,
    WORD_PATTERN,
    medical_analyzer,
    vocabulary_analyzer,
)
from search_index.text.folding import fold
from search_index.text.stemming import STEP2, STEP3, STEP4, stem

SNOWBALL = stemmer_for_language("en")


def whoosh_medical() -> WhooshWords:
    return WhooshWords(medical_analyzer())


def whoosh_vocabulary() -> WhooshWords:
    return WhooshWords(vocabulary_analyzer())


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
    assert tokens(whoosh_medical(), text, options) == tokens(reference_medical(), text, options)


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("text", SAMPLES)
def test_vocabulary_analyzer_equals_the_filter_chain(text, options):
    expected = tokens(reference_vocabulary(), text, options)
    assert tokens(whoosh_vocabulary(), text, options) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from(OPTIONS))
def test_any_text_analyses_as_the_filter_chain(text, options):
    assert tokens(whoosh_medical(), text, options) == tokens(reference_medical(), text, options)
    expected = tokens(reference_vocabulary(), text, options)
    assert tokens(whoosh_vocabulary(), text, options) == expected


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.sampled_from(SAMPLES), st.text(max_size=80)))
def test_terms_are_the_tokens_texts(text):
    for analyzer in (medical_analyzer(), vocabulary_analyzer()):
        assert analyzer.terms(text) == [t.text for t in WhooshWords(analyzer)(text)]


def test_a_full_cache_starts_afresh_and_still_analyses(monkeypatch):
    monkeypatch.setattr(analysis, "CACHE_WORDS", 3)
    analyzer = medical_analyzer()
    words = "numbness tingling burning aching stabbing the numbness".split()
    assert [analyzer.term(w)[0] for w in words] == [
        "numb", "tingl", "burn", "ach", "stab", "the", "numb",
    ]
    assert analyzer.remembered_forms() <= 3


def test_analyzers_compare_by_kind_so_a_stored_schema_matches():
    assert medical_analyzer() == medical_analyzer()
    assert medical_analyzer() != vocabulary_analyzer()
    assert whoosh_medical() == whoosh_medical() != whoosh_vocabulary()


def reference_word_values(field_format, text, analyzer):
    """What Whoosh's Positions format yields, a Token at a time."""
    return list(Positions.word_values(field_format, text, analyzer, mode="index"))


@pytest.mark.parametrize("boost", [1.0, 3.0])
@pytest.mark.parametrize("text", SAMPLES + ["feet feet numb the feet, numbness of feet"])
def test_packed_positions_index_as_whooshs_positions(text, boost):
    field_format = PackedPositions(field_boost=boost)
    for analyzer in (whoosh_medical(), whoosh_vocabulary()):
        expected = reference_word_values(field_format, text, analyzer)
        assert list(field_format.word_values(text, analyzer, mode="index")) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_indexes_as_whooshs_positions(text):
    field_format = PackedPositions(field_boost=2.0)
    expected = reference_word_values(field_format, text, whoosh_medical())
    assert list(field_format.word_values(text, whoosh_medical(), mode="index")) == expected


@pytest.mark.parametrize("boost", [1.0, 2.0])
@pytest.mark.parametrize("text", SAMPLES + ["feet feet numb the feet, numbness of feet"])
def test_term_counts_index_as_whooshs_frequency(text, boost):
    field_format = TermCounts(field_boost=boost)
    for analyzer in (whoosh_medical(), whoosh_vocabulary(), reference_medical()):
        expected = list(Frequency.word_values(field_format, text, analyzer, mode="index"))
        assert list(field_format.word_values(text, analyzer, mode="index")) == expected


def test_other_analyzers_and_values_still_take_whooshs_way():
    field_format = PackedPositions()
    chain = reference_medical()
    assert list(field_format.word_values("numb feet", chain, mode="index")) == (
        reference_word_values(field_format, "numb feet", chain)
    )
    whole = list(field_format.word_values("Numb Feet", whoosh_medical(), tokenize=False))
    assert [(word, count) for word, count, *_rest in whole] == [("numb feet", 1)]


def test_every_code_point_folds_as_whooshs_accent_table():
    differ = []
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) == "Cs":
            continue
        expected = unicodedata.normalize("NFKC", char).lower().translate(accent_map)
        if fold(char) != expected:
            differ.append(hex(code))
    assert differ == []


ENDINGS = [rule[0] for rule in STEP2 + STEP3] + list(STEP4) + [
    "eed", "eedly", "ing", "ingly", "ed", "edly", "s", "es", "ies", "ied", "sses", "'s", "y",
    "ly", "at", "bl", "iz", "ogi", "li",
]
STEMS = st.text(alphabet="bcdgklmnprstvwxyaeiou'", max_size=6)


@settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(["", "gener", "commun", "arsen", "y", "'"]),
    STEMS,
    st.lists(st.sampled_from(ENDINGS), max_size=2),
)
def test_words_stem_as_whooshs_snowball_stemmer(prefix, middle, endings):
    word = prefix + middle + "".join(endings)
    assert stem(word) == SNOWBALL(word)


@pytest.mark.parametrize("word", [
    "numbness", "tingling", "paresthesias", "neurologist", "emergency", "added", "lateral",
    "international", "organized", "universities", "generously", "communication", "arsenal",
    "skies", "dying", "proceeding", "yellowing", "sayings", "hopefulness", "ionization",
    "conditional", "ophthalmologists", "'quoted'", "don't", "o'clock", "x", "",
])
def test_medical_words_stem_as_whooshs_snowball_stemmer(word):
    assert stem(word) == SNOWBALL(word)


@pytest.mark.parametrize("text", [
    "Numbness & TINGLING in the feet, isn't it?",
    "Paresthésie, ﬁbromyalgia; pins-and-needles at 3 a.m. — the B12 level",
    "a an the of x y 2 ２ Ⅻ",
    "",
])
def test_spans_are_the_analyzer_tokens_with_their_offsets(text):
    analyzer = medical_analyzer()
    whoosh_tokens = WhooshWords(analyzer)
    tokens = [(t.startchar, t.endchar, t.text) for t in whoosh_tokens(text, chars=True)]
    assert list(analyzer.spans(text)) == tokens


def test_spans_match_the_analyzer_on_the_seed_article(seed):
    analyzer = medical_analyzer()
    whoosh_tokens = WhooshWords(analyzer)
    for body in Section.objects.values_list("body", flat=True):
        tokens = [(t.startchar, t.endchar, t.text) for t in whoosh_tokens(body, chars=True)]
        assert list(analyzer.spans(body)) == tokens
