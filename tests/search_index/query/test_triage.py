"""Red-flag triage: the right banner for crisis, poison and emergency queries, whatever the
spelling, and no banner for denials or routine questions that share their words."""
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from search_index.caching.registry import reset_all
from search_index.models import Synonym, UrgentCareRule
from search_index.query.triage import rules as urgent
from search_index.query.triage.english import SpellingTargets
from search_index.query.triage.rules import compile_pattern, pattern_errors, urgent_message
from search_index.query.triage.shipped import install_rules, shipped_rules
from search_index.service import search

QUERY_SET = Path(__file__).resolve().parents[2] / "data" / "triage_queries.json"
# Three sets written apart from the rules, used to measure them first, then to widen them.
MORE_QUERIES = Path(__file__).resolve().parents[2] / "data" / "triage_queries_more.json"
ISSUE_TABLE = [
    ("I want to kill myself", "crisis"),
    ("thinking about suicide", "crisis"),
    ("my child swallowed bleach", "poison"),
    ("tylenol overdose how much", "poison"),
    ("worst headache of my life", "emergency"),
    ("sudden numbnes one side of face", "emergency"),
    ("face droopng and slurred speach", "emergency"),
]

POSITIVE = [
    ("sudden numbness on one side of my body", "emergency", "stroke"),
    ("my face is drooping", "emergency", "stroke"),
    ("dad has slurred speech and a numb arm", "emergency", "stroke"),
    ("no fever but sudden weakness on one side", "emergency", "stroke"),
    ("loss of bladder control and numb legs", "emergency", "cauda equina"),
    ("saddle numbness", "emergency", "cauda equina"),
    ("no feeling in my groin", "emergency", "cauda equina"),
    ("legs numb after I fell and hurt my back", "emergency", "spinal cord"),
    ("my foot suddenly went cold and pale", "emergency", "blood supply"),
    ("numb arm and chest pain", "emergency", "heart attack"),
    ("numbness spreading up both legs", "urgent", "spreads"),
    ("diabetic foot ulcer looks infected", "urgent", "infected"),
    ("SUDDEN NUMBNESS ONE SIDE", "emergency", "stroke"),
    ("ｓｕｄｄｅｎ numbness one side", "emergency", "stroke"),
]

# "what are the signs of a stroke" does raise the stroke banner: FAST is what the reader needs.
NEGATIVE = [
    "numb feet at night",
    "pins and needles in my toes",
    "no slurred speech",
    "numb leg but no slurred speech",
    "numbness not sudden, came on slowly over weeks",
    "without chest pain",
    "never had trouble speaking",
    "I don't have a drooping face",
    "I don\u2019t have a drooping face",
    "no loss of bladder control",
    "sciatica pain down one side",
    "cold feet",
    "cooking tips for diabetes",
    "stroke prevention diet",
    "poison ivy rash",
    "tylenol dose for adults",
]


@pytest.fixture
def rules(db):
    """The shipped rules (migrations install them; a test that flushed the table gets them back)."""
    install_rules(UrgentCareRule)
    reset_all()  # rows restored without signals in a rolled-back test


@pytest.mark.usefixtures("rules")
@pytest.mark.parametrize(("text", "kind"), ISSUE_TABLE)
def test_the_issue_table_gets_the_right_message(text, kind):
    message = urgent_message(text)
    assert message is not None, text
    assert message.kind == kind


@pytest.mark.usefixtures("rules")
@pytest.mark.parametrize(("text", "kind", "words"), POSITIVE)
def test_emergency_phrasings_raise_the_banner(text, kind, words):
    message = urgent_message(text)
    assert message is not None, text
    assert message.kind == kind
    assert words in message.message


@pytest.mark.usefixtures("rules")
@pytest.mark.parametrize("text", NEGATIVE)
def test_denials_and_routine_questions_do_not(text):
    assert urgent_message(text) is None, urgent_message(text)


