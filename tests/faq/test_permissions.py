"""Who may do what in the admin: the editorial groups, the page matrix, create_editor."""
import getpass
import io
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from faq.models import FAQ, Article, Citation, Section
from tests.faq.test_admin import make_article, make_citation, make_faq, make_section, make_user

pytestmark = pytest.mark.django_db

EDITING_ROLES = ["superuser", "editor", "reviewer"]
STRONG_PASSWORD = "violet-kettle-harbour-42"


def group_perms(name):
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def make_one_of_each():
    article = make_article()
    return {
        Article: article,
        Section: make_section(article),
        FAQ: make_faq(article=article),
        Citation: make_citation(),
    }


def admin_pages(objects):
    """(label, url) for the changelist, add and change page of every content model."""
    pages = []
    for model, obj in objects.items():
        name = f"admin:faq_{model._meta.model_name}"
        pages += [
            (f"{name}_changelist", reverse(f"{name}_changelist")),
            (f"{name}_add", reverse(f"{name}_add")),
            (f"{name}_change", reverse(f"{name}_change", args=[obj.pk])),
        ]
    return pages


@pytest.mark.parametrize("role", EDITING_ROLES)
def test_content_pages_load_for_editing_roles(client, role):
    client.force_login(make_user(role))
    for label, url in admin_pages(make_one_of_each()):
        assert client.get(url).status_code == 200, label


def test_staff_without_permissions_is_forbidden(client):
    client.force_login(make_user("staff"))
    for label, url in admin_pages(make_one_of_each()):
        assert client.get(url).status_code == 403, label


def test_anonymous_is_sent_to_login(client):
    for label, url in admin_pages(make_one_of_each()):
        response = client.get(url)
        assert response.status_code == 302, label
        assert response["Location"].startswith(reverse("admin:login")), label


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_editorial_roles_cannot_manage_accounts(client, role):
    client.force_login(make_user(role))
    for url in [reverse("admin:auth_user_changelist"), reverse("admin:auth_group_add")]:
        assert client.get(url).status_code == 403, url


def test_editors_edit_but_neither_publish_nor_delete():
    perms = group_perms("Editors")
    assert {"faq.change_article", "faq.add_section", "faq.change_faq", "faq.add_citation",
            "faq.change_articlecitation", "search_index.change_synonym",
            "search_index.view_urgentcarerule", "search_index.view_searchquerylog"} <= perms
    # A wrong rule can hide an emergency: only reviewers change urgent-care rules.
    assert not {p for p in perms if p.endswith("_urgentcarerule") and ".view_" not in p}
    assert not {p for p in perms if ".publish_" in p or ".delete_" in p}
    assert "search_index.change_searchquerylog" not in perms
    assert not {p for p in perms if p.startswith("auth.")}


def test_reviewers_add_publishing_and_deleting():
    extra = group_perms("Reviewers") - group_perms("Editors")
    # The README: reviewers "can also publish and delete", every kind of content.
    assert extra == {"faq.publish_article", "faq.publish_faq", "faq.delete_faq",
                     "faq.delete_section", "faq.delete_article", "faq.delete_citation",
                     "faq.delete_articlecitation", "faq.delete_sectioncitation",
                     "faq.delete_faqcitation", "search_index.delete_synonym",
                     "search_index.add_urgentcarerule", "search_index.change_urgentcarerule",
                     "search_index.delete_urgentcarerule", "faq.publish_promotedresult",
                     "faq.delete_promotedresult"}


def test_publish_permission_follows_the_group():
    assert not make_user("editor").has_perm("faq.publish_article")
    reviewer = make_user("reviewer")
    assert reviewer.has_perm("faq.publish_article")
    assert reviewer.has_perm("faq.publish_faq")
    assert reviewer.has_perm("faq.delete_article")
    assert not make_user("editor").has_perm("faq.delete_article")


def test_preview_needs_view_permission(client):
    article = make_article()
    url = reverse("admin:faq_article_preview", args=[article.pk])
    client.force_login(make_user("staff"))
    assert client.get(url).status_code == 403


