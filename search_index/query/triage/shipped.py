"""The urgent-care rules the site ships (urgent_care_rules.json, beside this module),
installed into the UrgentCareRule table by migration 0003 and `manage.py load_urgent_rules`.

Installing never touches a rule an editor wrote. A shipped rule is created when missing and,
with `update`, rewritten to the shipped version. Functions take the model class, so the
migration can pass its historical model.
"""
import json
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).parent / "urgent_care_rules.json"
# Rules the first seed shipped under other names, renamed in place so a site keeps one copy.
RENAMED = {
    "Stroke: sudden numbness or weakness on one side": (
        "Stroke: face, arm, speech (FAST) and sudden one-sided signs"
    ),
    "Chest pain": "Heart attack: chest pain or pressure",
}
# The first seed's messages gave the numbers in the text; a rule still saying this was not
# rewritten by an editor, so the migration may replace it with the shipped version.
FIRST_SEED_WORDS = "(911 in the US, 999 in the UK, 112 in the EU)"


@cache
def _file() -> dict:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


@cache
def shipped_rules() -> tuple[dict, ...]:
    """The shipped rules as field values, in the file's order."""
    words, rows = _file()["words"], _file()["rules"]
    return tuple(
        {
            "name": row["name"],
            "kind": row["kind"],
            "patterns": "\n".join(expand(line, words) for line in row["patterns"]),
            "unless": "\n".join(expand(line, words) for line in row.get("unless", [])),
            "message": row["message"],
            "results_query": row.get("results_query", ""),
            "source_name": row.get("source_name", ""),
            "source_url": row.get("source_url", ""),
        }
        for row in rows
    )


# The shipped support page each rule pins when the site has it (fixtures/crisis-support.json).
PINNED_SLUGS = {row["name"]: row["pinned_article_slug"] for row in _file()["rules"]
                if row.get("pinned_article_slug")}


def expand(line: str, words: dict[str, str]) -> str:
    """A pattern line with each '@name' alternative replaced by the file's word list.

    >>> expand("took @pills", {"pills": "pills|tablets"})
    'took pills|tablets'
    """
    slots = []
    for slot in line.split():
        parts = [words[part[1:]] if part.startswith("@") else part for part in slot.split("|")]
        slots.append("|".join(parts))
    return " ".join(slots)


def install_rules(rule_model, update: bool = False, first_seed: bool = False) -> dict:
    """Create the shipped rules that are missing; rewrite existing ones when `update` (or,
    with `first_seed`, those still worded as the first seed). Counts by outcome."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for old, new in RENAMED.items():
        if not rule_model.objects.filter(name=new).exists():
            rule_model.objects.filter(name=old).update(name=new)
    for values in shipped_rules():
        rule = rule_model.objects.filter(name=values["name"]).first()
        if rule is None:
            rule = rule_model.objects.create(**values)
            counts["created"] += 1
        elif update or (first_seed and FIRST_SEED_WORDS in rule.message):
            changed = any(getattr(rule, field) != value for field, value in values.items())
            if changed:
                for field, value in values.items():
                    setattr(rule, field, value)
                rule.save()
            counts["updated" if changed else "unchanged"] += 1
        else:
            counts["unchanged"] += 1
        pin_support_page(rule, PINNED_SLUGS.get(rule.name))
    return counts


def pin_support_page(rule, slug: str | None) -> None:
    """Pin the shipped support page a rule names, once the site has it published and the
    rule pins nothing else (an editor's choice stands)."""
    if not slug or rule.pinned_article_id is not None:
        return
    article = rule._meta.get_field("pinned_article").related_model.objects.filter(
        slug=slug, status="published"
    ).first()
    if article is not None:
        rule.pinned_article = article
        rule.save(update_fields=["pinned_article"])
