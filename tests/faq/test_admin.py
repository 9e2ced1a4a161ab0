"""The editors' admin: saving through real forms, publishing rules, actions and history."""
from datetime import date, timedelta
from itertools import count

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from faq.models import FAQ, Article, Citation, ReviewerProfile, Section, Status

pytestmark = pytest.mark.django_db

_serial = count(1)
ROLE_GROUPS = {"editor": "Editors", "reviewer": "Reviewers"}


def make_user(role):
    """A user for a role: superuser, editor, reviewer, or staff (no permissions)."""
    user = get_user_model().objects.create_user(
        username=f"{role}{next(_serial)}",
        password="unused-in-tests",
        is_staff=True,
        is_superuser=role == "superuser",
    )
    if role in ROLE_GROUPS:
        user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    if role in ("reviewer", "superuser"):
        ReviewerProfile.objects.create(
            user=user, name=f"Dr {user.username}", credentials="MB ChB, neurologist"
        )
    return user


def make_article(**fields):
    n = next(_serial)
    values = {"title": f"Tingling hands {n}", "slug": f"tingling-hands-{n}", "summary": "Short."}
    return Article.objects.create(**{**values, **fields})


def make_section(article, **fields):
    n = next(_serial)
    values = {"heading": f"Causes {n}", "slug": f"causes-{n}", "body": "Pressure on a nerve."}
    return Section.objects.create(article=article, **{**values, **fields})


def make_faq(**fields):
    n = next(_serial)
    values = {
        "question": f"Why do my feet tingle {n}?", "slug": f"why-feet-tingle-{n}",
        "answer": "Often a pressed nerve.",
    }
    return FAQ.objects.create(**{**values, **fields})


def make_citation(**fields):
    values = {"title": "Paresthesia overview", "container_title": "Health Library"}
    return Citation.objects.create(**{**values, **fields})


def admin_url(model, view, *args):
    return reverse(f"admin:faq_{model._meta.model_name}_{view}", args=args)


def form_data(response):
    """The POST an unchanged admin form would send, read from the rendered page's forms."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is False or value is None:
                value = "" if value is None else None
            if value is not None:
                data[field.html_name] = str(value)
    return data


def add_section_to(data, prefix="sections", **fields):
    """Append one new section form to POST data built by form_data."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    values = {"heading": "Symptoms", "slug": "symptoms", "kind": "symptoms", "body": "Numbness."}
    for name, value in {**values, **fields}.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    return data


def run_action(client, model, action, objects):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [o.pk for o in objects]},
        follow=True,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_editor_saves_section_edit_and_it_shows_in_history(client):
    article = make_article()
    section = make_section(article)
    client.force_login(make_user("editor"))
    url = admin_url(Article, "change", article.pk)
    data = form_data(client.get(url))
    data["sections-0-body"] = "Sitting cross-legged presses the peroneal nerve."

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    section.refresh_from_db()
    assert section.body == "Sitting cross-legged presses the peroneal nerve."
    history = client.get(admin_url(Article, "history", article.pk))
    assert "Changed Body for section" in history.content.decode()


def test_editor_is_not_offered_published_and_cannot_post_it(client):
    article = make_article()
    make_section(article)
    client.force_login(make_user("editor"))
    url = admin_url(Article, "change", article.pk)
    page = client.get(url)
    choices = [value for value, _ in page.context["adminform"].form.fields["status"].choices]
    assert Status.PUBLISHED not in choices
    data = form_data(page)
    data["status"] = Status.PUBLISHED

    response = client.post(url, data)

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_reviewer_publishes_through_the_form(client):
    article = make_article()
    make_section(article)
    client.force_login(make_user("reviewer"))
    url = admin_url(Article, "change", article.pk)
    data = {**form_data(client.get(url)), "status": Status.PUBLISHED}

    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.published_date == timezone.localdate()


