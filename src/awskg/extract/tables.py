"""Comparison tables: a header row that names the things a table compares (`| | SQS | SNS |`,
`| Long polling | Short polling |`) makes each of them an entity that CONTRASTS_WITH the others,
and each row below an attribute (`Max message size: 256 KB | 256 KB`) that `compare` shows side by
side. Which headers name compared things is vocabulary (`cues.json`, `comparison_tables`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from ..model import Card, NoteLine, Source
from ..vocabulary import cues
from .entities import EntityWriter
from .facts import Facts
from .names import feature_like, without_symbols

_MAX_COMPARED = 8


@cache
def _headers() -> tuple[frozenset[str], frozenset[str]]:
    spec = cues()["comparison_tables"]
    return frozenset(spec["label_headers"]), frozenset(spec["not_compared"])


def compared_columns(cells: tuple[str, ...]) -> list[tuple[int, str]]:
    """(column, name) of each thing a header row compares; empty when the header does not compare
    things (`| Setting | Value | Notes |`)."""
    labels, not_compared = _headers()
    names = [without_symbols(c).strip(" *:") for c in cells]
    first = 1 if names and names[0].lower() in labels else 0
    cols = [(j, n) for j, n in enumerate(names) if j >= first]
    if not 2 <= len(cols) <= _MAX_COMPARED:
        return []
    if any(not n or n.lower() in not_compared or not feature_like(n, loose=True) for _j, n in cols):
        return []
    return cols


class TableReader:
    """Reads the comparison tables of a card into entities, contrasts and side-by-side attributes."""

    def __init__(self, cat: Any, entities: EntityWriter) -> None:
        self.cat = cat
        self.entities = entities

    def read(self, facts: Facts, card: Card, lines: list[NoteLine], sid: str | None) -> None:
        nodes: list[tuple[int, str]] = []
        labelled = False
        for ln in lines:
            src = Source(card.file, ln.number, card.id)
            if ln.role == "heading" and ln.cells:
                cols = compared_columns(ln.cells)
                nodes = [(j, self._node(facts, name, sid, src)) for j, name in cols]
                labelled = bool(cols) and cols[0][0] == 1
                for k, (_j, a) in enumerate(nodes):
                    for _j2, b in nodes[k + 1 :]:
                        if a != b:
                            facts.edge(*sorted((a, b)), "CONTRASTS_WITH", [src])
                continue
            if ln.role != "table" or not ln.cells or not nodes:
                nodes = [] if ln.role != "table" else nodes
                continue
            attribute = ln.cells[0] if labelled else ""
            for j, node in nodes:
                value = ln.cells[j].strip() if j < len(ln.cells) else ""
                if value:
                    facts.attrs(node, compared=[[card.file, ln.number, attribute, value]])
                    facts.attrs(node, lines=[f"{card.file}:{ln.number}"])

    def _node(self, facts: Facts, name: str, sid: str | None, src: Source) -> str:
        own = self.cat.lookup(name)
        if own:
            return self.entities.service_node(facts, own, [src])
        node = self.entities.feature(facts, sid, name, "", [src], kind="column")
        return node or self.entities.service_node(facts, sid, [src])
