"""The review dashboard: overdue, due soon and recent reviews with the reviewer; filters; counts."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from faq.models import Status
from tests.faq.test_admin import make_user
from tests.index_factories import make_article, make_faq

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:faq_review_dashboard")


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def content():
    patel, okafor = make_user("reviewer").reviewer_profile, make_user("reviewer").reviewer_profile
    return {
        "overdue": make_article(title="Sciatica", next_review_due=days(-3), reviewed_by=patel,
                                last_reviewed=days(-368)),
        "soon": make_article(title="Gout", next_review_due=days(10), reviewed_by=okafor),
        "later": make_article(title="Chilblains", next_review_due=days(200)),
        "draft": make_article(title="Bunions", status=Status.DRAFT, next_review_due=days(-9)),
        "faq": make_faq(question="Is sciatica serious?", next_review_due=days(-1),
                        article=make_article(title="Back pain")),
        "recent": make_faq(question="Does gout run in families?", last_reviewed=days(-2),
                           reviewed_by=patel, next_review_due=days(363)),
        "patel": patel,
    }


def section_text(html, section_id):
    start = html.index(f'id="{section_id}"')
    return html[start:html.find("<h2", start + 1)]


def test_lists_overdue_due_soon_and_recent_with_the_reviewer(client, content):
    client.force_login(make_user("editor"))

    html = client.get(DASHBOARD).content.decode()

    overdue = section_text(html, "overdue")
    assert "Sciatica" in overdue and "Is sciatica serious?" in overdue and "(2)" in overdue
    assert content["patel"].name in overdue
    assert "Bunions" not in html  # a draft is nobody's overdue review
    assert "Gout" in section_text(html, "due-soon") and "Chilblains" not in html
    assert "Does gout run in families?" in section_text(html, "recent")


def test_filters_by_topic_and_reviewer(client, content):
    client.force_login(make_user("editor"))

    by_topic = client.get(DASHBOARD, {"topic": "back"}).content.decode()
    by_reviewer = client.get(DASHBOARD, {"reviewer": content["patel"].pk}).content.decode()
    nonsense = client.get(DASHBOARD, {"reviewer": "x'; drop", "topic": "z" * 999})

    assert "Is sciatica serious?" in by_topic and "Sciatica</a>" not in by_topic
    assert "Sciatica" in by_reviewer and "Gout</a>" not in by_reviewer
    assert nonsense.status_code == 200


def test_admin_index_links_the_dashboard_with_the_overdue_count(client, content):
    client.force_login(make_user("editor"))
    html = client.get(reverse("admin:index")).content.decode()
    assert DASHBOARD in html
    assert '<span id="overdue-count">2</span> overdue' in html
    assert reverse("admin:search_index_searchquerylog_changelist") in html


def test_staff_without_content_permissions_cannot_open_it(client):
    client.force_login(make_user("staff"))
    assert client.get(DASHBOARD).status_code == 403
