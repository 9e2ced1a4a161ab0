"""Does any reader get a withdrawn or replaced page after the editor's save returned?

An editor process saves through the ORM, each save inside a transaction held open for a while
(as a slow admin request is), and writes down when each save returned. Readers write down
when each request started and ended and which edit the page showed. A read made entirely
between one save's return and the next save's start must show that save's state; it is stale
when it shows an older one: the page of a withdrawn article, or the text of an earlier edit.
Used by the load benchmark and by tests/search_index/sync/test_fault_stale_pages.py.
"""
import json
import re
import threading
import time
from dataclasses import dataclass, field

MARK = "Edit {n} for the staleness check."
MARK_FOUND = re.compile(r"Edit (\d+) for the staleness check\.")
WITHDRAWN = -1  # the state of a read answered 404


@dataclass
class Read:
    started: float
    ended: float
    state: int | None  # the edit number shown, WITHDRAWN, or None (no mark, or an error)


@dataclass
class Reads:
    """Reads of one page, kept by the reader threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    items: list[Read] = field(default_factory=list)

    def add(self, started: float, status: int, body: str) -> None:
        with self.lock:
            self.items.append(Read(started, time.time(), state_of(status, body)))


def state_of(status: int, body: str) -> int | None:
    """Which edit a response shows."""
    if status == 404:
        return WITHDRAWN
    found = MARK_FOUND.findall(body) if status == 200 else []
    return int(found[-1]) if found else None


def judged(reads: list[Read], saves: list[dict]) -> list[tuple[Read, dict]]:
    """(read, the save it must show) for reads made wholly between a save's return and the
    next save's start. `saves` are the editor's records in order: {"state", "began",
    "returned"} (times from time.time())."""
    pairs = []
    for number, save in enumerate(saves):
        following = saves[number + 1]["began"] if number + 1 < len(saves) else float("inf")
        pairs += [
            (read, save) for read in reads
            if save["returned"] <= read.started and read.ended <= following
        ]
    return pairs


def stale_reads(reads: list[Read], saves: list[dict]) -> list[dict]:
    """Judged reads that show another state than their save's."""
    return [
        {"shown": read.state, "expected": save["state"],
         "after_return_s": round(read.started - save["returned"], 3)}
        for read, save in judged(reads, saves)
        if read.state != save["state"]
    ]


def summary(reads: list[Read], saves: list[dict]) -> dict:
    """Counts for a report: reads judged, stale ones, the latest of them after its save."""
    stale = stale_reads(reads, saves)
    return {"saves": len(saves), "reads": len(judged(reads, saves)), "stale": len(stale),
            "withdrawn_served": sum(s["expected"] == WITHDRAWN for s in stale),
            "latest_stale_after_return_s": max((s["after_return_s"] for s in stale), default=None)}


def edit_and_withdraw(slug: str, rounds: int, hold: float, pause: float,
                      first: int = 0) -> list[dict]:
    """In this (Django) process: per round, correct a section of the article, then withdraw
    it and publish it again, each save in a transaction held open `hold` seconds. Edits are
    numbered from `first`."""
    from django.db import transaction

    from faq.models import Article, Status

    article = Article.objects.get(slug=slug)
    section = article.sections.order_by("order", "pk").first()
    original = MARK_FOUND.sub("", section.body).rstrip()
    saves = []

    def save(obj, state: int) -> None:
        began = time.time()
        with transaction.atomic():
            obj.save()
            time.sleep(hold)  # readers render in this gap: they must not keep what they saw
        saves.append({"state": state, "began": began, "returned": time.time()})
        time.sleep(pause)

    for n in range(first, first + rounds):
        section.body = f"{original}\n\n{MARK.format(n=n)}"
        save(section, n)
        article.status = Status.DRAFT
        save(article, WITHDRAWN)
        article.status = Status.PUBLISHED
        save(article, n)
    return saves


def editor_main(slug: str, rounds: int, hold: float, pause: float) -> None:
    """Entry point of the editor process: prints its saves as one JSON line."""
    import django

    django.setup()
    print(json.dumps(edit_and_withdraw(slug, rounds, hold, pause)), flush=True)
