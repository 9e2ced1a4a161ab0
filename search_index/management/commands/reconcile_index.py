"""Make the search index equal the database: add missing, update stale, delete extra."""
from django.core.management.base import BaseCommand, CommandError

from search_index.backends import IndexLocked
from search_index.sync.rebuild import reconcile


class Command(BaseCommand):
    help = "Compare the index with the database and fix every difference (rebuilds if damaged)."

    def handle(self, *args, **options):
        try:
            stats = reconcile()
        except (IndexLocked, OSError) as exc:
            raise CommandError(f"Reconcile failed: {exc}") from exc
        verbosity = options["verbosity"]
        if verbosity < 1:
            return
        if stats.rebuilt:
            self.stdout.write(self.style.WARNING("The index could not be opened; rebuilt it."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Added {len(stats.added)}, updated {len(stats.updated)}, deleted "
            f"{len(stats.deleted)}; {stats.unchanged} unchanged."
        ))
        if verbosity >= 2:
            for label, ids in (("added", stats.added), ("updated", stats.updated),
                               ("deleted", stats.deleted)):
                for doc_id in ids:
                    self.stdout.write(f"  {label} {doc_id}")
