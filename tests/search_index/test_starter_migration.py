"""The starter glossary reaches sites that loaded an older one, and never overwrites."""
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from search_index.models import Synonym

STARTER = settings.BASE_DIR / "search_index" / "fixtures" / "search-starter.json"
BEFORE = [("search_index", "0006_synonym_origin_lay_names")]
AFTER = [("search_index", "0007_starter_names_on_existing_sites")]


def starter_phrases() -> set[str]:
    return {row["fields"]["phrase"] for row in json.loads(STARTER.read_text())}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def migrations_db(transactional_db):
    """Each test ends with every app migrated to its newest migration again."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_older_starter_gets_the_phrases_it_lacks(migrations_db):
    migrate(BEFORE)
    Synonym.objects.create(phrase="pins and needles", terms="my own words")
    Synonym.objects.create(phrase="HNPP", terms="something found", origin="mined")
    migrate(AFTER)
    assert set(Synonym.objects.values_list("phrase", flat=True)) >= starter_phrases()
    assert Synonym.objects.get(phrase="pins and needles").terms == "my own words"
    assert Synonym.objects.get(phrase="HNPP").terms == "something found"


def test_a_fresh_database_is_left_to_load_seed(migrations_db):
    migrate(BEFORE)
    migrate(AFTER)
    assert not Synonym.objects.exists()


def test_loading_the_starter_keeps_rows_found_in_the_content(db):
    found = Synonym.objects.create(
        phrase="HNPP", terms="hereditary neuropathy with liability to pressure palsies",
        origin="mined",
    )
    call_command("loaddata", "search-starter", verbosity=0)
    call_command("loaddata", "search-starter", verbosity=0)  # again: rows found by phrase
    found.refresh_from_db()
    assert found.terms.startswith("hereditary neuropathy")
    assert Synonym.objects.count() == len(starter_phrases()) + 1
