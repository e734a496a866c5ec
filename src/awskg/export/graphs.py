"""Graph file formats: GraphML (yEd, Cytoscape), GEXF (Gephi), node-link JSON, Graphviz DOT.

GraphML and GEXF hold scalar attributes only, and networkx's writers reject the lists and dicts
awskg nodes carry (`sources`, `aliases`, `lines`): those become JSON strings, None values are left
out, and characters XML 1.0 cannot hold are dropped, so every file reads back in networkx (and in
the tools) with the same nodes, edges and attribute values. JSON is the same node-link schema as
`graph/awskg.json`, so `awskg.KnowledgeGraph.from_data` loads an export as a graph.
"""

from __future__ import annotations

import json
import re
from typing import Any

import networkx as nx

from ..graph import KnowledgeGraph
from .facts import one_line

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates and
# U+FFFE/U+FFFF; ElementTree writes the others and the file then fails to parse.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def flat_value(value: Any) -> Any:
    """A value GraphML and GEXF can hold: str/int/float/bool as is, containers as JSON text."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _XML_ILLEGAL.sub("", str(value))


def flat_attrs(data: dict[str, Any]) -> dict[str, Any]:
    return {str(k): flat_value(v) for k, v in data.items() if v is not None}


def flat_graph(sub: nx.MultiDiGraph, *, labels: bool = False) -> nx.MultiDiGraph:
    """A copy of the subgraph with scalar attributes; `labels` adds the `label` Gephi shows."""
    g = nx.MultiDiGraph()
    g.graph.update(flat_attrs(sub.graph))
    for n, d in sub.nodes(data=True):
        attrs = flat_attrs(d)
        if labels:
            attrs["label"] = flat_value(d.get("name", n))
        g.add_node(n, **attrs)
    for u, v, k, d in sub.edges(keys=True, data=True):
        attrs = flat_attrs(d)
        if labels:
            attrs["label"] = flat_value(d.get("relation", k))
        g.add_edge(u, v, key=k, **attrs)
    return g


def graphml(sub: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_graphml(flat_graph(sub), prettyprint=True)) + "\n"


def gexf(sub: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_gexf(flat_graph(sub, labels=True), prettyprint=True)) + "\n"


def node_link_json(sub: nx.MultiDiGraph) -> str:
    # KnowledgeGraph() sets the schema version on the graph it wraps; wrap a copy, not the caller's.
    return KnowledgeGraph(sub.copy()).to_json()


# ---------------------------------------------------------------------------- Graphviz DOT

# A fill colour per entity type, shared by the drawings (DOT, Mermaid).
TYPE_FILL = {
    "service": "#ffd88a",
    "feature": "#cfe3ff",
    "limit": "#ffc9c9",
    "api": "#d7f5d0",
    "error": "#f5d0e6",
    "config": "#e6e0ff",
}


def dot_quote(text: Any) -> str:
    """A DOT quoted string: backslashes doubled (Graphviz reads `\\n`, `\\l` and `\\N` in labels
    as layout escapes) and quotes escaped, on one line."""
    text = one_line(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def node_label(data: dict[str, Any], node_id: str) -> str:
    """What a node is called on a drawing: its name; a limit also shows its value, and the value
    AWS states today when it has changed since (the `stale` attribute of facts.with_stale)."""
    name = data.get("name") or node_id
    if data.get("type") == "limit":
        value = data.get("text") or ""
        subject = data.get("subject") or name
        label = f"{subject}: {value}" if value else str(subject)
        stale = data.get("stale")
        if isinstance(stale, dict) and stale.get("marker"):
            label += f" {stale['marker']}"
        return label
    return str(name)


def dot(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> str:
    roots = ", ".join(str(sub.nodes[r].get("name", r)) for r in sub.graph.get("roots", []) if r in sub)
    lines = [
        "digraph awskg {",
        f"  graph [rankdir=LR, label={dot_quote('awskg: ' + roots if roots else 'awskg')}];",
        '  node [shape=box, style="rounded,filled", fillcolor="#eeeeee", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for n in sorted(sub.nodes):
        d = sub.nodes[n]
        kind = str(d.get("type", ""))
        attrs = [f"label={dot_quote(node_label(d, n))}"]
        if kind in TYPE_FILL:
            attrs.append(f"fillcolor={dot_quote(TYPE_FILL[kind])}")
        lines.append(f"  {dot_quote(n)} [{', '.join(attrs)}];")
    for u, v, k, d in sorted(sub.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        rel = d.get("relation", k)
        lines.append(f"  {dot_quote(u)} -> {dot_quote(v)} [label={dot_quote(rel)}, key={dot_quote(k)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
