"""Readable differences between two versions of a tracked object (django-simple-history)."""
import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Timestamps change on every save and say nothing an editor needs to compare.
UNCOMPARED_FIELDS = frozenset({"updated_at"})
WORDS = re.compile(r"\s+|\S+\s*")


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its label, the two values, and a word-level marked diff."""

    label: str
    old: str
    new: str
    marked: SafeString


def marked_diff(old: str, new: str) -> SafeString:
    """Words removed in <del>, words added in <ins>, everything else escaped as it is."""
    old_words, new_words = WORDS.findall(old), WORDS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def display_value(instance, field) -> str:
    """A field's value as an editor reads it (choice labels, related objects' names)."""
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if field.is_relation:
        related_id = getattr(instance, field.attname)
        if related_id is None:
            return "—"
        related = field.related_model._default_manager.filter(pk=related_id).first()
        return str(related) if related is not None else f"(deleted, id {related_id})"
    value = getattr(instance, field.attname)
    return "" if value is None else str(value)


def field_changes(old, new) -> list[FieldChange]:
    """The fields whose values differ between two instances of one model, in form order."""
    changes = []
    for field in type(new)._meta.concrete_fields:
        if field.primary_key or field.name in UNCOMPARED_FIELDS:
            continue
        before, after = display_value(old, field), display_value(new, field)
        if before != after:
            changes.append(
                FieldChange(str(field.verbose_name), before, after, marked_diff(before, after))
            )
    return changes


def previous_record(record):
    """The revision saved just before this one, or None for the first."""
    return record.prev_record
