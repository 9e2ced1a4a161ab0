"""Names as people type them, over a real index of small fixtures: abbreviations found in
the content, ambiguous ones, brand names of drugs, lay names, eponyms without apostrophes,
everyday words that name nothing, and the nearest names when nothing matched."""
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.text import slugify

from search_index.admin import SynonymForm, search_terms_report
from search_index.analytics import log as query_log
from search_index.models import Synonym
from search_index.query.drugs import names_of
from search_index.query.glossary import glossary
from search_index.query.names import eponym, initialism
from search_index.service import search, timed_search
from search_index.sync import abbreviations
from search_index.text.abbreviations import definitions, is_short_form
from tests.index_factories import make_article, make_faq

pytest_plugins = ["tests.search_helpers"]


def topic(title: str, answer: str = "", also_called: str = "", questions: int = 2):
    """An article with a few published FAQs about it."""
    article = make_article(title=title, slug=slugify(title), also_called=also_called)
    for n, kind in enumerate(("what is", "treatment", "causes")[:questions]):
        make_faq(
            article=article,
            slug=f"{slugify(title)}-{n}",
            question=f"{kind.capitalize()} {title}?",
            answer=answer or f"About {title}.",
            question_type=kind,
        )
    return article


def first_titles(query: str, n: int = 3, **options) -> list[str]:
    return [hit.article_title for hit in search(query, **options).hits[:n]]


# Schwartz-Hearst, on text alone.


def test_definitions_in_parentheses_are_found():
    text = (
        "Hereditary neuropathy with liability to pressure palsies (HNPP) affects nerves. "
        "It is not erectile dysfunction (ED); see also neurofibromatosis type 1 (NF1)."
    )
    assert list(definitions(text)) == [
        ("HNPP", "Hereditary neuropathy with liability to pressure palsies"),
        ("ED", "erectile dysfunction"),
        ("NF1", "neurofibromatosis type 1"),
    ]


def test_parentheses_that_define_nothing_are_left_alone():
    text = "It is rare (RARE), seen in adults (see below), since 2010 (2010), type II (II)."
    assert list(definitions(text)) == []
    assert not is_short_form("Tylenol") and not is_short_form("rare")
    assert is_short_form("AFib") and is_short_form("HbA1c")


def test_a_long_form_does_not_reach_over_a_sentence():
    assert list(definitions("Some pages say so. Polycystic ovary syndrome (PCOS) is common.")) == [
        ("PCOS", "Polycystic ovary syndrome")
    ]


def test_initialisms_and_eponyms():
    assert initialism("Oppositional defiant disorder") == "ODD"
    assert initialism("Disease of the heart") == ""  # two words that count
    assert eponym("Lou Gehrig's disease") == "Lou Gehrig"
    assert eponym("Wegener's granulomatosis") == "Wegener"
    assert eponym("Down's syndrome") is None  # "down" is an everyday word
    assert eponym("Asthma") is None


# Abbreviations mined from the content become editors' glossary rows.


def test_refresh_makes_rows_editors_can_see_and_keeps_their_changes(db):
    topic("Chronic kidney disease", "Chronic kidney disease (CKD) damages the kidneys.")
    topic("Irritable bowel syndrome", "Irritable bowel syndrome (IBS) upsets the bowel.")
    topic("Polycystic ovary syndrome", "Polycystic ovary syndrome (PCOS) affects hormones.")
    Synonym.objects.create(phrase="ibs", terms="irritable bowel")  # an editor's own word
    assert abbreviations.refresh() == {"added": 2, "changed": 0, "removed": 0}
    ckd = Synonym.objects.get(phrase="CKD")
    assert (ckd.origin, ckd.term_list()) == ("mined", ["chronic kidney disease"])
    assert Synonym.objects.get(phrase="ibs").term_list() == ["irritable bowel"]
    # An editor switches one off and corrects the other through the admin's form.
    Synonym.objects.filter(phrase="PCOS").update(active=False)
    form = SynonymForm({"phrase": "CKD", "terms": "chronic kidney disease\nkidney failure",
                        "active": True}, instance=ckd)
    assert form.is_valid(), form.errors
    assert form.save().origin == "editor"
    assert abbreviations.refresh() == {"added": 0, "changed": 0, "removed": 0}
    assert not Synonym.objects.get(phrase="PCOS").active
    assert "kidney failure" in Synonym.objects.get(phrase="CKD").term_list()


