"""Server start-up: the glossary is built before workers fork, the searcher after."""
import gc

import pytest
from django.core.management import call_command

from search_index.backends.whoosh import nearby_words
from search_index.backends.whoosh import searcher as searcher_module
from search_index.backends.whoosh.arrays import lexicon, ranking
from search_index.backends.whoosh.searcher import get_searcher
from search_index.caching.registry import reset_all
from search_index.models import Synonym
from search_index.query.glossary import built_glossary
from search_index.startup import warm_after_fork, warm_before_fork
from search_index.sync.rebuild import rebuild
from search_index.text.analysis import medical_analyzer, stem
from search_index.text.stemming import stem as snowball_stem


@pytest.mark.django_db(transaction=True)
def test_glossary_is_ready_before_the_fork():
    Synonym.objects.create(phrase="pins and needles", terms="paresthesia")
    reset_all()
    warm_before_fork()
    assert built_glossary() is not None
    assert built_glossary().expansions(("pin", "needl"))
    # It also closes the connections; an in-memory test database ignores close(), so that
    # part is exercised by the load benchmark's gunicorn on a file database.


# warm_before_fork closes every connection, as before a fork: PostgreSQL cannot reopen one
# inside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_spelling_word_lists_are_built_before_the_fork_when_there_is_an_index(caplog):
    reset_all()
    warm_before_fork()
    assert "Spelling word lists not built before fork" in caplog.text
    call_command("load_seed", verbosity=0)
    rebuild()
    warm_before_fork()
    assert nearby_words.word_lists, "the word lists should be ready"
    assert any("numbness" in words for words in nearby_words.word_lists.values())
    reset_all()


@pytest.mark.django_db
def test_the_collection_words_are_stemmed_before_the_fork():
    call_command("load_seed", verbosity=0)
    rebuild()
    reset_all()
    assert medical_analyzer().remembered("numbness") is None
    warm_before_fork()
    assert medical_analyzer().remembered("numbness") == ("numb", False)
    assert medical_analyzer().remembered_count() > 300
    for word in ("numbness", "tingling", "the", "no", "a", "dying", "skies", "feet"):
        assert stem(word) == snowball_stem(word)  # remembered or not, stop word or not


@pytest.mark.django_db
def test_what_start_up_built_is_left_out_of_garbage_collection():
    call_command("load_seed", verbosity=0)
    rebuild()
    gc.unfreeze()
    reset_all()
    try:
        warm_before_fork()
        assert gc.get_freeze_count() > 1000
        assert ranking.postings_cache.entries, "the common words' posting lists should be read"
        leaf = get_searcher().reader().leaf_readers()[0][0]
        for fieldname in ("body", "title", "words"):
            assert lexicon.table(leaf, fieldname), f"the {fieldname} terms should be listed"
        assert "numb" in lexicon.table(leaf, "body")
        built = built_glossary()
        assert gc.is_tracked(built)
        assert all(o is not built for o in gc.get_objects())  # tracked, but frozen
    finally:
        gc.unfreeze()


@pytest.mark.django_db
def test_searcher_opens_after_fork_and_a_missing_index_is_only_logged(caplog):
    warm_after_fork()
    assert "Search index not opened at start-up" in caplog.text
    rebuild()
    warm_after_fork()
    assert searcher_module.current_searcher() is not None
    searcher_module.close_searcher()
