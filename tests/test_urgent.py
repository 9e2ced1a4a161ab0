"""Urgent-care rules: the banner for emergencies, and no banner for denials."""
import pytest
from django.core.management import call_command
from django.utils import timezone

from search_index import urgent
from search_index.models import UrgentCareRule
from search_index.query import search
from search_index.urgent import affirmed_stems, compile_pattern, urgent_message

EMERGENCY = "emergency"
URGENT = "urgent"

POSITIVE = [
    ("sudden numbness on one side of my body", EMERGENCY, "stroke"),
    ("suddenly weak left side", EMERGENCY, "stroke"),
    ("my face is drooping", EMERGENCY, "stroke"),
    ("dad has slurred speech and a numb arm", EMERGENCY, "stroke"),
    ("trouble speaking and numb leg", EMERGENCY, "stroke"),
    ("sudden confusion and numb feet", EMERGENCY, "stroke"),
    ("sudden loss of vision in one eye", EMERGENCY, "stroke"),
    ("no fever but sudden weakness on one side", EMERGENCY, "stroke"),
    ("loss of bladder control and numb legs", EMERGENCY, "cauda equina"),
    ("lost control of my bowels, back pain", EMERGENCY, "cauda equina"),
    ("numb groin and sciatica", EMERGENCY, "cauda equina"),
    ("saddle numbness", EMERGENCY, "cauda equina"),
    ("numbness between my legs", EMERGENCY, "cauda equina"),
    ("no feeling in my groin", EMERGENCY, "cauda equina"),
    ("legs numb after I fell and hurt my back", EMERGENCY, "spinal cord"),
    ("tingling arms after a neck injury", EMERGENCY, "spinal cord"),
    ("my foot suddenly went cold and pale", EMERGENCY, "blood"),
    ("cold pale painful leg", EMERGENCY, "blood"),
    ("numb arm and chest pain", EMERGENCY, "heart attack"),
    ("numbness spreading up both legs", URGENT, "spreads"),
    ("diabetic foot ulcer looks infected", URGENT, "infected"),
    ("SUDDEN NUMBNESS ONE SIDE", EMERGENCY, "stroke"),
    ("ｓｕｄｄｅｎ numbness one side", EMERGENCY, "stroke"),
]

NEGATIVE = [
    "numb feet at night",
    "pins and needles in my toes",
    "leg falls asleep when sitting cross legged",
    "what are the signs of a stroke",
    "no slurred speech",
    "numb leg but no slurred speech",
    "numbness not sudden, came on slowly over weeks",
    "without chest pain",
    "numb toes without any chest pain",
    "never had trouble speaking",
    "I don't have a drooping face",
    "I don\u2019t have a drooping face",
    "no loss of bladder control",
    "numb legs, no bladder problems",
    "sciatica pain down one side",
    "numb foot after sitting on the toilet",
    "cold feet",
]


@pytest.fixture
def rules(db):
    call_command("loaddata", "search-starter", verbosity=0)


@pytest.mark.usefixtures("rules")
@pytest.mark.parametrize(("text", "level", "words"), POSITIVE)
def test_emergency_phrasings_raise_the_banner(text, level, words):
    message = urgent_message(text)
    assert message is not None, text
    assert message.level == level
    assert words in message.message


@pytest.mark.usefixtures("rules")
@pytest.mark.parametrize("text", NEGATIVE)
def test_denials_and_everyday_numbness_do_not(text):
    assert urgent_message(text) is None, urgent_message(text)


def test_emergency_messages_name_the_numbers(rules):
    for rule in UrgentCareRule.objects.filter(level=EMERGENCY):
        assert "emergency" in rule.message
    stroke = urgent_message("face drooping")
    assert "911" in stroke.message and "999" in stroke.message and "112" in stroke.message


def test_most_severe_rule_wins(rules):
    message = urgent_message("numbness spreading fast and chest pain")
    assert message.level == EMERGENCY


def test_negation_reaches_three_words_and_stops_at_punctuation():
    assert "slur" not in affirmed_stems("no really badly slurred speech")
    assert "slur" in affirmed_stems("no pain at all today, slurred speech")
    assert "speech" in affirmed_stems("not sure why my speech is slurred")


def test_patterns_compare_stems_and_alternatives():
    assert compile_pattern("Sudden numb|Numbness one|side") == (
        frozenset({"sudden"}), frozenset({"numb"}), frozenset({"one", "side"})
    )


def test_rule_edits_apply_on_the_next_search(rules, django_capture_on_commit_callbacks):
    assert urgent_message("purple toes") is None
    with django_capture_on_commit_callbacks(execute=True):
        UrgentCareRule.objects.create(
            name="Purple toes", level=URGENT, patterns="purple toe|toes", message="See someone."
        )
    assert urgent_message("purple toes").message == "See someone."
    rule = UrgentCareRule.objects.get(name="Purple toes")
    rule.active = False
    with django_capture_on_commit_callbacks(execute=True):
        rule.save()
    assert urgent_message("purple toes") is None
    with django_capture_on_commit_callbacks(execute=True):
        UrgentCareRule.objects.filter(name="Chest pain").delete()
    assert urgent_message("chest pain") is None


def test_banner_comes_even_when_nothing_matches_or_index_is_missing(rules):
    result = search("slurred speech xqzv")
    assert result.urgent.level == EMERGENCY
    assert result.unavailable  # no index was built in this test
    assert search("").urgent is None


def test_another_process_edit_is_seen_after_the_recheck_interval(rules, monkeypatch):
    # An update() sends no signal, like a save made by another server process.
    monkeypatch.setattr(urgent._rules, "recheck_seconds", 3600)
    assert urgent_message("chest pain") is not None
    UrgentCareRule.objects.filter(name="Chest pain").update(active=False, updated_at=timezone.now())
    assert urgent_message("chest pain") is not None, "within the interval the rules are kept"
    monkeypatch.setattr(urgent._rules, "recheck_seconds", 0)
    assert urgent_message("chest pain") is None
