"""Checks before publishing: uncited causes, bare citations, no doctor section, non-web links."""
import pytest
from django.core.management import call_command

from faq.models import FAQ, Article, Citation, SectionCitation, SectionKind, Status
from faq.publish_checks import links_in
from tests.faq.test_admin import (
    admin_url,
    form_data,
    make_article,
    make_citation,
    make_faq,
    make_section,
    make_user,
    messages_of,
)

pytestmark = pytest.mark.django_db


def publish_action(client, model, obj):
    client.force_login(make_user("reviewer"))
    return client.post(admin_url(model, "changelist"),
                       {"action": "publish_selected", "_selected_action": [obj.pk]}, follow=True)


def cited(section, **citation_fields):
    SectionCitation.objects.create(section=section, citation=make_citation(**citation_fields))
    return section


def symptom_article():
    """A draft that passes every check: a cited cause and a "when to see a doctor" section."""
    article = make_article()
    cited(make_section(article, kind=SectionKind.CAUSE), date_published="2020")
    make_section(article, kind=SectionKind.SEE_DOCTOR, heading="When to see a doctor",
                 slug="see-doctor")
    return article


def test_the_seed_content_passes_every_check():
    call_command("load_seed", verbosity=0)
    article = Article.objects.get(slug="numb-legs-and-feet")
    assert article.publish_problems() == []
    assert {faq.slug: faq.publish_problems() for faq in FAQ.objects.all()} == {
        faq.slug: [] for faq in FAQ.objects.all()
    }


def test_a_passing_article_is_published(client):
    article = symptom_article()
    publish_action(client, Article, article)
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


@pytest.mark.parametrize("spoil, message", [
    (lambda a: make_section(a, kind=SectionKind.TREATMENT, heading="Splints"),
     "The treatment section “Splints” cites nothing"),
    (lambda a: a.sections.filter(kind=SectionKind.SEE_DOCTOR).delete(),
     "needs a “When to see a doctor” section"),
    (lambda a: Citation.objects.update(title=" "), "a title"),
    (lambda a: Citation.objects.update(date_published=""), "a publication date"),
    (lambda a: Citation.objects.update(url="ftp://example.org/x"), "must start with https://"),
    (lambda a: make_section(a, heading="Links", body="[Call](javascript:alert(1))"),
     "links to “javascript:alert(1)”"),
    (lambda a: make_section(a, heading="Links", body="See [NHS](www.nhs.uk)."),
     "links to “www.nhs.uk”"),
])
def test_publishing_is_refused_with_the_reason(client, spoil, message):
    article = symptom_article()
    spoil(article)

    response = publish_action(client, Article, article)

    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    assert any(message in m for m in messages_of(response)), messages_of(response)


def test_the_admin_form_refuses_with_the_submitted_sections(client):
    article = symptom_article()
    client.force_login(make_user("reviewer"))
    url = admin_url(Article, "change", article.pk)
    data = {**form_data(client.get(url)), "status": Status.PUBLISHED}
    see_doctor = next(i for i in range(2) if data[f"sections-{i}-kind"] == "see_doctor")
    data[f"sections-{see_doctor}-kind"] = SectionKind.OTHER

    response = client.post(url, data)

    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["inline_admin_formsets"][0]
                      .formset.non_form_errors())
    assert "When to see a doctor" in errors
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_an_faq_with_a_non_web_link_is_refused(client):
    faq = make_faq(answer="Write to [us](mailto:help@example.org).")
    client.force_login(make_user("reviewer"))
    url = admin_url(FAQ, "change", faq.pk)
    response = client.post(url, {**form_data(client.get(url)), "status": Status.PUBLISHED})
    assert response.status_code == 200
    assert "mailto:help@example.org" in str(response.context["adminform"].form.errors)
    assert FAQ.objects.get(pk=faq.pk).status == Status.DRAFT


def test_links_are_found_in_every_markdown_form():
    text = "[a](https://a.org) <https://b.org> <a href='ftp://c.org'>c</a> [d][1]\n\n[1]: /faq/"
    assert links_in(text) == ["https://a.org", "https://b.org", "ftp://c.org", "/faq/"]
