"""Who may open which admin page: every registered model, every role, every admin view.

The table below is the editorial policy written out by hand, so a change to the groups, to a
ModelAdmin's permissions, or a newly registered model shows up here as a failing test.
Letters: v view, a add, c change, d delete.
"""
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from faq.models import FAQ, Article, PromotedResult, Status
from search_index.models import (
    IndexChange,
    IndexNode,
    SearchQueryLog,
    Synonym,
    UrgentCareRule,
)
from tests.faq.test_admin import (
    form_data,
    make_article,
    make_citation,
    make_faq,
    make_section,
    make_user,
)

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "reviewer", "editor", "staff"]
MATRIX = {
    # model                     superuser  reviewer  editor
    "auth.user":                ("vacd",   "",       ""),
    "auth.group":               ("vacd",   "",       ""),
    "axes.accessattempt":       ("vcd",    "",       ""),
    "axes.accesslog":           ("vcd",    "",       ""),
    "axes.accessfailurelog":    ("vcd",    "",       ""),
    "faq.article":              ("vacd",   "vacd",   "vac"),
    "faq.section":              ("vacd",   "vacd",   "vac"),
    "faq.faq":                  ("vacd",   "vacd",   "vac"),
    "faq.citation":             ("vacd",   "vacd",   "vac"),
    "faq.reviewerprofile":      ("vacd",   "",       ""),
    "faq.promotedresult":       ("vacd",   "vacd",   "vac"),
    "search_index.synonym":     ("vacd",   "vacd",   "vac"),
    "search_index.urgentcarerule": ("vacd", "vacd",  "v"),
    "search_index.indexchange": ("v",      "",       ""),
    "search_index.indexnode":   ("v",      "",       ""),
    "search_index.searchquerylog": ("v",   "v",      "v"),
}
PUBLISHERS = {"superuser", "reviewer"}
EDITORIAL_MODELS = {"faq.article", "faq.faq"}  # the models with publish and review actions


def allowed(label, role):
    """The letters a role holds on a model; staff without groups hold none."""
    return "" if role == "staff" else MATRIX[label][ROLES.index(role)]


def make_one_of_each():
    """One saved object of every registered model, keyed by its label."""
    article = make_article()
    section = make_section(article)
    objects = {
        "faq.article": article,
        "faq.section": section,
        "faq.faq": make_faq(article=article, section=section),
        "faq.citation": make_citation(),
        "auth.group": Group.objects.get(name="Editors"),
        "auth.user": make_user("editor"),
        "faq.reviewerprofile": make_user("reviewer").reviewer_profile,
        "faq.promotedresult": PromotedResult.objects.create(query="numb toes", article=article),
        "search_index.synonym": Synonym.objects.create(phrase="pins and needles", terms="x"),
        "search_index.urgentcarerule": UrgentCareRule.objects.create(
            name="Stroke signs", patterns="sudden numb face", message="Call now."
        ),
        "search_index.indexchange": IndexChange.objects.create(model="faq.article", object_id=1),
        "search_index.indexnode": IndexNode.objects.create(name="web-1:/srv/index"),
        "search_index.searchquerylog": SearchQueryLog.objects.create(
            query="numb toes", results=3, took_ms=4.0
        ),
    }
    objects.update(axes_records())
    return objects