@pytest.mark.usefixtures("rules")
@pytest.mark.parametrize("path", [QUERY_SET, MORE_QUERIES], ids=["development", "written-apart"])
def test_query_sets_every_red_flag_caught_and_few_false_alarms(path):
    """Every red flag gets its kind of message, and routine queries that share their words
    stay under one false alarm in 35."""
    queries = json.loads(path.read_text())
    assert len(queries["red_flags"]) >= 150 and len(queries["routine"]) >= 150
    wrong = [
        (item["q"], item["kind"], getattr(urgent_message(item["q"]), "kind", None))
        for item in queries["red_flags"]
        if getattr(urgent_message(item["q"]), "kind", None) != item["kind"]
    ]
    assert wrong == []
    alarms = [item["q"] for item in queries["routine"] if urgent_message(item["q"])]
    assert len(alarms) * 35 <= len(queries["routine"]), alarms


def test_the_development_set_covers_every_kind_and_spelling():
    queries = json.loads(QUERY_SET.read_text())
    kinds = {item["kind"] for item in queries["red_flags"]}
    assert kinds == {"crisis", "poison", "emergency"}
    for tag in ("misspelling", "lay", "first_person", "third_person"):
        tagged = [item for item in queries["red_flags"] if tag in item["tags"]]
        assert {item["kind"] for item in tagged} == kinds, tag


@pytest.mark.usefixtures("rules")
def test_messages_carry_the_regions_numbers():
    crisis = urgent_message("I want to kill myself")
    assert [c.number for c in crisis.contacts] == ["988", "116 123"]
    assert [c.number for c in crisis.emergency_contacts] == ["911", "999"]
    poison = urgent_message("my child swallowed bleach")
    assert [c.number for c in poison.contacts] == ["1-800-222-1222", "111"]
    assert poison.contacts[0].tel == "18002221222"
    stroke = urgent_message("face drooping")
    assert [c.number for c in stroke.contacts] == ["911", "999"]
    assert stroke.level == "emergency" and stroke.title


@pytest.mark.usefixtures("rules")
@override_settings(
    URGENT_CARE={"REGIONS": ["IE"], "CONTACTS": {"IE": {"crisis": [("Call", "116 123", "S")]}}}
)
def test_regions_come_from_settings():
    crisis = urgent_message("thinking about suicide")
    assert [(c.region, c.number) for c in crisis.contacts] == [("IE", "116 123")]
    assert crisis.emergency_contacts == ()


@pytest.mark.usefixtures("rules")
def test_most_serious_kind_wins():
    assert urgent_message("numbness spreading fast and chest pain").kind == "emergency"
    assert urgent_message("took all my pills because i want to die").kind == "crisis"
    assert urgent_message("swallowed bleach and can't breathe").kind == "poison"


@pytest.mark.usefixtures("rules")
def test_negation_reaches_three_words_and_stops_at_punctuation():
    assert urgent_message("no really badly slurred speech") is None
    assert urgent_message("no pain at all today, slurred speech").kind == "emergency"
    assert urgent_message("not sure why my speech is slurred").kind == "emergency"


@pytest.mark.usefixtures("rules")
def test_a_pattern_that_names_the_negation_reads_it():
    assert urgent_message("he is not breathing").kind == "emergency"
    assert urgent_message("i don't want to live anymore").kind == "crisis"
    assert urgent_message("i don't want to die") is None


@pytest.mark.usefixtures("rules")
def test_words_far_apart_do_not_make_a_pattern():
    near = "my son swallowed a battery"
    far = "my son swallowed his lunch too fast yesterday and today we must buy a new battery"
    assert urgent_message(near).kind == "poison"
    assert urgent_message(far) is None


def test_patterns_compare_stems_and_alternatives():
    pattern = compile_pattern("Sudden numb|Numbness one|side")
    assert pattern.slots == (frozenset({"sudden"}), frozenset({"numb"}), frozenset({"one", "side"}))
    assert not pattern.names_negation
    assert compile_pattern("not breathing").names_negation
    assert compile_pattern('"swallowed" pills').slots[0] == frozenset({"=swallowed"})
    assert compile_pattern("!!! ???") is None


def test_pattern_errors_say_which_line():
    assert pattern_errors("sudden numb\n\nface droop") == []
    assert pattern_errors("sudden numb\n!!! ???") == ["Line 2 has no word that can be matched."]
    assert pattern_errors("numb||weak") == ["Line 1: '|' must stand between two words."]