def test_preview_shows_a_draft_to_staff_only(client):
    article = make_article(title="Draft about numb lips")
    make_section(article, heading="When lips go numb", slug="when-lips-go-numb")
    url = reverse("admin:faq_article_preview", args=[article.pk])

    assert client.get(url).status_code == 302
    client.force_login(make_user("editor"))
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft about numb lips" in page
    assert 'id="when-lips-go-numb"' in page
    assert "Readers cannot see this page" in page
    assert response["X-Robots-Tag"].startswith("noindex")
    assert client.get(article.get_absolute_url()).status_code == 404
    change_page = client.get(reverse("admin:faq_article_change", args=[article.pk]))
    assert url in change_page.content.decode()  # "View on site" of a draft opens the preview


def test_faq_preview_and_unknown_id(client):
    faq = make_faq(question="Can cold weather numb toes?")
    client.force_login(make_user("reviewer"))

    page = client.get(reverse("admin:faq_faq_preview", args=[faq.pk]))

    assert "Can cold weather numb toes?" in page.content.decode()
    assert client.get(reverse("admin:faq_faq_preview", args=[999999])).status_code == 404


@pytest.mark.parametrize(("flag", "group"), [([], "Editors"), (["--reviewer"], "Reviewers")])
def test_create_editor_puts_staff_user_in_group(monkeypatch, flag, group):
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", STRONG_PASSWORD)

    call_command("create_editor", "ada", "--email", "ada@example.org", *flag, stdout=None)

    user = get_user_model().objects.get(username="ada")
    assert user.is_staff and not user.is_superuser
    assert user.email == "ada@example.org"
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert user.check_password(STRONG_PASSWORD)


def test_create_editor_refuses_an_existing_username(monkeypatch):
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", STRONG_PASSWORD)
    call_command("create_editor", "ada")

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_editor", "ada", "--reviewer")
    assert get_user_model().objects.get(username="ada").groups.get().name == "Editors"


def test_create_editor_refuses_weak_password(monkeypatch):
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "12345")

    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_editor", "ada")
    assert not get_user_model().objects.filter(username="ada").exists()


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_create_editor_asks_twice_at_a_terminal(monkeypatch):
    monkeypatch.delenv("DJANGO_EDITOR_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", FakeTerminal())
    typed = iter([STRONG_PASSWORD, STRONG_PASSWORD, STRONG_PASSWORD, "typo"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))

    call_command("create_editor", "ada")
    with pytest.raises(CommandError, match="differ"):
        call_command("create_editor", "bob")

    assert get_user_model().objects.get(username="ada").check_password(STRONG_PASSWORD)
    assert not get_user_model().objects.filter(username="bob").exists()


def test_create_editor_without_terminal_or_password_explains(monkeypatch):
    monkeypatch.delenv("DJANGO_EDITOR_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO())

    with pytest.raises(CommandError, match="DJANGO_EDITOR_PASSWORD"):
        call_command("create_editor", "ada")


ACTION_OUTCOMES = [
    # role, action, whether the action changes the article
    ("superuser", "publish_selected", True),
    ("reviewer", "publish_selected", True),
    ("editor", "publish_selected", False),
    ("staff", "publish_selected", False),
    ("superuser", "mark_reviewed_today", True),
    ("reviewer", "mark_reviewed_today", True),
    ("editor", "mark_reviewed_today", False),  # a review is a reviewer's sign-off
    ("staff", "mark_reviewed_today", False),
]


@pytest.mark.parametrize(("role", "action", "changes"), ACTION_OUTCOMES)
@pytest.mark.parametrize("model", [Article, FAQ])
def test_action_matrix(client, model, role, action, changes):
    obj = make_one_of_each()[model]
    before = model.objects.filter(pk=obj.pk).values().get()
    client.force_login(make_user(role))

    response = client.post(
        reverse(f"admin:faq_{model._meta.model_name}_changelist"),
        {"action": action, "_selected_action": [obj.pk]},
    )

    # Editors are offered no action at all: the changelist comes back unchanged.
    assert response.status_code == {"staff": 403, "editor": 200}.get(role, 302)
    after = model.objects.filter(pk=obj.pk).values().get()
    assert (after != before) is changes
