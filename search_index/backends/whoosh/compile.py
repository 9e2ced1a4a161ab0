"""A plan (backends/tree.py) as a Whoosh query, node for node."""
from whoosh import query as wq

from search_index.backends.tree import (
    AllOf,
    AnyOf,
    Excluding,
    Node,
    Phrase,
    Term,
    WithOptional,
)


def to_whoosh(node: Node) -> wq.Query:
    """The Whoosh query that asks what the plan node asks."""
    if isinstance(node, Term):
        return wq.Term(node.fieldname, node.text, boost=node.boost)
    if isinstance(node, Phrase):
        return wq.Phrase(node.fieldname, list(node.words), slop=node.slop, boost=node.boost)
    if isinstance(node, AnyOf):
        query = wq.Or([to_whoosh(child) for child in node.children])
        if node.flat:
            # Whoosh's own searcher (the differential tests' oracle) gathers a flat OR's
            # matches in arrays: its default binary tree of union matchers took three to ten
            # times the CPU on 47,000 FAQs.
            query.matcher_type = wq.Or.ARRAY_MATCHER
        return query
    if isinstance(node, AllOf):
        return wq.And([to_whoosh(child) for child in node.children])
    if isinstance(node, WithOptional):
        return wq.AndMaybe(to_whoosh(node.required), to_whoosh(node.optional))
    if isinstance(node, Excluding):
        return wq.AndNot(to_whoosh(node.kept), to_whoosh(node.excluded))
    raise TypeError(f"not a plan node: {node!r}")
