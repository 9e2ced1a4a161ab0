"""Delete search-log and result-click rows older than the retention period."""
from datetime import timedelta

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from search_index.analytics.redaction import redact
from search_index.models import SearchQueryLog, SearchResultClick


class Command(BaseCommand):
    help = (
        "Delete search-terms log and result-click rows older than SEARCH_LOG_RETENTION_DAYS "
        "(or --days), and redact e-mail addresses, phone numbers and long digit runs from "
        "rows logged before redaction existed. Run it daily (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Keep this many days instead.")

    def handle(self, *args, days=None, **options):
        keep = days if days is not None else settings.SEARCH_INDEX["LOG_RETENTION_DAYS"]
        if keep < 1:
            raise CommandError("Keep at least one day: --days must be 1 or more.")
        before = timezone.now() - timedelta(days=keep)
        with transaction.atomic():
            logs, _ = SearchQueryLog.objects.filter(created_at__lt=before).delete()
            clicks, _ = SearchResultClick.objects.filter(created_at__lt=before).delete()
            redacted = redact_rows(SearchQueryLog) + redact_rows(SearchResultClick)
        self.stdout.write(
            f"Deleted {logs} search-log and {clicks} click rows older than {keep} days; "
            f"redacted {redacted} rows."
        )


def redact_rows(model) -> int:
    """Redact rows still holding what the log must not keep (those with digits or an @)."""
    changed = 0
    suspects = model.objects.filter(query__regex=r"[0-9@]").only("pk", "query")
    for row in suspects.iterator():
        clean = redact(row.query)
        if clean != row.query:
            model.objects.filter(pk=row.pk).update(query=clean[:256])
            changed += 1
    return changed
