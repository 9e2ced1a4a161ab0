"""The backend contract: one factory reading SEARCH_INDEX["BACKEND"], a clear system check."""
from search_index import search
from search_index.backends import SearchBackend, SearchReader, get_backend
from search_index.backends.checks import search_backend_loads
from search_index.backends.whoosh.backend import WhooshBackend
from search_index.service import search as service_search

pytest_plugins = ["tests.search_helpers"]


def test_the_default_backend_is_whoosh():
    backend = get_backend()
    assert isinstance(backend, WhooshBackend) and isinstance(backend, SearchBackend)
    assert get_backend() is backend  # loaded once
    assert search_backend_loads() == []


def test_a_backend_that_cannot_be_imported_fails_the_system_check(settings):
    missing = "search_index.backends.nowhere.Engine"
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "BACKEND": missing}
    errors = search_backend_loads()
    assert [error.id for error in errors] == ["search_index.E001"]
    assert "search_index.backends.nowhere.Engine" in errors[0].msg


def test_a_class_that_is_no_backend_fails_the_system_check(settings):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "BACKEND": "search_index.results.SearchPage"}
    errors = search_backend_loads()
    assert [error.id for error in errors] == ["search_index.E001"]
    assert "not a SearchBackend" in errors[0].msg


def test_the_reader_meets_the_interface(seed_index):
    reader = get_backend().reader()
    assert isinstance(reader, SearchReader)
    assert get_backend().reader() is reader  # one per searcher: caches key on it
    assert reader.signature and reader.doc_count() > 0
    assert reader.has_word("words", "numbness")


def test_search_is_exported_by_the_package():
    assert search is service_search
