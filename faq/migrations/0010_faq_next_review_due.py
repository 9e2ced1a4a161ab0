"""FAQs now have a next review date, as articles do: a year after their last review."""
from datetime import timedelta

from django.db import migrations


def schedule(apps, schema_editor):
    FAQ = apps.get_model("faq", "FAQ")
    # bulk_update, not saves: no content changes, so nothing to index or record as a revision.
    due = list(FAQ.objects.filter(next_review_due__isnull=True, last_reviewed__isnull=False)
               .only("pk", "last_reviewed"))
    for faq in due:
        faq.next_review_due = faq.last_reviewed + timedelta(days=365)
    FAQ.objects.bulk_update(due, ["next_review_due"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("faq", "0009_promoted_results_permissions")]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
