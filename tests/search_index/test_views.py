"""The results page: the form, banner first, suggestions, pagination, help, and failures."""
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from search_index.models import SearchQueryLog, UrgentCareRule
from tests.index_factories import make_article, make_section

pytest_plugins = ["tests.search_helpers"]

URL = "/search/"


def main_html(response) -> str:
    html = response.content.decode()
    return html[html.index('<main'):html.index("</main>")]


@pytest.mark.usefixtures("seed_index")
class TestResultsPage:
    def test_results_show_title_article_snippet_source_and_link(self, client):
        response = client.get(URL, {"q": "pins and needles in my feet"})
        assert response.status_code == 200
        html = main_html(response)
        assert 'href="/faqs/pins-and-needles-in-feet/"' in html
        assert "Why do I get pins and needles in my feet?" in html
        assert "<cite>Why are my legs and feet numb?</cite>" in html
        assert "<mark>" in html
        assert 'href="/articles/numb-legs-and-feet/#' in html
        assert "Source:" in html

    def test_query_is_kept_in_the_box(self, client):
        html = main_html(client.get(URL, {"q": 'numb "feet" & <toes>'}))
        assert 'value="numb &quot;feet&quot; &amp; &lt;toes&gt;"' in html

    def test_reflected_markup_is_escaped(self, client):
        response = client.get(URL, {"q": '"><script>alert(1)</script><img src=x onerror=alert(1)>'})
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html

    def test_urgent_banner_comes_first_with_a_word_not_only_colour(self, client):
        html = client.get(URL, {"q": "sudden numbness one side face drooping"}).content.decode()
        banner = html.index('role="alert"')
        assert html.index("<body") < banner < html.index("skip-link") < html.index("<h1")
        assert html.index("<h1") < html.index("search-hit")
        assert "<strong>Emergency:</strong>" in html
        assert 'href="tel:999"' in html and 'href="tel:911"' in html

    def test_crisis_query_shows_support_first_never_the_typed_words(self, client):
        html = client.get(URL, {"q": "how many sleeping pills to kill myself"}).content.decode()
        assert "<strong>Crisis support:</strong>" in html
        assert 'href="tel:988"' in html and 'href="tel:116123"' in html
        assert "Support and information" in html
        assert "sleeping pills" not in html[html.index("<main"):].split("</form>", 1)[1]

    def test_did_you_mean_and_showing_results_for(self, client):
        html = main_html(client.get(URL, {"q": "siatica"}))
        assert "Showing results for <strong>sciatica</strong>" in html
        assert 'href="/search/?q=siatica&amp;spell=off"' in html
        html = main_html(client.get(URL, {"q": "siatica", "spell": "off"}))
        assert "No results for" in html
        html = main_html(client.get(URL, {"q": "diabetis numb toes"}))
        assert 'Did you mean <a href="/search/?q=diabetes%20numb%20toes">' in html

    def test_pagination_links_and_bad_pages(self, client):
        first = main_html(client.get(URL, {"q": "numb"}))
        assert 'href="/search/?q=numb&amp;page=2" rel="next"' in first
        assert "page 1 of" in first
        second = client.get(URL, {"q": "numb", "page": "2"})
        assert second.status_code == 200
        assert 'rel="prev"' in main_html(second)
        for bad in ["0", "-1", "abc", "99", "1.5", "99999999999"]:
            assert client.get(URL, {"q": "numb", "page": bad}).status_code == 404, bad

    def test_results_of_one_page_are_not_repeated_on_the_next(self, client):
        def urls(page):
            html = main_html(client.get(URL, {"q": "numb", "page": page}))
            return re.findall(r'search-hit-title"><a href="([^"]+)"', html)

        one, two = urls(1), urls(2)
        assert len(one) == 10 and two
        assert not set(one) & set(two)

    def test_no_results_shows_help(self, client):
        html = main_html(client.get(URL, {"q": "xqzvbnm"}))
        assert "No results for" in html
        assert "Try searching another way" in html
        assert 'href="/articles/numb-legs-and-feet/"' in html  # a popular topic
        assert "Example searches" in html

    def test_empty_query_shows_help_not_an_error(self, client):
        for params in ({}, {"q": ""}, {"q": "   "}, {"q": "\x00"}):
            response = client.get(URL, params)
            assert response.status_code == 200
            html = main_html(response)
            assert "How to search" in html
            assert "No results" not in html
        assert SearchQueryLog.objects.count() == 0

    def test_each_first_page_search_is_logged_without_ip(self, client):
        client.get(URL, {"q": "numb feet"})
        client.get(URL, {"q": "numb feet", "page": "2"})
        client.get(URL, {"q": "xqzvbnm"})
        logs = list(SearchQueryLog.objects.order_by("pk").values("query", "results"))
        assert logs[0]["query"] == "numb feet" and logs[0]["results"] > 10
        assert logs[1] == {"query": "xqzvbnm", "results": 0}
        assert len(logs) == 2
        field_names = {f.name for f in SearchQueryLog._meta.get_fields()}
        assert not field_names & {"ip", "ip_address", "user", "user_agent"}

    def test_huge_query_is_capped(self, client):
        response = client.get(URL, {"q": "numb " * 20_000})
        assert response.status_code == 200
        assert len(SearchQueryLog.objects.get().query) <= 256


