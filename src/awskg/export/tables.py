"""Tables: CSV (nodes and edges, for spreadsheets and Neo4j's LOAD CSV) and Cypher for Neo4j.

CSV: `nodes.csv` (id, type, name, service, definition, value, value_max, unit, display, stale,
sources; `stale` is the flag's message when AWS has changed a limit since the notes) and
`edges.csv` (source, target, relation, weight, sources); sources are `file:line;file:line`.
A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`:
spreadsheets run such a cell as a formula, and note text must open as text.

Cypher: JSON lines, one statement per node and then one per edge, each line
`{"statement": "...", "parameters": {...}}`: the statement objects of Neo4j's transactional HTTP
API (wrap the lines as `{"statements": [...]}` and POST them to `/db/neo4j/tx/commit`) and the two
arguments of a driver's `session.run(statement, parameters)`:

    MERGE (n:Awskg:Feature {id: $id}) SET n += $props
    MATCH (a:Awskg {id: $source}), (b:Awskg {id: $target}) MERGE (a)-[r:HAS_FEATURE]->(b) SET r += $props

Every value travels in `parameters`; a statement is one of these two templates with a label made
from the entity type and a relationship type made from the relation, both reduced to
`[A-Za-z0-9_]`, so no note text is ever part of a statement. Properties are what Neo4j stores:
scalars and lists of strings; `sources` become `file:line` strings, other lists and maps JSON text.
For fast loading of a large graph, first run
`CREATE CONSTRAINT awskg_id IF NOT EXISTS FOR (n:Awskg) REQUIRE n.id IS UNIQUE`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import networkx as nx

from ..graph import KnowledgeGraph
from ..model import format_number
from .archive import zip_bytes
from .facts import concept_nodes, refs, stale_message

NODE_COLUMNS = (
    "id", "type", "name", "service", "definition", "value", "value_max", "unit", "display", "stale",
    "sources",
)
EDGE_COLUMNS = ("source", "target", "relation", "weight", "sources")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _number(value: Any) -> str:
    # Plain digits (no thousands separator) so spreadsheets read the cell as a number.
    return format_number(value).replace(",", "") if isinstance(value, int | float) else ""


def csv_tables(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> tuple[str, str]:
    """The nodes table and the edges table, as CSV text."""
    nodes = io.StringIO()
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow(NODE_COLUMNS)
    for n in sorted(sub.nodes):
        d = sub.nodes[n]
        lim = kg.limit(n) if d.get("type") == "limit" and n in kg else None
        w.writerow([
            _cell(n), _cell(d.get("type")), _cell(d.get("name")), _cell(d.get("service")),
            _cell(d.get("definition")), _number(d.get("value")), _number(d.get("value_max")),
            _cell(d.get("unit")), _cell(lim.display if lim else ""), _cell(stale_message(lim) if lim else ""),
            _cell(refs(d.get("sources", []))),
        ])
    edges = io.StringIO()
    w = csv.writer(edges, lineterminator="\n")
    w.writerow(EDGE_COLUMNS)
    for u, v, k, d in sorted(sub.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        w.writerow([_cell(u), _cell(v), _cell(d.get("relation", k)), d.get("weight", ""),
                    _cell(refs(d.get("sources", [])))])
    return nodes.getvalue(), edges.getvalue()


def csv_zip(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> bytes:
    nodes, edges = csv_tables(kg, sub)
    return zip_bytes({"nodes.csv": nodes, "edges.csv": edges})


# ---------------------------------------------------------------------------- Cypher

NODE_STATEMENT = "MERGE (n:Awskg:{label} {{id: $id}}) SET n += $props"
EDGE_STATEMENT = ("MATCH (a:Awskg {{id: $source}}), (b:Awskg {{id: $target}}) "
                  "MERGE (a)-[r:{rel}]->(b) SET r += $props")


def node_label(kind: Any) -> str:
    """`env_var` -> `EnvVar`: a Neo4j label that needs no quoting."""
    parts = re.split(r"[^A-Za-z0-9]+", str(kind or ""))
    label = "".join(part[:1].upper() + part[1:] for part in parts if part)
    return label if label[:1].isalpha() else "Entity" + label


def relationship_type(rel: Any) -> str:
    """`HAS_FEATURE` stays; anything else is reduced to `[A-Z0-9_]` starting with a letter."""
    name = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", str(rel or ""))).strip("_").upper()
    return name if name[:1].isalpha() else "REL_" + name


def _property(key: str, value: Any) -> Any:
    if key == "sources" and isinstance(value, list):
        return [refs([s]) for s in value if isinstance(s, dict)]
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(x, str) for x in value):
        return list(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _props(data: dict[str, Any]) -> dict[str, Any]:
    return {str(k): _property(str(k), v) for k, v in sorted(data.items()) if v is not None}


def cypher(sub: nx.MultiDiGraph) -> str:
    lines = []
    for n in concept_nodes(sub) + sorted(n for n in sub.nodes if sub.nodes[n].get("type") == "card"):
        d = sub.nodes[n]
        statement = NODE_STATEMENT.format(label=node_label(d.get("type")))
        lines.append({"statement": statement, "parameters": {"id": n, "props": _props(d)}})
    for u, v, k, d in sorted(sub.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        statement = EDGE_STATEMENT.format(rel=relationship_type(k))
        lines.append({"statement": statement,
                      "parameters": {"source": u, "target": v, "props": {"key": str(k), **_props(d)}}})
    return "".join(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n" for obj in lines)
