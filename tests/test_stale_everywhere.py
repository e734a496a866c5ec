"""The stale flag goes wherever the value goes: search hits (API, CLI, app), limits, show, compare,
quiz explanations. The committed notes' SQS maximum message size (256 KB) is 1 MiB at AWS today;
its SQS delay (0-15 min) agrees with AWS. The answer stays the notes' value either way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awskg import views
from awskg.study import make_quiz

STALE_ID = "limit:sqs/max-message-size/max-256kb"
GRAPH = ["--graph", str(Path(__file__).resolve().parents[1] / "graph" / "awskg.json")]
MARKER = "⚠ AWS since 2025-08: 1 MiB"


@pytest.fixture(scope="module")
def kg(committed_graph):
    assert committed_graph.limit(STALE_ID).stale, "the committed notes state SQS's old 256 KB maximum"
    return committed_graph


def test_a_search_hit_names_the_aws_value_and_its_source_beside_the_notes_value(kg):
    hits = kg.search("sqs max message size", limit=5)
    top = hits[0].to_dict()
    assert top["id"] == STALE_ID and top["display"] == "256 KB"  # the notes' answer, unchanged
    assert top["stale"]["aws_value"] == "1 MiB" and top["stale"]["notes_value"] == "256 KB"
    assert top["stale"]["source"].startswith("https://") and top["stale"]["as_of"] == "2025-08"


def test_a_hit_that_is_not_stale_says_so_with_null(kg):
    hits = kg.search("sqs delay queue 0-15 minutes", limit=10)
    delay = [h.to_dict() for h in hits if h.type == "limit" and h.to_dict()["display"] == "0-15 min"]
    assert delay and delay[0]["stale"] is None
    assert all("stale" in h.to_dict() for h in hits)


def test_a_note_line_hit_that_states_a_stale_value_carries_its_flag(kg):
    hits = kg.search("max message size 256KB", limit=10, types=["line"])
    shown = [h for h in hits if "256KB" in h.snippet and h.source and h.source.line == 84]
    assert shown and shown[0].stale and shown[0].stale["aws_value"] == "1 MiB"


def test_cli_search_marks_the_value_and_prints_the_source(run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    code, out, _ = run_cli(["search", "sqs max message size", "-n", "3", *GRAPH])
    assert code == 0
    assert f"256 KB {MARKER}" in out
    assert "your notes: 256 KB; AWS since 2025-08: 1 MiB; source https://" in out
    code, out, _ = run_cli(["search", "sqs max message size", "-n", "3", "--json", *GRAPH])
    assert json.loads(out)[0]["stale"]["aws_value"] == "1 MiB"


def test_app_search_rows_carry_the_marker_and_the_message(kg):
    hits = kg.search("sqs max message size", limit=3)
    row = views.hit_row(hits[0])
    assert row["answer"] == f"256 KB  {MARKER}"
    assert row["stale"].startswith("⚠ your notes: 256 KB; AWS since 2025-08: 1 MiB; source https://")
    long = views.hit_row(type(hits[0])(**{**hits[0].__dict__, "fields": {"display": "x" * 400}}))
    assert long["answer"].endswith(MARKER)  # a long answer is clipped, never its marker


def test_limits_show_and_compare_json_carry_the_flag(run_cli):
    code, out, _ = run_cli(["limits", "sqs", "--json", *GRAPH])
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows[STALE_ID]["stale"]["aws_value"] == "1 MiB"
    code, out, _ = run_cli(["show", "sqs", "--json", *GRAPH])
    limits = {x["id"]: x for x in json.loads(out)["limits"]}
    assert limits[STALE_ID]["stale"]["marker"] == MARKER
    code, out, _ = run_cli(["compare", "sqs", "sns", "--json", *GRAPH])
    data = json.loads(out)
    assert {x["id"]: x["stale"] for x in data["a"]["limits"]}[STALE_ID]["aws_value"] == "1 MiB"
    line84 = [x for x in data["a"]["lines"] if x["line"] == 84]
    assert line84 and line84[0]["stale"][0]["aws_value"] == "1 MiB"
    assert all(x["stale"] == [] for x in data["a"]["lines"] if x["line"] == 73)  # 0-15 min agrees


def test_cli_show_and_compare_mark_the_stale_value(run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    for args in (["show", "sqs"], ["compare", "sqs", "sns"]):
        code, out, _ = run_cli([*args, *GRAPH])
        assert code == 0 and f"256 KB {MARKER}" in out, args
        assert "source https://" in out
        assert f"0-15 min {MARKER}" not in out


def test_a_quiz_question_explained_by_a_stale_line_carries_the_flag(kg):
    questions = make_quiz(kg, n=200, seed=3)
    flagged = [q for q in questions if q.stale]
    assert any(q.answer == "256 KB" for q in flagged)
    for q in questions:
        lims = [lim for lim in kg.limits(numeric_only=False)
                if (lim.source.file, lim.source.line) == (q.source["file"], q.source["line"]) and lim.stale
                and lim.text.lower() in q.explanation.lower()]
        assert bool(q.stale) == bool(lims), q.prompt
