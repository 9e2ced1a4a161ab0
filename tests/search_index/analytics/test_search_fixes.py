"""The search report that fixes searches: fix-its, clicks, periods, redaction and retention."""
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from faq.models import PromotedResult, Status
from search_index.analytics.redaction import redact
from search_index.models import SearchQueryLog, SearchResultClick
from tests.faq.test_admin import make_user
from tests.index_factories import make_article, make_section

pytestmark = pytest.mark.django_db
REPORT = reverse("admin:search_index_searchquerylog_changelist")
CLICK = reverse("search_click")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def log(query, results, days_ago=0):
    row = SearchQueryLog.objects.create(query=query, results=results, took_ms=2.0)
    if days_ago:
        SearchQueryLog.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return row


def section_of(html, heading):
    start = html.index(heading)
    end = html.find("<h2", start + 1)
    return html[start:end if end > 0 else None]


@pytest.mark.parametrize("typed, kept", [
    ("rash mary@example.co.uk", "rash [email]"),
    ("ring me 020 7946 0958 numb", "ring me [phone] numb"),
    ("nhs number 9434765919", "nhs number [number]"),
    ("500 mg twice for 10 days", "500 mg twice for 10 days"),
])
def test_redaction(typed, kept):
    assert redact(typed) == kept


@pytest.fixture
def index(commit):
    """An index with one page, so that searches run (and are logged)."""
    with commit():
        make_section(make_article(), heading="Tingling", body="Tingling toes.")


def test_the_log_keeps_no_contact_details(client, index):
    client.get("/search/", {"q": "numb toes call 07700 900123 or jo@example.org"})
    assert list(SearchQueryLog.objects.values_list("query", flat=True)) == [
        "numb toes call [phone] or [email]"
    ]


def test_a_click_is_counted_without_anything_about_the_reader(client):
    response = client.post(CLICK, {"q": "numb toes 9434765919", "to": "/faqs/x/", "rank": "2"},
                           REMOTE_ADDR="203.0.113.9", HTTP_COOKIE="sessionid=abc")
    assert response.status_code == 204
    row = SearchResultClick.objects.values().get()
    assert {k: row[k] for k in ("query", "url", "rank")} == {
        "query": "numb toes [number]", "url": "/faqs/x/", "rank": 2
    }
    assert set(row) == {"id", "query", "url", "rank", "created_at"}


@pytest.mark.parametrize("data", [
    {"q": "numb", "to": "https://evil.example/", "rank": "1"},
    {"q": "numb", "to": "//evil.example/", "rank": "1"},
    {"q": "numb", "to": "/faqs/x/", "rank": "first"},
    {"q": "", "to": "/faqs/x/", "rank": "1"},
])
def test_implausible_clicks_are_refused_with_a_message(client, data):
    response = client.post(CLICK, data)
    assert response.status_code == 400 and "error" in response.json()
    assert not SearchResultClick.objects.exists()
    assert client.get(CLICK).status_code == 405


def test_results_page_tells_the_click_endpoint_the_query(client, index):
    html = client.get("/search/", {"q": "tingling"}).content.decode()
    assert f'data-click-url="{CLICK}" data-query="tingling"' in html
    assert "faq/result_clicks.js" in html


def test_a_zero_result_query_is_fixed_with_a_synonym_in_one_save(client, commit):
    with commit():
        make_section(make_article(), heading="Paresthesia", body="Paresthesia of the feet.")
    log("tingly toes", 0)
    client.force_login(make_user("editor"))
    zero = section_of(client.get(REPORT).content.decode(), "Zero-result searches")
    assert "tingly toes" in zero and "0 results" in zero
    add = reverse("admin:search_index_synonym_add") + "?phrase=tingly+toes"
    assert add.replace("&", "&amp;") in zero or add in zero
    assert client.get(add).context["adminform"].form.initial["phrase"] == "tingly toes"

    with commit():
        client.post(add, {"phrase": "tingly toes", "terms": "paresthesia", "active": "on"})

    zero = section_of(client.get(REPORT).content.decode(), "Zero-result searches")
    finds = zero[zero.index("tingly toes"):]
    assert "0 results" not in finds[:finds.index("</tr>")]


def test_pinning_a_result_and_drafting_an_faq_from_the_report(client):
    log("can toes go numb from cold", 0)
    client.force_login(make_user("reviewer"))
    html = client.get(REPORT).content.decode()
    assert (reverse("admin:faq_promotedresult_add") + "?query=can+toes+go+numb+from+cold") in html
    faq_form = client.get(reverse("admin:faq_faq_add"),
                          {"question": "Can toes go numb from cold", "slug": "can-toes"})
    assert faq_form.context["adminform"].form.initial["question"] == "Can toes go numb from cold"
    assert "can-toes-go-numb-from-cold" in html

    article = make_article(title="Chilblains")
    PromotedResult.objects.create(query="can toes go numb from cold", article=article,
                                  status=Status.PUBLISHED)

    assert "Recommended: Chilblains" in client.get(REPORT).content.decode()


def test_unopened_queries_until_someone_opens_a_result(client):
    log("numb feet", 12)
    client.force_login(make_user("editor"))
    assert "numb feet" in section_of(client.get(REPORT).content.decode(), "nobody opened")

    client.post(CLICK, {"q": "numb feet", "to": "/articles/numb/", "rank": "1"})

    assert "numb feet" not in section_of(client.get(REPORT).content.decode(), "nobody opened")


def test_the_period_is_chosen(client):
    log("sciatica at night", 0, days_ago=40)
    client.force_login(make_user("editor"))
    assert "sciatica at night" not in client.get(REPORT).content.decode()
    assert "sciatica at night" in client.get(REPORT, {"days": "90"}).content.decode()
    assert client.get(REPORT, {"days": "-1; drop"}).status_code == 200


def test_only_editorial_staff_see_the_report(client):
    client.force_login(make_user("staff"))
    assert client.get(REPORT).status_code == 403


def test_purge_deletes_old_rows_and_redacts_what_was_logged_before(settings):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "LOG_RETENTION_DAYS": 30}
    log("old search", 3, days_ago=31)
    kept = log("recent search", 3, days_ago=29)
    SearchQueryLog.objects.filter(pk=kept.pk).update(query="mail jo@example.org")
    old_click = SearchResultClick.objects.create(query="old search", url="/a/", rank=1)
    SearchResultClick.objects.filter(pk=old_click.pk).update(
        created_at=timezone.now() - timedelta(days=31))

    call_command("purge_search_log", stdout=None)

    assert list(SearchQueryLog.objects.values_list("query", flat=True)) == ["mail [email]"]
    assert not SearchResultClick.objects.exists()
    with pytest.raises(CommandError, match="at least one day"):
        call_command("purge_search_log", "--days", "0")
