"""GET /api/search: JSON results, clear JSON errors, 503 when the index is unavailable."""
import time

import pytest
from django.core.management import call_command

from search_index.models import SearchQueryLog

pytest_plugins = ["tests.search_helpers"]

URL = "/api/search"
RESULT_KEYS = {"kind", "title", "article_title", "url", "snippet", "source_name", "source_url"}


@pytest.mark.usefixtures("seed_index")
class TestApi:
    def test_json_shape(self, client):
        response = client.get(URL, {"q": "pins and needles in my feet"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert {"query", "page", "total", "num_pages", "urgent", "suggestion", "results"} <= set(
            body
        )
        assert body["query"] == "pins and needles in my feet"
        assert body["page"] == 1 and body["total"] >= 10 and body["num_pages"] >= 2
        assert body["urgent"] is None and body["suggestion"] is None
        first = body["results"][0]
        assert set(first) == RESULT_KEYS
        assert first["kind"] == "faq"
        assert first["url"] == "/faqs/pins-and-needles-in-feet/"
        assert first["article_title"] == "Why are my legs and feet numb?"
        assert "<mark>" in first["snippet"]
        assert {r["kind"] for r in body["results"]} == {"faq", "section"}

    def test_urgent_and_suggestion(self, client):
        body = client.get(URL, {"q": "sudden numbness one side"}).json()
        assert body["urgent"]["level"] == "emergency" and body["urgent"]["kind"] == "emergency"
        assert "stroke" in body["urgent"]["message"]
        assert [c["number"] for c in body["urgent"]["contacts"]] == ["911", "999"]
        body = client.get(URL, {"q": "siatica"}).json()
        assert body["suggestion"] == "sciatica" and body["corrected"] is True
        assert body["results"][0]["title"] == "Lower back problems and sciatica"

    def test_pages(self, client):
        one = client.get(URL, {"q": "numb"}).json()
        two = client.get(URL, {"q": "numb", "page": 2}).json()
        assert two["page"] == 2
        assert not {r["url"] for r in one["results"]} & {r["url"] for r in two["results"]}
        assert client.get(URL, {"q": "numb", "page": 99}).status_code == 404
        for bad in ["0", "x", "-3"]:
            response = client.get(URL, {"q": "numb", "page": bad})
            assert response.status_code == 400
            assert "error" in response.json()

    def test_missing_or_empty_query_is_400_json(self, client):
        for params in ({}, {"q": ""}, {"q": "  "}, {"q": "\x00\x01"}):
            response = client.get(URL, params)
            assert response.status_code == 400
            assert response.json() == {"error": "Give the words to search for in the q parameter."}

    def test_get_only(self, client):
        for method in ("post", "put", "delete", "patch"):
            response = getattr(client, method)(URL, {"q": "numb"})
            assert response.status_code == 405, method
            assert response["Allow"] == "GET"
            assert response.json()["error"]

    def test_hostile_queries_answer_json(self, client):
        for q in ['"', "title:x a* [a TO z]", "a" * 100_000, "<script>", "\x00",
                  "numb* " * 20_000, '"numb feet' * 5_000]:
            started = time.perf_counter()
            response = client.get(URL, {"q": q})
            assert time.perf_counter() - started < 0.5
            assert response.status_code in (200, 400)
            response.json()
        # A lone surrogate and other bytes that are not UTF-8, as a raw query string.
        for raw in ["%ED%A0%80numb", "%FF%FE%00", "%C0%AF"]:
            response = client.get(f"{URL}?q={raw}")
            assert response.status_code in (200, 400)
            response.json()

    def test_queries_are_logged(self, client):
        client.get(URL, {"q": "burning feet"})
        log = SearchQueryLog.objects.get()
        assert log.query == "burning feet" and log.results > 0 and log.took_ms > 0


def test_unavailable_index_is_503_json_with_the_urgent_message(client, db):
    call_command("loaddata", "search-starter", verbosity=0)
    response = client.get(URL, {"q": "face drooping"})
    assert response.status_code == 503
    body = response.json()
    assert "temporarily unavailable" in body["error"]
    assert body["urgent"]["level"] == "emergency"
    assert response["Retry-After"]
    assert SearchQueryLog.objects.count() == 0