def test_publishing_without_a_section_is_a_form_error(client):
    article = make_article()
    client.force_login(make_user("reviewer"))
    url = admin_url(Article, "change", article.pk)
    data = {**form_data(client.get(url)), "status": Status.PUBLISHED}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "needs at least one section" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_reviewer_adds_and_publishes_article_with_its_first_section(client):
    client.force_login(make_user("reviewer"))
    url = admin_url(Article, "add")
    data = form_data(client.get(url))
    data.update(title="Numb toes", slug="numb-toes", summary="Why toes go numb.")
    data["status"] = Status.PUBLISHED
    add_section_to(data)
    # An article about symptoms must say when to see a doctor (faq.publish_checks).
    add_section_to(data, heading="When to see a doctor", slug="see-a-doctor", kind="see_doctor")

    assert client.post(url, data).status_code == 302
    article = Article.objects.get(slug="numb-toes")
    assert article.is_published
    assert [s.slug for s in article.sections.all()] == ["symptoms", "see-a-doctor"]


def test_deleting_the_last_section_of_a_published_article_is_refused(client):
    article = make_article(status=Status.PUBLISHED)
    section = make_section(article)
    client.force_login(make_user("reviewer"))  # editors may not delete sections at all
    url = admin_url(Article, "change", article.pk)
    data = {**form_data(client.get(url)), "sections-0-DELETE": "on"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "needs at least one section" in response.content.decode()
    assert Section.objects.filter(pk=section.pk).exists()


def test_editor_can_correct_a_published_article_without_unpublishing_it(client):
    article = make_article(status=Status.PUBLISHED)
    make_section(article)
    client.force_login(make_user("editor"))
    url = admin_url(Article, "change", article.pk)
    page = client.get(url)
    assert "status" not in page.context["adminform"].form.fields
    data = {**form_data(page), "summary": "Corrected summary."}

    assert client.post(url, data).status_code == 302
    # The correction is a draft (tests/test_drafts.py): the live page keeps its status and text.
    article.refresh_from_db()
    assert (article.summary, article.status) == ("Short.", Status.PUBLISHED)
    assert client.get(url).context["adminform"].form.initial["summary"] == "Corrected summary."


def test_publish_action_refuses_article_without_sections(client):
    empty = make_article()
    ready = make_article()
    make_section(ready)
    client.force_login(make_user("reviewer"))

    response = run_action(client, Article, "publish_selected", [empty, ready])

    empty.refresh_from_db()
    ready.refresh_from_db()
    assert empty.status == Status.DRAFT
    assert ready.status == Status.PUBLISHED
    assert any("was not published" in m and empty.title in m for m in messages_of(response))
    entry = LogEntry.objects.get(object_id=str(ready.pk))
    assert "Publish selected" in entry.get_change_message()


def test_publish_action_is_not_available_to_editors(client):
    article = make_article()
    make_section(article)
    client.force_login(make_user("editor"))

    response = run_action(client, Article, "publish_selected", [article])

    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert "publish_selected" not in response.content.decode()


def test_faq_publish_action_requires_an_answer_or_source(client):
    bare = make_faq(answer="")
    answered = make_faq()
    client.force_login(make_user("reviewer"))

    response = run_action(client, FAQ, "publish_selected", [bare, answered])

    assert FAQ.objects.get(pk=bare.pk).status == Status.DRAFT
    assert FAQ.objects.get(pk=answered.pk).status == Status.PUBLISHED
    assert any("needs an answer" in m for m in messages_of(response))


def test_mark_reviewed_today_sets_dates_and_writes_history(client):
    article = make_article(last_reviewed=date(2020, 1, 1), next_review_due=date(2021, 1, 1))
    reviewer = make_user("reviewer")
    client.force_login(reviewer)

    run_action(client, Article, "mark_reviewed_today", [article])

    today = timezone.localdate()
    article.refresh_from_db()
    assert article.last_reviewed == today
    assert article.next_review_due == today + timedelta(days=365)
    assert article.reviewed_by == reviewer.reviewer_profile
    history = client.get(admin_url(Article, "history", article.pk)).content.decode()
    assert "Marked as reviewed today by Dr" in history


def test_mark_reviewed_today_on_faqs(client):
    faq = make_faq()
    client.force_login(make_user("reviewer"))

    run_action(client, FAQ, "mark_reviewed_today", [faq])

    assert FAQ.objects.get(pk=faq.pk).last_reviewed == timezone.localdate()
    assert LogEntry.objects.filter(object_id=str(faq.pk)).count() == 1


def test_duplicate_article_slug_is_a_form_error(client):
    make_article(slug="numb-feet")
    client.force_login(make_user("editor"))
    url = admin_url(Article, "add")
    data = {**form_data(client.get(url)), "title": "Numb feet", "slug": "numb-feet",
            "summary": "Again."}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


def test_review_due_before_last_review_is_a_form_error(client):
    article = make_article(last_reviewed=date(2026, 5, 1))
    client.force_login(make_user("reviewer"))
    url = admin_url(Article, "change", article.pk)
    data = {**form_data(client.get(url)), "next_review_due": "2026-04-01"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "next_review_due" in response.context["adminform"].form.errors
    assert Article.objects.get(pk=article.pk).next_review_due is None


def test_impossible_citation_date_is_a_form_error(client):
    client.force_login(make_user("editor"))
    url = reverse("admin:faq_citation_add")
    data = {**form_data(client.get(url)), "title": "Neuropathy", "date_published": "2016-13"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "date_published" in response.context["adminform"].form.errors
    assert not Citation.objects.exists()


def test_duplicate_section_anchor_in_inline_is_a_form_error(client):
    article = make_article()
    make_section(article, slug="causes")
    client.force_login(make_user("editor"))
    url = admin_url(Article, "change", article.pk)
    data = add_section_to(form_data(client.get(url)), slug="causes")

    response = client.post(url, data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "duplicate data for slug" in str(formset.non_form_errors())
    assert article.sections.count() == 1


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("overdue", {"past", "today"}), ("soon", {"soon"}), ("unscheduled", {"none"})],
)
def test_review_due_filter(client, choice, expected):
    today = timezone.localdate()
    dates = {
        "past": today - timedelta(days=3), "today": today, "soon": today + timedelta(days=20),
        "later": today + timedelta(days=90), "none": None,
    }
    for name, due in dates.items():
        make_article(title=name, next_review_due=due)
    client.force_login(make_user("editor"))

    response = client.get(admin_url(Article, "changelist"), {"review_due": choice})

    assert {a.title for a in response.context["cl"].result_list} == expected


def test_admin_lists_escape_stored_markup(client):
    make_article(title='<script>alert("x")</script>')
    client.force_login(make_user("editor"))

    body = client.get(admin_url(Article, "changelist")).content.decode()

    assert '<script>alert("x")</script>' not in body


def test_editor_drafts_a_seed_section_and_readers_see_it_once_published(
    client, seed, django_capture_on_commit_callbacks
):
    article = Article.objects.get(slug="numb-legs-and-feet")
    section = article.sections.first()
    client.force_login(make_user("editor"))
    url = admin_url(Section, "change", section.pk)
    data = {**form_data(client.get(url)), "body": "Reviewed wording for the first section."}

    assert client.post(url, data).status_code == 302
    assert "Reviewed wording" not in client.get(article.get_absolute_url()).content.decode()
    client.force_login(make_user("reviewer"))
    # Pages are forgotten when a save commits; the test's transaction never does by itself.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:faq_section_draft", args=[section.pk]), {"decision": "publish"})
    assert "Reviewed wording for the first section." in (
        client.get(article.get_absolute_url()).content.decode()
    )


def test_faq_article_filter_picks_one_article_or_none(client):
    article = make_article(title="Sciatica")
    mine = make_faq(article=article)
    loose = make_faq()
    make_faq(article=make_article())
    client.force_login(make_user("editor"))
    url = admin_url(FAQ, "changelist")

    by_article = client.get(url, {"article": article.pk})
    unattached = client.get(url, {"article": "none"})

    assert list(by_article.context["cl"].result_list) == [mine]
    assert "Sciatica" in by_article.content.decode()
    assert list(unattached.context["cl"].result_list) == [loose]
    assert f"?article={article.pk}" in client.get(url).content.decode()


def test_last_section_of_published_article_cannot_be_deleted(client):
    article = make_article(status=Status.PUBLISHED)
    last = make_section(article)
    draft_section = make_section(make_article())
    client.force_login(make_user("reviewer"))

    page = client.post(admin_url(Section, "delete", last.pk), {"post": "yes"})
    bulk = {"action": "delete_selected", "_selected_action": [last.pk, draft_section.pk],
            "post": "yes"}
    client.post(admin_url(Section, "changelist"), bulk)

    assert "needs at least one section" in page.content.decode()
    assert Section.objects.filter(pk__in=[last.pk, draft_section.pk]).count() == 2
    client.post(admin_url(Section, "delete", draft_section.pk), {"post": "yes"})
    assert list(Section.objects.values_list("pk", flat=True)) == [last.pk]
