"""'Did you mean': corrections from the index vocabulary and the glossary, never of real words."""
import pytest

from search_index.backends import get_backend
from search_index.query.spelling import apply_corrections, corrections, suggest
from search_index.service import search

pytest_plugins = ["tests.search_helpers"]


@pytest.mark.usefixtures("seed_index")
class TestOnTheSeed:
    @pytest.mark.parametrize(
        ("typed", "meant"),
        [
            ("siatica", "sciatica"),
            ("numbnes", "numbness"),
            ("diabetis", "diabetes"),
            ("fibromyalga", "fibromyalgia"),
            ("neuropathey", "neuropathy"),
            ("tinglin feet", "tingling feet"),
            ("Siatica pain", "sciatica pain"),
        ],
    )
    def test_misspellings_are_corrected(self, typed, meant):
        assert suggest(get_backend().reader(), typed) == meant

    @pytest.mark.parametrize(
        "text",
        ["sciatica", "paresthesia", "paraesthesia", "claudication", "numb feet", "booze",
         "tingly", "b12", "ms", "xqzvbnm"],
    )
    def test_known_or_hopeless_words_are_left_alone(self, text):
        assert suggest(get_backend().reader(), text) is None

    def test_glossary_words_are_candidates(self):
        # 'boozee' is nowhere in the article; the glossary knows 'booze'.
        assert corrections(get_backend().reader(), "boozee") == {"boozee": "booze"}

    def test_nothing_found_shows_the_corrected_results(self):
        result = search("siatica")
        assert result.suggestion == "sciatica"
        assert result.corrected is True
        assert result.hits[0].title == "Lower back problems and sciatica"

    def test_spell_off_searches_as_typed(self):
        result = search("siatica", correct=False)
        assert (result.total, result.suggestion, result.corrected) == (0, None, False)

    def test_a_misspelt_word_among_good_ones_is_offered_not_forced(self):
        result = search("diabetis numb toes")
        assert result.suggestion == "diabetes numb toes"
        assert result.corrected is False
        assert any(hit.url.endswith("#diabetes") for hit in result.hits[:3])

    def test_long_and_many_unknown_words_are_cheap(self):
        reader = get_backend().reader()
        assert corrections(reader, "x" * 200) == {}
        many = " ".join(f"qqq{n}zz" for n in range(100))
        assert corrections(reader, many) == {}


def test_apply_corrections_keeps_the_rest_of_the_query():
    fixed = apply_corrections('+Siatica "numbnes here" -x', {"siatica": "sciatica",
                                                             "numbnes": "numbness"})
    assert fixed == '+sciatica "numbness here" -x'
    assert apply_corrections("numb", {}) is None
