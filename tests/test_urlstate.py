"""The explorer's state in the address (awskg.urlstate): a link read into what the widgets start
from, keeping only what the graph can show, and the state written back as the view's parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

import awskg
from awskg import urlstate
from awskg.graph import MAX_DEPTH, KnowledgeGraph

COMMITTED = Path(__file__).resolve().parents[1] / "graph" / "awskg.json"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return awskg.load(COMMITTED)


def test_an_explore_link_opens_its_entity_at_its_depth(kg: KnowledgeGraph) -> None:
    state = urlstate.read({"view": "explore", "entity": "service:sqs", "depth": "2"}, kg)
    assert state == {"view": "Explore", "focus": "service:sqs", "depth": 2}


def test_an_entity_named_in_a_link_is_resolved_like_a_search(kg: KnowledgeGraph) -> None:
    assert urlstate.read({"entity": "sqs"}, kg)["focus"] == kg.resolve("sqs")


def test_a_limits_link_sets_its_filters_as_the_widgets_spell_them(kg: KnowledgeGraph) -> None:
    state = urlstate.read({"view": "limits", "service": "sqs", "kind": ["max", "nonsense"], "stale": "1"}, kg)
    assert state == {"view": "Limits", "lim_service": "SQS", "lim_kinds": ["max"], "lim_stale": True}


def test_a_search_link_needs_no_view(kg: KnowledgeGraph) -> None:
    assert urlstate.read({"q": "lamda timout"}, kg) == {"view": "Explore", "q": "lamda timout"}


@pytest.mark.parametrize("params", [
    {"view": "nowhere"},
    {"entity": "service:no-such-thing-xyz"},
    {"depth": "0"}, {"depth": str(MAX_DEPTH + 1)}, {"depth": "deep"},
    {"view": "limits", "service": "NoSuchService"},
    {"view": "limits", "sort": "colour"},
    {"view": "quiz", "n": "999"},
    {"view": "coverage", "exam": "XYZ-C99"},
])
def test_what_a_link_asks_that_the_graph_cannot_show_is_dropped(kg: KnowledgeGraph, params: dict) -> None:
    state = urlstate.read(params, kg)
    assert set(state) == {"view"} and state["view"] in urlstate.VIEWS


def test_parameters_of_another_view_are_ignored(kg: KnowledgeGraph) -> None:
    assert urlstate.read({"view": "limits", "entity": "service:sqs", "q": "sqs"}, kg) == {"view": "Limits"}


def test_write_gives_the_views_parameters_and_leaves_out_empty_and_default_values() -> None:
    state = {"q": "", "q_types": [], "focus": "service:sqs", "depth": 1, "graph_zoom": "fit",
             "graph_wide": False, "lim_service": "SQS"}
    assert urlstate.write("Explore", state) == {"view": "explore", "entity": "service:sqs", "depth": "1"}
    state = {"lim_service": "SQS", "lim_kinds": ["max", "min"], "lim_sort": "service", "lim_stale": True}
    assert urlstate.write("Limits", state) == {"view": "limits", "service": "SQS", "kind": ["max", "min"],
                                               "sort": "service", "stale": "1"}


def test_what_write_gives_read_gives_back(kg: KnowledgeGraph) -> None:
    state = {"q": "sqs", "q_types": ["service", "line"], "focus": "service:lambda", "depth": 3,
             "graph_types": ["feature"], "graph_zoom": "150 %", "graph_wide": True}
    assert urlstate.read(urlstate.write("Explore", state), kg) == {"view": "Explore", **state}
