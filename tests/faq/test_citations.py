"""Reference strings in APA and MLA, checked character for character."""
import datetime

import pytest
from django.core.management import call_command

from faq.citations import (
    apa_date,
    cite_page_apa,
    cite_page_mla,
    format_apa,
    format_mla,
    mla_date,
    person_or_organisation,
)
from faq.models import Article, Citation

ACCESSED = datetime.date(2019, 9, 6)


def make_citation(**fields):
    values = {"title": "Numb feet explained", "date_published": "n.d.", **fields}
    return Citation(**values)


@pytest.mark.parametrize(
    ("value", "apa", "mla"),
    [
        ("2016", "2016", "2016"),
        ("2016-10", "2016, October", "Oct. 2016"),
        ("2019-09-06", "2019, September 6", "6 Sept. 2019"),
        ("2014-06-30", "2014, June 30", "30 June 2014"),
        ("n.d.", "n.d.", ""),
        ("", "n.d.", ""),
    ],
)
def test_partial_dates_in_each_style(value, apa, mla):
    assert apa_date(value) == apa
    assert mla_date(value) == mla


def test_one_author_web_page():
    citation = make_citation(
        authors="Huizen, Jennifer",
        title="Why are my legs and feet numb?",
        container_title="Medical News Today",
        publisher="MediLexicon, Intl.",
        date_published="2018-04-21",
        url="https://www.medicalnewstoday.com/articles/321560.php",
        date_accessed=ACCESSED,
    )
    assert format_apa(citation) == (
        "Huizen, J. (2018, April 21). <i>Why are my legs and feet numb?</i> Medical News Today. "
        "https://www.medicalnewstoday.com/articles/321560.php"
    )
    assert format_mla(citation) == (
        "Huizen, Jennifer. \u201cWhy are my legs and feet numb?\u201d <i>Medical News Today</i>, "
        "MediLexicon, Intl., 21 Apr. 2018, "
        "https://www.medicalnewstoday.com/articles/321560.php. Accessed 6 Sept. 2019."
    )


def test_two_authors():
    citation = make_citation(
        authors="Smith, Ann Beth\nJones, Carl", container_title="Nerve Notes", date_published="2020"
    )
    assert format_apa(citation) == (
        "Smith, A. B., &amp; Jones, C. (2020). <i>Numb feet explained</i>. Nerve Notes."
    )
    assert format_mla(citation) == (
        "Smith, Ann Beth, and Carl Jones. \u201cNumb feet explained.\u201d "
        "<i>Nerve Notes</i>, 2020."
    )


def test_three_authors_journal_article_with_doi():
    citation = make_citation(
        authors="Lee, Min\nGarcia-Lopez, Ana\nO'Neil, Jean-Paul",
        title="Sensory loss in the feet",
        container_title="Journal of Nerves",
        publisher="Nerve Press",
        date_published="2021-03",
        doi="10.1000/jn.2021.7",
    )
    assert format_apa(citation) == (
        "Lee, M., Garcia-Lopez, A., &amp; O&#x27;Neil, J.-P. (2021, March). "
        "Sensory loss in the feet. <i>Journal of Nerves</i>. https://doi.org/10.1000/jn.2021.7"
    )
    assert format_mla(citation) == (
        "Lee, Min, et al. \u201cSensory loss in the feet.\u201d "
        "<i>Journal of Nerves</i>, Mar. 2021, "
        "https://doi.org/10.1000/jn.2021.7."
    )


def test_organisation_page_without_authors_or_date():
    citation = make_citation(
        title="Alcohol and peripheral neuropathy",
        container_title="Foundation for Peripheral Neuropathy",
        publisher="Foundation for Peripheral Neuropathy",
        url="https://example.org/alcohol",
        date_accessed=ACCESSED,
    )
    assert format_apa(citation) == (
        "<i>Alcohol and peripheral neuropathy</i>. (n.d.). Foundation for Peripheral Neuropathy. "
        "Retrieved September 6, 2019, from https://example.org/alcohol"
    )
    assert format_mla(citation) == (
        "\u201cAlcohol and peripheral neuropathy.\u201d "
        "<i>Foundation for Peripheral Neuropathy</i>, "
        "https://example.org/alcohol. Accessed 6 Sept. 2019."
    )


def test_report_without_site_names_its_publisher():
    citation = make_citation(
        title="Leg health survey", publisher="Health Office", date_published="2015"
    )
    assert format_apa(citation) == "<i>Leg health survey</i>. (2015). Health Office."
    assert format_mla(citation) == "<i>Leg health survey</i>. Health Office, 2015."


