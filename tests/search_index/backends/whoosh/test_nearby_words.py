"""Nearby words: every vocabulary word within an edit distance, by Whoosh's own distance."""
import random

import pytest
from whoosh.support.levenshtein import distance

from search_index.backends import get_backend
from search_index.backends.whoosh import nearby_words
from search_index.backends.whoosh.nearby_words import words_within
from search_index.backends.whoosh.searcher import get_searcher
from search_index.caching.registry import reset_all
from search_index.text.vocabulary import VOCABULARY_FIELD

pytest_plugins = ["tests.search_helpers"]


def misspellings(words: list[str], rng: random.Random) -> list[str]:
    """Each word with a letter dropped, doubled, swapped or replaced."""
    found = []
    for word in words:
        i = rng.randrange(1, len(word))
        found += [
            word[:i] + word[i + 1 :],
            word[:i] + word[i] + word[i:],
            word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :],
            word[:i] + rng.choice("aeioust") + word[i + 1 :],
        ]
    return found


@pytest.mark.usefixtures("seed_index")
def test_same_words_and_distances_as_whoosh_measures():
    reset_all()  # no word list kept yet
    reader = get_searcher().reader()
    vocabulary = [reader.schema[VOCABULARY_FIELD].from_bytes(t)
                  for t in reader.lexicon(VOCABULARY_FIELD)]
    rng = random.Random(3)
    sample = rng.sample([w for w in vocabulary if len(w) >= 5], 40)
    compared = 0
    for word in misspellings(sample, rng) + ["zzzz", "numbnes", "parestesia"]:
        for maxdist in (1, 2):
            # Whoosh's damerau_levenshtein. terms_within is no reference: on one segment its
            # automaton counts a swap as two edits (it does not offer "heels" for "heles").
            expected = {w: distance(w, word) for w in vocabulary if w[0] == word[0]}
            expected = {w: d for w, d in expected.items() if d <= maxdist}
            found = words_within(reader, VOCABULARY_FIELD, word, maxdist, prefix=1)
            assert dict(found) == expected, (word, maxdist)
            compared += len(expected)
    assert compared > 100, "the sample should have found many nearby words"


@pytest.mark.usefixtures("seed_index")
def test_distances_are_the_edits_needed():
    reader = get_searcher().reader()
    found = dict(words_within(reader, VOCABULARY_FIELD, "numbnes", 2))
    assert found["numbness"] == 1
    assert all(0 < edits <= 2 for edits in found.values())


@pytest.mark.usefixtures("seed_index")
def test_a_swap_of_two_letters_is_one_edit_for_index_and_glossary_words():
    from search_index.query.spelling import corrections

    reader = get_backend().reader()
    assert ("heels", 1) in reader.words_within(VOCABULARY_FIELD, "heles", 1)
    # 'booze' is known only to the glossary (test_spelling): a swap is one edit there too.
    assert corrections(reader, "bozoe") == {"bozoe": "booze"}


def test_several_segments_give_each_word_once_and_keep_the_joined_lists(tmp_path):
    from whoosh.filedb.filestore import FileStorage

    from search_index.backends.whoosh.arrays.segments import segment_key
    from search_index.backends.whoosh.schema import build_schema
    from search_index.backends.whoosh.storage import ArrayIndex

    ix = ArrayIndex.create(FileStorage(str(tmp_path)), build_schema(), "MAIN")
    for batch in (["numbness", "needles", "nerve"], ["numbness", "nerves", "night"]):
        writer = ix.writer()
        for number, word in enumerate(batch):
            writer.add_document(doc_id=f"{word}:{number}", article_slug=word)
        writer.commit(merge=False)
    reset_all()
    with ix.reader() as reader:
        leaves = reader.leaf_readers()
        assert len(leaves) == 2
        assert nearby_words.warm(reader, "article_slug") == 6  # one list per segment
        joined = (tuple(segment_key(leaf) for leaf, _ in leaves), "article_slug", "n")
        assert joined in nearby_words.word_lists
        found = words_within(reader, "article_slug", "nervs", 2)
        assert sorted(found) == [("nerve", 1), ("nerves", 1)]
        assert words_within(reader, "article_slug", "numbnes", 1) == [("numbness", 1)]
    reset_all()
