"""Facts: what one file says, as graph operations (nodes and edges with their sources), in plain
JSON so a build caches them per file and merges files into one graph."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import Source

FACTS_VERSION = 1


@dataclass
class Facts:
    """What one file says, as graph operations: nodes and edges with their sources.

    Repeats are merged as they come (sources as an ordered set, the first non-empty value of each
    attribute, lists unioned), so memory grows with what the file says, not with how often it says
    it, and each id reaches the graph once per file."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)

    def node(self, node_id: str, type: str, name: str, sources: Iterable[Source], **attrs: Any) -> str:
        acc = self.nodes.get(node_id)
        if acc is None:
            acc = self.nodes[node_id] = {"type": type, "name": name, "sources": {}, "attrs": {}}
        for src in sources:
            acc["sources"][(src.file, src.line, src.card or "")] = None
        _merge_attrs(acc["attrs"], attrs)
        return node_id

    def attrs(self, node_id: str, **attrs: Any) -> None:
        """More attributes for a node this file already added (lists merge)."""
        if node_id in self.nodes:
            _merge_attrs(self.nodes[node_id]["attrs"], attrs)

    def edge(self, u: str, v: str, relation: str, sources: Iterable[Source], **attrs: Any) -> None:
        if u == v:
            return
        acc = self.edges.get((u, v, relation))
        if acc is None:
            acc = self.edges[(u, v, relation)] = {"sources": {}, "attrs": {}}
        for src in sources:
            acc["sources"][(src.file, src.line, src.card or "")] = None
        _merge_attrs(acc["attrs"], attrs)

    def name(self, node_id: str) -> str:
        return self.nodes[node_id]["name"]

    def attr(self, node_id: str, key: str) -> Any:
        value = self.nodes[node_id]["attrs"].get(key)
        return value.value() if isinstance(value, _Union) else value

    def to_dict(self) -> dict[str, Any]:
        def srcs(keys: dict) -> list[dict[str, Any]]:
            return [{"file": f, "line": ln, **({"card": c} if c else {})} for f, ln, c in keys]

        return {
            "version": FACTS_VERSION,
            "nodes": [
                {
                    "id": i,
                    "type": n["type"],
                    "name": n["name"],
                    "sources": srcs(n["sources"]),
                    "attrs": _final_attrs(n["attrs"]),
                }
                for i, n in self.nodes.items()
            ],
            "edges": [
                {
                    "u": u,
                    "v": v,
                    "relation": r,
                    "sources": srcs(e["sources"]),
                    "attrs": _final_attrs(e["attrs"]),
                }
                for (u, v, r), e in self.edges.items()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Facts:
        facts = cls()
        for n in data.get("nodes", []):
            facts.node(
                n["id"], n["type"], n["name"], [Source.from_dict(x) for x in n["sources"]], **n["attrs"]
            )
        for e in data.get("edges", []):
            facts.edge(
                e["u"], e["v"], e["relation"], [Source.from_dict(x) for x in e["sources"]], **e["attrs"]
            )
        return facts


def assemble_facts(kg: Any, facts: Facts) -> None:
    """Apply one file's facts to a KnowledgeGraph, nodes first so every edge finds both ends."""
    for node_id, acc in facts.nodes.items():
        kg.add_entity(
            node_id,
            acc["type"],
            acc["name"],
            [Source(f, ln, c or None) for f, ln, c in acc["sources"]],
            **_final_attrs(acc["attrs"]),
        )
    for (u, v, rel), acc in facts.edges.items():
        kg.add_relation(
            u, v, rel, [Source(f, ln, c or None) for f, ln, c in acc["sources"]], **_final_attrs(acc["attrs"])
        )


def _merge_attrs(into: dict[str, Any], new: dict[str, Any]) -> None:
    """First non-empty scalar wins; lists given more than once are unioned and sorted (the way
    KnowledgeGraph.add_entity merges them), a list given once keeps its order."""
    for key, value in new.items():
        if value is None or value == "":
            continue
        old = into.get(key)
        if isinstance(value, list):
            if isinstance(old, _Union):
                old.add(value)
            elif old is None or old == "":
                into[key] = _Union(value)
        elif old is None or old == "" or old == [] or old == {}:
            into[key] = value


class _Union:
    """A list attribute being merged: its items once each, and whether a second list came in."""

    def __init__(self, first: list[Any]):
        self.first = list(first)
        self.items: dict[Any, Any] = {_hashable(v): v for v in first}
        self.merged = False

    def add(self, more: list[Any]) -> None:
        if more:
            self.merged = True
            for v in more:
                self.items.setdefault(_hashable(v), v)

    def value(self) -> list[Any]:
        return sorted(self.items.values(), key=str) if self.merged else self.first


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _final_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v.value() if isinstance(v, _Union) else v for k, v in attrs.items()}
