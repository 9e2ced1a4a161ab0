"""Ranking metrics at the document level: pure functions, binary relevance, cut at k."""
import math
from collections.abc import Hashable, Iterable, Sequence


def dedupe(ranked: Iterable[Hashable], k: int | None = None) -> list:
    """Keep the first occurrence of each item, in order, at most k of them.

    >>> dedupe(["a", "b", "a", "c", "b", "d"], k=3)
    ['a', 'b', 'c']
    """
    seen: dict = {}
    for item in ranked:
        if item not in seen:
            seen[item] = None
            if k is not None and len(seen) == k:
                break
    return list(seen)


def reciprocal_rank(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """1/rank of the first relevant item in the top k, else 0.

    >>> reciprocal_rank(["x", "a", "b"], {"a", "b"}), reciprocal_rank(["x"], {"a"})
    (0.5, 0.0)
    >>> reciprocal_rank(["x", "y", "a"], {"a"}, k=2)
    0.0
    """
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def recall(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """Share of the relevant items found in the top k (0 when nothing is relevant).

    >>> recall(["a", "x", "c"], {"a", "b", "c", "d"})
    0.5
    >>> recall(["a"], set())
    0.0
    """
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """Normalised discounted cumulative gain with gain 1 per relevant item.

    >>> ndcg(["a", "b"], {"a", "b"}), round(ndcg(["x", "a"], {"a"}), 4)
    (1.0, 0.6309)
    >>> round(ndcg(["a", "x", "b"], {"a", "b", "c"}), 4)
    0.7039
    """
    dcg = sum(1.0 / math.log2(rank + 1)
              for rank, item in enumerate(ranked[:k], start=1) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def first_relevant_rank(ranked: Sequence, relevant: set) -> int | None:
    """1-based rank of the first relevant item anywhere in the list, or None.

    >>> first_relevant_rank(["x", "y", "a"], {"a"}), first_relevant_rank([], {"a"})
    (3, None)
    """
    return next((n for n, item in enumerate(ranked, start=1) if item in relevant), None)


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean, 0 for no values.

    >>> mean([1.0, 0.0, 0.5]), mean([])
    (0.5, 0.0)
    """
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile by linear interpolation between closest ranks.

    >>> percentile([1, 2, 3, 4], 50), percentile([5.0], 99), percentile(list(range(101)), 95)
    (2.5, 5.0, 95.0)
    """
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * p / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
