"""A value built from database rows, rebuilt only when those rows have changed.

The glossary, the urgent-care rules and the suggestion list are each read on every search or
keystroke, but change only when an editor saves. Each process keeps its value with a
fingerprint of the rows (a few aggregate queries) and checks the fingerprint at most every
`recheck_seconds`; a save in the same process forgets the check, so an editor sees their own
change at once and other processes within the interval.
"""
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from django.core.signals import setting_changed
from django.db.models import Max, Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")


def rows_version(model: type[Model]) -> tuple:
    """(number of rows, latest updated_at) of a table: changes when a row is added, removed
    or saved.

    Two queries on purpose: SQLite answers COUNT(*) from an index and MAX of an indexed
    column with one lookup, but COUNT("id") with MAX in one query scanned all 47,000 FAQs
    (17 ms).
    """
    return (model.objects.count(), model.objects.aggregate(latest=Max("updated_at"))["latest"])


class Rechecked(Generic[T]):
    """`build(fingerprint)`'s value, rebuilt when `fingerprint()` gives something new."""

    def __init__(
        self,
        name: str,
        fingerprint: Callable[[], Hashable],
        build: Callable[[Hashable], T],
        recheck_seconds: float,
        saved_models: Iterable[type[Model]],
    ) -> None:
        self.fingerprint = fingerprint
        self.build = build
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._key: Hashable = None
        self._value: T | None = None
        self._checked = float("-inf")
        for model in saved_models:
            uid = f"rechecked-{name}-{model.__name__}"
            post_save.connect(self.forget, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(self.forget, sender=model, dispatch_uid=f"{uid}-delete")
        setting_changed.connect(self._settings_changed, dispatch_uid=f"rechecked-{name}")

    def get(self) -> T:
        """The current value; reads the fingerprint only when the last check is old."""
        with self._lock:
            if self._value is not None and time.monotonic() - self._checked < self.recheck_seconds:
                return self._value
        key = self.fingerprint()
        with self._lock:
            if self._value is None or key != self._key:
                self._value, self._key = self.build(key), key
            self._checked = time.monotonic()
            return self._value

    def forget(self, **kwargs) -> None:
        """Check the fingerprint on the next get() (connected to saves of the models)."""
        with self._lock:
            self._checked = float("-inf")

    def clear(self) -> None:
        """Drop the value: the next get() builds it again."""
        with self._lock:
            self._value, self._key, self._checked = None, None, float("-inf")

    def _settings_changed(self, setting: str, **kwargs) -> None:
        # Tests swap the index per test and roll back rows without signals: check afresh.
        if setting == "SEARCH_INDEX":
            self.forget()
