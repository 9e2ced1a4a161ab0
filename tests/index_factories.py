"""Small factories for the index tests: published content unless told otherwise."""
import itertools

from faq.models import FAQ, Article, Section, Status

_numbers = itertools.count(1)


def make_article(**fields) -> Article:
    n = next(_numbers)
    values = {
        "title": f"Topic {n}",
        "slug": f"topic-{n}",
        "summary": "A short summary.",
        "status": Status.PUBLISHED,
    }
    values.update(fields)
    return Article.objects.create(**values)


def make_section(article: Article | None = None, **fields) -> Section:
    n = next(_numbers)
    values = {
        "article": article or make_article(),
        "heading": f"Heading {n}",
        "slug": f"heading-{n}",
        "kind": "symptoms",
        "body": "Numbness in the **feet** at night.",
        "order": n,
    }
    values.update(fields)
    return Section.objects.create(**values)


def make_faq(article: Article | None = None, **fields) -> FAQ:
    n = next(_numbers)
    values = {
        "question": f"Why are my toes numb {n}?",
        "slug": f"why-numb-{n}",
        "answer": "Often *pressure* on a nerve.",
        "article": article,
        "status": Status.PUBLISHED,
        "question_type": "causes",
    }
    values.update(fields)
    return FAQ.objects.create(**values)
