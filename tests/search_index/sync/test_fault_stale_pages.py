"""Withdrawals and corrections reach every gunicorn worker by the time the save returns.

A real site in a temporary folder, gunicorn with four workers and six reader threads. An
editor process saves through the ORM, each save in a transaction held open for a second (the
gap in which a reader used to render the old page and keep it under the new generation). No
read made after a save returned may show the withdrawn or replaced page; likewise for an
urgent-care rule and a synonym, asked of all the workers.
"""
import json
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings

from benchmarks.load import fetch_body, gunicorn
from benchmarks.page_weight import prepare_site, site_environment
from benchmarks.staleness import Reads, summary

pytestmark = pytest.mark.slow

ARTICLE = "numb-legs-and-feet"
READERS = 6


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(environment, port) of a seeded site served by gunicorn with four workers."""
    tmp = tmp_path_factory.mktemp("stale-site")
    env = {**site_environment(tmp), "SEARCH_CACHE_DIR": str(tmp / "cache"),
           "WEB_CONCURRENCY": "4"}
    prepare_site(env)
    with gunicorn(env, 4, tmp / "gunicorn.log") as port:
        yield env, port


def read_until(port: int, path: str, stop: threading.Event, reads: Reads) -> None:
    while not stop.is_set():
        started = time.time()
        try:
            status, body = fetch_body(port, path)
        except OSError:
            status, body = 0, ""
        reads.add(started, status, body)


def readers(port: int, path: str, reads: Reads) -> tuple[threading.Event, list]:
    stop = threading.Event()
    threads = [threading.Thread(target=read_until, args=(port, path, stop, reads))
               for _ in range(READERS)]
    for thread in threads:
        thread.start()
    return stop, threads


def test_no_reader_is_served_a_withdrawn_or_replaced_page(site):
    env, port = site
    reads = Reads()
    stop, threads = readers(port, f"/articles/{ARTICLE}/", reads)
    try:
        time.sleep(1.0)  # every worker has rendered and kept the page
        editor = subprocess.run(  # noqa: S603
            [sys.executable, "-c", "from benchmarks.staleness import editor_main; "
             f"editor_main({ARTICLE!r}, rounds=3, hold=1.0, pause=1.0)"],
            env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert editor.returncode == 0, editor.stderr[-3000:]
    saves = json.loads(editor.stdout.strip().splitlines()[-1])
    result = summary(reads.items, saves)
    print(result)
    assert result["saves"] == 9
    assert result["stale"] == 0, result
    # Each save was seen by readers within the second that followed it, and none saw older.
    for save in saves:
        seen = [r for r in reads.items if save["returned"] <= r.started <= save["returned"] + 1]
        assert seen, save


RULE_EDITOR = """
import json, time
from django.db import transaction
from search_index.models import Synonym, UrgentCareRule

def held(change):
    with transaction.atomic():
        change()
        time.sleep(1.0)
    print(json.dumps(time.time()), flush=True)
    input()

def withdraw():
    rule = UrgentCareRule.objects.get(name="Violet toes")
    rule.active = False
    rule.save()

held(lambda: UrgentCareRule.objects.create(
    name="Violet toes", kind="emergency", patterns="violet toes", message="Call now."))
held(withdraw)
held(lambda: Synonym.objects.create(phrase="zorbly", terms="numbness"))
"""


def ask_all(port: int, path: str, requests: int = 24) -> list[dict]:
    """The JSON answers of `requests` requests made by six threads at once (every worker)."""
    answers: list[dict] = []

    def ask() -> None:
        for _ in range(requests // READERS):
            status, body = fetch_body(port, path)
            answers.append(json.loads(body) if status == 200 else {"status": status})

    threads = [threading.Thread(target=ask) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_rule_and_synonym_changes_reach_every_worker_when_the_save_returns(site):
    env, port = site
    urgent = "/api/search?" + urlencode({"q": "violet toes"})
    synonym = "/api/search?" + urlencode({"q": "zorbly"})
    assert {a["urgent"] is None for a in ask_all(port, urgent)} == {True}
    assert {(a.get("total"), a.get("corrected")) for a in ask_all(port, synonym)} == {(0, False)}
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-v0", "-c",
               RULE_EDITOR]
    editor = subprocess.Popen(  # noqa: S603
        command, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        checks = [
            (urgent, lambda a: (a.get("urgent") or {}).get("message") == "Call now."),
            (urgent, lambda a: a.get("urgent") is None),
            (synonym, lambda a: a.get("total", 0) > 0 and not a.get("corrected")),
        ]
        for path, expected in checks:
            assert editor.stdout.readline().strip(), editor.stderr.read()
            answers = ask_all(port, path)
            assert all(expected(a) for a in answers), answers
            editor.stdin.write("\n")
            editor.stdin.flush()
        editor.communicate(timeout=60)
    finally:
        if editor.poll() is None:
            editor.kill()
            editor.wait()
    assert editor.returncode == 0

