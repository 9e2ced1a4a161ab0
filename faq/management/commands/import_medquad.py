"""Import the MedQuAD collection: each document a published topic, each pair a published FAQ.

Writes in bulk, a batch of files per transaction, so the 47k pairs take seconds; bulk writes
send no save signals, so the search index is rebuilt once at the end instead of per row.
"""
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from faq.models import FAQ, Article, ArticleCitation, Citation, Status
from faq.page_cache import content_changed
from faq.parse_medquad import (
    ATTRIBUTION,
    MedQuADDocument,
    MedQuADError,
    QAPair,
    count_sources,
    read_documents,
)

BATCH_SIZE = 500
TOPIC_FIELDS = ("title", "summary", "also_called", "source_name", "source_url", "attribution")
FAQ_FIELDS = (
    "question", "answer", "question_type", "order", "article_id",
    "source_name", "source_url", "attribution",
)
CITATION_FIELDS = ("title", "container_title", "publisher", "url")


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.removed} removed" if self.removed else "")


def short_hash(key: str, length: int = 10) -> str:
    """A stable, URL-safe digest of an external key, to keep slugs unique."""
    return hashlib.sha1(key.encode()).hexdigest()[:length]  # noqa: S324 - not for security


def attribution(doc: MedQuADDocument) -> str:
    """The CC BY credit shown with imported content, naming the page it came from."""
    return f"{ATTRIBUTION} Source: {doc.source_name}, {doc.url}"


def topic_values(doc: MedQuADDocument) -> dict:
    return {
        "title": doc.focus[:200],
        "summary": f"Questions and answers about {doc.focus} from {doc.source_name}.",
        "also_called": "\n".join(doc.synonyms),
        "source_name": doc.source_name[:200],
        "source_url": doc.url[:500],
        "attribution": attribution(doc),
    }


def citation_values(doc: MedQuADDocument) -> dict:
    return {
        "title": doc.focus[:500],
        "container_title": (doc.source_site or doc.source_name)[:300],
        "publisher": doc.source_name[:300],
        "url": doc.url[:500],
    }


def faq_values(doc: MedQuADDocument, pair: QAPair, order: int, article_id: int) -> dict:
    return {
        "question": pair.question,
        "answer": pair.answer,
        "question_type": pair.qtype,
        "order": order,
        "article_id": article_id,
        "source_name": doc.source_name[:200],
        "source_url": doc.url[:500],
        "attribution": attribution(doc),
    }


def _slug(text: str, key: str, length: int, fallback: str) -> str:
    return f"{slugify(text)[:length].strip('-') or fallback}-{short_hash(key)}"


def _apply(obj, values: dict) -> bool:
    """Set changed attributes on obj; True when anything changed."""
    changed = False
    for field, value in values.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    return changed


