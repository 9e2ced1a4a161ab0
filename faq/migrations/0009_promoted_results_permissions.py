"""Editors pin promoted results as drafts; reviewers also publish and delete them."""
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": ["view_promotedresult", "add_promotedresult", "change_promotedresult"],
    "Reviewers": [
        "view_promotedresult", "add_promotedresult", "change_promotedresult",
        "delete_promotedresult", "publish_promotedresult",
    ],
}


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("faq"), apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = apps.get_model("auth", "Group").objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*Permission.objects.filter(
                content_type__app_label="faq", codename__in=codenames
            ))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = apps.get_model("auth", "Group").objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="faq", codename__in=codenames
            ))


class Migration(migrations.Migration):
    dependencies = [("faq", "0008_promoted_results")]

    operations = [migrations.RunPython(grant, revoke)]
