"""Revisions: every change kept with who, when and why; compared readably; restored and indexed."""
import pytest
from django.core.management import call_command
from django.urls import reverse

from faq.models import Citation, Section, Status
from search_index.models import Synonym, UrgentCareRule
from tests.faq.test_admin import form_data, make_user
from tests.index_factories import make_article, make_section

pytestmark = pytest.mark.django_db


def url(obj, view, *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block like a request: its on-commit callbacks (index updates) run when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def edit_section(client, section, body, reason=""):
    data = form_data(client.get(url(section, "change")))
    data.update(body=body, change_reason=reason)
    response = client.post(url(section, "change"), data)
    assert response.status_code == 302, response.context["errors"]


def found(client, words):
    """The titles /api/search returns for these words."""
    return [hit["title"] for hit in client.get("/api/search", {"q": words}).json()["results"]]


def test_history_page_lists_who_changed_what_and_why(client):
    section = make_section(make_article(status=Status.DRAFT), body="Pressure on a nerve.")
    editor = make_user("editor")
    client.force_login(editor)

    edit_section(client, section, "Pressure on the peroneal nerve.", reason="Name the nerve")

    page = client.get(url(section, "history")).content.decode()
    assert editor.username in page
    assert "Name the nerve" in page
    assert "Pressure on the peroneal nerve." in page  # the Changes column: old -> new


def test_compare_with_live_version_marks_removed_and_added_words(client):
    section = make_section(make_article(status=Status.DRAFT), body="Pressure on a nerve.")
    client.force_login(make_user("editor"))
    edit_section(client, section, "Pressure on the peroneal nerve.")
    first = section.history.earliest()

    page = client.get(url(section, "compare", first.history_id)).content.decode()

    assert "<del>a </del><ins>the peroneal </ins>" in page
    previous = client.get(url(section, "compare", first.history_id) + "?against=previous")
    assert "first recorded revision" in previous.content.decode()


def test_restoring_a_revision_brings_old_text_back_to_page_and_search(client, commit):
    with commit():
        article = make_article(status=Status.PUBLISHED)
        section = make_section(article, heading="Pressed nerve", body="Sciatica from sitting.")
    client.force_login(make_user("reviewer"))
    with commit():
        edit_section(client, section, "Tarsal tunnel syndrome.")
    assert found(client, "sciatica") == []
    first = section.history.earliest()

    restore_url = url(section, "simple_history", first.history_id)
    form = client.get(restore_url).context["adminform"].form
    data = {f.html_name: f.value() for f in form if f.value() is not None}
    with commit():
        response = client.post(restore_url, data)

    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == "Sciatica from sitting."
    assert "Sciatica from sitting." in client.get(article.get_absolute_url()).content.decode()
    assert found(client, "sciatica") == ["Pressed nerve"]
    assert section.history.latest().history_change_reason == "Restored an earlier revision"


def test_viewers_cannot_restore(client):
    rule = UrgentCareRule.objects.create(
        name="Test rule", patterns="numb face", message="Call now."
    )
    rule.message = "Call 999 now."
    rule.save()
    first = rule.history.earliest()
    client.force_login(make_user("editor"))  # editors only view urgent-care rules
    restore_url = url(rule, "simple_history", first.history_id)

    assert client.get(restore_url).status_code == 200
    response = client.post(
        restore_url, {"name": "Test rule", "kind": "emergency", "patterns": "x", "message": "y"}
    )

    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.message == "Call 999 now."


@pytest.mark.parametrize("model, values", [
    (Citation, {"title": "Paresthesia", "date_published": "2024"}),
    (Synonym, {"phrase": "pins and needles", "terms": "paresthesia"}),
    (UrgentCareRule, {"name": "Face", "patterns": "numb face", "message": "Call now."}),
])
def test_each_tracked_model_keeps_revisions(model, values):
    obj = model.objects.create(**values)
    obj.save()
    pk = obj.pk
    obj.delete()
    assert [r.history_type for r in model.history.filter(id=pk)] == ["-", "~", "+"]


def test_seed_content_starts_with_a_revision_of_its_own():
    call_command("load_seed", verbosity=0)
    section = Section.objects.first()
    assert section.history.count() == 1
    assert section.history.get().history_change_reason == "Seed content loaded"
    assert Synonym.history.exists()
