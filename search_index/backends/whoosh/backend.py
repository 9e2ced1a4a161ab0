"""The Whoosh engine behind the backend interface (backends/base.py)."""
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search_index.backends.base import IndexUnavailable, SearchBackend, SearchReader
from search_index.backends.tree import Node, Term
from search_index.backends.whoosh import nearby_words, storage, writing
from search_index.backends.whoosh.arrays import lexicon, ranking
from search_index.backends.whoosh.compile import to_whoosh
from search_index.backends.whoosh.searcher import (
    close_searcher,
    get_searcher,
    kind_and_article,
    stored_fields,
)
from search_index.backends.whoosh.storage import INDEX_ERRORS, open_index, remove_leftovers

MAX_FREQUENCIES = 50_000  # words' document frequencies remembered per reader


class WhooshReader(SearchReader):
    """A process's Whoosh searcher, seen through the interface; one per searcher."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.signature = getattr(searcher, "signature", None)
        # Document frequencies asked for, by (field, word): kept while the searcher lives.
        self.frequencies: dict[tuple[str, str], int] = {}

    def rank(self, plan: Node, limit: int, demote: tuple[Term, float] | None = None
             ) -> list[tuple[int, float]]:
        """The best (docnum, score) pairs, through the array ranker."""
        factors: np.ndarray | None = None
        if demote is not None:
            term, factor = demote
            factors = ranking.term_factors(self.searcher, term.fieldname, term.text, factor)
        return ranking.rank_documents(self.searcher, to_whoosh(plan), limit, factors)

    def describe(self, docnum: int) -> dict[str, Any]:
        """The document's stored fields, remembered for this searcher."""
        return stored_fields(self.searcher, docnum)

    def kind_and_article(self, docnum: int) -> tuple[str, str]:
        """Read from the index's columns."""
        return kind_and_article(self.searcher, docnum)

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """From the in-memory lexicon, remembered per reader (a long question asks for dozens,
        each a lookup in every segment)."""
        key = (fieldname, text)
        found = self.frequencies.get(key)
        if found is None:
            if len(self.frequencies) >= MAX_FREQUENCIES:  # made-up words must not pile up
                self.frequencies.clear()
            found = lexicon.doc_frequency(self.searcher.reader(), fieldname, text)
            self.frequencies[key] = found
        return found

    def doc_count(self) -> int:
        """Live documents."""
        return self.searcher.reader().doc_count()

    def has_word(self, fieldname: str, word: str) -> bool:
        """From the in-memory lexicon."""
        return lexicon.contains(self.searcher.reader(), fieldname, word)

    def words_within(self, fieldname: str, word: str, max_edits: int, prefix: int = 1
                     ) -> list[tuple[str, int]]:
        """From word lists kept per segment."""
        return nearby_words.words_within(self.searcher.reader(), fieldname, word, max_edits,
                                         prefix)

    def word_frequency(self, fieldname: str, word: str) -> int:
        """Whoosh's term frequency: a vocabulary word's weight (text/vocabulary.py)."""
        return self.searcher.reader().frequency(fieldname, word)


_readers_lock = threading.Lock()


def reader_of(searcher: Searcher) -> WhooshReader:
    """The one WhooshReader of a searcher: result caches key on its identity."""
    found = searcher.__dict__.get("_search_reader")
    if found is None:
        with _readers_lock:
            found = searcher.__dict__.setdefault("_search_reader", WhooshReader(searcher))
    return found


class WhooshBackend(SearchBackend):
    """A Whoosh file index in SEARCH_INDEX["PATH"], postings packed as arrays."""

    read_errors = INDEX_ERRORS

    def reader(self) -> WhooshReader:
        """This process's searcher's reader."""
        return reader_of(get_searcher())

    def close(self) -> None:
        """Close this process's searcher."""
        close_searcher()

    def check_readable(self) -> int:
        """Open the current searcher and count its documents."""
        try:
            return get_searcher().doc_count()
        except INDEX_ERRORS as exc:
            raise IndexUnavailable(str(exc)) from exc

    def remove_leftovers(self) -> list[str]:
        """Files of killed writers (the caller holds the writer lock)."""
        return remove_leftovers()

    def stored_versions(self) -> dict[str, list[str]]:
        """Read from the doc_id and version columns of a freshly opened index."""
        try:
            with open_index(create=False).searcher() as searcher:
                return _index_versions(searcher)
        except INDEX_ERRORS as exc:
            raise IndexUnavailable(str(exc)) from exc

    def warm_before_fork(self, searched: list[str], vocabulary: str) -> list[str]:
        """Term tables, common posting lists and spelling word lists, from an index opened
        and closed here: a searcher shared across a fork gives wrong results."""
        try:
            with open_index(create=False).searcher() as searcher:
                reader = searcher.reader()
                nearby_words.warm(reader, vocabulary)
                words: list[str] = []
                if vocabulary in reader.schema:
                    field = reader.schema[vocabulary]
                    words = [field.from_bytes(t) for t in reader.lexicon(vocabulary)]
                lexicon.build(reader, [*searched, vocabulary])
                ranking.preload(reader, searched)
                return words
        except INDEX_ERRORS as exc:
            raise IndexUnavailable(str(exc)) from exc

    def warm_after_fork(self) -> None:
        """Open this worker's searcher."""
        get_searcher()

    def writer_lock(self, timeout: float) -> AbstractContextManager:
        """An flock on a file beside the index (storage.writer_lock)."""
        return storage.writer_lock(timeout)

    def location(self) -> str:
        """The index directory, SEARCH_INDEX["PATH"]."""
        return str(storage.index_path())

    def size_bytes(self) -> int:
        """The files in the index directory."""
        return storage.index_size()

    def has_index(self) -> bool:
        """A table of contents or segment of this format's index."""
        return storage.has_index_files()

    def replace_all(self, documents: Iterable[dict], expected: int) -> None:
        """One commit replacing the content (writing.replace_all)."""
        writing.replace_all(documents, expected)

    def apply_changes(self, documents: list[dict], deleted: list[str],
                      spare: Callable[[set[str]], dict | None], wait: float = 30.0,
                      create: bool = True) -> dict[str, Exception]:
        """One commit of updates and deletions (writing.apply_changes)."""
        return writing.apply_changes(documents, deleted, spare, wait, create)

    def stored_documents(self) -> dict[str, list[dict]]:
        """Every live document's stored fields (writing.stored_documents)."""
        return writing.stored_documents()

    def document_counts(self, doc_types: Iterable[str]) -> tuple[dict[str, int], int]:
        """Counted from the doc_type postings of a freshly opened index."""
        return writing.document_counts(doc_types)


def _index_versions(searcher: Searcher) -> dict[str, list[str]]:
    reader = searcher.reader()
    ids, versions = reader.column_reader("doc_id"), reader.column_reader("version")
    found: dict[str, list[str]] = {}
    for docnum in reader.all_doc_ids():
        found.setdefault(_text(ids[docnum]), []).append(_text(versions[docnum]))
    return found


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value or ""