def test_refresh_follows_the_content(db):
    article = topic("Chronic kidney disease", "Chronic kidney disease (CKD) damages kidneys.")
    abbreviations.refresh()
    assert Synonym.objects.filter(phrase="CKD", origin="mined").exists()
    article.faqs.update(answer="It damages the kidneys.")
    assert abbreviations.refresh()["removed"] == 1
    assert not Synonym.objects.filter(phrase="CKD").exists()


def test_a_saved_page_adds_what_it_defines(db, django_capture_on_commit_callbacks):
    article = make_article(title="Erectile dysfunction", slug="ed")
    with django_capture_on_commit_callbacks(execute=True):
        make_faq(article=article, question="What is it?",
                 answer="Erectile dysfunction (ED) is common.")
    assert Synonym.objects.get(phrase="ED").term_list() == ["erectile dysfunction"]
    with django_capture_on_commit_callbacks(execute=True):
        make_faq(article=article, slug="draft", status="draft",
                 answer="Emergency department (ED) visits.")
    assert Synonym.objects.get(phrase="ED").term_list() == ["erectile dysfunction"]


def test_rebuild_index_command_refreshes_the_abbreviations(db, capsys):
    topic("Hereditary neuropathy with liability to pressure palsies",
          "Hereditary neuropathy with liability to pressure palsies (HNPP) affects nerves.")
    call_command("rebuild_index", verbosity=1)
    assert "Abbreviations found in the content: 1 added" in capsys.readouterr().out
    assert first_titles("what is hnpp", 1) == [
        "Hereditary neuropathy with liability to pressure palsies"
    ]


# Ambiguous names: every meaning searched, the rest of the query ranks them, a choice offered.


def test_an_ambiguous_abbreviation_is_searched_in_every_meaning_and_offered(db, fresh_index):
    topic("Cryopyrin-associated periodic syndrome",
          "Cryopyrin-associated periodic syndrome (CAPS) causes fever and rash.")
    topic("Catastrophic antiphospholipid syndrome",
          "Catastrophic antiphospholipid syndrome (CAPS) causes blood clots in many organs.")
    topic("Fever", "A fever is a raised temperature.")
    for filler in ("Asthma", "Gout", "Acne", "Mumps", "Measles", "Shingles"):
        topic(filler)  # words in few of many documents tell, as in a real collection
    abbreviations.refresh()
    fresh_index()
    result = search("CAPS blood clots")
    assert result.hits[0].article_title == "Catastrophic antiphospholipid syndrome"
    assert result.meanings == [[
        ("Catastrophic antiphospholipid syndrome",
         "Catastrophic antiphospholipid syndrome blood clots"),
        ("Cryopyrin-associated periodic syndrome",
         "Cryopyrin-associated periodic syndrome blood clots"),
    ]]
    assert first_titles("CAPS fever", 1) == ["Cryopyrin-associated periodic syndrome"]
    # Not silently replaced: both meanings are among the results.
    titles = {h.article_title for h in search("CAPS").hits}
    assert {"Cryopyrin-associated periodic syndrome",
            "Catastrophic antiphospholipid syndrome"} <= titles


def test_an_abbreviation_means_what_it_stands_for_as_typed(db, fresh_index):
    topic("Erectile dysfunction", "Erectile dysfunction (ED) has treatments.")
    topic("Ehlers-Danlos syndrome", "Ehlers-Danlos syndrome (EDS) affects joints.")
    abbreviations.refresh()
    fresh_index()
    assert first_titles("ED medication", 1) == ["Erectile dysfunction"]
    assert search("ED medication").meanings == []
    assert first_titles("EDS joints", 1) == ["Ehlers-Danlos syndrome"]


# Brand names, lay names, eponyms.


def test_brand_names_reach_the_generic_drug_page(db, fresh_index):
    assert "tylenol" in names_of("Acetaminophen") and "advil" in names_of("ibuprofen")
    topic("Acetaminophen")
    topic("Ibuprofen")
    topic("Liver disease", "The liver can be damaged by many things.")
    fresh_index()
    assert "Acetaminophen" in first_titles("tylenol liver", 2)
    assert first_titles("advil", 1) == ["Ibuprofen"]
    assert "advil" in glossary().words  # not "corrected" to something else


