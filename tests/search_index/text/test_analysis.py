"""The engine-neutral analysis pipeline: plain strings in, exact terms out."""
import pytest

from search_index.caching.registry import reset_all
from search_index.text.analysis import medical_analyzer, stem, vocabulary_analyzer
from search_index.text.folding import fold
from search_index.text.stemming import stem as snowball_stem


@pytest.mark.parametrize(("word", "folded"), [
    ("Ｎｕｍｂ", "numb"),  # full-width letters
    ("ﬁbromyalgia", "fibromyalgia"),  # a ligature
    ("Paresthésie", "paresthesie"),
    ("Łódź", "lodz"),
    ("Øresund", "oresund"),
    ("straße", "strase"),
    ("Æther", "æther"),  # never folded: terms stay as they always were
    ("x²", "x2"),
])
def test_fold(word, folded):
    assert fold(word) == folded


@pytest.mark.parametrize(("word", "stemmed"), [
    ("consign", "consign"), ("consigned", "consign"), ("consignment", "consign"),
    ("consistency", "consist"), ("generously", "generous"), ("generation", "generat"),
    ("communication", "communic"), ("arsenal", "arsenal"), ("skies", "sky"), ("dying", "die"),
    ("innings", "inning"), ("proceeding", "proceed"), ("cried", "cri"), ("ties", "tie"),
    ("caresses", "caress"), ("ponies", "poni"), ("hopping", "hop"), ("hoping", "hope"),
    ("agreed", "agre"), ("happy", "happi"), ("sayings", "say"), ("conditional", "condit"),
    ("electricity", "electr"), ("hopeful", "hope"), ("goodness", "good"),
    ("numbness", "numb"), ("tingling", "tingl"), ("neurologist", "neurologist"),
])
def test_snowball_stems(word, stemmed):
    assert snowball_stem(word) == stemmed


def test_the_medical_analyzer_folds_drops_stop_words_and_stems():
    analyzer = medical_analyzer()
    assert analyzer.terms("Numbness & TINGLING in the feet, don't I'm") == [
        "numb", "tingl", "feet", "don't", "i'm",  # "im" is a stop word, "i'm" is not
    ]
    assert analyzer.term("The") == ("the", True)
    assert analyzer.term("x") == ("x", True)  # shorter than two letters
    assert analyzer.term("Paresthésias") == ("paresthesia", False)


def test_the_vocabulary_analyzer_keeps_whole_words():
    assert vocabulary_analyzer().terms("Pins-and-needles in my TOES") == [
        "pins", "and", "needles", "in", "my", "toes",
    ]


def test_positions_and_spans_skip_stop_words_without_gaps():
    analyzer = medical_analyzer()
    assert analyzer.term_positions("pain in the feet, feet pain") == {
        "pain": [0, 3], "feet": [1, 2],
    }
    text = "Pain in the FEET"
    assert list(analyzer.spans(text)) == [(0, 4, "pain"), (12, 16, "feet")]


def test_stem_uses_what_the_analyzer_remembered_and_forgets_on_reset():
    reset_all()
    analyzer = medical_analyzer()
    assert analyzer.remembered("numbness") is None
    assert analyzer.remember(["Numbness", "numbness", "feet"]) == 3
    assert analyzer.remembered("numbness") == ("numb", False)
    assert analyzer.remembered_count() == 2  # by folded word
    assert analyzer.remembered_forms() == 3  # by word as found
    assert stem("numbness") == "numb"
    assert stem("the") == "the"  # a stop word still has a stem
    reset_all()
    assert analyzer.remembered_count() == 0


def test_analyzers_compare_by_kind():
    assert medical_analyzer() == medical_analyzer() != vocabulary_analyzer()
    assert hash(medical_analyzer()) == hash(medical_analyzer())
