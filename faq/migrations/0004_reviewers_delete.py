"""Reviewers may delete every kind of content, as the README has always said.

0002 gave them delete on sections and FAQs only, so a reviewer deleting an article, a
citation, a synonym or an urgent-care rule got 403.
"""
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

DELETES = [
    ("faq", "delete_article"),
    ("faq", "delete_citation"),
    ("faq", "delete_articlecitation"),
    ("faq", "delete_sectioncitation"),
    ("faq", "delete_faqcitation"),
    ("search_index", "delete_synonym"),
    ("search_index", "delete_urgentcarerule"),
]


def permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in DELETES
    ]


def grant(apps, schema_editor):
    for label in ("faq", "search_index"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    group = apps.get_model("auth", "Group").objects.filter(name="Reviewers").first()
    if group is not None:
        group.permissions.add(*permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Reviewers").first()
    if group is not None:
        group.permissions.remove(*permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0003_updated_at_indexes"),
        ("search_index", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
