"""Drafts of live pages: an editor's change kept aside until a reviewer publishes it."""
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .models import FAQ, Article, Draft, Section

# Set by reviewers' steps or by the system, never carried by a draft.
NOT_DRAFTED = {
    "status", "signed_off_by", "signed_off_at", "reviewed_by", "last_reviewed",
    "next_review_due", "published_date", "updated_at", "external_key",
}


def drafted_fields(model) -> list:
    """The fields a draft of this model carries."""
    return [
        f for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in NOT_DRAFTED
    ]


def is_live(obj) -> bool:
    """Whether readers see this object now (a section: whether its article is published)."""
    if obj.pk is None:
        return False
    if isinstance(obj, Section):
        return obj.article.is_published
    return obj.is_published


def draft_of(obj) -> Draft | None:
    """The open draft of an object, if any."""
    if obj.pk is None:
        return None
    return Draft.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("author").first()


def save_draft(obj, user, reason: str = "") -> Draft:
    """Keep obj's edited values (in memory, unsaved) as its draft; the row stays as it is."""
    data = {f.name: f.value_to_string(obj) for f in drafted_fields(type(obj))}
    draft, _ = Draft.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        defaults={"data": data, "author": user, "reason": reason},
    )
    return draft


def apply_draft(obj, draft: Draft):
    """obj with the draft's values, in memory only; returns obj."""
    for field in drafted_fields(type(obj)):
        if field.name in draft.data:
            setattr(obj, field.attname, field.to_python(draft.data[field.name]))
    return obj


def drafted_copy(draft: Draft):
    """A fresh instance of the drafted object with the draft applied (the live row untouched)."""
    obj = draft.content_type.get_object_for_this_type(pk=draft.object_id)
    return apply_draft(obj, draft)


def section_drafts(article) -> dict[int, Draft]:
    """Open drafts of an article's sections, by section id."""
    return {
        d.object_id: d
        for d in Draft.objects.filter(
            content_type=ContentType.objects.get_for_model(Section),
            object_id__in=article.sections.values("pk"),
        ).select_related("author")
    }


def owner_of(obj):
    """The article or FAQ whose sign-off covers obj."""
    return obj.article if isinstance(obj, Section) else obj


def publish_problems(obj) -> list[str]:
    """What keeps this drafted object from going live."""
    from .publish_checks import article_problems, faq_problems

    if isinstance(obj, FAQ):
        return faq_problems(obj)
    article = obj if isinstance(obj, Article) else obj.article
    sections = [obj if s.pk == obj.pk and isinstance(obj, Section) else s
                for s in article.sections.all()]
    return article_problems(article, sections)


@transaction.atomic
def publish_draft(draft: Draft, reviewer, user):
    """The reviewer's sign-off: the draft becomes the live version (saved, so indexed)."""
    obj = drafted_copy(draft)
    author = draft.author.get_username() if draft.author else "someone"
    obj._change_reason = f"Published the draft by {author}" + (
        f": {draft.reason}" if draft.reason else ""
    )
    obj._history_user = user
    owner = owner_of(obj)
    owner.record_sign_off(reviewer, publishing=False)
    if owner is not obj:
        owner._history_user = user
        owner._change_reason = f"Signed off a change to “{obj}”"
        owner.save()
    obj.save()
    draft.delete()
    return obj
