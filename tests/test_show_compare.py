"""`show` prints every limit with its value, unit, kind and line, and where the definition comes
from; `compare` shows everything each side's lines say, whole."""

from __future__ import annotations

import json
from pathlib import Path

GRAPH = ["--graph", str(Path(__file__).resolve().parents[1] / "graph" / "awskg.json")]


def test_show_prints_each_limit_with_value_unit_kind_and_its_line(run_cli, committed_graph, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    e = committed_graph.entity("lambda layers")
    assert {lim.subject for lim in e.limits} >= {"layers", "layer size"}  # its HAS_LIMIT limits are its own
    code, out, _ = run_cli(["show", "lambda layers", *GRAPH])
    assert code == 0
    for lim in e.limits:
        row = next(ln for ln in out.splitlines() if f" {lim.subject} " in ln and lim.display in ln)
        assert f" {lim.unit} " in row and f" {lim.kind} " in row
        assert f"{lim.source.line}: {lim.line_text}" in row
    # the neighbour list gives the values too
    assert "HAS_LIMIT: Lambda: layer size = 250 MB, Lambda: layers = 5 layers" in out


def test_show_says_which_line_the_definition_comes_from(run_cli, committed_graph, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    e = committed_graph.entity("lambda layers")
    src = e.definition_source
    assert src is not None
    assert committed_graph.line_text(src.file, src.line).strip() == e.definition
    code, out, _ = run_cli(["show", "lambda layers", *GRAPH])
    assert f"definition from {src.file}:{src.line}" in out
    code, out, _ = run_cli(["show", "lambda layers", "--json", *GRAPH])
    assert json.loads(out)["definition_source"] == {"file": src.file, "line": src.line}


def test_a_definition_source_recorded_in_the_graph_is_the_one_shown(committed_graph):
    from awskg.graph import KnowledgeGraph

    kg = KnowledgeGraph(committed_graph.graph.copy())
    kg.graph.nodes["service:lambda"]["definition_source"] = {"file": "notes/x.txt", "line": 210}
    assert kg.entity("lambda").definition_source.line == 210
    assert "definition_source" not in kg.entity("lambda").attrs


def test_every_definition_of_the_committed_graph_is_found_on_a_line(committed_graph):
    for n, d in committed_graph.graph.nodes(data=True):
        if d.get("type") != "card" and d.get("definition"):
            src = committed_graph.entity(n).definition_source
            assert src is not None, n
            text = " ".join((committed_graph.line_text(src.file, src.line) or "").lower().split())
            definition = " ".join(d["definition"].lower().split())
            # the line opens the definition (a definition can run on to the next line), or holds it
            assert text and (definition.startswith(text) or definition[:25] in text), (n, src.line)


def test_compare_gives_every_line_of_each_side_whole(committed_graph):
    data = committed_graph.compare("Memcached", "Redis")
    for side in (data["a"], data["b"]):
        owned = committed_graph.graph.nodes[side["id"]]["lines"]
        assert [f"{x['file']}:{x['line']}" for x in side["lines"]] == owned
        assert all(x["text"] == committed_graph.line_text(x["file"], x["line"]) for x in side["lines"])
    assert any("multithreaded performance" in x["text"] for x in data["a"]["lines"])


def test_cli_compare_prints_every_line_wrapped_nothing_cut(run_cli, committed_graph, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_cli(["compare", "Memcached", "Redis", *GRAPH])
    assert code == 0
    flat = " ".join(" ".join(ln.replace("│", " ").split()) for ln in out.splitlines())
    data = committed_graph.compare("Memcached", "Redis")
    for side in (data["a"], data["b"]):
        for x in side["lines"]:
            first_words = " ".join(x["text"].split()[:3])
            last_words = " ".join(x["text"].split()[-2:])
            assert f"{x['line']}: {first_words}" in flat and last_words in flat, x["line"]
