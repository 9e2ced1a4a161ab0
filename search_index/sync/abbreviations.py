"""Abbreviations defined in the published content, kept as glossary entries editors can see,
correct and remove (Synonym rows of origin "mined").

`refresh()` reads every published summary, section and answer (about half a second on
MedQuAD's 47,000 questions) and brings the mined rows in line: new abbreviations are added,
changed meanings rewritten, those no page defines any more deleted. It runs after a rebuild
(`manage.py rebuild_index`, which the MedQuAD import runs). A saved page adds what it defines
at once (`connect()`); what it stopped defining goes at the next refresh.

An editor's row always wins: a phrase an editor wrote (in any case) is never mined, an edited
mined row becomes the editor's, and a mined row an editor switched off stays off.
"""
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from faq.models import FAQ, Article, Section, Status
from search_index.models import Synonym
from search_index.query.glossary import analyse
from search_index.text.abbreviations import definitions

# Meanings kept per abbreviation, the most often defined first.
MAX_MEANINGS = 4
# A meaning defined less than this share as often as the commonest is a misspelling of it
# ("amyotrophic laterial sclerosis", once against 16) more often than another meaning.
RARE_MEANING = 0.2
Found = dict[str, Counter]  # short form -> long form as written -> times defined


def published_texts() -> Iterator[str]:
    """Summaries, sections and answers readers can see."""
    yield from Article.objects.published().values_list("summary", flat=True).iterator(2000)
    sections = Section.objects.filter(article__status=Status.PUBLISHED)
    yield from sections.values_list("body", flat=True).iterator(2000)
    faqs = FAQ.objects.published().exclude(answer="")
    yield from faqs.values_list("answer", flat=True).iterator(2000)


def mine(texts: Iterable[str]) -> Found:
    """Every definition in the texts, counted."""
    found: Found = defaultdict(Counter)
    for text in texts:
        for short, long in definitions(text):
            found[short][long] += 1
    return found


def meanings(written: Counter) -> list[str]:
    """The distinct meanings of one abbreviation, each in its commonest spelling: forms that
    analyse alike ("ovary", "ovarian" do not; "attack", "attacks" do) are one meaning."""
    by_tokens: dict[tuple, Counter] = defaultdict(Counter)
    for long, count in written.items():
        tokens = analyse(long)
        if tokens:
            by_tokens[tokens][long] += count
    ranked = sorted(by_tokens.values(), key=lambda forms: -sum(forms.values()))
    if not ranked:
        return []
    least = RARE_MEANING * sum(ranked[0].values())
    kept = [forms for forms in ranked if sum(forms.values()) >= least]
    return [forms.most_common(1)[0][0].lower() for forms in kept[:MAX_MEANINGS]]


def _by_phrase(found: Found) -> dict[str, tuple[str, list[str]]]:
    """Lower-cased short form -> (its commonest spelling, its meanings)."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    merged: dict[str, Counter] = defaultdict(Counter)
    for short, written in found.items():
        if analyse(short):
            spellings[short.lower()][short] += sum(written.values())
            merged[short.lower()].update(written)
    return {
        key: (spellings[key].most_common(1)[0][0], meanings(merged[key]))
        for key in merged
    }


def refresh(found: Found | None = None) -> dict[str, int]:
    """Bring the mined rows in line with what the content defines; counts by outcome."""
    wanted = _by_phrase(mine(published_texts()) if found is None else found)
    counts = {"added": 0, "changed": 0, "removed": 0}
    rows = {row.phrase.lower(): row for row in Synonym.objects.all()}
    new = []
    with transaction.atomic():
        for key, (phrase, terms) in wanted.items():
            row = rows.get(key)
            if row is None:
                new.append(Synonym(phrase=phrase, terms="\n".join(terms), origin="mined"))
            elif row.origin == Synonym.Origin.MINED and row.active and row.term_list() != terms:
                # update() sets no auto_now: the glossary's fingerprint reads updated_at.
                Synonym.objects.filter(pk=row.pk).update(
                    terms="\n".join(terms), updated_at=timezone.now()
                )
                counts["changed"] += 1
        Synonym.objects.bulk_create(new, batch_size=500)
        stale = [
            row.pk for key, row in rows.items()
            if row.origin == Synonym.Origin.MINED and row.active and key not in wanted
        ]
        Synonym.objects.filter(pk__in=stale).delete()
    counts["added"], counts["removed"] = len(new), len(stale)
    return counts


def add_from(texts: Iterable[str]) -> int:
    """Add what these texts define to the mined rows (a page just saved); how many changed."""
    changed = 0
    for key, (phrase, terms) in _by_phrase(mine(texts)).items():
        row = Synonym.objects.filter(phrase__iexact=key).first()
        if row is None:
            Synonym.objects.create(phrase=phrase, terms="\n".join(terms), origin="mined")
            changed += 1
        elif row.origin == Synonym.Origin.MINED and row.active:
            known = {analyse(t) for t in row.term_list()}
            extra = [t for t in terms if analyse(t) not in known]
            if extra and len(known) < MAX_MEANINGS:
                row.terms = "\n".join([*row.term_list(), *extra][:MAX_MEANINGS])
                row.save(update_fields=["terms", "updated_at"])
                changed += 1
    return changed


def _texts_of(instance) -> list[str]:
    if isinstance(instance, Article):
        return [instance.summary] if instance.status == Status.PUBLISHED else []
    if isinstance(instance, Section):
        return [instance.body] if instance.article.status == Status.PUBLISHED else []
    return [instance.answer] if instance.status == Status.PUBLISHED else []


def content_saved(sender, instance, raw=False, **kwargs) -> None:
    """After the save commits, add the abbreviations the page defines."""
    if raw:
        return
    texts = _texts_of(instance)
    if any("(" in text for text in texts):
        transaction.on_commit(lambda: add_from(texts))


def connect() -> None:
    """Listen to saves of published content."""
    for model in (Article, Section, FAQ):
        post_save.connect(
            content_saved, sender=model, dispatch_uid=f"search_index.abbreviations.{model.__name__}"
        )
