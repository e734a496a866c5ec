"""Export a study subgraph in the formats students' tools open.

    import awskg
    from awskg.export import FORMATS, render, export
    kg = awskg.load()
    sub = kg.subgraph(["lambda"], depth=1)
    text = render(kg, sub, "markdown")                  # in memory: str, or bytes for binary formats
    export(kg, sub, "anki", output=Path("lambda.apkg"))  # to a file, never over one without force

Formats: graphml, gexf, json, dot (graphs.py); mermaid (mermaid.py); markdown, the study sheet
(sheet.py); anki (anki.py); csv and cypher (tables.py); obsidian (obsidian.py). Apart from a
subgraph, `export_checklist(kg, "DVA-C02")` writes the exam guide's services the notes miss
(checklist.py). Note text shows
as text in every one of them: escaped for its syntax, never live markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ..errors import UsageError
from ..graph import KnowledgeGraph
from . import anki, checklist, graphs, mermaid, obsidian, sheet, tables
from .archive import zip_bytes
from .facts import with_stale
from .output import check_target, same_file, write_file, write_files, write_folder


@dataclass(frozen=True)
class FormatInfo:
    """What a download or a file of this format is: media type, file extension, text or bytes."""

    name: str
    media_type: str
    extension: str  # with the dot: ".graphml"
    is_text: bool
    description: str


FORMATS: dict[str, FormatInfo] = {
    info.name: info
    for info in (
        FormatInfo("graphml", "application/graphml+xml", ".graphml", True,
                   "GraphML for yEd, Cytoscape and Gephi"),
        FormatInfo("gexf", "application/gexf+xml", ".gexf", True, "GEXF for Gephi"),
        FormatInfo("json", "application/json", ".json", True,
                   "networkx node-link JSON, the schema of graph/awskg.json"),
        FormatInfo("mermaid", "text/vnd.mermaid", ".mmd", True,
                   "Mermaid flowchart for GitHub and Obsidian"),
        FormatInfo("dot", "text/vnd.graphviz", ".dot", True, "Graphviz DOT"),
        FormatInfo("markdown", "text/markdown", ".md", True,
                   "Markdown study sheet: features, limits and their note lines per service"),
        FormatInfo("anki", "application/apkg", ".apkg", False,
                   "Anki deck: a card per limit and per definition; re-import updates"),
        FormatInfo("csv", "application/zip", ".zip", False,
                   "CSV tables nodes.csv and edges.csv (zipped; or --nodes/--edges)"),
        FormatInfo("cypher", "application/x-ndjson", ".jsonl", True,
                   "parameterised Cypher MERGE statements for Neo4j, as JSON lines"),
        FormatInfo("obsidian", "application/zip", ".zip", False,
                   "Obsidian folder: a linked note per entity (zipped; or -o FOLDER)"),
    )
}

# The formats that copy node attributes get the subgraph with each stale limit's flag on it
# (facts.with_stale); the study formats read the flags from the graph's Limit records.
_RENDER: dict[str, Callable[[KnowledgeGraph, nx.MultiDiGraph], str | bytes]] = {
    "graphml": lambda kg, sub: graphs.graphml(with_stale(kg, sub)),
    "gexf": lambda kg, sub: graphs.gexf(with_stale(kg, sub)),
    "json": lambda kg, sub: graphs.node_link_json(with_stale(kg, sub)),
    "mermaid": lambda kg, sub: mermaid.mermaid(with_stale(kg, sub)),
    "dot": lambda kg, sub: graphs.dot(kg, with_stale(kg, sub)),
    "markdown": sheet.study_sheet,
    "anki": anki.apkg,
    "csv": tables.csv_zip,
    "cypher": lambda kg, sub: tables.cypher(with_stale(kg, sub)),
    "obsidian": lambda kg, sub: zip_bytes(
        {f"{_folder_name(sub)}/{name}": text for name, text in obsidian.vault(kg, sub).items()}),
}


def format_info(fmt: str) -> FormatInfo:
    """The FormatInfo of a format name (case and spaces forgiven); an unknown one is a UsageError."""
    name = str(fmt or "").strip().lower()
    if name not in FORMATS:
        raise UsageError(f"unknown export format {str(fmt)[:40]!r}; choose one of: {', '.join(FORMATS)}")
    return FORMATS[name]


def render(kg: KnowledgeGraph, sub: nx.MultiDiGraph, fmt: str) -> str | bytes:
    """The export in memory: text for text formats; bytes for anki (.apkg), csv (a zip of
    nodes.csv and edges.csv) and obsidian (a zip of the note folder)."""
    return _RENDER[format_info(fmt).name](kg, sub)


def export(
    kg: KnowledgeGraph,
    sub: nx.MultiDiGraph,
    fmt: str,
    output: str | Path | None = None,
    nodes: str | Path | None = None,
    edges: str | Path | None = None,
    force: bool = False,
) -> str | bytes | None:
    """Write the export to `output` (a folder for obsidian; `nodes`/`edges` files for csv) and
    return None, or return a text format's text when there is no `output` (the CLI prints it).
    An existing file is replaced only with `force`; a binary format needs an `output`."""
    info = format_info(fmt)
    if (nodes is not None or edges is not None) and info.name != "csv":
        raise UsageError("--nodes/--edges are for --format csv")
    if info.name == "csv" and (nodes is not None or edges is not None):
        if nodes is None or edges is None:
            raise UsageError("csv: pass both --nodes FILE and --edges FILE (or -o FILE.zip: both zipped)")
        if output is not None:
            raise UsageError("csv: pass either -o FILE.zip or --nodes/--edges, not both")
        if same_file(Path(nodes), Path(edges)):
            raise UsageError("csv: --nodes and --edges must be two different files")
        node_table, edge_table = tables.csv_tables(kg, sub)
        write_files({Path(nodes): node_table, Path(edges): edge_table}, force)
        return None
    if info.name == "obsidian":
        if output is None:
            raise UsageError("obsidian writes a folder of notes; pass -o FOLDER")
        write_folder(Path(output), obsidian.vault(kg, sub), force)
        return None
    if output is None and not info.is_text:
        hint = "or --nodes FILE --edges FILE" if info.name == "csv" else ""
        raise UsageError(f"{info.name} is a binary file; pass -o FILE{info.extension} {hint}".rstrip())
    if output is None:
        return render(kg, sub, info.name)
    check_target(Path(output), force)  # refuse before the work of rendering
    write_file(Path(output), render(kg, sub, info.name), force)
    return None


def export_checklist(
    kg: KnowledgeGraph,
    exam: str,
    fmt: str = "markdown",
    output: str | Path | None = None,
    force: bool = False,
) -> str | None:
    """The study checklist of an exam's in-scope services the notes miss or only name (see
    `checklist`): written to `output` (never over a file without `force`) and None, or returned."""
    from ..study.coverage import coverage_report, exam_guide

    if format_info(fmt).name != "markdown":
        raise UsageError(f"--missing writes a Markdown checklist; use --format markdown, not {fmt!r}")
    exam_guide(exam)  # an unknown exam is refused before any work
    if output is not None:
        check_target(Path(output), force)
    text = checklist.checklist(coverage_report(kg, exam))
    if output is None:
        return text
    write_file(Path(output), text, force)
    return None


def _folder_name(sub: nx.MultiDiGraph) -> str:
    roots = [str(sub.nodes[r].get("name", r)) for r in sub.graph.get("roots", []) if r in sub]
    return obsidian.clean_name("awskg " + " ".join(roots)) or "awskg"


__all__ = ["FORMATS", "FormatInfo", "export", "export_checklist", "format_info", "render"]
