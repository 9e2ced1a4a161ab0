"""Rebuild the whole search index from the database, with progress and a summary."""
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search_index.backends import IndexLocked, IndexUnavailable
from search_index.documents.builders import count_indexable
from search_index.sync import abbreviations
from search_index.sync.rebuild import rebuild


def human_size(size: int) -> str:
    """Bytes as a short human figure: '812 B', '3.4 MB'."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class Command(BaseCommand):
    help = "Rebuild the search index from the database; searches keep the old index until done."

    def add_arguments(self, parser):
        parser.add_argument(
            "--progress", action="store_true", help="Show a progress bar even without a terminal."
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        show_bar = verbosity >= 1 and (options["progress"] or self.stderr.isatty())
        bar = None
        if show_bar:
            self.stderr.ending = ""  # tqdm redraws the bar in place; no newline per update
            bar = tqdm(total=sum(count_indexable().values()), unit="doc", file=self.stderr)
        try:
            stats = rebuild(progress=bar.update if bar else None)
        except (IndexLocked, IndexUnavailable, OSError) as exc:
            # The old index stays in place: the new content is only committed at the end.
            raise CommandError(f"Rebuild failed: {exc}") from exc
        finally:
            if bar:
                bar.close()
        if verbosity >= 1:
            counts = ", ".join(f"{n} {name}s" for name, n in stats.documents.items())
            self.stdout.write(self.style.SUCCESS(
                f"Indexed {stats.total} documents ({counts}) in {stats.seconds:.1f} s; "
                f"index size {human_size(stats.size_bytes)}."
            ))
        if verbosity >= 2:
            self.stdout.write(f"Index path: {stats.path}")
        # The content may define abbreviations the glossary does not know yet, or no longer.
        counts = abbreviations.refresh()
        if verbosity >= 1:
            self.stdout.write(
                "Abbreviations found in the content: {added} added, {changed} changed, "
                "{removed} removed.".format(**counts)
            )
