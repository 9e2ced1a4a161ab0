"""The editors' workbench in headless Chromium: a draft of a live article, the reviewer's
comparison and sign-off, the History page, and restoring the old revision."""
import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from faq.models import ReviewerProfile, Section

from .conftest import new_page

pytestmark = [pytest.mark.slow, pytest.mark.browser]
# The migrations that make the Editors and Reviewers groups, in order.
GROUP_MIGRATIONS = [
    ("faq.migrations.0002_editorial_groups", "create_groups"),
    ("faq.migrations.0004_reviewers_delete", "grant"),
    ("search_index.migrations.0003_shipped_urgent_rules", "reviewers_only"),
    ("faq.migrations.0009_promoted_results_permissions", "grant"),
]

PASSWORD = "meadow-lantern-orchard-91"  # noqa: S105 (a test account's)
NEW_WORDS = "Doctors test vibration sense, pallesthesia, with a tuning fork."


def editorial_groups():
    """The groups as the migrations make them: a flush by an earlier live-server test (the
    database of transactional tests is emptied after each) removes what migrations wrote."""
    if not Group.objects.filter(name="Editors").exists():
        for module, function in GROUP_MIGRATIONS:
            getattr(importlib.import_module(module), function)(django_apps, None)


def make_account(username, group, profile=None):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if profile:
        ReviewerProfile.objects.create(user=user, name=profile, credentials="MB ChB, neurologist")
    return user


def log_in(browser, site, username):
    page = new_page(browser)
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/")
    return page


def reader_sees(page, site, url, words) -> bool:
    page.goto(site + url)
    return words in page.locator("main").inner_text()


def search_finds(page, site, word, anchor) -> bool:
    # The word as typed: corrected ("paraesthesia", a name of the seed article) the search
    # would show the article's sections whatever the index holds.
    page.goto(f"{site}/search/?q={word}&spell=off")
    hrefs = page.locator(".search-hit-title a").evaluate_all("els => els.map(e => e.href)")
    return any(href.endswith("#" + anchor) for href in hrefs)


def test_draft_review_publish_history_and_restore(site, browser, page):
    section = Section.objects.get(article__slug="numb-legs-and-feet", slug="overview")
    article_url = section.article.get_absolute_url()
    old_words = section.body.split(".")[0]
    editorial_groups()
    make_account("alice", "Editors")
    make_account("patel", "Reviewers", profile="Dr A. Patel")
    change_url = f"/admin/faq/section/{section.pk}/change/"

    editor = log_in(browser, site, "alice")
    editor.goto(site + change_url)
    editor.fill("#id_body", NEW_WORDS)
    editor.fill("#id_change_reason", "Explain the vibration test")
    editor.click("input[name=_save]")
    assert "Saved as a draft" in editor.locator(".messagelist").inner_text()

    # Readers and search keep the approved version.
    assert reader_sees(page, site, article_url, old_words)
    assert not reader_sees(page, site, article_url, NEW_WORDS)
    assert not search_finds(page, site, "pallesthesia", "overview")

    reviewer = log_in(browser, site, "patel")
    reviewer.goto(site + change_url)
    reviewer.get_by_role("link", name="Compare it with the live version, preview and").click()
    assert "pallesthesia" in reviewer.locator(".revision-diff tbody ins").first.inner_text()
    with reviewer.expect_popup() as popup:
        reviewer.click("#preview-draft")
    preview = popup.value
    preview.wait_for_load_state()
    assert NEW_WORDS in preview.locator("main").inner_text()
    assert "includes unpublished drafts" in preview.locator(".preview-notice").inner_text()
    reviewer.get_by_role("button", name="Publish this draft").click()
    assert "The draft is published" in reviewer.locator(".messagelist").inner_text()

    assert reader_sees(page, site, article_url, NEW_WORDS)
    assert search_finds(page, site, "pallesthesia", "overview")

    reviewer.goto(f"{site}/admin/faq/section/{section.pk}/history/")
    history = reviewer.locator("#content-main").inner_text()
    assert "Published the draft by alice: Explain the vibration test" in history
    assert "alice" in reviewer.locator("#admin-log").inner_text()
    assert "Saved a draft" in reviewer.locator("#admin-log").inner_text()

    # Restore the seed's revision: the old text is back on the page and in search.
    seed_row = reviewer.locator("#change-history tr", has_text="Seed content loaded")
    seed_row.locator("a").first.click()
    reviewer.click("input[name=_save]")
    assert "was changed successfully" in reviewer.locator(".messagelist").inner_text()
    assert reader_sees(page, site, article_url, old_words)
    assert not reader_sees(page, site, article_url, NEW_WORDS)
    assert not search_finds(page, site, "pallesthesia", "overview")
    assert page.watch.errors == [] and editor.watch.errors == [] and reviewer.watch.errors == []
    for other in (editor, reviewer, preview):
        other.context.close()
