"""The neighbourhood graph the explorer draws: what a student can read of an entity's surroundings.

A neighbourhood can run to hundreds of nodes (Lambda at depth 2). Drawn whole it is a hairball, so
the view keeps the strongest neighbours, ranked as `KnowledgeGraph.related` ranks them (nearer
first, then by evidence and specificity), up to a readable count that "show more" raises. Limits
are listed in the entity's limits table rather than drawn as a cloud of dots, unless the student
asks for them by type. Nodes start on rings around the focus, by rank, and the force layout
(fcose, bundled with st-cytoscape) moves them from there keeping their labels apart; starting
from fixed places makes the picture the same every time it is drawn.

Plain data only: no Streamlit here (app.py draws it), so everything is testable without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .graph import CONCEPT_TYPES, KnowledgeGraph

# Nodes drawn at first, and how many more each "show more" adds: about what a 600 px canvas
# shows with every label readable.
READABLE = 24
STEP = 24
# Types drawn when the student has not picked any: every concept but limits (the table has them).
DRAWN_TYPES = tuple(t for t in CONCEPT_TYPES if t != "limit")
# Where the rings of the starting layout sit, and the room each node gets on its ring (pixels).
RING_GAP = 120.0
ROOM_PER_NODE = 70.0


@dataclass
class Neighbourhood:
    """The part of an entity's neighbourhood that is drawn, and what is left out of it."""

    focus: str
    sub: nx.MultiDiGraph  # the nodes drawn and the edges among them
    ranked: list[str]  # every neighbour within the depth, of the types asked, strongest first
    depth_of: dict[str, int]  # steps from the focus, for every ranked node
    limits_left: int  # limit nodes within the depth left to the limits table

    @property
    def drawn(self) -> int:
        """Neighbours drawn (the focus not counted)."""
        return self.sub.number_of_nodes() - 1

    @property
    def hidden(self) -> int:
        return len(self.ranked) - self.drawn

    @property
    def total(self) -> int:
        return len(self.ranked)


def neighbourhood(
    kg: KnowledgeGraph,
    focus: str,
    depth: int = 1,
    types: Iterable[str] | None = None,
    shown: int = READABLE,
) -> Neighbourhood:
    """The focus and its `shown` strongest neighbours within `depth` steps, of `types` (default:
    every concept type but limits). Nearer neighbours always come before farther ones, so every
    node drawn is joined to the focus through nodes drawn."""
    want = tuple(types) if types else DRAWN_TYPES
    full = kg.subgraph(focus, depth=depth, types=want)
    depth_of = nx.single_source_shortest_path_length(full.to_undirected(as_view=True), focus)
    strength = {n.id: i for i, n in enumerate(kg.related(focus, depth=depth, types=want))}
    ranked = sorted((n for n in full if n != focus),
                    key=lambda n: (depth_of.get(n, depth + 1), strength.get(n, len(strength)), n))
    keep = [focus, *ranked[: max(0, shown)]]
    sub = full.subgraph(keep).copy()
    sub.graph = dict(full.graph)
    limits_left = 0
    if "limit" not in want:
        with_limits = kg.subgraph(focus, depth=depth, types=(*want, "limit"))
        limits_left = sum(1 for n, d in with_limits.nodes(data=True)
                          if d.get("type") == "limit" and n != focus)
    return Neighbourhood(focus, sub, ranked, {n: depth_of.get(n, depth + 1) for n in ranked}, limits_left)


def start_positions(view: Neighbourhood) -> dict[str, tuple[float, float]]:
    """Where each drawn node starts: the focus in the middle, each depth on its own ring, the
    strongest neighbour at the top and the rest clockwise by rank; a ring is wide enough to give
    every node on it ROOM_PER_NODE. The force layout moves them on from here."""
    pos = {view.focus: (0.0, 0.0)}
    rings: dict[int, list[str]] = {}
    for n in view.ranked:
        if n in view.sub:
            rings.setdefault(view.depth_of[n], []).append(n)
    radius = 0.0
    for d in sorted(rings):
        nodes = rings[d]
        radius = max(radius + RING_GAP, len(nodes) * ROOM_PER_NODE / (2 * math.pi))
        for i, n in enumerate(nodes):
            angle = 2 * math.pi * i / len(nodes) - math.pi / 2
            pos[n] = (round(radius * math.cos(angle), 1), round(radius * math.sin(angle), 1))
    return pos


def layout_options() -> dict[str, Any]:
    """fcose (bundled with st-cytoscape, so nothing is fetched) started from start_positions:
    `randomize: false` keeps the starting places (fcose then needs quality "proof"), and node
    sizes include their labels, so labels are kept apart like nodes. No animation: a click lands
    where the node is drawn."""
    return {"name": "fcose", "quality": "proof", "randomize": False, "animate": False,
            "animationDuration": 0, "fit": True, "padding": 30, "nodeDimensionsIncludeLabels": True,
            "nodeRepulsion": 6500, "idealEdgeLength": 70, "edgeElasticity": 0.45, "nodeSeparation": 60,
            "numIter": 2500, "gravity": 0.25, "tile": True}