def axes_records():
    """Records django-axes writes itself: a failed and a successful admin sign-in."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    user = make_user("editor")
    user.set_password("meadow-lantern-orchard-91")
    user.save()
    client = Client()
    # Success first: a success wipes earlier failed attempts (AXES_RESET_ON_SUCCESS).
    for password in ("meadow-lantern-orchard-91", "wrong"):
        client.post("/admin/login/", {"username": user.username, "password": password})
    return {
        "axes.accessattempt": AccessAttempt.objects.get(),
        "axes.accesslog": AccessLog.objects.get(),
        # Axes keeps this log only with AXES_ENABLE_ACCESS_FAILURE_LOG; its admin is always on.
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username=user.username, ip_address="127.0.0.1", path_info="/admin/login/"
        ),
    }


def admin_views(label, obj):
    """(view letter, url) for the changelist, add, change, history and delete pages."""
    name = "admin:" + label.replace(".", "_")
    views = [
        ("v", reverse(f"{name}_changelist")),
        ("a", reverse(f"{name}_add")),
        ("v", reverse(f"{name}_change", args=[obj.pk])),
        ("v", reverse(f"{name}_history", args=[obj.pk])),
        ("d", reverse(f"{name}_delete", args=[obj.pk])),
    ]
    if label in EDITORIAL_MODELS:
        views.append(("v", reverse(f"{name}_preview", args=[obj.pk])))
    return views


def registered_labels():
    return sorted(model._meta.label_lower for model in admin.site._registry)


def test_every_registered_model_is_in_the_matrix():
    assert registered_labels() == sorted(MATRIX), "add the new admin model to MATRIX"


def test_anonymous_is_sent_to_login_from_every_admin_page(client):
    objects = make_one_of_each()
    for label in registered_labels():
        for _, url in admin_views(label, objects[label]):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_answer_by_role(client, role):
    objects = make_one_of_each()
    client.force_login(make_user(role))
    failures = []
    for label in registered_labels():
        letters = allowed(label, role)
        for letter, url in admin_views(label, objects[label]):
            expected = 200 if letter in letters else 403
            status = client.get(url).status_code
            if status != expected:
                failures.append(f"{role} {url}: {status}, expected {expected}")
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_autocomplete_answers_only_those_who_may_view_the_target(client, role):
    make_citation(title="Nerve compression review")
    client.force_login(make_user(role))
    query = {"app_label": "faq", "model_name": "articlecitation", "field_name": "citation",
             "term": "nerve"}
    response = client.get(reverse("admin:autocomplete"), query)
    expected = 200 if "v" in allowed("faq.citation", role) else 403
    assert response.status_code == expected
    if expected == 200:
        assert [r["text"] for r in response.json()["results"]] == [
            "Nerve compression review (n.d.)"
        ]


@pytest.mark.parametrize("role", ROLES)
def test_saving_needs_the_change_permission(client, role):
    objects = make_one_of_each()
    client.force_login(make_user(role))
    for label in registered_labels():
        if "c" in allowed(label, role):
            continue
        name = "admin:" + label.replace(".", "_")
        url = reverse(f"{name}_change", args=[objects[label].pk])
        assert client.post(url, {}).status_code == 403, url
        delete_url = reverse(f"{name}_delete", args=[objects[label].pk])
        if "d" not in allowed(label, role):
            assert client.post(delete_url, {"post": "yes"}).status_code == 403, delete_url
    assert all(type(obj).objects.filter(pk=obj.pk).exists() for obj in objects.values())


@pytest.mark.parametrize("label", [
    "faq.article", "faq.section", "faq.faq", "faq.citation", "search_index.synonym",
    "search_index.urgentcarerule",
])
def test_reviewers_delete_what_the_readme_says_they_may(client, label):
    # The README says reviewers "can also publish and delete": a delete must go through.
    objects = make_one_of_each()
    if label == "faq.citation":
        objects[label] = make_citation(title="Cited nowhere")  # cited ones are protected
    client.force_login(make_user("reviewer"))
    name = "admin:" + label.replace(".", "_")
    response = client.post(reverse(f"{name}_delete", args=[objects[label].pk]), {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert not type(objects[label]).objects.filter(pk=objects[label].pk).exists()


def offered_actions(client, label):
    response = client.get(reverse("admin:" + label.replace(".", "_") + "_changelist"))
    if response.status_code != 200 or not response.context.get("action_form"):
        return set()
    return {name for name, _ in response.context["action_form"].fields["action"].choices if name}


@pytest.mark.parametrize("role", ROLES)
def test_actions_offered_by_role(client, role):
    client.force_login(make_user(role))
    for label in ["faq.article", "faq.faq", "faq.section", "auth.user"]:
        letters = allowed(label, role)
        expected = {"delete_selected"} if "d" in letters else set()
        # Publishing and marking reviewed are a reviewer's sign-off.
        if label in EDITORIAL_MODELS and role in PUBLISHERS:
            expected |= {"mark_reviewed_today", "publish_selected"}
        assert offered_actions(client, label) == expected, (role, label)


# --- Publishing and accounts -----------------------------------------------------------------

def draft_of(model):
    """A draft that passes every publishing rule, so only permission can stop it."""
    article = make_article()
    make_section(article)
    return article if model is Article else make_faq(article=article)


def url_of(obj, view, *args):
    return reverse(f"admin:faq_{obj._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [Article, FAQ])
@pytest.mark.parametrize(("role", "publishes"), [("editor", False), ("reviewer", True)])
def test_publish_action_needs_the_publish_permission(client, model, role, publishes):
    obj = draft_of(model)
    client.force_login(make_user(role))
    data = {"action": "publish_selected", "_selected_action": [obj.pk]}
    client.post(url_of(obj, "changelist"), data)
    obj.refresh_from_db()
    assert (obj.status == Status.PUBLISHED) is publishes


@pytest.mark.parametrize("model", [Article, FAQ])
@pytest.mark.parametrize(("role", "publishes"), [("editor", False), ("reviewer", True)])
def test_posting_status_published_needs_the_publish_permission(client, model, role, publishes):
    obj = draft_of(model)
    client.force_login(make_user(role))
    data = form_data(client.get(url_of(obj, "change", obj.pk)))
    data["status"] = Status.PUBLISHED
    response = client.post(url_of(obj, "change", obj.pk), data)
    obj.refresh_from_db()
    assert (obj.status == Status.PUBLISHED) is publishes
    assert response.status_code == (302 if publishes else 200)


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_editorial_roles_cannot_grant_themselves_more(client, role):
    user = make_user(role)
    client.force_login(user)
    editors = Group.objects.get(name="Editors")
    before = set(editors.permissions.values_list("codename", flat=True))

    promote = {"username": user.username, "is_staff": "on", "is_superuser": "on"}
    user_url = reverse("admin:auth_user_change", args=[user.pk])
    assert client.post(user_url, promote).status_code == 403
    reviewer_perms = Group.objects.get(name="Reviewers").permissions.values_list("pk", flat=True)
    grant = {"name": "Editors", "permissions": list(reviewer_perms)}
    group_url = reverse("admin:auth_group_change", args=[editors.pk])
    assert client.post(group_url, grant).status_code == 403

    user.refresh_from_db()
    assert not user.is_superuser
    assert set(editors.permissions.values_list("codename", flat=True)) == before
    apps = client.get(reverse("admin:index")).context["available_apps"]
    assert "auth" not in {app["app_label"] for app in apps}
