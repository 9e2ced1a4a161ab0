"""Editorial groups: Editors write and correct; Reviewers also publish and delete.

Permissions are normally created after `migrate` finishes (post_migrate), which is too late
for this migration on a fresh database, so they are created here first.
"""
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDIT = ("add", "change", "view")
EDITORS = {
    ("faq", "article"): EDIT,
    ("faq", "section"): EDIT,
    ("faq", "faq"): EDIT,
    ("faq", "citation"): EDIT,
    ("faq", "articlecitation"): EDIT,
    ("faq", "sectioncitation"): EDIT,
    ("faq", "faqcitation"): EDIT,
    ("search_index", "synonym"): EDIT,
    ("search_index", "urgentcarerule"): EDIT,
    ("search_index", "searchquerylog"): ("view",),
}
REVIEWER_EXTRAS = [
    ("faq", "publish_article"),
    ("faq", "publish_faq"),
    ("faq", "delete_faq"),
    ("faq", "delete_section"),
]


def editor_codenames():
    return [
        (app_label, f"{action}_{model}")
        for (app_label, model), actions in EDITORS.items()
        for action in actions
    ]


def permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codename in pairs:
        found.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return found


def create_groups(apps, schema_editor):
    for label in ("faq", "search_index"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    editors = permissions(apps, editor_codenames())
    reviewers = editors + permissions(apps, REVIEWER_EXTRAS)
    for name, perms in (("Editors", editors), ("Reviewers", reviewers)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0001_initial"),
        ("search_index", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
