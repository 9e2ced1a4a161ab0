"""The engine-neutral query tree: what a plan (query/plan.py) asks for, which each backend
compiles. It is the language of the backend interface (base.py), so it lives beside it.

Six node types cover the grammar: a term or a phrase in one field, and four ways of combining
nodes. Nodes are frozen dataclasses, so a plan can be compared, hashed and printed in tests.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One analysed word in one field."""

    fieldname: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Analysed words in one field, each within `slop` positions of the one before."""

    fieldname: str
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    """Documents matching any child, scored by the sum of the children that match.

    `flat` says the children are many leaves whose nesting means nothing (flat_or), so an
    engine may gather their matches in one pass.
    """

    children: tuple["Node", ...]
    flat: bool = False


@dataclass(frozen=True)
class AllOf:
    """Documents matching every child."""

    children: tuple["Node", ...]


@dataclass(frozen=True)
class WithOptional:
    """Documents matching `required`; `optional` only adds to their score."""

    required: "Node"
    optional: "Node"


@dataclass(frozen=True)
class Excluding:
    """Documents matching `kept` and not `excluded`."""

    kept: "Node"
    excluded: "Node"


Node = Term | Phrase | AnyOf | AllOf | WithOptional | Excluding


def searched_terms(node: Node | None) -> set[str]:
    """The analysed words a plan looks for, to mark in snippets (never an excluded word).

    Only what was searched: a long question's other words ("he", "but", "all") would have
    marked noise, and made its snippets cost milliseconds.
    """
    if node is None:
        return set()
    if isinstance(node, Term):
        return {node.text}
    if isinstance(node, Phrase):
        return set(node.words)
    if isinstance(node, Excluding):
        return searched_terms(node.kept)
    if isinstance(node, WithOptional):
        return searched_terms(node.required) | searched_terms(node.optional)
    return {t for child in node.children for t in searched_terms(child)}
