"""Property-based fuzzing of /search/, /api/search and /api/suggest on a seeded real index.

Whatever a bot sends as `q` (query syntax, Unicode oddities, bytes that are not UTF-8, up to
100 KB), the answer is never a 500, always comes within RESPONSE_BUDGET, and the API's body is
always JSON. Examples are derandomized so a failure reproduces on every run.
"""
import json
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest_plugins = ["tests.search_helpers"]

# The bound, on CPU time; a search on the seed index takes a few milliseconds, so this
# still catches a parser that expands terms or backtracks.
RESPONSE_BUDGET = 0.5
MAX_SIZE = 100_000

SYNTAX = list('"():*?[]{}~^+-!&|\\/') + [
    "field:", "title:", "body:", "kind:", "url:", "AND", "OR", "NOT", "TO", "a*", "*",
    "[a TO z]", "{a TO z}", "numb~2", "feet^9", '"pins and', "+numb", "-feet", "%", "%%",
    "&q=", "#", "..", "../", "<script>", "&amp;",
]
WORDS = ["numb", "feet", "sciatica", "siatica", "tingling", "pins", "needles", "leg", "the"]
ODDITIES = [
    "\u0301", "e\u0301", "\u200f", "\u202e", "\u200b", "\u200d", "\ufeff", "\u2028",
    "ｎｕｍｂ", "ＦＥＥＴ", "🦶", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "\x00", "\x01", "\x1b[31m",
    "\x7f", "\ud800", "\udfff", "\uffff", "\U0010ffff", "ﷺ", "ß", "İ", "ﬁ", "\u0000numb",
]
PARTS = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from(WORDS),
    st.sampled_from(ODDITIES),
    st.sampled_from([" ", "  ", "\t", "\n", "\r\n"]),
    st.text(max_size=8),  # any code point, lone surrogates included
)
FRAGMENT = st.lists(PARTS, min_size=1, max_size=24).map("".join)
# A short fragment repeated: reaches 100 KB without asking Hypothesis to generate it all.
LARGE = st.tuples(FRAGMENT, st.integers(1, MAX_SIZE)).map(lambda t: (t[0] * t[1])[:MAX_SIZE])
QUERIES = st.one_of(FRAGMENT, LARGE)
# Bytes that no UTF-8 decoder accepts, sent raw in the query string.
RAW_BYTES = ["%FF", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%", "%zz", "%00", "%E2%80"]

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def query_string(text: str, raw: str = "") -> str:
    """`q=` percent-encoded as a browser would, lone surrogates kept as their (invalid) bytes."""
    return "q=" + quote(text.encode("utf-8", "surrogatepass"), safe="") + raw


def timed_get(client, path: str, query: str):
    # CPU time of this thread (the test client serves in it): a parser that blows up on hostile
    # input spends CPU, while a shared CI machine's load only stretches the wall clock.
    started = time.thread_time()
    response = client.get(f"{path}?{query}")
    took = time.thread_time() - started
    assert took < RESPONSE_BUDGET, f"{took * 1000:.0f} ms for {query[:80]!r}"
    return response


def check_page(client, query: str) -> None:
    response = timed_get(client, "/search/", query)
    assert response.status_code == 200, query[:200]
    assert response["Content-Type"].startswith("text/html")


def check_api(client, query: str) -> None:
    response = timed_get(client, "/api/search", query)
    assert response.status_code in (200, 400), (response.status_code, query[:200])
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    if response.status_code == 200:
        assert isinstance(body["results"], list)
        assert len(body["query"]) <= 256
    else:
        assert set(body) == {"error"}


@pytest.mark.usefixtures("seed_index")
class TestFuzzSearch:
    @FUZZ
    @given(text=QUERIES, raw=st.sampled_from(["", *[f"{r}x" for r in RAW_BYTES]]))
    @example(text="a" * MAX_SIZE, raw="")
    @example(text="a*", raw="")
    @example(text="[a TO z]", raw="")
    @example(text="title:numb OR body:feet AND NOT url:*", raw="")
    @example(text="\ud800", raw="%FF")
    def test_search_page(self, client, text, raw):
        check_page(client, query_string(text, raw))

    @FUZZ
    @given(text=QUERIES, raw=st.sampled_from(["", *[f"{r}x" for r in RAW_BYTES]]))
    @example(text="numb " * (MAX_SIZE // 5), raw="")
    @example(text=" OR ".join(WORDS * 30), raw="")
    @example(text="\x00", raw="")
    @example(text="", raw="%ED%A0%80")
    def test_api(self, client, text, raw):
        check_api(client, query_string(text, raw))

    @FUZZ
    @given(text=FRAGMENT, page=st.one_of(st.integers(-5, 20_000).map(str), st.text(max_size=6)))
    def test_page_parameter(self, client, text, page):
        query = query_string(text) + "&page=" + quote(page.encode("utf-8", "surrogatepass"))
        html = timed_get(client, "/search/", query)
        assert html.status_code in (200, 404)
        api = timed_get(client, "/api/search", query)
        assert api.status_code in (200, 400, 404)
        json.loads(api.content)

    def test_raw_bytes_alone(self, client):
        for raw in RAW_BYTES:
            check_page(client, "q=" + raw)
            check_api(client, "q=numb" + raw)

    @FUZZ
    @given(text=QUERIES, raw=st.sampled_from(["", *RAW_BYTES]))
    @example(text="", raw="%ED%A0%80")
    @example(text="ｎｕｍ", raw="")
    def test_suggest(self, client, text, raw):
        """The search box asks on every keystroke: the same inputs, the same guarantees."""
        response = timed_get(client, "/api/suggest", query_string(text, raw))
        assert response.status_code == 200
        body = json.loads(response.content)
        assert all(s["url"].startswith("/") for s in body["suggestions"])
