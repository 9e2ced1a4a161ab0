"""index_status and /health compare the index with the database document by document."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from faq.models import Section, Status
from search_index.backends.whoosh.searcher import close_searcher
from search_index.sync import rebuild as indexer
from search_index.sync.check import check_documents
from tests.index_factories import make_article, make_faq, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(settings):
    """Two sections and an FAQ in a built index; saves do not reach the queue by themselves."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    article = make_article()
    content = {"sections": [make_section(article), make_section(article)],
               "faq": make_faq(article)}
    indexer.rebuild()
    yield content
    close_searcher()


def check():
    return check_documents().summary()


def status_output():
    out = StringIO()
    try:
        call_command("index_status", "--check", stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def test_an_index_that_matches_is_in_step(built):
    assert check()["differing"] == 0
    output, in_step = status_output()
    assert in_step, output
    assert "0 missing, 0 extra, 0 stale, 0 duplicated, 0 waiting" in output


def test_a_change_that_never_reached_the_queue_is_named_though_counts_agree(built):
    # What a process killed between its commit and its queue row used to leave behind.
    section = built["sections"][0]
    section.heading = "Corrected heading"
    section.save()
    status = indexer.index_status()
    assert status["index"] == status["database"]  # the counts alone would say "in step"
    assert not status["in_step"]
    assert status["documents"]["examples"] == {"stale": [f"section:{section.pk}"]}
    output, in_step = status_output()
    assert not in_step
    assert f"stale: section:{section.pk}" in output


def test_missing_and_withdrawn_documents_are_named(built):
    added = make_section(built["sections"][0].article, heading="Never indexed")
    built["faq"].status = Status.DRAFT
    built["faq"].save()
    examples = check()["examples"]
    assert examples == {"missing": [f"section:{added.pk}"], "extra": [f"faq:{built['faq'].pk}"]}


def test_an_article_marked_reviewed_stays_in_step_and_a_renamed_one_does_not(built):
    # "Mark as reviewed today" saves only the review dates and re-indexes nothing.
    article = built["sections"][0].article
    article.last_reviewed = timezone.localdate()
    article.save(update_fields=["last_reviewed", "updated_at"])
    assert check()["differing"] == 0
    article.title = "Renamed behind the queue's back"
    article.save()
    assert check()["stale"] == 3  # its two sections and its FAQ show the title


def test_differences_a_queued_change_explains_are_waiting_not_lost(built):
    section = built["sections"][1]
    section.body = "Edited, and its change queued."
    section.save()
    indexer.enqueue("section", section.pk)
    summary = check()
    assert (summary["differing"], summary["waiting"]) == (0, 1)
    assert not indexer.index_status()["in_step"]  # pending changes: not yet in step
    indexer.apply_pending()
    assert indexer.index_status()["in_step"]


def test_the_queue_and_reconcile_record_the_versions_they_write(built):
    Section.objects.filter(pk=built["sections"][0].pk).update(
        heading="Behind the queue's back", updated_at=timezone.now()
    )
    assert check()["stale"] == 1
    assert indexer.reconcile().updated == [f"section:{built['sections'][0].pk}"]
    assert check()["differing"] == 0


def test_health_names_lost_documents_but_stays_up(built):
    section = built["sections"][0]
    section.heading = "Lost on its way"
    section.save()
    response = Client().get("/health")
    assert response.status_code == 200
    documents = response.json()["documents"]
    assert documents["in_step"] is False
    assert documents["examples"] == {"stale": [f"section:{section.pk}"]}


def test_health_reuses_its_comparison_only_while_nothing_changed(built):
    from search_index.sync.check import recent_check

    first = recent_check()
    assert recent_check() is first  # nothing changed: not read again
    section = built["sections"][1]
    section.heading = "Saved since"
    section.save()
    again = recent_check()
    assert again is not first and again.stale == [f"section:{section.pk}"]
