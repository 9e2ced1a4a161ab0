"""The shipped crisis, poison and emergency rules, and urgent-care rules for reviewers only.

Rules an editor wrote are kept; the first seed's rules, where no editor reworded them, are
replaced by the shipped versions. Editors may now only view urgent-care rules: a wrong rule
can hide an emergency, so changing them is a reviewer's job.
"""
from django.db import migrations

RULE_PERMISSIONS = ["add_urgentcarerule", "change_urgentcarerule", "delete_urgentcarerule"]


def install(apps, schema_editor):
    from search_index.query.triage.shipped import install_rules

    install_rules(apps.get_model("search_index", "UrgentCareRule"), first_seed=True)


def reviewers_only(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(
            content_type__app_label="search_index", codename__in=RULE_PERMISSIONS
        )
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*perms)
    for group in Group.objects.filter(name="Reviewers"):
        group.permissions.add(*perms)


def editors_again(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="search_index", codename__in=RULE_PERMISSIONS[:2]
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("search_index", "0002_urgent_kinds"),
        ("faq", "0002_editorial_groups"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
        migrations.RunPython(reviewers_only, editors_again),
    ]
