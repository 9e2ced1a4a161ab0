"""Lay language: the Synonym table and articles' "also called" names, applied at query time."""
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.text import slugify

from search_index.models import Synonym
from search_index.query.glossary import Glossary, analyse, glossary
from search_index.service import search
from tests.index_factories import make_article, make_faq

pytest_plugins = ["tests.search_helpers"]

STARTER = Path(settings.BASE_DIR) / "search_index" / "fixtures" / "search-starter.json"


def starter_synonyms() -> dict[str, list[str]]:
    rows = json.loads(STARTER.read_text())
    return {
        r["fields"]["phrase"]: r["fields"]["terms"].splitlines()
        for r in rows
        if r["model"] == "search_index.synonym"
    }


def test_starter_glossary_covers_the_seed_conditions():
    synonyms = starter_synonyms()
    assert len(synonyms) >= 30
    expected = {
        "pins and needles": "paresthesia",
        "fell asleep": "transient paresthesia",
        "falls asleep": "transient paresthesia",
        "dead leg": "transient paresthesia",
        "sugar": "diabetes",
        "blood sugar": "diabetes",
        "sugar diabetes": "diabetes",
        "back of the leg pain": "sciatica",
        "shooting pain down leg": "sciatica",
        "calf pain walking": "claudication",
        "mini stroke": "transient ischemic attack",
        "booze": "alcohol",
        "drinking": "alcohol",
        "burning feet": "neuropathy",
    }
    for phrase, term in expected.items():
        assert term in synonyms[phrase], phrase


def test_glossary_matches_phrases_on_analysed_words():
    words = Glossary()
    words.add("pins and needles", ["paresthesia", "tingling"])
    words.add("sugar", ["diabetes"])
    assert words.expansions(analyse("Pins & needles in my toes")) == [
        ("paresthesia",), ("tingl",)
    ]
    assert words.expansions(analyse("needles and pins")) == []
    assert words.expansions(analyse("high sugar")) == [("diabet",)]
    # A term the reader already typed is not added again.
    assert words.expansions(analyse("sugar diabetes")) == []
    assert {"pins", "needles", "paresthesia", "sugar"} <= words.words


@pytest.mark.usefixtures("seed_index")
class TestOnTheSeed:
    def test_lay_phrase_reaches_the_clinical_section(self):
        hits = search("booze").hits
        assert hits[0].url == "/faqs/can-alcohol-cause-numb-feet/"
        assert "<mark>" in hits[0].snippet_html  # the expansion's words are marked

    def test_mini_stroke_reaches_tia(self):
        assert search("mini stroke").hits[0].url.endswith(
            ("#stroke-and-mini-stroke", "/faqs/numb-leg-stroke-sign/")
        )

    def test_claudication_for_calf_pain(self):
        urls = [h.url for h in search("calf pain walking").hits[:2]]
        assert any(u.endswith("#peripheral-artery-disease") for u in urls)

    def test_also_called_names_feed_the_glossary(self):
        current = glossary()
        title = analyse("Why are my legs and feet numb?")
        assert title in current.entries[analyse("paraesthesia")]  # only an also-called name
        assert title in current.entries[analyse("dead leg")]  # a synonym and a name


def test_a_name_many_articles_share_is_not_expanded_but_an_editors_synonym_is(db):
    for title in ("Hurler syndrome", "Hunter syndrome", "Sanfilippo syndrome", "Morquio syndrome"):
        make_article(title=title, slug=slugify(title), also_called="MPS\nRare one")
    make_article(title="Menkes disease", slug="menkes", also_called="Kinky hair syndrome")
    Synonym.objects.create(phrase="MPS", terms="mucopolysaccharidosis")
    current = glossary()
    # Four articles are also called "MPS": searching for all four says nothing.
    assert current.expansions(analyse("mps")) == [analyse("mucopolysaccharidosis")]
    assert current.expansions(analyse("kinky hair syndrome")) == [("menk", "diseas")]
    assert current.names_in(analyse("mps")) == [("mps",)]  # still a name a question is about


def test_exact_words_rank_above_expansions(db, fresh_index):
    Synonym.objects.create(phrase="pins and needles", terms="paresthesia")
    article = make_article(title="Tingles", slug="tingles")
    exact = make_faq(article=article, question="About pins and needles",
                     answer="Pins and needles come and go.", status="published")
    expanded = make_faq(article=article, question="About paresthesia",
                        answer="Paresthesia comes and goes.", status="published")
    fresh_index()
    hits = search("pins and needles").hits
    assert [h.url for h in hits] == [exact.get_absolute_url(), expanded.get_absolute_url()]
    assert hits[0].score > 2 * hits[1].score


def test_synonym_edits_apply_on_the_next_search(db, fresh_index,
                                                django_capture_on_commit_callbacks):
    article = make_article(title="Nerves", slug="nerves")
    faq = make_faq(article=article, question="What is paresthesia?",
                   answer="An odd feeling.", status="published")
    fresh_index()
    assert search("prickles").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        synonym = Synonym.objects.create(phrase="prickles", terms="paresthesia")
    assert [h.url for h in search("prickles").hits] == [faq.get_absolute_url()]
    synonym.active = False
    with django_capture_on_commit_callbacks(execute=True):
        synonym.save()
    assert search("prickles", correct=False).total == 0
    Synonym.objects.filter(pk=synonym.pk).update(active=True, terms="nothing here")
    synonym.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        synonym.save()  # bumps updated_at, as an admin save does
    assert search("prickles", correct=False).total == 0


def test_starter_fixture_loads(db):
    call_command("loaddata", "search-starter", verbosity=0)
    assert Synonym.objects.filter(active=True).count() >= 30


def test_changes_made_by_other_processes_are_seen_after_the_recheck_interval(db, monkeypatch):
    from django.utils import timezone

    from search_index.query import glossary as synonyms

    Synonym.objects.create(phrase="prickles", terms="paresthesia")
    assert glossary().expansions(analyse("prickles")) == [("paresthesia",)]
    # An update() sends no signal: like a save in another worker process.
    Synonym.objects.filter(phrase="prickles").update(terms="tingling", updated_at=timezone.now())
    monkeypatch.setattr(synonyms.glossary_cache, "recheck_seconds", 3600)
    assert glossary().expansions(analyse("prickles")) == [("paresthesia",)]
    monkeypatch.setattr(synonyms.glossary_cache, "recheck_seconds", 0)
    assert glossary().expansions(analyse("prickles")) == [("tingl",)]


@pytest.mark.django_db
def test_rows_version_changes_on_every_add_save_and_delete():
    from search_index.caching.rechecked import rows_version

    seen = [rows_version(Synonym)]
    synonym = Synonym.objects.create(phrase="pins and needles", terms="paresthesia")
    seen.append(rows_version(Synonym))
    synonym.terms = "paresthesia\ntingling"
    synonym.save()
    seen.append(rows_version(Synonym))
    synonym.delete()
    seen.append(rows_version(Synonym))
    # Each change gives a new version (deleting the only row is the empty table again).
    assert all(a != b for a, b in zip(seen, seen[1:], strict=False))
