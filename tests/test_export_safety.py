"""Note text that looks like markup (`<script>`, `<img onerror>`, `"]]`, a lone `"`, `[[link]]`, a
formula) survives every export format as text: escaped for the format's syntax, never live markup,
never breaking the file. The graph is tiny and made here, with that text in names, definitions,
limit text and the note lines themselves."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import networkx as nx
import pydot
import pytest
import yaml
from markdown_it import MarkdownIt

from awskg import KnowledgeGraph, Source
from awskg.export import FORMATS, export, render

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
NAME = f'Evil "]] {SCRIPT}'
FEATURE = 'quote " and [[wiki]] | pipe'
DEFINITION = f"{IMG} lone \" and `tick` *star* #tag ==mark== $x$ \\ back"
FORMULA = "=HYPERLINK(\"http://x.test\",\"click\")"
LINE_TEXT = f"limit line {SCRIPT} \"]] max 256 KB"
FILE = "notes/evil.txt"
LIVE_MARKUP = re.compile(r"<\s*(script|img)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def evil() -> tuple[KnowledgeGraph, nx.MultiDiGraph]:
    kg = KnowledgeGraph()
    src = [Source(FILE, 2, "card:evil:1")]
    kg.add_entity("card:evil:1", "card", "card 1", src, file=FILE, number=1, front=NAME,
                  lines=[[2, "text", LINE_TEXT], [3, "text", DEFINITION], [4, "text", FORMULA]])
    kg.add_entity("service:evil", "service", NAME, src, definition=DEFINITION, aliases=[NAME, 'a"b'])
    kg.add_entity("feature:evil/quote", "feature", FEATURE, [Source(FILE, 3, "card:evil:1")],
                  definition=DEFINITION, service=NAME, service_id="evil")
    kg.add_entity("feature:evil/formula", "feature", FORMULA, [Source(FILE, 4, "card:evil:1")],
                  definition=FORMULA, service=NAME, service_id="evil")
    kg.add_entity("limit:evil/size/max-256kb", "limit", f"{NAME}: size", src, service=NAME, service_id="evil",
                  subject=f"size {SCRIPT}", kind="max", value=256.0, unit="KB", text=f"256 KB {IMG}",
                  dimension="bytes", base_value=262144.0, feature="feature:evil/quote")
    kg.add_relation("service:evil", "feature:evil/quote", "HAS_FEATURE", src)
    kg.add_relation("service:evil", "feature:evil/formula", "HAS_FEATURE", src)
    kg.add_relation("feature:evil/quote", "limit:evil/size/max-256kb", "HAS_LIMIT", src)
    kg.add_relation("service:evil", "limit:evil/size/max-256kb", "HAS_LIMIT", src)
    kg.add_relation("feature:evil/formula", "feature:evil/quote", "CONTRASTS_WITH", src)
    return kg, kg.subgraph(["service:evil"], depth=2)


TEXTS = {
    "service:evil": NAME,
    "feature:evil/quote": FEATURE,
    "feature:evil/formula": FORMULA,
}


def test_markup_survives_graphml_and_gexf_exactly(evil):
    kg, sub = evil
    for fmt in ("graphml", "gexf"):
        reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        g = reader(io.BytesIO(render(kg, sub, fmt).encode("utf-8")))
        for n, text in TEXTS.items():
            assert g.nodes[n]["name"] == text, fmt
        assert g.nodes["service:evil"]["definition"] == DEFINITION
        assert json.loads(g.nodes["service:evil"]["aliases"]) == [NAME, 'a"b']


def test_markup_survives_json_exactly(evil):
    kg, sub = evil
    data = json.loads(render(kg, sub, "json"))
    names = {n["id"]: n["name"] for n in data["nodes"]}
    assert all(names[n] == text for n, text in TEXTS.items())


def test_markup_is_text_in_mermaid_labels(evil):
    kg, sub = evil
    text = render(kg, sub, "mermaid")
    assert not LIVE_MARKUP.search(text)
    labels = {}
    for ln in text.splitlines():
        m = re.fullmatch(r'\s*(n_[A-Za-z0-9_]+)\["([^"<>]*)"\]', ln)
        if m:
            # Mermaid reads `#quot;` as `&quot;` and `#35;` as `&#35;`
            codes = re.sub(r"#(\d+);", r"&#\1;", m.group(2))
            labels[m.group(1)] = html.unescape(re.sub(r"#([A-Za-z]\w*);", r"&\1;", codes))
        elif not re.match(r"\s*(flowchart|%%|classDef |class )", ln):
            assert re.fullmatch(r"\s*n_\w+ -->\|[A-Za-z0-9_]+\| n_\w+", ln), ln
    assert len(labels) == sub.number_of_nodes()
    assert set(TEXTS.values()) <= set(labels.values())


MERMAID_DIRECTIVES = ("%%{init: {'theme': 'dark'}}%% Lambda", "100%% sure %% no comment", "%", "a%%")


def mermaid_labels(text: str) -> dict[str, str]:
    """Node id -> label text as Mermaid shows it (entity codes decoded)."""
    labels = {}
    for ln in text.splitlines():
        m = re.fullmatch(r'\s*(n_[A-Za-z0-9_]+)\["([^"<>]*)"\]', ln)
        if m:
            codes = re.sub(r"#(\d+);", r"&#\1;", m.group(2))
            labels[m.group(1)] = html.unescape(re.sub(r"#([A-Za-z]\w*);", r"&\1;", codes))
    return labels


def directive_graph(names: tuple[str, ...] = MERMAID_DIRECTIVES) -> tuple[KnowledgeGraph, nx.MultiDiGraph]:
    """Services named with Mermaid's comment and directive syntax (or `names`), the first one the
    root of the subgraph."""
    kg = KnowledgeGraph()
    src = [Source(FILE, 1, None)]
    for i, name in enumerate(names):
        kg.add_entity(f"service:s{i}", "service", name, src)
        if i:
            kg.add_relation("service:s0", f"service:s{i}", "RELATED_TO", src)
    return kg, kg.subgraph(["service:s0"], depth=1)


def test_mermaid_comments_and_directives_in_names_are_text():
    kg, sub = directive_graph()
    text = render(kg, sub, "mermaid")
    # `%%` outside awskg's own comment line would be a comment or a directive to Mermaid.
    assert [ln for ln in text.splitlines() if "%" in ln] == ["  %% awskg subgraph of n_service_s0"]
    assert sorted(mermaid_labels(text).values()) == sorted(MERMAID_DIRECTIVES)


def test_markup_is_text_in_dot_labels(evil):
    kg, sub = evil
    (graph,) = pydot.graph_from_dot_data(render(kg, sub, "dot"))
    labels = {re.sub(r"\\(.)", r"\1", n.get("label")[1:-1]) for n in graph.get_nodes() if n.get("label")}
    assert set(TEXTS.values()) <= labels
    assert len(graph.get_edges()) == sub.number_of_edges()


def rendered_markdown(text: str) -> tuple[str, list]:
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    return md.render(text), tokens


def all_text(tokens) -> str:
    return "\n".join("".join(c.content for c in t.children or [] if c.type in ("text", "code_inline"))
                     for t in tokens if t.type == "inline")


def test_markup_is_text_in_the_markdown_sheet(evil):
    kg, sub = evil
    out, tokens = rendered_markdown(render(kg, sub, "markdown"))
    assert not LIVE_MARKUP.search(out)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline", "link_open", "image", "em_open")]
    shown = all_text(tokens)
    for text in (NAME, FEATURE, DEFINITION, LINE_TEXT, f"size {SCRIPT}"):
        assert text in shown, text
    assert "256 KB" in shown


def test_markup_is_escaped_in_anki_fields(evil):
    kg, sub = evil
    with zipfile.ZipFile(io.BytesIO(render(kg, sub, "anki"))) as zf:
        raw = zf.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(raw)
    fields = [f for (flds,) in db.execute("SELECT flds FROM notes") for f in flds.split("\x1f")]
    db.close()
    assert len(fields) == 4 * 4  # the limit, the service and both features have a definition
    assert not any(LIVE_MARKUP.search(f) for f in fields)
    shown = "\n".join(html.unescape(f) for f in fields)
    for text in (f"{NAME}: size {SCRIPT}?", DEFINITION, LINE_TEXT, FORMULA):
        assert text in shown, text


def test_markup_stays_text_in_csv_cells_and_formulas_are_defused(evil):
    kg, sub = evil
    with zipfile.ZipFile(io.BytesIO(render(kg, sub, "csv"))) as zf:
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(zf.read("nodes.csv").decode("utf-8")))}
    assert rows["service:evil"]["name"] == NAME
    assert rows["feature:evil/quote"]["definition"] == DEFINITION
    # a spreadsheet would run `=HYPERLINK(...)`; the leading quote makes it text
    assert rows["feature:evil/formula"]["name"] == "'" + FORMULA


def test_markup_stays_in_cypher_parameters_never_in_statements(evil):
    kg, sub = evil
    lines = [json.loads(ln) for ln in render(kg, sub, "cypher").splitlines()]
    assert len(lines) == sub.number_of_nodes() + sub.number_of_edges()
    note_words = re.compile(r"['\"`]|script|img|evil|hyperlink|wiki", re.IGNORECASE)
    for obj in lines:
        assert not note_words.search(obj["statement"]), obj["statement"]
    nodes = [o["parameters"] for o in lines if "id" in o["parameters"]]
    names = {p["id"]: p["props"]["name"] for p in nodes}
    assert all(names[n] == text for n, text in TEXTS.items())


def test_markup_is_text_in_obsidian_notes_and_links_still_resolve(evil, tmp_path):
    kg, sub = evil
    export(kg, sub, "obsidian", output=tmp_path / "vault")
    files = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "vault").glob("*.md")}
    assert len(files) == sub.number_of_nodes()
    assert not any(set(name) & set('/\\:*?"<>|#^[]') for name in files)
    for name, text in files.items():
        meta = yaml.safe_load(text.split("---\n", 2)[1])
        assert meta["id"] in sub
        out, tokens = rendered_markdown(text.split("---\n", 2)[2])
        assert not LIVE_MARKUP.search(out), name
        assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
        for target in re.findall(r"(?<!\\)\[\[([^\]|]+)(?:\|[^\]]*)?\]\]", text):
            assert f"{target}.md" in files, (name, target)
    service = next(t for t in files.values()
                   if yaml.safe_load(t.split("---\n", 2)[1])["id"] == "service:evil")
    assert yaml.safe_load(service.split("---\n", 2)[1])["aliases"] == [NAME, 'a"b']
    assert DEFINITION in all_text(rendered_markdown(service.split("---\n", 2)[2])[1])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_exports_the_hostile_graph(evil, fmt, tmp_path):
    kg, sub = evil
    out = tmp_path / f"out{FORMATS[fmt].extension}"
    assert export(kg, sub, fmt, output=out) is None
    assert out.exists() and (out.is_dir() or out.stat().st_size > 0)
    if FORMATS[fmt].is_text:
        assert Path(out).read_text(encoding="utf-8") == render(kg, sub, fmt)
