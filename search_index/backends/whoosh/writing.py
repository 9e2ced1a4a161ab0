"""Writing a Whoosh index: a whole rebuild in one commit, or a batch of changes.

sync/ decides what to write (the database is the truth); this module knows how Whoosh writes
it: its writers, their lock, the parallel writer and the spelling vocabulary's carriers.
The caller holds the cross-process writer lock (storage.writer_lock).
"""
import logging
import os
from collections.abc import Callable, Iterable

from whoosh.fields import Schema
from whoosh.index import Index
from whoosh.writing import CLEAR

from search_index.backends.base import IndexLocked, IndexUnavailable
from search_index.backends.whoosh.schema import build_schema
from search_index.backends.whoosh.storage import INDEX_ERRORS, create_index, open_index
from search_index.backends.whoosh.vocabulary import carry_on
from search_index.backends.whoosh.writer_processes import (
    hold_in_parent_only,
    release_from_children,
    stop_helpers,
)
from search_index.text.vocabulary import count_words

logger = logging.getLogger(__name__)

PARALLEL_THRESHOLD = 5000  # below this many documents, forking writers costs more than it saves
# Postings a writer sorts in memory before spilling sorted runs to disk. A run costs a pickle
# dump and load per posting plus a heap merge; at 1 GB half of MedQuAD (about 2 million
# postings per writer process, ~0.4 GB of real memory) sorts in one go.
WRITER_MEMORY_MB = 1024


def replace_all(documents: Iterable[dict], expected: int) -> None:
    """Write the documents as the index's whole content in one commit (mergetype=CLEAR);
    readers keep the old content until then. `expected` (their number) picks the writer."""
    ix = _index_for_rebuild()
    procs = writer_processes(expected)
    options = {"limitmb": WRITER_MEMORY_MB, "timeout": 30.0, "delay": 0.1}
    if procs > 1:
        options.update(procs=procs, multisegment=True, batchsize=500)
    writer = ix.writer(**options)
    whoosh_lock_fd = getattr(writer.writelock, "fd", None)
    hold_in_parent_only(whoosh_lock_fd)
    try:
        for document in documents:
            writer.add_document(**document)
        writer.commit(mergetype=CLEAR)
    except BaseException:
        stop_helpers(writer)
        abandon(writer)
        raise
    finally:
        release_from_children(whoosh_lock_fd)


def writer_processes(total: int) -> int:
    """How many processes write a rebuild of `total` documents."""
    if total < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _index_for_rebuild() -> Index:
    """The current index when healthy (so readers keep it until the commit), else a new one."""
    try:
        ix = open_index(create=True)
        if same_schema(ix.schema, build_schema()):
            return ix
        logger.warning("search index schema changed; creating a new index")
    except IndexUnavailable as exc:
        logger.warning("search index unavailable (%s); creating a new one", exc)
    return create_index()


def same_schema(old: Schema, new: Schema) -> bool:
    """True when an index's schema indexes every field as the new one would.

    Whoosh's own equality ignores analyzers and term vectors, so an index whose field changed
    only in those would keep its old analysis (and written its documents the old way).
    """
    return old == new and all(
        old[name].analyzer == new[name].analyzer and old[name].vector == new[name].vector
        for name in new.names()
    )


def apply_changes(
    documents: list[dict],
    deleted: list[str],
    spare: Callable[[set[str]], dict | None],
    wait: float = 30.0,
    create: bool = True,
) -> dict[str, Exception]:
    """Write (add or replace) the documents and delete the deleted doc_ids in one commit,
    keeping the spelling vocabulary: the last document, or `spare(excluded doc_ids)` when
    there is none, carries the words the replaced documents carried and the new ones.

    A document Whoosh refuses is left out and returned (doc_id -> error; its older version
    may be gone, as Whoosh deletes before it adds); the others commit.
    IndexLocked after `wait` seconds behind another writer; IndexUnavailable when the index
    is missing (and not `create`) or cannot be opened."""
    if not documents and not deleted:
        return {}
    try:
        ix = open_index(create=create)
        writer = ix.writer(timeout=wait, delay=0.05 if wait < 5 else 0.1)
    except (IndexLocked, IndexUnavailable):
        raise
    except INDEX_ERRORS as exc:
        raise IndexUnavailable(f"cannot open the search index for writing: {exc}") from exc
    refused: dict[str, Exception] = {}
    try:
        held = documents[-1] if documents else None
        replaced = [document["doc_id"] for document in documents] + deleted
        with ix.searcher() as searcher:  # the committed index: what the replaced ones carried
            extra = carry_on(searcher, replaced, count_words(documents), held, spare)
        for document in [*documents[:-1], held, extra]:
            if document is None:
                continue
            try:
                writer.update_document(**document)
            except Exception as exc:  # one bad document must not hold back the others
                logger.exception("cannot index %s", document.get("doc_id"))
                refused[document.get("doc_id", "")] = exc
        for key in deleted:
            writer.delete_by_term("doc_id", key)
        writer.commit()
    except BaseException:
        abandon(writer)
        raise
    return refused


def abandon(writer) -> None:
    """Cancel a failed writer so its Whoosh lock is free even if cancelling fails too."""
    try:
        writer.cancel()
    except Exception:
        logger.warning("cancelling the index writer failed; releasing its lock", exc_info=True)
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            try:
                lock.release()
            except Exception:
                logger.warning("could not release the index write lock", exc_info=True)


def stored_documents() -> dict[str, list[dict]]:
    """The stored fields of every live document by doc_id (a list, to catch duplicates);
    every stored field is present, "" when the document has none."""
    ix = open_index(create=True)
    names = [name for name, field in ix.schema.items() if field.stored]
    documents: dict[str, list[dict]] = {}
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            key = fields.get("doc_id", "")
            documents.setdefault(key, []).append({n: fields.get(n) or "" for n in names})
    return documents


def document_counts(doc_types: Iterable[str]) -> tuple[dict[str, int], int]:
    """(live documents of each type, all live documents), from a freshly opened index."""
    try:
        with open_index(create=False).searcher() as searcher:
            counts = {
                name: sum(1 for _ in searcher.document_numbers(doc_type=name))
                for name in doc_types
            }
            return counts, searcher.doc_count()
    except INDEX_ERRORS as exc:
        raise IndexUnavailable(str(exc)) from exc
