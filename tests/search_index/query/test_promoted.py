"""Promoted results: pinned first as "Recommended" for a query's meaning, once a reviewer agrees."""
from datetime import timedelta

import pytest
from django.utils import timezone

from faq.models import PromotedResult, Status
from search_index.models import Synonym
from search_index.query.promoted import promotion_for
from tests.faq.test_admin import admin_url, make_user, messages_of
from tests.index_factories import make_article, make_faq, make_section

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def pinned():
    article = make_article(title="Peripheral neuropathy", summary="Nerve damage in the feet.")
    return PromotedResult.objects.create(query="numb feet", article=article,
                                         status=Status.PUBLISHED)


@pytest.mark.parametrize(
    "query", ["numb feet", "Feet NUMB", "numbness in my feet", "the numb feet"]
)
def test_matches_after_the_same_analysis_as_search(pinned, query):
    assert promotion_for(query) == pinned


@pytest.mark.parametrize("query", ["numb", "numb feet and hands", "cold feet", ""])
def test_other_queries_do_not_match(pinned, query):
    assert promotion_for(query) is None


def test_synonyms_match_either_way(pinned):
    Synonym.objects.create(phrase="pins and needles", terms="paresthesia")
    pinned.query = "paresthesia feet"
    pinned.save()
    assert promotion_for("pins and needles feet") == pinned


def test_dates_status_and_a_public_target_decide_whether_it_is_live(pinned):
    for changes, live in [
        ({"starts_on": days(1)}, False),
        ({"starts_on": days(-1), "ends_on": days(-1)}, False),
        ({"starts_on": days(0), "ends_on": days(0)}, True),
        ({"status": Status.IN_REVIEW}, False),
    ]:
        values = {"starts_on": None, "ends_on": None, "status": Status.PUBLISHED, **changes}
        PromotedResult.objects.filter(pk=pinned.pk).update(**values)
        assert (promotion_for("numb feet") is not None) is live, changes
    draft_page = make_faq(status=Status.DRAFT)
    PromotedResult.objects.filter(pk=pinned.pk).update(article=None, faq=draft_page)
    assert promotion_for("numb feet") is None


def test_readers_see_it_first_marked_recommended(
    client, pinned, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # indexed, as after a real save
        section = make_section(make_article(), heading="Diabetes and the feet")
        make_section(make_article(), heading="Diabetic feet checks", body="Diabetic feet.")
    PromotedResult.objects.create(query="diabetic feet", section=section, status=Status.PUBLISHED)

    html = client.get("/search/", {"q": "my diabetic feet"}).content.decode()

    recommended = html.index('id="recommended-heading"')
    assert html.index("Diabetes and the feet") > recommended
    assert html.index("Diabetic feet checks") > html.index("Diabetes and the feet")
    assert f'href="{section.get_absolute_url()}"' in html
    assert "Recommended" in html


def test_editors_pin_drafts_and_reviewers_publish_them(client):
    article = make_article()
    editor = make_user("editor")
    client.force_login(editor)
    add = admin_url(PromotedResult, "add")
    assert ("published", "Published") not in client.get(add).context[
        "adminform"].form.fields["status"].choices

    client.post(add, {"query": "numb toes", "article": article.pk, "status": "published"})
    assert not PromotedResult.objects.exists()  # "published" is not an editor's choice
    client.post(add, {"query": "numb toes", "article": article.pk, "status": "draft"})
    promotion = PromotedResult.objects.get()
    assert promotion_for("numb toes") is None

    reviewer = make_user("reviewer")
    client.force_login(reviewer)
    response = client.post(admin_url(PromotedResult, "changelist"), {
        "action": "publish_selected", "_selected_action": [promotion.pk]}, follow=True)

    assert any("Published 1" in m for m in messages_of(response))
    assert promotion_for("numb toes") == promotion
    promotion.refresh_from_db()
    assert promotion.signed_off_by == reviewer.reviewer_profile
    assert [r.history_user for r in promotion.history.all()] == [reviewer, editor]


def test_pinning_two_pages_or_none_is_refused(client):
    client.force_login(make_user("reviewer"))
    response = client.post(admin_url(PromotedResult, "add"), {"query": "numb", "status": "draft"})
    assert "Pin exactly one page" in str(response.context["adminform"].form.errors)
