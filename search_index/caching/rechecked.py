"""A value built from database rows, rebuilt only when those rows have changed.

The glossary, the urgent-care rules and the suggestion list are each read on every search or
keystroke, but change only when an editor saves. Each process keeps its value with a
fingerprint of the rows (a few aggregate queries). A save of the models, once its transaction
has committed, bumps the value's generation (faq/generations.py), which every process reads
on each get(): every worker of the saving node checks the fingerprint again on its next
request, and every worker of the other nodes within GENERATION_CHECK_SECONDS. Changes that
send no signal (queryset updates, fixture loads) are still noticed within `recheck_seconds`.
"""
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Max, Model
from django.db.models.signals import post_delete, post_save

from faq import generations
from search_index.caching.registry import register

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
        self.generation_name = f"rechecked:{name}"
        self.fingerprint = fingerprint
        self.build = build
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._key: Hashable = None
        self._value: T | None = None
        self._checked = float("-inf")
        self._generation: str | None = None
        for model in saved_models:
            uid = f"rechecked-{name}-{model.__name__}"
            post_save.connect(self.changed, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(self.changed, sender=model, dispatch_uid=f"{uid}-delete")
        setting_changed.connect(self._settings_changed, dispatch_uid=f"rechecked-{name}")
        register(name, self.clear)

    def get(self) -> T:
        """The current value; reads the fingerprint after a save anywhere or an old check."""
        generation = self._shared_generation()
        with self._lock:
            if (
                self._value is not None
                and generation == self._generation
                and time.monotonic() - self._checked < self.recheck_seconds
            ):
                return self._value
        key = self.fingerprint()  # read after the generation: it sees what that save committed
        with self._lock:
            if self._value is None or key != self._key:
                self._value, self._key = self.build(key), key
            self._checked, self._generation = time.monotonic(), generation
            return self._value

    def changed(self, using: str | None = None, **kwargs) -> None:
        """Tell every process once the saving transaction commits (connected to saves)."""
        transaction.on_commit(self.new_generation, using=using)

    def new_generation(self) -> None:
        """Make every process check the fingerprint on its next get()."""
        self.forget()
        # Unbumped (the database failing), other processes notice within recheck_seconds.
        generations.bump(self.generation_name)

    def forget(self, **kwargs) -> None:
        """Check the fingerprint on the next get() in this process."""
        with self._lock:
            self._checked = float("-inf")

    def _shared_generation(self) -> str | None:
        """The generation every process shares; None (rely on the interval) when unreadable."""
        return generations.current(self.generation_name)

    @property
    def built(self) -> T | None:
        """The value last built, or None; never builds (start-up checks read it)."""
        return self._value

    def clear(self) -> None:
        """Drop the value: the next get() builds it again."""
        with self._lock:
            self._value, self._key, self._checked = None, None, float("-inf")

    def _settings_changed(self, setting: str, **kwargs) -> None:
        # Tests swap the index per test and roll back rows without signals: check afresh.
        if setting == "SEARCH_INDEX":
            self.forget()
