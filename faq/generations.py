"""Generation numbers in the database: how every process on every node learns that content
changed, with no shared cache server.

A process keeps something built from the database (a rendered page, the glossary) under the
generation it read first. A save bumps the generation once its transaction has committed;
every process, on any node, reads the number again on its next use (one primary-key lookup),
so nothing kept under the old number is served again.
"""
import logging

from django.db import DatabaseError, models, transaction
from django.db.models import F

log = logging.getLogger(__name__)


class Generation(models.Model):
    """One named counter, bumped after each committed change of what it covers."""

    name = models.CharField(max_length=100, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


def current(name: str) -> int | None:
    """The generation's current value (0 before its first bump); None when unreadable."""
    try:
        found = Generation.objects.filter(name=name).values_list("value", flat=True).first()
    except DatabaseError:
        log.warning("Generation %s unreadable", name, exc_info=True)
        return None
    return found or 0


def bump(name: str) -> None:
    """Replace the generation now (call after the change committed)."""
    try:
        if not Generation.objects.filter(name=name).update(value=F("value") + 1):
            Generation.objects.get_or_create(name=name, defaults={"value": 1})
    except DatabaseError:
        log.critical("Generation %s not bumped: kept copies may be stale", name, exc_info=True)


def bump_on_commit(name: str, using: str | None = None) -> None:
    """Bump the generation once the current transaction commits."""
    transaction.on_commit(lambda: bump(name), using=using)
