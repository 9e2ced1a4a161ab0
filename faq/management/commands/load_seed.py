from django.conf import settings
from django.core.management import BaseCommand, call_command

from faq.initial_revisions import record_initial_revisions
from faq.models import Article


class Command(BaseCommand):
    help = (
        "Load the curated seed content (article, FAQs, citations, search glossary) and the "
        "shipped urgent-care rules."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Reload even if the seed is already there "
            "(overwrites editors' changes to the seed rows)."
        )

    def handle(self, *args, force=False, **options):
        quiet = options["verbosity"] == 0
        if not force and Article.objects.filter(slug=settings.SEED_ARTICLE_SLUG).exists():
            if not quiet:
                self.stdout.write("Seed content already loaded (--force reloads it).")
            return
        for name in settings.SEED_FIXTURES:
            call_command("loaddata", name, verbosity=options["verbosity"])
        # Migrations install the shipped urgent-care rules; a flushed database gets them here.
        call_command("load_urgent_rules", verbosity=options["verbosity"])
        # Fixture loads record no revision: without this first one, the seed's own text could
        # not be compared with or restored after an edit.
        record_initial_revisions("Seed content loaded")
        if not quiet:
            self.stdout.write(self.style.SUCCESS("Seed content loaded."))