def test_index_unavailable_page_says_so(client, db):
    # No index was built in this test's directory.
    call_command("loaddata", "search-starter", verbosity=0)
    make_section(make_article(title="Numb feet", slug="numb-feet"))
    response = client.get(URL, {"q": "slurred speech"})
    assert response.status_code == 200
    html = main_html(response)
    assert "Search is temporarily unavailable" in html
    assert 'role="alert"' in response.content.decode()  # the banner opens the page


def test_damaged_index_page_says_so(client, db, index_dir):
    index_dir.mkdir(parents=True)
    (index_dir / "_MAIN_1.toc").write_bytes(b"garbage")
    response = client.get(URL, {"q": "numb"})
    assert response.status_code == 200
    assert "Search is temporarily unavailable" in main_html(response)


def test_search_terms_report_in_the_admin(client, db):
    for query, results in [("numb feet", 12), ("numb feet", 12), ("xqzv", 0), ("siatica", 0),
                           ("xqzv", 0), ("xqzv", 0)]:
        SearchQueryLog.objects.create(query=query, results=results, took_ms=3.0)
    old = SearchQueryLog.objects.create(query="ancient", results=0, took_ms=1.0)
    SearchQueryLog.objects.filter(pk=old.pk).update(created_at="2000-01-01T00:00:00Z")
    admin = User.objects.create_superuser("boss", "boss@example.com", "pw-long-enough-1")
    client.force_login(admin)
    url = reverse("admin:search_index_searchquerylog_changelist")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    zero = html[html.index("Zero-result searches"):html.index("Most frequent searches")]
    frequent = html[html.index("Most frequent searches"):]
    assert zero.index("xqzv") < zero.index("siatica")
    assert "numb feet" not in zero and "ancient" not in html
    assert frequent.index("xqzv") < frequent.index("numb feet") < frequent.index("siatica")
    assert "6 searches, 4 with no results" in html


def test_search_admin_pages_load(client, db):
    admin = User.objects.create_superuser("boss", "boss@example.com", "pw-long-enough-1")
    client.force_login(admin)
    for name in ["synonym", "urgentcarerule", "indexchange"]:
        url = reverse(f"admin:search_index_{name}_changelist")
        assert client.get(url, {"q": "numb"}).status_code == 200, name
    assert client.get(reverse("admin:search_index_synonym_add")).status_code == 200
    assert client.get(reverse("admin:search_index_indexchange_add")).status_code == 403


def test_admin_rejects_synonyms_and_rules_that_could_never_match(client, db):
    admin = User.objects.create_superuser("boss", "boss@example.com", "pw-long-enough-1")
    client.force_login(admin)
    response = client.post(reverse("admin:search_index_synonym_add"),
                           {"phrase": "what is the", "terms": "--", "active": "on"})
    assert response.status_code == 200
    assert "could never match" in response.content.decode()
    response = client.post(reverse("admin:search_index_urgentcarerule_add"), {
        "name": "Empty", "kind": "urgent", "active": "on", "patterns": "!!! ???",
        "message": "Go.",
    })
    assert "Line 1 has no word that can be matched." in response.content.decode()
    response = client.post(reverse("admin:search_index_urgentcarerule_add"), {
        "name": "Purple toes", "kind": "urgent", "active": "on",
        "patterns": "purple toe|toes", "message": "Go.",
    })
    assert response.status_code == 302


@pytest.mark.usefixtures("seed_index")
def test_a_pinned_support_page_leads_the_crisis_results(client):
    article = make_article(title="Getting help with thoughts of suicide", slug="crisis-help")
    make_section(article)
    rule = UrgentCareRule.objects.get(name="Suicidal thoughts")
    rule.pinned_article = article
    rule.save()
    body = client.get("/api/search", {"q": "i want to end my life"}).json()
    assert body["urgent"]["kind"] == "crisis" and body["support_results"] is True
    assert body["results"][0]["url"] == "/articles/crisis-help/"
    assert [c["number"] for c in body["urgent"]["contacts"]] == ["988", "116 123"]
    article.status = "draft"
    article.save()
    body = client.get("/api/search", {"q": "i want to end my life"}).json()
    assert all(r["url"] != "/articles/crisis-help/" for r in body["results"])


def test_search_terms_report_counts_each_kind_of_urgent_message(client, db):
    for kind in ["crisis", "crisis", "poison", "emergency", ""]:
        SearchQueryLog.objects.create(query="q", results=1, took_ms=1.0, urgent_kind=kind)
    old = SearchQueryLog.objects.create(query="q", results=1, took_ms=1.0, urgent_kind="crisis")
    SearchQueryLog.objects.filter(pk=old.pk).update(created_at="2000-01-01T00:00:00Z")
    client.force_login(User.objects.create_superuser("boss", "b@example.com", "pw-long-enough-1"))
    html = client.get(reverse("admin:search_index_searchquerylog_changelist")).content.decode()
    table = html[html.index("Urgent-care messages shown"):html.index("Zero-result searches")]
    counts = dict(re.findall(r"<td>([^<]+)</td><td>(\d+)</td>", table))
    assert counts == {"Crisis: suicide or self-harm": "2", "Poisoning or overdose": "1",
                      "Medical emergency": "1", "Urgent care today": "0"}


@pytest.mark.usefixtures("seed_index")
def test_each_logged_search_keeps_the_kind_it_raised_and_nothing_more(client):
    client.get(URL, {"q": "my toddler swallowed a button battery"})
    client.get(URL, {"q": "numb toes"})
    rows = dict(SearchQueryLog.objects.values_list("query", "urgent_kind"))
    assert rows == {"my toddler swallowed a button battery": "poison", "numb toes": ""}
