"""Sites whose starter glossary was loaded before the lay names, brand-free eponyms and other
names of issue 15 were added to it get the phrases they lack; no existing row is changed.

A fresh database has no synonyms yet when it migrates: `load_seed` loads the whole starter
glossary there, so this does nothing.
"""
import json
from pathlib import Path

from django.db import migrations

STARTER = Path(__file__).resolve().parent.parent / "fixtures" / "search-starter.json"


def add_missing_starter_names(apps, schema_editor):
    Synonym = apps.get_model("search_index", "Synonym")
    if not Synonym.objects.filter(origin="editor").exists():
        return
    known = {p.casefold() for p in Synonym.objects.values_list("phrase", flat=True)}
    rows = json.loads(STARTER.read_text(encoding="utf-8"))
    Synonym.objects.bulk_create(
        Synonym(phrase=f["phrase"], terms=f["terms"], active=f["active"])
        for f in (row["fields"] for row in rows if row["model"] == "search_index.synonym")
        if f["phrase"].casefold() not in known
    )


class Migration(migrations.Migration):
    dependencies = [("search_index", "0006_synonym_origin_lay_names")]

    operations = [migrations.RunPython(add_missing_starter_names, migrations.RunPython.noop)]
