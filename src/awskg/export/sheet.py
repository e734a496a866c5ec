"""The Markdown study sheet: per service, its features with their definitions, its limits with their
values (and AWS's current value where it changed), and the note lines behind them.

Note text is escaped so it shows as typed in any CommonMark renderer (GitHub, Obsidian, VS Code):
`&`, `<` and `>` become entities, so `<script>` is never live HTML, and Markdown punctuation is
backslash-escaped, so `*`, `[[`, `|` or a backtick in a note neither formats nor links nor breaks
a table. Line breaks in note text are folded: a sheet row is one line of the notes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import networkx as nx

from ..graph import KnowledgeGraph
from ..model import Limit, Source
from . import facts
from .facts import concept_nodes, limits_of, line_stale, note_lines, one_line, ref, sources_of

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that mean something
# mid-line in CommonMark, GFM or Obsidian (`==highlight==`, `%%comment%%`, `#tag`, `^block`,
# `$math$`). `(`, `!` and `+` need no escape: a link needs a `[`, a list marker a line start.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~$=%^])")

# Relations that say what a service does, shown beside it; HAS_*/MENTIONS are the sheet's sections.
_STRUCTURAL = {"HAS_FEATURE", "HAS_LIMIT", "MENTIONS", "RELATED_TO"}


def md(text: Any) -> str:
    """Note text as Markdown that renders back to exactly that text, on one line."""
    escaped = html.escape(one_line(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def md_block(text: Any) -> str:
    """`md`, for text that starts a line: a leading `-`, `+` or `1.` would start a list, `---` a rule."""
    out = md(text)
    return re.sub(r"^(\d*)([-+.)])", r"\1\\\2", out) if re.match(r"\d*[-+.)]", out) else out


def _group_of(sub: nx.MultiDiGraph, n: str) -> str:
    d = sub.nodes[n]
    if d.get("type") == "service":
        return n
    sid = d.get("service_id")
    return f"service:{sid}" if sid else ""


def _service_name(kg: KnowledgeGraph, sub: nx.MultiDiGraph, group: str, members: list[str]) -> str:
    for g in (sub, kg.graph):
        if group in g:
            return str(g.nodes[group].get("name", group))
    for n in members:
        if sub.nodes[n].get("service"):
            return str(sub.nodes[n]["service"])
    return group.split(":", 1)[-1]


def study_sheet(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> str:
    nodes = concept_nodes(sub)
    roots = [r for r in sub.graph.get("roots", []) if r in sub]
    limits = {lim.id: lim for lim in limits_of(kg, sub)}
    groups: dict[str, list[str]] = {}
    for n in nodes:
        groups.setdefault(_group_of(sub, n), []).append(n)
    named = {g: _service_name(kg, sub, g, ms) for g, ms in groups.items() if g}
    order = [g for g in roots if g in groups]
    order += sorted((g for g in groups if g and g not in order), key=lambda g: (named[g].lower(), g))
    if "" in groups:
        order.append("")

    title = ", ".join(md(sub.nodes[r].get("name", r)) for r in roots) or "awskg"
    edges = sub.number_of_edges()
    out = [
        f"# Study sheet: {title}",
        "",
        f"{len(nodes)} concepts and {edges} relations within {sub.graph.get('depth', '?')} step(s), "
        f"{len(limits)} limits. Made by awskg from your notes; every fact cites its note line.",
        "",
    ]
    for g in order:
        members = groups[g]
        out += _section(kg, sub, g, named.get(g, "Other concepts"), members, limits)
    return "\n".join(out).rstrip("\n") + "\n"


def _section(
    kg: KnowledgeGraph,
    sub: nx.MultiDiGraph,
    group: str,
    name: str,
    members: list[str],
    limits: dict[str, Limit],
) -> list[str]:
    out = [f"## {md(name)}", ""]
    if group in sub:
        d = sub.nodes[group]
        if d.get("definition"):
            out += [md_block(d["definition"]), ""]
        related = _typed_relations(sub, group)
        if related:
            out += ["Related: " + "; ".join(related), ""]
    by_type: dict[str, list[str]] = {}
    for n in members:
        if n != group:
            by_type.setdefault(str(sub.nodes[n].get("type", "")), []).append(n)

    features = sorted(by_type.pop("feature", []), key=lambda n: _name(sub, n).lower())
    if features:
        out += ["### Features", ""]
        out += [_definition_item(sub, n) for n in features]
        out.append("")

    group_limits = sorted((limits[n] for n in by_type.pop("limit", []) if n in limits),
                          key=lambda lim: (lim.source.file, lim.source.line, lim.id))
    if group_limits:
        out += ["### Limits", "", "| Limit | Value | Kind | Source | Note |", "|---|---|---|---|---|"]
        for lim in group_limits:
            value = f"**{md(lim.display)}**"
            if lim.conflict:
                value += " (the notes disagree)"
            if lim.stale:
                value += f" ⚠ {md(facts.stale_message(lim))}"
            out.append(f"| {md(lim.subject)} | {value} | {md(lim.kind)} | {md(ref(lim.source))} "
                       f"| {md(lim.line_text)} |")
        out.append("")

    others = sorted((n for ns in by_type.values() for n in ns),
                    key=lambda n: (str(sub.nodes[n].get("type")), _name(sub, n).lower()))
    if others:
        out += ["### Other concepts" if group else "### Concepts", ""]
        out += [_definition_item(sub, n, with_type=True) for n in others]
        out.append("")

    lines = note_lines(kg, _all_sources(sub, members))
    if lines:
        out += ["### Source lines", ""]
        out += [source_line_item(kg, src, text) for src, text in lines]
        out.append("")
    return out


def source_line_item(kg: KnowledgeGraph, src: Source, text: str) -> str:
    """`- notes/aws.txt:84: max message size: 256KB ⚠ AWS since 2025-08: 1 MiB`: a note line as a
    list item, with the markers of the stale values it states."""
    marker = line_stale(kg, src, text)
    return f"- {md(ref(src))}: {md(text)}" + (f" {md(marker)}" if marker else "")


def _name(sub: nx.MultiDiGraph, n: str) -> str:
    return str(sub.nodes[n].get("name", n))


def _definition_item(sub: nx.MultiDiGraph, n: str, with_type: bool = False) -> str:
    d = sub.nodes[n]
    item = f"- **{md(_name(sub, n))}**"
    if with_type:
        item += f" ({md(d.get('type', ''))})"
    if d.get("definition"):
        item += f": {md(d['definition'])}"
    srcs = sources_of(d)
    if srcs:
        item += f" ({md(ref(srcs[0]))})"
    return item


def _typed_relations(sub: nx.MultiDiGraph, n: str) -> list[str]:
    out = []
    for _, v, k in sorted(sub.out_edges(n, keys=True), key=lambda e: (e[2], e[1])):
        if k not in _STRUCTURAL:
            out.append(f"{md(str(k).lower().replace('_', ' '))} {md(_name(sub, v))}")
    return out


def _all_sources(sub: nx.MultiDiGraph, members: Iterable[str]) -> list[Source]:
    return [s for n in members for s in sources_of(sub.nodes[n])]
