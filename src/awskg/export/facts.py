"""What the study formats (sheet, Anki, Obsidian, CSV) say about the nodes of a subgraph.

The graph formats copy attributes; the study formats read them: a limit's display value, the note
lines behind a node, whether AWS has changed a limit since the notes were written (the flag the
graph carries on each Limit, see study/stale.py). Those readings live here so every format says
the same thing about the same node.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from ..graph import KnowledgeGraph
from ..model import Limit, Source


def concept_nodes(sub: nx.MultiDiGraph) -> list[str]:
    """The nodes a student studies, in a stable order: cards are note text, not concepts."""
    return sorted(n for n, d in sub.nodes(data=True) if d.get("type") != "card")


def limits_of(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> list[Limit]:
    """Every limit node of the subgraph as a Limit record, in source order."""
    found = [kg.limit(n) for n in concept_nodes(sub) if sub.nodes[n].get("type") == "limit" and n in kg]
    found.sort(key=lambda lim: (lim.source.file, lim.source.line, lim.id))
    return found


def stale_message(lim: Limit) -> str | None:
    """"your notes: 256 KB; AWS since 2025-08: 1 MiB; source ..." when AWS has changed the limit."""
    return str(lim.stale["message"]) if lim.stale else None


def line_stale(kg: KnowledgeGraph, src: Source, text: str) -> str:
    """The markers of the stale values a note line states and shows (`⚠ AWS since 2025-08: 1 MiB`),
    for the formats that print note lines; "" when it states none."""
    from ..study.stale import flags_at

    shown = text.lower()
    return "; ".join(f.marker for f in flags_at(kg, src.file, src.line)
                     if str(kg.graph.nodes[f.limit_id].get("text", "")).lower() in shown)


def with_stale(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the subgraph whose limits AWS has changed since carry a `stale` attribute (the
    flag: both values, the date and AWS's source), for the formats that copy node attributes."""
    out = sub.copy()
    for n, d in out.nodes(data=True):
        if d.get("type") == "limit" and n in kg:
            flag = kg.limit(n).stale
            if flag:
                d["stale"] = {k: flag[k] for k in ("notes_value", "aws_value", "as_of", "source", "message",
                                                   "marker")}
    return out


def sources_of(data: dict[str, Any]) -> list[Source]:
    return [Source.from_dict(s) for s in data.get("sources", []) if isinstance(s, dict)]


def ref(src: Source) -> str:
    """`notes/aws.txt:70`: how every format cites a note line."""
    return f"{src.file}:{src.line}"


def refs(items: Iterable[Any]) -> str:
    """`file:line;file:line`, the one-cell form of a list of sources (CSV, Neo4j properties)."""
    return ";".join(ref(s if isinstance(s, Source) else Source.from_dict(s)) for s in items)


def note_lines(kg: KnowledgeGraph, sources: Iterable[Source]) -> list[tuple[Source, str]]:
    """The note text behind each source (blank lines left out), each line once, in file order."""
    seen: set[tuple[str, int]] = set()
    out = []
    for src, text in kg.source_text(sorted(set(sources), key=lambda s: (s.file, s.line))):
        if text.strip() and (src.file, src.line) not in seen:
            seen.add((src.file, src.line))
            out.append((src, text))
    return out


def one_line(text: Any) -> str:
    """Whitespace (newlines too) folded to single spaces: a line break would end a table row, a
    list item or a YAML scalar in the formats that show note text."""
    return " ".join(str(text if text is not None else "").split())