def test_a_topic_named_by_another_name_keeps_a_place_beside_one_typed_in_full(db, fresh_index):
    for n in range(3):
        article = make_article(title="High blood pressure", slug=f"hbp-{n}")
        for kind in ("what is", "treatment", "causes"):
            make_faq(article=article, slug=f"hbp-{n}-{slugify(kind)}",
                     question=f"{kind.capitalize()} high blood pressure?",
                     answer="High blood pressure: the pressure of the blood is high.")
    topic("Ibuprofen")
    fresh_index()
    assert "Ibuprofen" in first_titles("advil and high blood pressure")
    assert first_titles("high blood pressure", 3) == ["High blood pressure"] * 3


def test_lay_names_of_the_starter_glossary(db, fresh_index):
    call_command("loaddata", "search-starter", verbosity=0)
    topic("Conjunctivitis", "Inflammation of the conjunctiva.")
    topic("Eye infections", "Infections of the eye and eyelid.")
    topic("Hypothyroidism", "The thyroid makes too little hormone.")
    topic("Thyroid diseases", "The thyroid gland and its diseases.")
    fresh_index()
    assert first_titles("pink eye", 1) == ["Conjunctivitis"]
    assert first_titles("underactive thyroid", 1) == ["Hypothyroidism"]


def test_also_called_names_and_eponyms_without_apostrophe(db, fresh_index):
    topic("Granulomatosis with polyangiitis", also_called="Wegener's granulomatosis")
    topic("Amyotrophic lateral sclerosis", also_called="Lou Gehrig's disease")
    topic("Down syndrome", also_called="Down's syndrome")
    topic("Back pain", "Lying down can ease back pain.")
    fresh_index()
    assert first_titles("wegeners", 1) == ["Granulomatosis with polyangiitis"]
    assert first_titles("lou gehrigs", 1) == ["Amyotrophic lateral sclerosis"]
    assert first_titles("back pain lying down", 1) == ["Back pain"]


def test_two_words_typed_apart_find_a_one_word_name(db, fresh_index):
    topic("Pinkeye", "Red, itchy eyes.")
    topic("Eye diseases", "Diseases of the eye.")
    fresh_index()
    assert first_titles("pink eye", 1) == ["Pinkeye"]


# Everyday words are no names.


def test_everyday_words_do_not_hijack_a_question(db, fresh_index):
    topic("Mixed connective tissue disease", "An autoimmune disease of connective tissue.")
    topic("Medication errors", "Mixing up medications, or taking the wrong dose.")
    topic("Oppositional defiant disorder", "Children who defy adults.")
    topic("Restless legs syndrome", "An odd feeling in the legs, an urge to move them.")
    topic("Cantu syndrome", "Cantu syndrome (CANT) affects hair growth and the heart.",
          also_called="CANT")
    topic("How to use a nebulizer", "Use the nebulizer as the site of care shows you.")
    fresh_index()
    assert first_titles("mixing medications", 1) == ["Medication errors"]
    assert "Cantu syndrome" not in first_titles("I can't use the site")
    assert "Cantu syndrome" not in first_titles("I cant use the site", 1)
    assert first_titles("CANT syndrome", 1) == ["Cantu syndrome"]
    assert first_titles("ODD in children", 1) == ["Oppositional defiant disorder"]
    assert "Oppositional defiant disorder" not in first_titles("odd feeling in my legs", 10)


# Never a bare zero.


def test_a_query_finding_nothing_gets_the_nearest_names_and_is_reported(db, fresh_index):
    topic("Hydatidiform mole", "A growth in the womb.")
    topic("Acetaminophen")
    fresh_index()
    result = timed_search("hydatiform", correct=False)
    assert result.total == 0
    assert result.nearest == ["Hydatidiform mole"]
    assert search("tylenl", correct=False).nearest == ["Acetaminophen"]
    query_log.flush()
    report = search_terms_report(timezone.now() - timedelta(days=1))
    assert [row["query"] for row in report["zero_results"]] == ["hydatiform"]


@pytest.mark.usefixtures("seed_index")
class TestPages:
    def test_the_results_page_offers_meanings_and_nearest_names(self, client):
        Synonym.objects.create(phrase="prickles", terms="paresthesia")
        page = client.get("/search/", {"q": "zzkrr", "spell": "off"}).content.decode()
        assert "No results for" in page
        api = client.get("/api/search", {"q": "numb feet"}).json()
        assert api["meanings"] == [] and api["nearest"] == []
