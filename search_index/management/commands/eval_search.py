"""Relevance of the project's search on real consumer questions, beside a plain BM25 floor."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benchmarks.relevance import K, report


class Command(BaseCommand):
    help = (
        "MRR@10, recall@10 and nDCG@10 of search on dev_queries.json (MedQuAD imported), "
        "with SQLite FTS5 BM25 over the same FAQs beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="dev_queries.json")
        parser.add_argument("--worst", type=int, default=10, help="How many worst queries.")

    def handle(self, *args, path: Path, worst: int, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        from faq.models import Article

        if not Article.objects.filter(external_key__isnull=False).exists():
            raise CommandError("No MedQuAD content here: run `manage.py import_medquad` first.")
        try:
            report(path, self.stdout.write, K, worst)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"{path}: not a dev query file ({exc})") from None
