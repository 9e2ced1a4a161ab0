"""Every save, publish, unpublish and delete shows up in the index once the transaction commits."""
import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import transaction

from faq.models import FAQ, Status
from search_index.models import IndexChange
from search_index.sync import rebuild as indexer
from tests.index_factories import make_article, make_faq, make_section
from tests.search_helpers import stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block like a request: its on-commit callbacks run when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_section_create_edit_delete_follow_the_commit(commit):
    article = make_article()
    with commit():
        section = make_section(article, heading="Tingling toes")
    key = f"section:{section.pk}"
    assert stored(key)["title"] == "Tingling toes"
    with commit():
        section.heading = "Burning toes"
        section.save()
    assert stored(key)["title"] == "Burning toes"
    with commit():
        section.delete()
    assert stored(key) is None
    assert not indexer.pending_changes().exists()


def test_nothing_is_indexed_before_the_commit(commit):
    with commit() as callbacks:
        section = make_section()
        assert IndexChange.objects.filter(model="section", object_id=section.pk).exists()
        assert callbacks == []  # nothing ran yet: the save could still roll back
    assert stored(f"section:{section.pk}") is not None


def test_rolled_back_save_leaves_no_trace(commit):
    with commit():
        make_section()  # creates the index
    with commit():
        try:
            with transaction.atomic():
                make_section(heading="Never saved")
                raise RuntimeError("editor cancelled")
        except RuntimeError:
            pass
    assert not IndexChange.objects.filter(applied_at__isnull=True).exists()


def test_article_publish_unpublish_and_rename_reach_sections_and_faqs(commit):
    with commit():
        article = make_article(title="Sciatica", status=Status.DRAFT)
        section = make_section(article)
        faq = make_faq(article, question="Is it serious?")
    assert stored(f"section:{section.pk}") is None
    assert stored(f"faq:{faq.pk}")["heading_path"] == "Is it serious?"
    with commit():
        article.status = Status.PUBLISHED
        article.save()
    assert stored(f"section:{section.pk}")["article_title"] == "Sciatica"
    assert stored(f"faq:{faq.pk}")["heading_path"] == "Sciatica › Is it serious?"
    with commit():
        article.title = "Sciatic nerve pain"
        article.save()
    assert stored(f"section:{section.pk}")["heading_path"].startswith("Sciatic nerve pain ›")
    with commit():
        article.status = Status.DRAFT
        article.save()
    assert stored(f"section:{section.pk}") is None
    assert stored(f"faq:{faq.pk}")["article_title"] == ""


def test_faq_publish_unpublish_and_delete(commit):
    with commit():
        faq = make_faq(status=Status.DRAFT, question="Why do my feet burn?")
    assert stored(f"faq:{faq.pk}") is None
    with commit():
        faq.status = Status.PUBLISHED
        faq.save()
    assert stored(f"faq:{faq.pk}")["title"] == "Why do my feet burn?"
    with commit():
        faq.status = Status.IN_REVIEW
        faq.save()
    assert stored(f"faq:{faq.pk}") is None
    with commit():
        faq.status = Status.PUBLISHED
        faq.save()
    pk = faq.pk
    with commit():
        faq.delete()
    assert stored(f"faq:{pk}") is None


def test_deleting_an_article_removes_its_sections_and_detaches_its_faqs(commit):
    with commit():
        article = make_article(title="Gone topic")
        section = make_section(article)
        faq = make_faq(article)
    with commit():
        article.delete()
    assert stored(f"section:{section.pk}") is None
    assert stored(f"faq:{faq.pk}")["article_title"] == ""
    assert FAQ.objects.get(pk=faq.pk).article is None


def test_raw_fixture_loads_enqueue_nothing(commit, tmp_path):
    with commit():
        article = make_article()
        section = make_section(article)
    data = serializers.serialize("json", [article, section])
    section.delete()
    article.delete()
    IndexChange.objects.all().delete()
    fixture = tmp_path / "content.json"
    fixture.write_text(data)
    with commit():
        call_command("loaddata", str(fixture), verbosity=0)
    assert not IndexChange.objects.exists()


def test_auto_update_off_enqueues_nothing(settings, commit):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    with commit():
        article = make_article()
        make_section(article)
        make_faq(article)
        article.delete()
    assert not IndexChange.objects.exists()


def test_a_failing_index_never_breaks_the_save(commit, index_dir):
    with commit():
        make_section()
    next(index_dir.glob("*.toc")).write_bytes(b"\x00garbage")
    with commit():
        section = make_section(heading="Saved anyway")
    change = IndexChange.objects.get(model="section", object_id=section.pk)
    assert change.applied_at is None and change.attempts == 1
    indexer.rebuild()
    assert stored(f"section:{section.pk}")["title"] == "Saved anyway"
    change.refresh_from_db()
    assert change.applied_at is not None


def test_one_index_update_per_transaction(commit):
    with commit() as callbacks:
        article = make_article()
        make_section(article)
        make_section(article)
        make_faq(article)
    index_updates = [c for c in callbacks if type(c).__module__ == "search_index.sync.signals"]
    assert len(index_updates) == 1
    assert not indexer.pending_changes().exists()


def test_save_after_a_rolled_back_savepoint_is_still_applied(commit):
    with commit():
        make_section()
    with commit():
        try:
            with transaction.atomic():
                make_section(heading="Rolled back")
                raise RuntimeError("inline form invalid")
        except RuntimeError:
            pass
        section = make_section(heading="Kept")
    assert stored(f"section:{section.pk}")["title"] == "Kept"


def test_article_save_of_unindexed_fields_queues_nothing(commit):
    with commit():
        article = make_article()
        make_section(article)
    IndexChange.objects.all().delete()
    with commit():
        article.medical_reviewer = "Dr Who"
        article.save(update_fields=["medical_reviewer", "updated_at"])
    assert not IndexChange.objects.exists()
    with commit():
        article.also_called = "Pins and needles"
        article.save(update_fields=["also_called"])
    assert IndexChange.objects.filter(model="section").count() == 1