def test_misspellings_stand_for_rule_words_but_real_words_do_not():
    targets = SpellingTargets(["suicide", "numbness", "choking", "overdose", "tongue"])
    assert targets.likely_meant("sucide") == ["suicide"]
    assert targets.likely_meant("numbnes") == ["numbness"]
    assert targets.likely_meant("overdoes") == ["overdose"]  # a real word, but a rare one
    assert targets.likely_meant("tounge") == ["tongue"]  # unknown words may be two edits off
    assert targets.likely_meant("cooking") == []  # a common word is never taken for another
    assert targets.likely_meant("cho") == []


@pytest.mark.usefixtures("rules")
def test_glossary_lay_words_reach_the_rules(django_capture_on_commit_callbacks):
    assert urgent_message("my kid ate a wizzle stick") is None
    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(phrase="wizzle stick", terms="laundry pod")
    assert urgent_message("my kid ate a wizzle stick").kind == "poison"


@pytest.mark.usefixtures("rules")
def test_a_correction_can_raise_the_banner():
    # A misspelling beyond the rules' own reach, that the index's spelling step corrects.
    assert urgent_message("qqqq zzzz") is None
    assert urgent_message("qqqq zzzz", corrected="slurred speech").kind == "emergency"


@pytest.mark.usefixtures("rules")
def test_rule_edits_apply_on_the_next_search(django_capture_on_commit_callbacks):
    assert urgent_message("purple toes") is None
    with django_capture_on_commit_callbacks(execute=True):
        UrgentCareRule.objects.create(
            name="Purple toes", kind="urgent", patterns="purple toe|toes", message="See someone."
        )
    assert urgent_message("purple toes").message == "See someone."
    rule = UrgentCareRule.objects.get(name="Purple toes")
    rule.active = False
    with django_capture_on_commit_callbacks(execute=True):
        rule.save()
    assert urgent_message("purple toes") is None


@pytest.mark.usefixtures("rules")
def test_unless_patterns_stop_a_rule():
    UrgentCareRule.objects.create(
        name="Purple toes", kind="urgent", patterns="purple toe|toes", unless="nail polish",
        message="See someone.",
    )
    assert urgent_message("purple toes").kind == "urgent"
    assert urgent_message("purple nail polish on my toes") is None


@pytest.mark.usefixtures("rules")
def test_banner_comes_even_when_nothing_matches_or_index_is_missing():
    result = search("slurred speech xqzv")
    assert result.urgent.kind == "emergency"
    assert result.unavailable  # no index was built in this test
    assert search("").urgent is None


@pytest.mark.usefixtures("rules")
def test_another_process_edit_is_seen_after_the_recheck_interval(monkeypatch):
    # An update() sends no signal, like a save made by another server process.
    name = "Heart attack: chest pain or pressure"
    monkeypatch.setattr(urgent.rules_cache, "recheck_seconds", 3600)
    assert urgent_message("chest pain") is not None
    UrgentCareRule.objects.filter(name=name).update(active=False, updated_at=timezone.now())
    assert urgent_message("chest pain") is not None, "within the interval the rules are kept"
    monkeypatch.setattr(urgent.rules_cache, "recheck_seconds", 0)
    assert urgent_message("chest pain") is None


def test_every_shipped_rule_names_its_source_and_parses():
    rules = shipped_rules()
    assert {rule["kind"] for rule in rules} >= {"crisis", "poison", "emergency"}
    for rule in rules:
        assert rule["source_name"] and rule["source_url"].startswith("https://"), rule["name"]
        assert pattern_errors(rule["patterns"]) == [], rule["name"]
        assert pattern_errors(rule["unless"]) == [], rule["name"]
        assert "@" not in rule["patterns"], rule["name"]


@pytest.mark.django_db
def test_installing_keeps_editors_rules_and_updates_only_when_asked():
    UrgentCareRule.objects.all().delete()
    assert install_rules(UrgentCareRule)["created"] == len(shipped_rules())
    stroke = UrgentCareRule.objects.get(name__startswith="Stroke")
    stroke.message = "An editor's words."
    stroke.save()
    UrgentCareRule.objects.create(name="Local rule", patterns="purple toes", message="x")
    call_command("load_urgent_rules", verbosity=0)
    assert UrgentCareRule.objects.get(pk=stroke.pk).message == "An editor's words."
    call_command("load_urgent_rules", "--update", verbosity=0)
    assert UrgentCareRule.objects.get(pk=stroke.pk).message != "An editor's words."
    assert UrgentCareRule.objects.filter(name="Local rule").exists()
