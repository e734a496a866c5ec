"""The neighbourhood the explorer draws (awskg.graphview): the strongest neighbours first, as
`related` ranks them, limits left to the table, and a starting layout that is the same every time.
Expected values come from the library (kg.related, kg.subgraph), never from numbers in the test."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

import awskg
from awskg import graphview
from awskg.graph import KnowledgeGraph

COMMITTED = Path(__file__).resolve().parents[1] / "graph" / "awskg.json"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return awskg.load(COMMITTED)


def test_the_strongest_neighbours_are_drawn_in_the_order_related_ranks_them(kg: KnowledgeGraph) -> None:
    view = graphview.neighbourhood(kg, "service:lambda", depth=1, shown=10)
    related = [n.id for n in kg.related("service:lambda", depth=1, types=graphview.DRAWN_TYPES)]
    assert view.ranked == [n for n in related if n in view.ranked]
    assert set(view.sub) == {"service:lambda", *view.ranked[:10]}
    assert view.drawn == 10 and view.hidden == view.total - 10 > 0


def test_nearer_neighbours_come_before_farther_ones_so_every_drawn_node_is_joined(kg: KnowledgeGraph) -> None:
    view = graphview.neighbourhood(kg, "service:sqs", depth=2, shown=30)
    depths = [view.depth_of[n] for n in view.ranked]
    assert depths == sorted(depths) and set(depths) == {1, 2}
    assert nx.is_connected(view.sub.to_undirected())


def test_limits_are_counted_for_the_table_not_drawn_unless_asked(kg: KnowledgeGraph) -> None:
    view = graphview.neighbourhood(kg, "service:lambda", depth=1, shown=10_000)
    in_reach = kg.subgraph("service:lambda", depth=1)
    limits = [n for n, d in in_reach.nodes(data=True) if d["type"] == "limit"]
    assert limits and view.limits_left == len(limits)
    assert not any(d["type"] == "limit" for _, d in view.sub.nodes(data=True))
    asked = graphview.neighbourhood(kg, "service:lambda", depth=1, types=["limit"], shown=10_000)
    limits_within = set(kg.subgraph("service:lambda", depth=1, types=["limit"])) - {"service:lambda"}
    assert set(asked.ranked) == limits_within
    assert asked.limits_left == 0


def test_showing_more_adds_the_next_strongest(kg: KnowledgeGraph) -> None:
    few = graphview.neighbourhood(kg, "service:lambda", depth=2, shown=graphview.READABLE)
    more = graphview.neighbourhood(kg, "service:lambda", depth=2, shown=graphview.READABLE + graphview.STEP)
    assert set(few.sub) < set(more.sub)
    step = slice(graphview.READABLE, graphview.READABLE + graphview.STEP)
    assert set(more.sub) - set(few.sub) == set(more.ranked[step])


def test_start_positions_put_the_focus_in_the_middle_and_keep_nodes_apart(kg: KnowledgeGraph) -> None:
    view = graphview.neighbourhood(kg, "service:lambda", depth=2, shown=100)
    pos = graphview.start_positions(view)
    assert pos == graphview.start_positions(graphview.neighbourhood(kg, "service:lambda", depth=2, shown=100))
    assert set(pos) == set(view.sub) and pos["service:lambda"] == (0.0, 0.0)
    radius = {n: math.hypot(*pos[n]) for n in view.ranked if n in pos}
    assert max(r for n, r in radius.items() if view.depth_of[n] == 1) < min(
        r for n, r in radius.items() if view.depth_of[n] == 2)  # a ring per depth
    points = list(pos.values())
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest >= graphview.ROOM_PER_NODE * 0.9


def test_the_layout_starts_from_the_given_places() -> None:
    options = graphview.layout_options()
    assert options["name"] == "fcose" and options["randomize"] is False
    assert options["nodeDimensionsIncludeLabels"] is True and options["animate"] is False
