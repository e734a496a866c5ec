"""Each export format is read back by a real consumer (networkx, pydot, markdown-it-py, SQLite for
Anki, the file system for Obsidian, json/csv), on the subgraph of Lambda at depth 1 and of SQS at
depth 2 of the committed graph (read-only)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import genanki
import networkx as nx
import pydot
import pytest
import yaml
from markdown_it import MarkdownIt

import awskg
from awskg.export import FORMATS, export, render
from awskg.export.facts import with_stale

GRAPH = Path(__file__).resolve().parents[1] / "graph" / "awskg.json"
SUBGRAPHS = [("lambda", 1), ("sqs", 2)]
WIKILINK = re.compile(r"(?<!\\)\[\[([^\]|]+)(?:\|([^\]]*))?\]\]")


@pytest.fixture(scope="module")
def kg():
    return awskg.load(GRAPH)


@pytest.fixture(scope="module", params=SUBGRAPHS, ids=[f"{e}-depth{d}" for e, d in SUBGRAPHS])
def sub(request, kg):
    entity, depth = request.param
    return kg.subgraph([entity], depth=depth)


def same_value(read_back, original) -> bool:
    """A value as GraphML/GEXF hold it: lists and dicts as JSON text, scalars as they were."""
    if isinstance(original, list | dict):
        return json.loads(read_back) == original
    return read_back == original


def one_line(text) -> str:
    return " ".join(str(text).split())


def limits_in(kg, sub):
    return [kg.limit(n) for n, d in sub.nodes(data=True) if d.get("type") == "limit"]


def defined_nodes(sub):
    return [n for n, d in sub.nodes(data=True)
            if d.get("type") != "limit" and str(d.get("definition") or "").strip()]


# ---------------------------------------------------------------------------- the format table


def test_formats_table_names_every_format_with_its_media_type_and_extension():
    assert set(FORMATS) == {"graphml", "gexf", "json", "mermaid", "dot", "markdown", "anki", "csv", "cypher",
                            "obsidian"}
    for name, info in FORMATS.items():
        assert info.name == name
        assert info.extension.startswith(".") and "/" in info.media_type and info.description


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_render_gives_text_for_text_formats_and_bytes_for_binary_ones(kg, fmt):
    out = render(kg, kg.subgraph(["sqs"], depth=1), fmt)
    assert isinstance(out, str if FORMATS[fmt].is_text else bytes)
    assert len(out) > 100


# An .apkg carries its export time (genanki stamps notes and cards); its stable guids are tested below.
@pytest.mark.parametrize("fmt", sorted(f for f in FORMATS if f != "anki"))
def test_same_subgraph_renders_the_same_output(kg, fmt):
    sub = kg.subgraph(["sqs"], depth=1)
    assert render(kg, sub, fmt) == render(kg, kg.subgraph(["sqs"], depth=1), fmt)


# ---------------------------------------------------------------------------- graph formats


def test_graphml_reads_back_with_the_same_nodes_edges_and_attributes(kg, sub):
    g = nx.read_graphml(io.BytesIO(render(kg, sub, "graphml").encode("utf-8")),
                        force_multigraph=True, edge_key_type=str)
    assert set(g.nodes) == set(sub.nodes)
    for n, d in with_stale(kg, sub).nodes(data=True):  # the attributes, and the flag of a stale limit
        back = g.nodes[n]
        assert set(back) == {k for k, v in d.items() if v is not None}
        assert all(same_value(back[k], v) for k, v in d.items() if v is not None), n
    assert set(g.edges(keys=True)) == set(sub.edges(keys=True))
    for u, v, k, d in sub.edges(keys=True, data=True):
        back = g.edges[u, v, k]
        assert all(same_value(back[a], val) for a, val in d.items()), (u, v, k)


def test_gexf_reads_back_with_the_same_nodes_edges_and_attributes(kg, sub):
    g = nx.read_gexf(io.BytesIO(render(kg, sub, "gexf").encode("utf-8")))
    assert set(g.nodes) == set(sub.nodes)
    for n, d in with_stale(kg, sub).nodes(data=True):
        back = g.nodes[n]
        assert back["label"] == d["name"]  # what Gephi shows
        assert all(same_value(back[k], v) for k, v in d.items() if v is not None), n
    edges_back = {(u, v, d["relation"]): d for u, v, d in g.edges(data=True)}
    assert len(edges_back) == sub.number_of_edges() == g.number_of_edges()
    for u, v, d in sub.edges(data=True):
        back = edges_back[(u, v, d["relation"])]
        assert back["weight"] == d["weight"]
        assert json.loads(back["sources"]) == d["sources"]


def test_json_is_node_link_data_that_loads_as_the_same_graph(kg, sub):
    data = json.loads(render(kg, sub, "json"))
    assert {"directed", "multigraph", "graph", "nodes", "edges"} <= set(data)
    g = nx.node_link_graph(data, edges="edges")
    assert dict(g.nodes(data=True)) == dict(with_stale(kg, sub).nodes(data=True))
    assert sorted(g.edges(keys=True, data=True), key=str) == sorted(sub.edges(keys=True, data=True), key=str)
    again = awskg.KnowledgeGraph.from_data(data)
    assert {lim.id for lim in again.limits(numeric_only=False)} == {lim.id for lim in limits_in(kg, sub)}


def unquote(dot_id: str) -> str:
    assert dot_id.startswith('"') and dot_id.endswith('"'), dot_id
    return re.sub(r"\\(.)", r"\1", dot_id[1:-1])


def test_dot_parses_with_pydot_into_the_same_nodes_and_edges(kg, sub):
    (graph,) = pydot.graph_from_dot_data(render(kg, sub, "dot"))
    defaults = ("node", "edge", "graph")
    nodes = {unquote(n.get_name()): n for n in graph.get_nodes() if n.get_name() not in defaults}
    assert set(nodes) == set(sub.nodes)
    for n, d in sub.nodes(data=True):
        label = unquote(nodes[n].get("label"))
        expected = f"{d['subject']}: {d['text']}" if d["type"] == "limit" else d["name"]
        flag = kg.limit(n).stale if d["type"] == "limit" else None
        if flag:
            expected += f" {flag['marker']}"
            assert flag["aws_value"] in flag["marker"]
        assert label == expected
    edges = [(unquote(e.get_source()), unquote(e.get_destination()), unquote(e.get("label")))
             for e in graph.get_edges()]
    assert sorted(edges) == sorted((u, v, k) for u, v, k in sub.edges(keys=True))


def test_mermaid_has_one_quoted_node_line_per_node_and_one_line_per_edge(kg, sub):
    lines = render(kg, sub, "mermaid").splitlines()
    assert lines[0] == "flowchart LR"
    node_lines = [ln for ln in lines if re.match(r"\s*n_\w+\[", ln)]
    edge_lines = [ln for ln in lines if "-->" in ln]
    assert len(node_lines) == sub.number_of_nodes()
    assert all(re.fullmatch(r'\s*n_[A-Za-z0-9_]+\["[^"<>]*"\]', ln) for ln in node_lines)
    ids = [ln.strip().split("[", 1)[0] for ln in node_lines]
    assert len(set(ids)) == len(ids)
    assert len(edge_lines) == sub.number_of_edges()
    assert all(re.fullmatch(r"\s*n_\w+ -->\|[A-Za-z0-9_]+\| n_\w+", ln) for ln in edge_lines)
    known = set(ids)
    assert all(set(re.findall(r"n_\w+", ln)) <= known for ln in edge_lines)
    others = [ln for ln in lines[1:] if ln not in node_lines and ln not in edge_lines]
    assert all(re.match(r"\s*(%%|classDef |class )", ln) for ln in others), others


# ---------------------------------------------------------------------------- study formats


def table_rows(tokens) -> list[list[str]]:
    rows, row = [], None
    for tok in tokens:
        if tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
        elif tok.type == "inline" and row is not None:
            row.append("".join(c.content for c in tok.children or [] if c.type in ("text", "code_inline")))
    return rows


def inline_texts(tokens) -> list[str]:
    return ["".join(c.content for c in tok.children or [] if c.type in ("text", "code_inline"))
            for tok in tokens if tok.type == "inline"]


def test_markdown_sheet_lists_every_limit_with_its_value_and_source_line(kg, sub):
    tokens = MarkdownIt("commonmark").enable("table").parse(render(kg, sub, "markdown"))
    rows = table_rows(tokens)
    limits = limits_in(kg, sub)
    assert limits
    for lim in limits:
        where = [lim.kind, f"{lim.source.file}:{lim.source.line}", one_line(lim.line_text)]
        # the value cell may carry a stale flag after the value
        assert any(row[0] == lim.subject and row[1].startswith(lim.display) and row[2:] == where
                   for row in rows), lim.id
    # a table row per limit, plus one header row per table
    assert len(rows) - sum(1 for r in rows if r[:2] == ["Limit", "Value"]) == len(limits)


def test_markdown_sheet_gives_features_their_definitions_and_cites_note_lines(kg, sub):
    tokens = MarkdownIt("commonmark").enable("table").parse(render(kg, sub, "markdown"))
    texts = inline_texts(tokens)
    for n, d in sub.nodes(data=True):
        if d["type"] == "feature" and d.get("definition"):
            assert any(t.startswith(d["name"]) and one_line(d["definition"]) in t for t in texts), n
    cited = {(s["file"], s["line"]) for _, d in sub.nodes(data=True) for s in d["sources"]}
    for file, line in sorted(cited):
        text = kg.line_text(file, line)
        if text and text.strip():  # a line stating a value AWS has changed since ends with its marker
            item = f"{file}:{line}: {one_line(text)}"
            assert any(t == item or t.startswith(item + " ⚠ AWS ") for t in texts), item
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]


def anki_notes(data: bytes) -> tuple[dict[str, list[str]], sqlite3.Row]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        name = next(n for n in zf.namelist() if n in ("collection.anki2", "collection.anki21"))
        raw = zf.read(name)
    db = sqlite3.connect(":memory:")
    db.deserialize(raw)
    notes = {guid: flds.split("\x1f") for guid, flds in db.execute("SELECT guid, flds FROM notes")}
    col = db.execute("SELECT models, decks FROM col").fetchone()
    db.close()
    return notes, col


def test_anki_package_is_a_collection_with_a_note_per_limit_and_per_definition(kg, sub):
    notes, (models, decks) = anki_notes(render(kg, sub, "anki"))
    limits = limits_in(kg, sub)
    defined = defined_nodes(sub)
    assert set(notes) == {genanki.guid_for(i) for i in [lim.id for lim in limits] + defined}
    for lim in limits:
        front, back, note, source = notes[genanki.guid_for(lim.id)]
        assert front == html.escape(f"{lim.service}: {lim.subject}?")
        assert f"<b>{html.escape(lim.display)}</b>" in back
        assert note == html.escape(one_line(lim.line_text))
        assert source == f"{lim.source.file}:{lim.source.line}"
    for n in defined:
        front, back, _note, _source = notes[genanki.guid_for(n)]
        assert html.unescape(back) == one_line(sub.nodes[n]["definition"])
        assert sub.nodes[n]["name"] in html.unescape(front)
    assert str(awskg.export.anki.MODEL_ID) in json.loads(models)
    assert str(awskg.export.anki.DECK_ID) in json.loads(decks)


def test_anki_guids_are_stable_so_a_reimport_updates_cards(kg, sub):
    first, _ = anki_notes(render(kg, sub, "anki"))
    again = kg.subgraph(sorted(sub.graph["roots"]), depth=sub.graph["depth"])
    second, _ = anki_notes(render(kg, again, "anki"))
    assert first == second


def test_csv_tables_hold_every_node_and_edge(kg, sub):
    with zipfile.ZipFile(io.BytesIO(render(kg, sub, "csv"))) as zf:
        nodes = list(csv.DictReader(io.StringIO(zf.read("nodes.csv").decode("utf-8"))))
        edges = list(csv.DictReader(io.StringIO(zf.read("edges.csv").decode("utf-8"))))
    assert sorted(r["id"] for r in nodes) == sorted(sub.nodes)
    by_id = {r["id"]: r for r in nodes}
    for lim in limits_in(kg, sub):
        row = by_id[lim.id]
        assert row["display"] == lim.display and row["unit"] == (lim.unit or "")
        if lim.value is not None:
            assert float(row["value"]) == lim.value
        assert row["sources"].split(";") == [f"{s.file}:{s.line}" for s in lim.sources]
    assert sorted((r["source"], r["target"], r["relation"]) for r in edges) == sorted(
        (u, v, d["relation"]) for u, v, d in sub.edges(data=True))


STATEMENT = re.compile(
    r"MERGE \(n:Awskg:[A-Z][A-Za-z0-9]* \{id: \$id\}\) SET n \+= \$props"
    r"|MATCH \(a:Awskg \{id: \$source\}\), \(b:Awskg \{id: \$target\}\) "
    r"MERGE \(a\)-\[r:[A-Z][A-Z0-9_]*\]->\(b\) SET r \+= \$props"
)


def test_cypher_is_one_parameterised_statement_per_node_or_edge(kg, sub):
    lines = [json.loads(ln) for ln in render(kg, sub, "cypher").splitlines()]
    assert len(lines) == sub.number_of_nodes() + sub.number_of_edges()
    assert all(STATEMENT.fullmatch(obj["statement"]) for obj in lines)
    node_params = [obj["parameters"] for obj in lines if obj["statement"].startswith("MERGE (n:")]
    edge_params = [obj["parameters"] for obj in lines if obj["statement"].startswith("MATCH")]
    assert sorted(p["id"] for p in node_params) == sorted(sub.nodes)
    assert sorted((p["source"], p["target"], p["props"]["relation"]) for p in edge_params) == sorted(
        (u, v, d["relation"]) for u, v, d in sub.edges(data=True))
    for p in node_params:  # what Neo4j can store: scalars and lists of scalars
        for value in p["props"].values():
            assert isinstance(value, str | int | float | bool) or all(isinstance(x, str) for x in value)


def read_vault(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_obsidian_folder_has_a_note_per_entity_and_every_link_resolves(kg, sub, tmp_path):
    export(kg, sub, "obsidian", output=tmp_path / "vault")
    files = read_vault(tmp_path / "vault")
    assert len(files) == sub.number_of_nodes()
    ids = {}
    for name, text in files.items():
        meta = front_matter(text)
        assert meta["type"] == sub.nodes[meta["id"]]["type"]
        assert meta["sources"] == [f"{s['file']}:{s['line']}" for s in sub.nodes[meta["id"]]["sources"]]
        ids[meta["id"]] = name[:-3]
        for target, _shown in WIKILINK.findall(text):
            assert f"{target}.md" in files, (name, target)
    assert set(ids) == set(sub.nodes)
    for u, v in sub.edges():
        targets = {t for t, _ in WIKILINK.findall(files[ids[u] + ".md"])}
        assert ids[v] in targets, (u, v)


def test_obsidian_zip_holds_the_same_notes_as_the_folder(kg, sub, tmp_path):
    export(kg, sub, "obsidian", output=tmp_path / "vault")
    with zipfile.ZipFile(io.BytesIO(render(kg, sub, "obsidian"))) as zf:
        names = zf.namelist()
        zipped = {Path(n).name: zf.read(n).decode("utf-8") for n in names if n.endswith(".md")}
        assert len({Path(n).parts[0] for n in names}) == 1  # one folder, not loose files
        # A vault: Obsidian's settings folder, in the zip as in the folder.
        assert any(Path(*Path(n).parts[1:]) == Path(".obsidian/app.json") for n in names)
    assert (tmp_path / "vault" / ".obsidian" / "app.json").is_file()
    assert zipped == read_vault(tmp_path / "vault")


# ---------------------------------------------------------------------------- stale limits


STALE_ID = "limit:sqs/max-message-size/max-256kb"


def test_every_format_that_prints_a_value_carries_the_stale_flag_beside_it(kg, tmp_path):
    """SQS's 256 KB maximum message size is 1 MiB at AWS today: every export shows both."""
    sub = kg.subgraph(["sqs"], depth=1)
    flagged = {lim.id: lim.stale for lim in limits_in(kg, sub) if lim.stale}
    assert STALE_ID in flagged
    message, marker = flagged[STALE_ID]["message"], f"AWS since 2025-08: {flagged[STALE_ID]['aws_value']}"
    assert marker == "AWS since 2025-08: 1 MiB" and "https://" in message

    rows = table_rows(MarkdownIt("commonmark").enable("table").parse(render(kg, sub, "markdown")))
    assert sorted(r[0] for r in rows if message in r[1]) == sorted(kg.limit(i).subject for i in flagged)
    notes, _ = anki_notes(render(kg, sub, "anki"))
    backs = {g: html.unescape(f[1]) for g, f in notes.items()}
    assert {g for g, b in backs.items() if message in b} == {genanki.guid_for(i) for i in flagged}
    with zipfile.ZipFile(io.BytesIO(render(kg, sub, "csv"))) as zf:
        nodes = list(csv.DictReader(io.StringIO(zf.read("nodes.csv").decode("utf-8"))))
    assert {r["id"] for r in nodes if r["stale"]} == set(flagged)
    assert all(r["stale"] == flagged[r["id"]]["message"] for r in nodes if r["stale"])
    for fmt in ("mermaid", "dot"):
        drawn = [ln for ln in render(kg, sub, fmt).splitlines() if marker in ln]
        assert len(drawn) == len(flagged), fmt
    data = json.loads(render(kg, sub, "json"))
    assert {n["id"] for n in data["nodes"] if "stale" in n} == set(flagged)
    cypher = [json.loads(ln)["parameters"] for ln in render(kg, sub, "cypher").splitlines()]
    assert {p["id"] for p in cypher if "stale" in p.get("props", {})} == set(flagged)
    for fmt in ("graphml", "gexf"):
        assert render(kg, sub, fmt).count("AWS since 2025-08") >= len(flagged), fmt
    export(kg, sub, "obsidian", output=tmp_path / "vault")
    vault = read_vault(tmp_path / "vault")
    assert sum(1 for text in vault.values() if message in text) >= len(flagged)


def test_note_lines_that_state_a_stale_value_are_marked_in_the_sheet(kg):
    sub = kg.subgraph(["sqs"], depth=1)
    sheet = render(kg, sub, "markdown")
    line = kg.limit(STALE_ID).source
    [item] = [ln for ln in sheet.splitlines() if ln.startswith(f"- {line.file}:{line.line}:")]
    assert item.endswith("⚠ AWS since 2025-08: 1 MiB")
    # exactly the lines that state a flagged limit (of any service) are marked
    stale_lines = {f"{src.file}:{src.line}"
                   for lim in kg.limits(numeric_only=False) if lim.stale for src in lim.sources}
    items = [ln for ln in sheet.splitlines() if ln.startswith("- notes/")]
    marked = {ln[2:].split(": ", 1)[0] for ln in items if "⚠" in ln}
    assert marked and marked == stale_lines & {ln[2:].split(": ", 1)[0] for ln in items}
