"""Is every document in the index, once, at the version the database gives? Which are not?

Counts alone said "in step" over an index that had missed a change. This compares, document
by document, the doc_id and version columns of the index with the versions the database
gives (documents.indexable_versions), without building any document. A difference whose row
has a change waiting in the queue, or one applied while the comparison ran, is "waiting": the
queue is about to settle it. Any other difference is a document the queue will never fix:
run reconcile_index.
"""
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Max, Q
from django.utils import timezone

from faq.models import FAQ, Article, Section
from search_index.backends import get_backend
from search_index.caching.rechecked import rows_version
from search_index.documents.builders import doc_id, indexable_versions
from search_index.models import IndexChange
from search_index.sync.nodes import this_node

EXAMPLES = 20  # ids named per kind of difference
# Changes applied this long before the comparison started still count as in flight: the
# searcher read may lag a commit by a little, and clocks of processes may differ slightly.
IN_FLIGHT_MARGIN = timedelta(seconds=2)
# The comparison reads every document: 0.8 s for 47,000 FAQs. /health reuses its last answer
# while the index and the tables are as they were, and at most this long.
REUSE_SECONDS = 60.0


@dataclass
class DocumentCheck:
    """The documents that differ, by kind."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)

    @property
    def differing(self) -> int:
        """Differences the queue will not settle."""
        return len(self.missing) + len(self.extra) + len(self.stale) + len(self.duplicated)

    def summary(self) -> dict:
        """Counts and the first ids of each kind, for index_status and /health."""
        kinds = ("missing", "extra", "stale", "duplicated", "waiting")
        return {
            # Every index of the current format records versions; kept for /health readers.
            "versions_recorded": True,
            "differing": self.differing,
            **{kind: len(getattr(self, kind)) for kind in kinds},
            "examples": {k: getattr(self, k)[:EXAMPLES] for k in kinds if getattr(self, k)},
        }


def check_documents() -> DocumentCheck:
    """Compare the index with the database, document by document."""
    started = timezone.now()
    position = this_node().position  # read first: entries past it may be applied meanwhile
    expected = indexable_versions()
    found = get_backend().stored_versions()  # opened after the database read: it is the newer
    check = DocumentCheck(
        missing=sorted(expected.keys() - found.keys()),
        extra=sorted(found.keys() - expected.keys()),
        stale=sorted(k for k in expected.keys() & found.keys() if found[k][-1] != expected[k]),
        duplicated=sorted(k for k, versions in found.items() if len(versions) > 1),
    )
    _set_aside_waiting(check, started, position)
    return check


_last: dict = {}
_last_lock = threading.Lock()


def recent_check() -> DocumentCheck:
    """check_documents(), or its last answer in this process if nothing has changed since."""
    key = (get_backend().reader().signature, _tables_version())
    with _last_lock:
        last = _last.get("check")
    if last and last[0] == key and time.monotonic() - last[1] < REUSE_SECONDS:
        return last[2]
    check = check_documents()
    with _last_lock:
        _last["check"] = (key, time.monotonic(), check)
    return check


def _tables_version() -> tuple:
    """Changes when content is saved, added or removed, or the log moves (a few lookups)."""
    last = IndexChange.objects.aggregate(last=Max("pk"))["last"]
    position = this_node().position
    return (*(rows_version(model) for model in (Article, Section, FAQ)), last, position)


def _set_aside_waiting(check: DocumentCheck, started, position: int) -> None:
    """Move differences that a change this node has yet to apply, or one just applied,
    explains to `waiting`."""
    if not check.differing:
        return
    in_flight = IndexChange.objects.filter(
        Q(pk__gt=position) | Q(applied_at__gte=started - IN_FLIGHT_MARGIN)
    ).values_list("model", "object_id")
    waiting = {doc_id(name, pk) for name, pk in in_flight.iterator(chunk_size=5000)}
    for kind in ("missing", "extra", "stale", "duplicated"):
        ids = getattr(check, kind)
        check.waiting += [key for key in ids if key in waiting]
        setattr(check, kind, [key for key in ids if key not in waiting])
    check.waiting.sort()