def test_fields_are_escaped_and_links_optional():
    citation = make_citation(
        title="<script>x</script> & more", container_title="A & B", url="https://e.org/?a=1&b=2"
    )
    text = format_apa(citation)
    assert "<script>" not in text
    assert "&lt;script&gt;x&lt;/script&gt; &amp; more" in text
    assert "https://e.org/?a=1&amp;b=2" in text
    linked = format_apa(citation, clickable=True)
    assert '<a class="url" href="https://e.org/?a=1&amp;b=2">' in linked
    assert "<a " not in format_mla(citation)


def test_many_authors_apa_uses_ellipsis():
    authors = "\n".join(f"Author{n}, A" for n in range(1, 23))
    text = format_apa(make_citation(authors=authors))
    assert text.startswith("Author1, A., Author2, A.,")
    assert "Author19, A., . . . Author22, A. (n.d.)." in text
    assert "Author20" not in text


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Jennifer Huizen", ("Huizen", "Jennifer")),
        ("Huizen, Jennifer", ("Huizen", "Jennifer")),
        ("Mary Ann  Evans", ("Evans", "Mary Ann")),
        ("Symptom Search editorial team", ("Symptom Search editorial team", "")),
        ("Cher", ("Cher", "")),
    ],
)
def test_bylines_become_authors(byline, expected):
    assert person_or_organisation(byline) == expected


def test_cite_page_for_a_person_and_undated_article():
    article = Article(title="Cold feet", slug="cold-feet", author="Jennifer Huizen")
    url = "https://example.org/articles/cold-feet/"
    assert cite_page_apa(article, url, ACCESSED) == (
        "Huizen, J. (n.d.). <i>Cold feet</i>. Symptom Search. "
        "Retrieved September 6, 2019, from https://example.org/articles/cold-feet/"
    )
    assert cite_page_mla(article, url, ACCESSED) == (
        "Huizen, Jennifer. \u201cCold feet.\u201d <i>Symptom Search</i>, "
        "https://example.org/articles/cold-feet/. Accessed 6 Sept. 2019."
    )


@pytest.fixture
def seed_article(db):
    call_command("loaddata", "numb-legs-and-feet", verbosity=0)
    return Article.objects.get(slug="numb-legs-and-feet")


def test_seed_article_cite_this_page(seed_article):
    url = "https://symptoms.example/articles/numb-legs-and-feet/"
    accessed = datetime.date(2026, 12, 1)
    assert cite_page_mla(seed_article, url, accessed) == (
        "Symptom Search editorial team. \u201cWhy are my legs and feet numb?\u201d "
        "<i>Symptom Search</i>, 25 Nov. 2026, "
        "https://symptoms.example/articles/numb-legs-and-feet/. Accessed 1 Dec. 2026."
    )
    assert cite_page_apa(seed_article, url, accessed) == (
        "Symptom Search editorial team. (2026, November 25). "
        "<i>Why are my legs and feet numb?</i> Symptom Search. "
        "Retrieved December 1, 2026, from https://symptoms.example/articles/numb-legs-and-feet/"
    )


def test_seed_references_in_apa(seed_article):
    references = [format_apa(c) for c in seed_article.ordered_citations()]
    assert references == [
        "<i>About peripheral artery disease</i>. (2016, October). American Heart Association. "
        "https://www.heart.org/en/health-topics/peripheral-artery-disease/"
        "about-peripheral-artery-disease-pad",
        "<i>Alcohol and peripheral neuropathy</i>. (n.d.). Foundation for Peripheral Neuropathy.",
        "Falkowski, G. (2016, November). "
        "<i>13 points about the pesky skin condition paresthesia</i>.",
        "<i>Fibromyalgia: Symptoms</i>. (2014, July 30). Mayo Clinic. "
        "https://www.mayoclinic.org/diseases-conditions/fibromyalgia/symptoms-causes/"
        "syc-20354780",
        "<i>Paresthesia information page</i>. (2017, May 24). "
        "National Institute of Neurological Disorders and Stroke. "
        "https://www.ninds.nih.gov/Disorders/All-Disorders/Paresthesia-Information-Page",
        "Huizen, J. (2018, April 21). <i>Why are my legs and feet numb?</i> Medical News Today. "
        "https://www.medicalnewstoday.com/articles/321560.php",
    ]


def test_seed_references_in_mla(seed_article):
    citation = seed_article.ordered_citations().get(title="Fibromyalgia: Symptoms")
    assert format_mla(citation) == (
        "\u201cFibromyalgia: Symptoms.\u201d <i>Mayo Clinic</i>, "
        "Mayo Foundation for Medical Education and Research, 30 July 2014, "
        "https://www.mayoclinic.org/diseases-conditions/fibromyalgia/symptoms-causes/"
        "syc-20354780."
    )
