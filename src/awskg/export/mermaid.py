"""Mermaid flowcharts, which GitHub and Obsidian draw from a ```mermaid block or a .mmd file.

Node ids are made of `[A-Za-z0-9_]` and start with `n_`, so none is a Mermaid keyword (`end`,
`graph`, `subgraph`) nor starts with the `o`/`x` that turn an arrow into a circle or cross edge.
Every label is quoted, and the characters that could end the quote, start markup or an entity
become Mermaid entity codes (`"` -> `#quot;`, `<` -> `#lt;`, `#` -> `#35;`, `%` -> `#37;`), so note
text is drawn as text: Mermaid reads `%%` as a comment and `%%{init: ...}%%` as a directive even
inside a quoted label. Ids are kept short: Mermaid refuses diagrams over 50,000 characters.
"""

from __future__ import annotations

import re

import networkx as nx

from .facts import one_line
from .graphs import TYPE_FILL, node_label

_ENTITY = {
    '"': "#quot;",
    "#": "#35;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "|": "#124;",
    "\\": "#92;",
    "%": "#37;",  # `%%` starts a comment or a directive (`%%{init: ...}%%`) wherever it stands
}
_ID_LENGTH = 28


def label(text: str) -> str:
    """A quoted Mermaid label that shows `text` as typed."""
    return '"' + "".join(_ENTITY.get(ch, ch) for ch in one_line(text)) + '"'


def node_ids(nodes: list[str]) -> dict[str, str]:
    """A short, readable, unique Mermaid id for each node id."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for n in nodes:
        base = "n_" + re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", n)).strip("_")[:_ID_LENGTH].rstrip("_")
        candidate, i = base, 2
        while candidate.lower() in used:
            candidate, i = f"{base}_{i}", i + 1
        used.add(candidate.lower())
        out[n] = candidate
    return out


def relation_label(rel: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(rel)) or "RELATED"


def mermaid(sub: nx.MultiDiGraph) -> str:
    nodes = sorted(sub.nodes)
    ids = node_ids(nodes)
    roots = [str(r) for r in sub.graph.get("roots", []) if r in sub]
    lines = ["flowchart LR"]
    if roots:
        # A comment holds no markup; still, keep it to ids, which are ours, not note text.
        lines.append("  %% awskg subgraph of " + ", ".join(ids[r] for r in roots))
    by_type: dict[str, list[str]] = {}
    for n in nodes:
        d = sub.nodes[n]
        lines.append(f"  {ids[n]}[{label(node_label(d, n))}]")
        by_type.setdefault(re.sub(r"[^a-z0-9_]", "_", str(d.get("type", "")).lower()), []).append(ids[n])
    for u, v, k, d in sorted(sub.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        lines.append(f"  {ids[u]} -->|{relation_label(d.get('relation', k))}| {ids[v]}")
    for kind, fill in TYPE_FILL.items():
        members = by_type.get(kind)
        if members:
            lines.append(f"  classDef t_{kind} fill:{fill},stroke:#555")
            lines.append(f"  class {','.join(members)} t_{kind}")
    return "\n".join(lines) + "\n"

