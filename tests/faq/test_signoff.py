"""Clinical sign-off: who published and reviewed, when; shown to readers; needed to publish."""
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from faq.models import FAQ, Article, ReviewerProfile, Status
from tests.faq.test_admin import (
    admin_url,
    form_data,
    make_article,
    make_faq,
    make_section,
    make_user,
    messages_of,
)

pytestmark = pytest.mark.django_db


def publish_with_form(client, article):
    url = admin_url(Article, "change", article.pk)
    data = {**form_data(client.get(url)), "status": Status.PUBLISHED}
    return client.post(url, data)


@pytest.mark.parametrize("role", ["reviewer", "superuser"])
def test_publishing_records_the_reviewer_and_readers_see_the_line(client, role):
    article = make_article()
    make_section(article)
    reviewer = make_user(role)
    ReviewerProfile.objects.filter(user=reviewer).update(
        name="Dr A. Patel", credentials="MB ChB, neurologist"
    )
    client.force_login(reviewer)

    response = publish_with_form(client, article)

    assert response.status_code == 302, response.context["errors"]
    article.refresh_from_db()
    today = timezone.localdate()
    assert article.signed_off_by.name == "Dr A. Patel"
    assert article.signed_off_at is not None
    assert (article.reviewed_by.name, article.last_reviewed) == ("Dr A. Patel", today)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Medically reviewed by Dr A. Patel, MB ChB, neurologist, last reviewed" in html
    assert f'next review due <time datetime="{today + timedelta(days=365)}">' in html


def test_a_reviewer_without_a_profile_cannot_sign_off(client):
    article = make_article()
    make_section(article)
    user = get_user_model().objects.create_user("noprofile", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    client.force_login(user)

    response = publish_with_form(client, article)

    assert response.status_code == 200
    assert "reviewer profile" in str(response.context["adminform"].form.non_field_errors())
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    changelist = admin_url(Article, "changelist")
    refused = client.post(changelist, {"action": "publish_selected", "_selected_action": [
        article.pk]}, follow=True)
    assert any("reviewer profile" in m for m in messages_of(refused))
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_a_typo_fix_keeps_the_review_date_and_a_review_moves_it(client):
    article = make_article(status=Status.PUBLISHED, last_reviewed=date(2026, 1, 5),
                           next_review_due=date(2027, 1, 5))
    make_section(article)
    reviewer = make_user("reviewer")
    client.force_login(reviewer)
    url = admin_url(Article, "change", article.pk)

    client.post(url, {**form_data(client.get(url)), "summary": "Short, corrected."})

    article.refresh_from_db()
    assert article.summary == "Short, corrected."
    assert article.last_reviewed == date(2026, 1, 5)
    assert article.signed_off_by == reviewer.reviewer_profile  # the change was signed off
    client.post(admin_url(Article, "changelist"),
                {"action": "mark_reviewed_today", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.last_reviewed == timezone.localdate()


def test_editors_cannot_move_review_dates(client):
    article = make_article(last_reviewed=date(2026, 1, 5), next_review_due=date(2027, 1, 5))
    client.force_login(make_user("editor"))
    url = admin_url(Article, "change", article.pk)
    page = client.get(url)
    assert "next_review_due" not in page.context["adminform"].form.fields

    client.post(url, {**form_data(page), "next_review_due": "2030-01-01",
                      "last_reviewed": "2029-01-01"})

    article.refresh_from_db()
    assert (article.last_reviewed, article.next_review_due) == (date(2026, 1, 5),
                                                                date(2027, 1, 5))


def test_faq_page_shows_who_reviewed_it(client):
    reviewer = make_user("reviewer")
    faq = make_faq(status=Status.PUBLISHED)
    faq.record_review(reviewer.reviewer_profile, date(2026, 3, 1))
    faq.save()

    html = client.get(faq.get_absolute_url()).content.decode()

    assert f"Medically reviewed by Dr {reviewer.username}, MB ChB, neurologist" in html
    assert "next review due <time datetime=\"2027-03-01\">" in html
    assert FAQ.objects.get(pk=faq.pk).reviewed_by == reviewer.reviewer_profile


def test_create_editor_gives_a_reviewer_a_profile(monkeypatch):
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "meadow-lantern-orchard-91")
    call_command("create_editor", "patel", "--reviewer", "--name", "Dr A. Patel",
                 "--credentials", "MB ChB, neurologist", stdout=None)
    profile = ReviewerProfile.objects.get(user__username="patel")
    assert str(profile) == "Dr A. Patel, MB ChB, neurologist"


def test_seed_faqs_show_their_next_review(client):
    call_command("load_seed", verbosity=0)
    faq = FAQ.objects.published().first()
    html = client.get(faq.get_absolute_url()).content.decode()
    assert f'next review due <time datetime="{faq.next_review_due.isoformat()}">' in html


@pytest.mark.parametrize("role, goes_live", [("editor", False), ("reviewer", True),
                                             ("superuser", True)])
def test_a_change_to_a_live_faq_by_role(client, role, goes_live):
    faq = make_faq(status=Status.PUBLISHED)
    user = make_user(role)
    client.force_login(user)
    url = admin_url(FAQ, "change", faq.pk)

    client.post(url, {**form_data(client.get(url)), "answer": "Rest the foot."})

    faq.refresh_from_db()
    assert (faq.answer == "Rest the foot.") is goes_live
    assert (faq.signed_off_by is not None) is goes_live
    if goes_live:
        assert faq.signed_off_by == user.reviewer_profile


def test_existing_faqs_are_scheduled_a_year_after_their_last_review():
    import importlib

    from django.apps import apps

    faq = make_faq(last_reviewed=date(2026, 2, 3))
    unreviewed = make_faq()
    migration = importlib.import_module("faq.migrations.0010_faq_next_review_due")

    migration.schedule(apps, None)

    assert FAQ.objects.get(pk=faq.pk).next_review_due == date(2027, 2, 3)
    assert FAQ.objects.get(pk=unreviewed.pk).next_review_due is None
