from django.core.management import BaseCommand

from search_index.models import UrgentCareRule
from search_index.query.triage.shipped import RULES_FILE, install_rules


class Command(BaseCommand):
    help = (
        "Install the urgent-care rules the site ships (crisis, poison, emergency): missing "
        "ones are created; rules editors wrote are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also rewrite shipped rules that exist to the shipped version (overwrites "
            "editors' changes to those rules).",
        )

    def handle(self, *args, update=False, **options):
        counts = install_rules(UrgentCareRule, update=update)
        if options["verbosity"]:
            self.stdout.write(
                f"Urgent-care rules from {RULES_FILE.name}: {counts['created']} created, "
                f"{counts['updated']} updated, {counts['unchanged']} unchanged."
            )
