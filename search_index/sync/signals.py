"""Record every change to indexed content in the saving transaction; apply it after commit.

The queue row commits or rolls back with the content, so a crash or a busy index can delay a
change but never lose it. Fixture loads (raw=True) are skipped: run rebuild_index after them.
"""
import logging
import threading

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete

from faq.models import FAQ, Article, Section
from search_index.documents.builders import ARTICLE_INDEXED_FIELDS
from search_index.documents.types import FAQ as FAQ_TYPE
from search_index.documents.types import SECTION as SECTION_TYPE
from search_index.sync.queue import enqueue, enqueue_many
from search_index.sync.rebuild import apply_pending

logger = logging.getLogger(__name__)

DISPATCH_PREFIX = "search_index"


def auto_update_enabled() -> bool:
    """The off switch: settings.SEARCH_INDEX["AUTO_UPDATE"]."""
    return bool(settings.SEARCH_INDEX.get("AUTO_UPDATE", True))


# How long a save waits for another writer. The holder looks at the queue again after it lets
# go of the lock (sync/rebuild.py apply_pending), so giving up loses nothing. With 2 s, about 9%
# of the saves of eight editors saving at once waited the whole 2 s.
APPLY_TIMEOUT = 0.25
# How long a save goes on draining other processes' changes that keep arriving; the rest is
# left to the lock's next holder or the queue worker (which polls every second).
APPLY_BUDGET = 0.5


def apply_after_commit() -> None:
    """Apply the queue once the saving transaction committed; a failure waits in the queue."""
    options = settings.SEARCH_INDEX
    try:
        apply_pending(
            timeout=options.get("APPLY_TIMEOUT", APPLY_TIMEOUT),
            budget=options.get("APPLY_BUDGET", APPLY_BUDGET),
        )
    except Exception:
        # The change is safely queued; the queue worker or the next save applies it.
        logger.exception("applying search index changes failed; they stay queued")


class _ApplyOnCommit:
    """One scheduled apply; remembers whether it ran, so a transaction schedules one only."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        apply_after_commit()


_scheduled = threading.local()  # connections are per thread, and so is this


def _schedule() -> None:
    """Apply once per transaction, however many rows it saved."""
    connection = transaction.get_connection()
    previous = getattr(_scheduled, "callback", None)
    if (
        connection.in_atomic_block
        and previous is not None
        and not previous.ran
        # Gone from the list when its savepoint rolled back: then schedule a new one.
        and any(callback is previous for _, callback, *_ in connection.run_on_commit)
    ):
        return
    _scheduled.callback = _ApplyOnCommit()
    transaction.on_commit(_scheduled.callback)


def section_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw or not auto_update_enabled():
        return
    enqueue(SECTION_TYPE, instance.pk)
    _schedule()


def faq_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw or not auto_update_enabled():
        return
    enqueue(FAQ_TYPE, instance.pk)
    _schedule()


def article_changed(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Publishing, unpublishing or renaming an article changes all its sections and FAQs."""
    if raw or not auto_update_enabled() or instance.pk is None:
        return
    if update_fields is not None and not set(ARTICLE_INDEXED_FIELDS) & set(update_fields):
        return  # e.g. "mark reviewed today": nothing readers search changed
    sections = list(instance.sections.values_list("pk", flat=True))
    faqs = list(instance.faqs.values_list("pk", flat=True))
    if sections or faqs:
        enqueue_many(SECTION_TYPE, sections)
        enqueue_many(FAQ_TYPE, faqs)
        _schedule()


def article_deleting(sender, instance, **kwargs) -> None:
    """Its FAQs lose the article through SET NULL, which sends no save signal; queue them now."""
    if not auto_update_enabled():
        return
    faqs = list(instance.faqs.values_list("pk", flat=True))
    if faqs:
        enqueue_many(FAQ_TYPE, faqs)
        _schedule()


def connect() -> None:
    """Connect the handlers once per model (called from AppConfig.ready)."""
    for model, handler in ((Section, section_changed), (FAQ, faq_changed)):
        uid = f"{DISPATCH_PREFIX}.{model.__name__}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}.delete")
    post_save.connect(article_changed, sender=Article, dispatch_uid=f"{DISPATCH_PREFIX}.article")
    pre_delete.connect(
        article_deleting, sender=Article, dispatch_uid=f"{DISPATCH_PREFIX}.article.delete"
    )
