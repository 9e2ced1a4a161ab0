"""Drafts of live pages: editors' changes wait for a reviewer; readers see the live one."""
import pytest
from django.urls import reverse

from faq.models import FAQ, Article, Draft, Section, SectionKind, Status
from tests.faq.test_admin import admin_url, form_data, make_user, messages_of
from tests.index_factories import make_article, make_faq, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block like a request: its on-commit callbacks (index updates) run when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def found(client, words):
    return [hit["title"] for hit in client.get("/api/search", {"q": words}).json()["results"]]


@pytest.fixture
def live(commit):
    with commit():
        article = make_article(status=Status.PUBLISHED, title="Numb hands",
                               summary="Hands go numb from pressure.")
        section = make_section(article, heading="Pressure", body="Leaning on an elbow.",
                               kind=SectionKind.OTHER)
    return article, section


def edit(client, obj, commit, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    data = {**form_data(client.get(url)), **changes}
    with commit():
        response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    return response


def test_an_editors_change_to_a_live_section_waits_for_a_reviewer(client, live, commit):
    article, section = live
    editor = make_user("editor")
    client.force_login(editor)

    response = edit(client, section, commit, body="Carpal tunnel syndrome.",
                    change_reason="Name the condition")

    assert any("Saved as a draft" in m for m in messages_of(response))
    assert Section.objects.get(pk=section.pk).body == "Leaning on an elbow."
    assert "Leaning on an elbow." in client.get(article.get_absolute_url()).content.decode()
    assert found(client, "carpal tunnel") == []
    draft = Draft.objects.get()
    assert (draft.author, draft.reason) == (editor, "Name the condition")
    # The editor goes on with the draft; the preview shows it as readers will see it.
    page = client.get(admin_url(Section, "change", section.pk))
    assert page.context["adminform"].form.initial["body"] == "Carpal tunnel syndrome."
    preview = client.get(admin_url(Article, "preview", article.pk)).content.decode()
    assert "Carpal tunnel syndrome." in preview and "includes unpublished drafts" in preview


def test_a_reviewer_compares_and_publishes_the_draft(client, live, commit):
    article, section = live
    editor, reviewer = make_user("editor"), make_user("reviewer")
    client.force_login(editor)
    edit(client, section, commit, body="Carpal tunnel syndrome.")
    client.force_login(reviewer)
    draft_url = reverse("admin:faq_section_draft", args=[section.pk])

    review = client.get(draft_url).content.decode()
    assert "<del>Leaning on an elbow.</del><ins>Carpal tunnel syndrome.</ins>" in review
    with commit():
        response = client.post(draft_url, {"decision": "publish"}, follow=True)

    assert any("The draft is published" in m for m in messages_of(response))
    assert Section.objects.get(pk=section.pk).body == "Carpal tunnel syndrome."
    assert not Draft.objects.exists()
    assert "Carpal tunnel syndrome." in client.get(article.get_absolute_url()).content.decode()
    assert found(client, "carpal tunnel") == ["Pressure"]
    article.refresh_from_db()
    assert article.signed_off_by == reviewer.reviewer_profile
    history = client.get(admin_url(Section, "history", section.pk)).content.decode()
    assert f"Published the draft by {editor.username}" in history
    assert "Saved a draft (not yet published)" in history  # the editor's step, in the log


def test_editors_cannot_publish_a_draft_but_may_discard_it(client, live, commit):
    article, _ = live
    client.force_login(make_user("editor"))
    edit(client, article, commit, summary="Hands tingle.")
    draft_url = reverse("admin:faq_article_draft", args=[article.pk])

    assert client.post(draft_url, {"decision": "publish"}).status_code == 403
    assert Article.objects.get(pk=article.pk).summary == "Hands go numb from pressure."
    client.post(draft_url, {"decision": "discard"})
    assert not Draft.objects.exists()


def test_editors_see_a_live_articles_sections_read_only_and_cannot_add_one(client, live):
    article, _ = live
    client.force_login(make_user("editor"))
    page = client.get(admin_url(Article, "change", article.pk))
    sections = page.context["inline_admin_formsets"][0]
    assert not sections.has_change_permission and not sections.has_add_permission
    response = client.post(admin_url(Section, "add"), {
        "article": article.pk, "heading": "New", "slug": "new", "kind": "other", "order": 5,
        "body": "Text.",
    })
    assert response.status_code == 200
    assert "a reviewer adds its sections" in str(response.context["adminform"].form.errors)


def test_a_live_faq_change_is_a_draft_and_a_draft_faq_saves_directly(client, commit):
    live_faq = make_faq(status=Status.PUBLISHED, answer="Rest the hand.")
    draft_faq = make_faq(status=Status.DRAFT, answer="Rest the hand.")
    client.force_login(make_user("editor"))

    edit(client, live_faq, commit, answer="Rest and splint the hand.")
    edit(client, draft_faq, commit, answer="Rest and splint the hand.")

    assert FAQ.objects.get(pk=live_faq.pk).answer == "Rest the hand."
    assert FAQ.objects.get(pk=draft_faq.pk).answer == "Rest and splint the hand."
    assert Draft.objects.count() == 1


def test_a_draft_that_fails_the_checks_is_not_published(client, live, commit):
    article, section = live
    client.force_login(make_user("editor"))
    edit(client, section, commit, body="See [this](javascript:alert(1)).")
    client.force_login(make_user("reviewer"))
    draft_url = reverse("admin:faq_section_draft", args=[section.pk])

    assert "links to “javascript:alert(1)”" in client.get(draft_url).content.decode()
    client.post(draft_url, {"decision": "publish"})
    assert Section.objects.get(pk=section.pk).body == "Leaning on an elbow."
    assert Draft.objects.exists()


def test_an_editors_restore_of_a_live_page_is_a_draft_too(client, live, commit):
    _, section = live
    client.force_login(make_user("reviewer"))
    edit(client, section, commit, body="Carpal tunnel syndrome.")
    first = section.history.earliest()
    client.force_login(make_user("editor"))
    restore_url = reverse("admin:faq_section_simple_history", args=[section.pk, first.history_id])
    form = client.get(restore_url).context["adminform"].form
    data = {f.html_name: f.value() for f in form if f.value() is not None}

    client.post(restore_url, data)

    assert Section.objects.get(pk=section.pk).body == "Carpal tunnel syndrome."
    assert Draft.objects.get().data["body"] == "Leaning on an elbow."