class BatchWriter:
    """Upserts one batch of parsed documents; the caller wraps it in a transaction."""

    def __init__(self, topics: Tally, faqs: Tally) -> None:
        self.topics, self.faqs = topics, faqs
        self.today, self.now = timezone.localdate(), timezone.now()

    def write(self, docs: list[MedQuADDocument]) -> None:
        articles = self.upsert_topics(docs)
        self.upsert_citations(docs, articles)
        self.upsert_faqs(docs, articles)

    def upsert_topics(self, docs: list[MedQuADDocument]) -> dict[str, int]:
        keys = [d.key for d in docs]
        existing = {a.external_key: a for a in Article.objects.filter(external_key__in=keys)}
        new, changed = [], []
        for doc in docs:
            values = topic_values(doc)
            article = existing.get(doc.key)
            if article is None:
                new.append(Article(
                    external_key=doc.key, slug=_slug(doc.focus, doc.key, 150, "topic"),
                    status=Status.PUBLISHED, published_date=self.today, **values,
                ))
            elif _apply(article, values):
                article.updated_at = self.now
                changed.append(article)
        Article.objects.bulk_create(new, batch_size=BATCH_SIZE)
        Article.objects.bulk_update(changed, [*TOPIC_FIELDS, "updated_at"], batch_size=BATCH_SIZE)
        self.topics.created += len(new)
        self.topics.updated += len(changed)
        self.topics.unchanged += len(docs) - len(new) - len(changed)
        return {a.external_key: a.pk for a in [*existing.values(), *new]}

    def upsert_citations(self, docs: list[MedQuADDocument], articles: dict[str, int]) -> None:
        links = ArticleCitation.objects.filter(article_id__in=articles.values())
        cited = {}
        for link in links.select_related("citation").order_by("-order", "-pk"):
            cited[link.article_id] = link.citation  # the first one (lowest order) wins
        new, changed = [], []
        for doc in docs:
            citation = cited.get(articles[doc.key])
            if citation is None:
                new.append((articles[doc.key], Citation(**citation_values(doc))))
            elif _apply(citation, citation_values(doc)):
                changed.append(citation)
        Citation.objects.bulk_create([c for _, c in new], batch_size=BATCH_SIZE)
        ArticleCitation.objects.bulk_create(
            [ArticleCitation(article_id=a, citation=c) for a, c in new], batch_size=BATCH_SIZE
        )
        Citation.objects.bulk_update(changed, CITATION_FIELDS, batch_size=BATCH_SIZE)

    def upsert_faqs(self, docs: list[MedQuADDocument], articles: dict[str, int]) -> None:
        wanted = {
            f"{doc.key}/{pair.qid}": (doc, pair, order, articles[doc.key])
            for doc in docs
            for order, pair in enumerate(doc.pairs)
        }
        rows = FAQ.objects.filter(
            Q(external_key__in=list(wanted)) | Q(article_id__in=articles.values())
        )
        existing = {f.external_key: f for f in rows if f.external_key}
        new, changed = [], []
        for key, (doc, pair, order, article_id) in wanted.items():
            values = faq_values(doc, pair, order, article_id)
            faq = existing.get(key)
            if faq is None:
                slug = _slug(pair.question, key, 120, "question")
                new.append(FAQ(external_key=key, slug=slug, status=Status.PUBLISHED, **values))
            elif _apply(faq, values):
                faq.updated_at = self.now
                changed.append(faq)
        FAQ.objects.bulk_create(new, batch_size=BATCH_SIZE)
        FAQ.objects.bulk_update(changed, [*FAQ_FIELDS, "updated_at"], batch_size=BATCH_SIZE)
        self.remove_stale(docs, existing, wanted)
        self.faqs.created += len(new)
        self.faqs.updated += len(changed)
        self.faqs.unchanged += len(wanted) - len(new) - len(changed)

    def remove_stale(self, docs, existing: dict, wanted: dict) -> None:
        # Pairs the source dropped; FAQs editors added to a topic have no key and stay.
        prefixes = tuple(f"{d.key}/" for d in docs)
        stale = [f.pk for k, f in existing.items() if k not in wanted and k.startswith(prefixes)]
        if stale:
            FAQ.objects.filter(pk__in=stale).delete()
            self.faqs.removed += len(stale)


class Command(BaseCommand):
    help = "Import MedQuAD (its extracted directory or the .tar.gz) as topics and FAQs."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="MedQuAD directory or medquad.tar.gz")
        parser.add_argument(
            "--no-index", action="store_true", help="Skip the search index rebuild at the end."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, path: Path, no_index: bool, batch_size: int, **options):
        if not path.exists():
            raise CommandError(f"{path}: no such file or directory")
        verbosity = options["verbosity"]
        started = time.perf_counter()
        try:
            total = count_sources(path)
        except MedQuADError as exc:
            raise CommandError(str(exc)) from None
        if total == 0:
            raise CommandError(f"{path}: no MedQuAD XML files found (expected N_Name_QA/*.xml)")
        topics, faqs, errors = Tally(), Tally(), []
        writer = BatchWriter(topics, faqs)
        with tqdm(total=total, unit="file", disable=verbosity < 1, file=sys.stderr) as bar:
            batch: list[MedQuADDocument] = []
            for item in read_documents(path):
                if isinstance(item, MedQuADError):
                    errors.append(str(item))
                else:
                    batch.append(item)
                bar.update(1)
                if len(batch) >= batch_size:
                    self.write(writer, batch)
                    batch = []
            self.write(writer, batch)
        took = time.perf_counter() - started
        self.report(path, topics, faqs, errors, took)
        if not no_index:
            self.rebuild_index(verbosity)

    def write(self, writer: BatchWriter, batch: list[MedQuADDocument]) -> None:
        with transaction.atomic():
            writer.write(batch)
            # Bulk writes send no save signals: tell the servers' page caches directly.
            transaction.on_commit(content_changed)

    def report(self, path, topics: Tally, faqs: Tally, errors: list[str], took: float) -> None:
        for message in errors:
            self.stderr.write(f"Skipped {message}")
        self.stdout.write(
            f"Imported {path} in {took:.1f} s.\n  Topics: {topics}\n  FAQs:   {faqs}\n"
            f"  Files skipped: {len(errors)}"
        )

    def rebuild_index(self, verbosity: int) -> None:
        # By command name: the content app never imports the search app (an import contract).
        if "rebuild_index" not in get_commands():
            self.stderr.write("No search indexer here: the search index was not rebuilt.")
            return
        call_command("rebuild_index", progress=verbosity >= 1, verbosity=verbosity,
                     stdout=self.stdout, stderr=self.stderr)
