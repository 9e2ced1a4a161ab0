"""The contract every search engine meets: a reader that ranks plans, and a backend.

The service (search_index/service.py) asks only these methods; plans are the engine-neutral
trees of backends/tree.py. A second engine is one folder under backends/ with a class that
subclasses SearchBackend, named by SEARCH_INDEX["BACKEND"] (backends/__init__.py loads it).
"""
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from search_index.backends.tree import Node, Term


class IndexUnavailable(Exception):
    """The search index is missing or damaged; a rebuild restores it."""


class IndexLocked(Exception):
    """Another process is writing the index and did not finish within the timeout."""


class SearchReader(ABC):
    """One process's view of the committed index; replaced when the index changes."""

    #: Names the committed index the reader sees, for shared cache keys (None: do not share).
    signature: str | None = None

    @abstractmethod
    def rank(self, plan: Node, limit: int, demote: tuple[Term, float] | None = None
             ) -> list[tuple[int, float]]:
        """The best (document number, score) pairs for a plan, best first; `demote` multiplies
        the score of documents holding its term by its factor before the best are chosen."""

    @abstractmethod
    def describe(self, docnum: int) -> dict[str, Any]:
        """A hit's stored fields (documents/builders.py names them)."""

    @abstractmethod
    def kind_and_article(self, docnum: int) -> tuple[str, str]:
        """A hit's kind and the article it belongs to (its own id when it has none)."""

    @abstractmethod
    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold the analysed word in the field."""

    @abstractmethod
    def doc_count(self) -> int:
        """How many live documents the index holds."""

    @abstractmethod
    def has_word(self, fieldname: str, word: str) -> bool:
        """True when the field's vocabulary holds the word."""

    @abstractmethod
    def words_within(self, fieldname: str, word: str, max_edits: int, prefix: int = 1
                     ) -> list[tuple[str, int]]:
        """(word, edits) of the field's words within max_edits that share the first letters."""

    @abstractmethod
    def word_frequency(self, fieldname: str, word: str) -> int:
        """The weight of a vocabulary word (its document count)."""


class SearchBackend(ABC):
    """An engine: opens readers, writes the index, and keeps its files healthy and warm.

    Writing methods expect the caller (sync/) to hold `writer_lock`; they raise IndexLocked
    when the engine's own lock stays busy, IndexUnavailable or `read_errors` when the index
    cannot be read.
    """

    #: What reading a damaged index may raise, beyond IndexUnavailable.
    read_errors: tuple[type[BaseException], ...] = ()

    @abstractmethod
    def reader(self) -> SearchReader:
        """This process's reader, current with the latest commit; or IndexUnavailable."""

    @abstractmethod
    def close(self) -> None:
        """Drop this process's reader (tests, and after replacing the index)."""

    @abstractmethod
    def check_readable(self) -> int:
        """Open the index as a health check would; its document count, or IndexUnavailable."""

    @abstractmethod
    def remove_leftovers(self) -> list[str]:
        """Remove files killed writers left behind; the names removed."""

    @abstractmethod
    def stored_versions(self) -> dict[str, list[str]]:
        """doc_id -> versions of every live document (a list, to catch duplicates)."""

    @abstractmethod
    def warm_before_fork(self, searched: list[str], vocabulary: str) -> list[str]:
        """Read what every worker will need (term tables, common postings, spelling lists)
        once, before the workers fork; return the vocabulary field's words."""

    @abstractmethod
    def warm_after_fork(self) -> None:
        """Open this worker's reader so no reader's first search pays for it."""

    @abstractmethod
    def writer_lock(self, timeout: float) -> AbstractContextManager:
        """Hold the one-writer-at-a-time lock across processes, or raise IndexLocked (OSError
        when there can be no lock file)."""

    @abstractmethod
    def location(self) -> str:
        """Where the index lives, for messages and status pages."""

    @abstractmethod
    def size_bytes(self) -> int:
        """Bytes the index takes on disk (0 when there is none)."""

    @abstractmethod
    def has_index(self) -> bool:
        """True when index files of this format exist, healthy or damaged."""

    @abstractmethod
    def replace_all(self, documents: Iterable[dict], expected: int) -> None:
        """Write the documents as the whole index in one commit; readers keep the old one
        until it is done. `expected` is how many there are."""

    @abstractmethod
    def apply_changes(self, documents: list[dict], deleted: list[str],
                      spare: Callable[[set[str]], dict | None], wait: float = 30.0,
                      create: bool = True) -> dict[str, Exception]:
        """Add or replace the documents and delete the deleted doc_ids in one commit, keeping
        the spelling vocabulary (`spare(excluded doc_ids)` gives a document to carry it).

        A document the engine refuses is left out and returned (doc_id -> error); the rest
        commit. Raises IndexLocked when another writer holds the index past `wait` seconds,
        IndexUnavailable when it cannot be opened (or is missing, unless `create`)."""

    @abstractmethod
    def stored_documents(self) -> dict[str, list[dict]]:
        """doc_id -> the stored fields of each live document with it ("" when missing)."""

    @abstractmethod
    def document_counts(self, doc_types: Iterable[str]) -> tuple[dict[str, int], int]:
        """(live documents of each type, all live documents); or IndexUnavailable."""
