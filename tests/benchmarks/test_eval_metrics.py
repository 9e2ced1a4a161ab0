"""The relevance metrics, the FTS5 floor and the hit-to-document mapping the evaluation uses."""
import doctest
import json

import pytest

from benchmarks import fts5_baseline, metrics, relevance
from benchmarks.fts5_baseline import Fts5Index, fts_query
from benchmarks.metrics import dedupe, ndcg, percentile, recall, reciprocal_rank
from benchmarks.relevance import DevQuery, Outcome, document_of, load_dev_queries, score


@pytest.mark.parametrize("module", [metrics, fts5_baseline, relevance])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_metrics_on_a_hand_worked_ranking():
    ranked = ["x", "a", "y", "b"]
    relevant = {"a", "b"}
    assert reciprocal_rank(ranked, relevant) == 0.5
    assert recall(ranked, relevant) == 1.0
    assert recall(ranked, relevant, k=2) == 0.5
    # DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3)
    assert ndcg(ranked, relevant) == pytest.approx((0.63093 + 0.43068) / 1.63093, abs=1e-4)


def test_metrics_reward_better_rankings():
    relevant = {"a"}
    good, bad = ["a", "x", "y"], ["x", "y", "a"]
    for metric in (reciprocal_rank, ndcg):
        assert metric(good, relevant) > metric(bad, relevant) > metric(["x"], relevant) == 0
    assert ndcg(["a", "b"], {"a", "b"}) == 1.0
    assert dedupe(["d", "d", "e"]) == ["d", "e"]
    assert percentile([10, 20, 30, 40, 1000], 50) == 30


def test_cancergov_split_files_count_as_their_document():
    assert document_of("1_CancerGov_QA/0000013_2_6/0000013_2_6-1") == "1_CancerGov_QA/0000013_2"
    assert document_of("2_GARD_QA/0000013_2") == "2_GARD_QA/0000013_2"
    outcome = Outcome(
        DevQuery("q", "text", None, (), frozenset({"1_CancerGov_QA/0000013_2"})),
        "query", "e", [document_of("1_CancerGov_QA/0000013_2_6")], 0.0,
    )
    assert score(outcome).scores["MRR"] == 1.0


def test_fts5_floor_ranks_by_bm25_and_ignores_syntax():
    index = Fts5Index([
        ("3_GHR_QA/0000001", "What causes migraine?", "Migraine runs in families.", "Migraine"),
        ("6_NINDS_QA/0000002", "What is sciatica?", "Pain along the sciatic nerve.", "Sciatica"),
        ("6_NINDS_QA/0000003", "Treatment of NEAR?", "Rest and time.", "Back pain"),
    ])
    assert len(index) == 3
    assert index.search("my daughter has migraines, what causes them?")[0] == "3_GHR_QA/0000001"
    # FTS5 operators are plain words here: "near" matches the third row's text, no error.
    assert set(index.search('sciatic* NEAR( "nerve" AND')) == {
        "6_NINDS_QA/0000002", "6_NINDS_QA/0000003"}
    assert index.search("***") == []
    assert fts_query("a-b") == '"a" OR "b"'


def test_dev_queries_load_with_their_forms(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps([{
        "id": "T-1", "query": "my feet are numb", "summary": None,
        "annotations": [{"focus": "numbness", "type": "cause"}],
        "relevant": ["4_MPlus_Health_Topics_QA/0000001"],
    }]))
    (q,) = load_dev_queries(path)
    assert q.forms() == {"query": "my feet are numb", "summary": None,
                         "focus+type": "numbness cause"}
    assert q.relevant == {"4_MPlus_Health_Topics_QA/0000001"}


def test_summary_table_and_length_split_compare_engines():
    from benchmarks.relevance import length_split, summary_table

    def outcome(text, engine, ranked):
        q = DevQuery(text[:5], text, None, (), frozenset({"d/1"}))
        return score(Outcome(q, "query", engine, ranked, 0.0))

    outcomes = [outcome("short", "whoosh", ["d/1"]), outcome("short", "fts5", ["x", "d/1"]),
                outcome("x" * 300, "whoosh", []), outcome("x" * 300, "fts5", ["d/1"])]
    table = summary_table(outcomes, ["whoosh", "fts5"], ["query", "summary"])
    assert "query         2  whoosh     0.500   0.500    0.500" in table
    assert "whoosh/fts5     0.67" in table
    assert "(no queries have this form)" in table
    split = length_split(outcomes, ["whoosh", "fts5"])
    assert "<=256 chars (n=1): whoosh 1.000, fts5 0.631" in split
    assert ">256 chars (n=1): whoosh 0.000, fts5 1.000" in split
