"""The explorer app (app.py) through Streamlit's AppTest, and the view helpers it draws with.

Every flow goes through native widgets (text input, buttons, selectboxes, slider, radio, file
uploader), so nothing here needs a browser; tests/test_browser.py drives the same app in Chromium.
Expected values come from the library (kg.search, kg.entity, kg.subgraph, make_quiz...), never
from numbers written into the test.
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

import awskg
from awskg import graphview, views
from awskg.export import FORMATS
from awskg.graph import KnowledgeGraph
from awskg.model import Source
from awskg.study import make_quiz, score_by_service, stale_flags

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app.py"
COMMITTED = REPO / "graph" / "awskg.json"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


# ---------------------------------------------------------------------------- fixtures


def add_markup_nodes(kg: KnowledgeGraph) -> dict[str, str]:
    """Add a small service whose names and note text are markup, the way a student's notes about
    HTML could be; returns the ids. It is its own island, so the rest of the graph is unchanged."""
    file = "notes/markup.md"
    card = "card:markup:1"
    src = [Source(file, 2, card)]
    kg.add_entity(card, "card", "Markup Lab: what runs?", src, file=file, number=1,
                  front=f"Markup Lab: what does {SCRIPT} do?", front_lines=[1], first_line=2, last_line=3,
                  lines=[[1, "front", f"Markup Lab: what does {SCRIPT} do?"],
                         [2, "term", f"{SCRIPT}: runs {IMG} for *15* minutes"],
                         [3, "text", "see [docs](javascript:alert(1)) and :red[colour]"]],
                  services=["markup-lab"], topic="markup", tags=[])
    ids = {
        "service": kg.add_entity("service:markup-lab", "service", "Markup Lab", src,
                                 definition=f"a lab for {IMG}"),
        "script": kg.add_entity("feature:markup-lab/script", "feature", SCRIPT, src, service="Markup Lab",
                                definition=f"runs {IMG} for *15* minutes"),
        "img": kg.add_entity("feature:markup-lab/img", "feature", IMG, [Source(file, 3, card)],
                             service="Markup Lab", definition="see [docs](javascript:alert(1))"),
        "limit": kg.add_entity("limit:markup-lab/script/max-15min", "limit", f"Markup Lab: {SCRIPT}", src,
                               service="Markup Lab", service_id="markup-lab", subject=SCRIPT, kind="max",
                               value=15.0, unit="min", text="15 minutes", dimension="seconds",
                               base_value=900.0, feature="feature:markup-lab/script"),
    }
    kg.add_relation(ids["service"], ids["script"], "HAS_FEATURE", src)
    kg.add_relation(ids["service"], ids["img"], "HAS_FEATURE", src)
    kg.add_relation(ids["script"], ids["limit"], "HAS_LIMIT", src)
    kg.add_relation(ids["script"], ids["img"], "CONTRASTS_WITH", src)
    return ids


def write_markup_graph(path: Path) -> Path:
    """The committed graph plus the markup island, saved to `path` (never over the committed one)."""
    kg = awskg.load(COMMITTED)
    add_markup_nodes(kg)
    kg.save(path, force=False)
    return path


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return awskg.load(COMMITTED)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AWSKG_GRAPH", str(COMMITTED))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def markup_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("AWSKG_GRAPH", str(write_markup_graph(tmp_path / "markup.json")))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def unescape(md: str) -> str:
    """What a literal_markdown label reads as on the page."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md)


def open_entity(at: AppTest, node_id: str) -> AppTest:
    at.selectbox(key="open_entity").set_value(node_id).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def table_with(at: AppTest, column: str, nth: int = 0):
    """The nth static table (st.table) with `column`, its cells read as the page shows them."""
    found = [t.value for t in at.table if column in t.value.columns]
    assert len(found) > nth, f"no table with {column!r}: {[list(t.value.columns) for t in at.table]}"
    return found[nth].map(lambda c: unescape(c) if isinstance(c, str) else c)


def caption_with(at: AppTest, needle: str) -> str:
    found = [c.value for c in at.caption if needle in c.value]
    assert found, f"no caption with {needle!r}: {[c.value for c in at.caption]}"
    return found[0]


# ---------------------------------------------------------------------------- search


def test_search_lists_the_librarys_typo_tolerant_hits(app: AppTest, kg: KnowledgeGraph) -> None:
    query = "lamda timout"
    app.text_input(key="q").input(query).run()
    expected = kg.search(query, limit=10)
    assert expected, "the library finds nothing for a typo query"
    labels = [app.button(key=f"hit-{i}").label for i in range(len(expected))]
    assert labels == [views.literal_markdown(views.clip(h.name, 60)) for h in expected]
    shown = texts(app)
    for hit in expected:
        assert any(views.hit_row(hit)["answer"] in t for t in shown), hit.name


def test_search_results_show_the_aws_value_and_source_beside_a_stale_answer(app: AppTest,
        kg: KnowledgeGraph) -> None:
    query = "sqs max message size"
    app.text_input(key="q").input(query).run()
    stale = [h for h in kg.search(query, limit=10) if h.stale]
    assert stale, "precondition: the shipped AWS reference flags SQS's 256 KB maximum"
    shown = texts(app)
    for hit in stale:
        assert any(views.hit_row(hit)["answer"] in t and hit.stale["marker"] in t for t in shown), hit.name
        assert any(t == f"⚠ {hit.stale['message']}" and hit.stale["source"] in t for t in shown), hit.name


def test_search_filters_by_type_and_service(app: AppTest, kg: KnowledgeGraph) -> None:
    app.text_input(key="q").input("timeout").run()
    app.multiselect(key="q_types").set_value(["limit"]).run()
    app.selectbox(key="q_service").set_value("Lambda").run()
    expected = kg.search("timeout", limit=10, types=["limit"], service="Lambda")
    assert expected and all(h.type == "limit" and h.service == "Lambda" for h in expected)
    hit_buttons = [b for b in app.button if str(b.key).startswith("hit-")]
    assert [b.label for b in hit_buttons] == [views.literal_markdown(views.clip(h.name, 60))
                                              for h in expected]


def test_search_with_no_match_says_so_with_suggestions(app: AppTest) -> None:
    app.text_input(key="q").input("zzqx").run()
    assert not [b for b in app.button if str(b.key).startswith("hit-")]
    assert len(app.warning) == 1 and "zzqx" in unescape(app.warning[0].value)


def test_a_service_absent_from_the_notes_is_said_before_the_near_matches(app: AppTest,
        kg: KnowledgeGraph) -> None:
    assert "service:api-gateway" not in kg, "precondition: the committed notes never name API Gateway"
    app.text_input(key="q").input("api gateway").run()
    hits = kg.search("api gateway", limit=10)
    assert hits, "precondition: the notes say something near API Gateway"
    assert [unescape(w.value) for w in app.warning] == [
        "API Gateway is not in your notes; the nearest matches are below."]
    # (that it is drawn above them, the browser test checks)
    assert [app.button(key=f"hit-{i}").label for i in range(len(hits))] == [
        views.literal_markdown(views.clip(h.name, 60)) for h in hits]


def test_gibberish_gets_no_far_fetched_suggestion(app: AppTest) -> None:
    app.text_input(key="q").input("xyzzy plugh").run()
    assert [unescape(w.value) for w in app.warning] == ["Nothing found for 'xyzzy plugh'"]


def test_opening_a_result_shows_its_entity_page_and_card(app: AppTest, kg: KnowledgeGraph) -> None:
    app.text_input(key="q").input("sqs max message size").run()
    hit = kg.search("sqs max message size", limit=10)[0]
    target = views.hit_target(kg, hit)
    app.button(key="hit-0").click().run()
    assert not app.exception
    assert app.session_state.focus == target.node
    entity = kg.entity(target.node)
    assert unescape(app.subheader[0].value) == entity.name
    card = kg.card_of(target.node)
    assert [c.value for c in app.code] == [views.card_text(card)]
    # the results fold away once one is opened, and come back for a new query
    assert any(e.label.endswith("results for this search") for e in app.expander)
    app.text_input(key="q").input("lambda layers").run()
    assert not any(e.label.endswith("results for this search") for e in app.expander)


def test_a_comparison_hit_opens_the_compare_view(app: AppTest, kg: KnowledgeGraph) -> None:
    query = "fifo vs standard queues"
    hits = kg.search(query, limit=10)
    index = next((i for i, h in enumerate(hits) if h.type == "comparison"), None)
    assert index is not None, f"precondition: the library answers {query!r} with a comparison"
    app.text_input(key="q").input(query).run()
    app.button(key=f"hit-{index}").click().run()
    assert app.sidebar.radio(key="view").value == "Compare"
    names = [unescape(s.value) for s in app.subheader]
    a, b = hits[index].fields["a"], hits[index].fields["b"]
    assert names == [kg.graph.nodes[a]["name"], kg.graph.nodes[b]["name"]]


# ---------------------------------------------------------------------------- entity page


def test_entity_page_tables_limits_with_source_lines_and_stale_flags(app: AppTest,
        kg: KnowledgeGraph) -> None:
    open_entity(app, "service:sqs")
    entity = kg.entity("service:sqs")
    table = table_with(app, "subject")
    assert list(table["subject"]) == [lim.subject for lim in entity.limits]
    assert list(table["line"]) == [lim.source.line for lim in entity.limits]
    flags = stale_flags(entity.limits)
    assert flags, "precondition: the shipped AWS reference flags an SQS limit of the notes"
    # The flag sits beside the value, and AWS's value and source are written out under the table.
    for lim, value in zip(entity.limits, table["value"], strict=True):
        if lim.id in flags:
            assert value.startswith(lim.display) and value.endswith(flags[lim.id].marker)
        else:
            assert value == lim.display
    assert "stale" not in table.columns
    shown = texts(app)
    for lim in entity.limits:
        if lim.id in flags:
            assert f"⚠ SQS {lim.subject}: {flags[lim.id].message}" in shown
    assert any("AWS has changed" in w.value and "beside the value" in w.value for w in app.warning)
    src = entity.definition_source
    assert src and caption_with(app, "definition from line") == f"definition from line {src.line}"


def test_entity_page_groups_neighbours_by_relation(app: AppTest, kg: KnowledgeGraph) -> None:
    open_entity(app, "service:lambda")
    groups = views.neighbour_groups(kg.entity("service:lambda").neighbours)
    labels = [e.label for e in app.expander if re.fullmatch(r"[A-Z_]+ \(\d+\)", e.label)]
    assert labels == [f"{rel} ({len(rows)})" for rel, rows in groups.items()]
    neighbour_tables = [df.value for df in app.dataframe if "neighbour" in df.value.columns]
    assert [list(t["neighbour"]) for t in neighbour_tables] == [
        [r["neighbour"] for r in rows] for rows in groups.values()]


# ---------------------------------------------------------------------------- neighbourhood graph


def drawn_graph(app: AppTest) -> tuple[int, int]:
    """(neighbours drawn, neighbours in all) as the graph's caption says, checked against its legend."""
    caption = unescape(caption_with(app, "click a node"))
    some = re.match(r"(\d+) of (\d+) neighbours drawn, the strongest first", caption)
    drawn, total = (int(some[1]), int(some[2])) if some else (int(re.match(r"all (\d+)", caption)[1]),) * 2
    legend = next(df.value for df in app.dataframe if "colour" in df.value.columns)
    assert int(legend["nodes"].sum()) == drawn + 1  # the focus is a row of its own
    return drawn, total


def test_depth_and_type_filter_change_the_drawn_graph(app: AppTest, kg: KnowledgeGraph) -> None:
    open_entity(app, "service:sqs")
    for depth in (1, 2, 3):
        app.slider(key="depth").set_value(depth).run()
        view = graphview.neighbourhood(kg, "service:sqs", depth=depth)
        assert drawn_graph(app) == (min(graphview.READABLE, view.total), view.total)
        within = kg.subgraph("service:sqs", depth=depth, types=graphview.DRAWN_TYPES)
        assert view.total == within.number_of_nodes() - 1
    app.multiselect(key="graph_types").set_value(["feature"]).run()
    sub = kg.subgraph("service:sqs", depth=3, types=["feature"])
    assert drawn_graph(app)[1] == sub.number_of_nodes() - 1
    legend = next(df.value for df in app.dataframe if "colour" in df.value.columns)
    assert set(legend["type"]) == {"focus", "feature"}


def test_a_big_neighbourhood_draws_its_strongest_and_shows_more_on_request(app: AppTest,
                                                                          kg: KnowledgeGraph) -> None:
    open_entity(app, "service:lambda")
    view = graphview.neighbourhood(kg, "service:lambda", depth=1)
    assert view.total > graphview.READABLE  # else this test proves nothing
    assert drawn_graph(app) == (graphview.READABLE, view.total)
    caption = unescape(caption_with(app, "click a node"))
    assert f"{view.limits_left} limits listed in the tables, not drawn" in caption
    app.button(key="graph_more").click().run()
    assert drawn_graph(app) == (min(graphview.READABLE + graphview.STEP, view.total), view.total)
    app.button(key="graph_all").click().run()
    assert drawn_graph(app) == (view.total, view.total)
    assert not [b for b in app.button if b.key in ("graph_more", "graph_all")]
    app.slider(key="depth").set_value(2).run()  # a new neighbourhood starts small again
    assert drawn_graph(app)[0] == graphview.READABLE


def test_the_graph_can_take_the_full_width(app: AppTest) -> None:
    open_entity(app, "service:sqs")
    assert len(app.columns) > 0 and app.toggle(key="graph_wide").value is False
    app.toggle(key="graph_wide").set_value(True).run()
    assert not app.exception
    assert app.toggle(key="graph_wide").value is True
    assert app.get("download_button")  # the entity page and its exports are still there


def test_focus_selectbox_opens_a_node_of_the_graph(app: AppTest, kg: KnowledgeGraph) -> None:
    open_entity(app, "service:sqs")
    options = app.selectbox(key="graph_focus").options
    drawn = graphview.neighbourhood(kg, "service:sqs", depth=1).sub
    neighbour = next(n for n in sorted(drawn) if n != "service:sqs")
    assert views.picker_labels(kg, [neighbour])[neighbour] in options
    app.selectbox(key="graph_focus").set_value(neighbour).run()
    assert app.session_state.focus == neighbour
    assert unescape(app.subheader[0].value) == kg.graph.nodes[neighbour]["name"]
    assert app.selectbox(key="open_entity").value == neighbour


def test_every_entry_of_a_picker_reads_differently(kg: KnowledgeGraph) -> None:
    # A picker hands back the entry whose label the browser chose: two entries that read the same
    # (two limits both named `Lambda: timeout`) would open the first for both.
    choices = views.entity_choices(kg)
    plain = [views.entity_label(kg, n) for n in choices]
    assert len(set(plain)) < len(plain)  # the notes do name two entities alike
    labels = views.picker_labels(kg, choices)
    assert len(set(labels.values())) == len(choices)
    assert all(labels[n].startswith(p) for n, p in zip(choices, plain, strict=True))


def test_export_offers_a_download_for_every_format(app: AppTest) -> None:
    open_entity(app, "service:sqs")
    buttons = {b.label: b for b in app.get("download_button")}
    assert len(app.get("download_button")) == len(buttons) == len(FORMATS)
    assert {label: b.proto.help for label, b in buttons.items()} == {
        name: info.description for name, info in FORMATS.items()}


# ---------------------------------------------------------------------------- state in the address


def app_at(monkeypatch: pytest.MonkeyPatch, query: dict) -> AppTest:
    """The app opened from a link with these query parameters."""
    monkeypatch.setenv("AWSKG_GRAPH", str(COMMITTED))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_explore_link_opens_the_entity_at_its_depth(monkeypatch: pytest.MonkeyPatch,
                                                       kg: KnowledgeGraph) -> None:
    app = app_at(monkeypatch, {"view": "explore", "entity": "service:sqs", "depth": "2"})
    assert unescape(app.subheader[0].value) == kg.graph.nodes["service:sqs"]["name"]
    assert app.slider(key="depth").value == 2
    assert drawn_graph(app)[1] == graphview.neighbourhood(kg, "service:sqs", depth=2).total


def test_a_limits_link_opens_the_filtered_table(monkeypatch: pytest.MonkeyPatch, kg: KnowledgeGraph) -> None:
    app = app_at(monkeypatch, {"view": "limits", "service": "SQS", "kind": "max"})
    assert app.sidebar.radio(key="view").value == "Limits"
    expected = views.sort_limits(views.filter_limits(kg.limits("SQS"), kinds=["max"]))
    assert expected and list(table_with(app, "subject")["subject"]) == [lim.subject for lim in expected]


def test_a_search_link_shows_its_results(monkeypatch: pytest.MonkeyPatch, kg: KnowledgeGraph) -> None:
    app = app_at(monkeypatch, {"q": "lamda timout"})
    assert app.text_input(key="q").value == "lamda timout"
    first = kg.search("lamda timout", limit=10)[0]
    assert app.button(key="hit-0").label == views.literal_markdown(views.clip(first.name, 60))


def test_a_link_to_something_unknown_opens_the_start_page_without_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_at(monkeypatch, {"view": "explore", "entity": "service:nowhere", "depth": "99"})
    assert not app.error and "focus" not in app.session_state
    assert app.query_params == {"view": "explore"}


def test_the_address_follows_the_page_as_the_student_moves(app: AppTest) -> None:
    open_entity(app, "service:sqs")
    assert app.query_params == {"view": "explore", "entity": "service:sqs", "depth": "1"}
    app.slider(key="depth").set_value(2).run()
    assert app.query_params["depth"] == "2"
    app.sidebar.radio(key="view").set_value("Limits").run()
    app.selectbox(key="lim_service").set_value("SQS").run()
    app.multiselect(key="lim_kinds").set_value(["max"]).run()
    assert app.query_params == {"view": "limits", "service": "SQS", "kind": "max"}


def test_a_search_survives_a_visit_to_another_view(app: AppTest) -> None:
    app.text_input(key="q").input("lamda timout").run()
    app.sidebar.radio(key="view").set_value("Limits").run()
    app.sidebar.radio(key="view").set_value("Explore").run()
    assert app.text_input(key="q").value == "lamda timout"
    assert app.query_params == {"view": "explore", "q": "lamda timout"}


# ---------------------------------------------------------------------------- other views


def test_limits_view_filters_by_service_kind_and_unit(app: AppTest, kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Limits").run()
    assert len(table_with(app, "subject")) == len(kg.limits())
    app.selectbox(key="lim_service").set_value("Lambda").run()
    lambda_limits = kg.limits("Lambda")
    table = table_with(app, "subject")
    assert list(table["subject"]) == [lim.subject for lim in views.sort_limits(lambda_limits)]
    app.multiselect(key="lim_kinds").set_value(["max"]).run()
    app.multiselect(key="lim_units").set_value(["MB"]).run()
    table = table_with(app, "subject")
    expected = views.sort_limits(views.filter_limits(lambda_limits, units=["MB"], kinds=["max"]))
    assert expected and list(table["subject"]) == [lim.subject for lim in expected]
    assert set(table["kind"]) == {"max"} and all(v.split()[-1] == "MB" for v in table["value"])


def test_limits_view_sorts_by_base_value_within_each_dimension(app: AppTest, kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Limits").run()
    app.checkbox(key="lim_bounds").check().run()
    limits = kg.limits(numeric_only=False)
    by_id = {lim.id: lim for lim in limits}
    expected = views.sort_limits(limits, "value")
    table = table_with(app, "subject")
    assert list(zip(table["service"], table["subject"], strict=True)) == [
        (lim.service, lim.subject) for lim in expected]
    assert "sizes, then durations" in caption_with(app, "sorted by value")
    # What the order means, read off the rows: each dimension one run, in DIMENSIONS order; inside
    # it the plain numbers rise, then the rates, then the bounds with no number.
    dims = [lim.dimension for lim in expected]
    runs = [d for i, d in enumerate(dims) if i == 0 or dims[i - 1] != d]
    assert len(runs) == len(set(runs)) > 1
    assert runs == sorted(runs, key=lambda d: list(views.DIMENSIONS).index(d))
    for dim in runs:
        rows = [by_id[lim.id] for lim in expected if lim.dimension == dim]
        plain = [lim.base_value for lim in rows if lim.base_value is not None and not lim.per]
        assert plain == sorted(plain), dim
        tail = [lim.base_value is None for lim in rows]
        assert tail == sorted(tail), f"{dim}: a bound with no number before a number"
    app.selectbox(key="lim_sort").set_value("service").run()
    assert list(table_with(app, "subject")["service"]) == sorted(table["service"], key=str.lower)


def test_limits_view_stale_only_filter_and_flag_beside_the_value(app: AppTest, kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Limits").run()
    app.checkbox(key="lim_stale").check().run()
    stale = [lim for lim in kg.limits() if lim.stale]
    assert stale, "precondition: the shipped AWS reference flags some limits of the notes"
    table = table_with(app, "subject")
    assert sorted(table["subject"]) == sorted(lim.subject for lim in stale)
    assert all(v.endswith(lim.stale["marker"]) for v, lim in zip(
        table["value"], views.sort_limits(stale), strict=True))
    assert [t for t in texts(app) if t.startswith("⚠")] == views.stale_notes(views.sort_limits(stale))


def test_limits_chart_is_on_a_log_scale(app: AppTest, kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Limits").run()
    app.radio(key="lim_dim").set_value("seconds").run()
    charts = app.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert all(layer["encoding"]["x"]["scale"]["type"] == "log" for layer in spec["layer"])
    assert "duration" in spec["layer"][0]["encoding"]["x"]["title"]


def test_a_limit_picked_in_the_limits_view_opens_its_page(app: AppTest, kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Limits").run()
    limit = kg.limits("SQS")[0]
    app.selectbox(key="lim_service").set_value("SQS").run()
    app.selectbox(key="lim_open").set_value(limit.id).run()
    app.button(key="lim_open_go").click().run()
    assert app.sidebar.radio(key="view").value == "Explore"
    assert app.session_state.focus == limit.id
    assert unescape(app.subheader[0].value) == kg.graph.nodes[limit.id]["name"]


def test_compare_view_puts_two_entities_side_by_side(app: AppTest, kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Compare").run()
    app.selectbox(key="cmp_a").set_value("service:sqs").run()
    app.selectbox(key="cmp_b").set_value("service:sns").run()
    data = kg.compare("service:sqs", "service:sns")
    assert [unescape(s.value) for s in app.subheader] == [data["a"]["name"], data["b"]["name"]]
    for side in ("a", "b"):
        lines, limits = views.compare_rows(data[side])
        if lines:
            shown = next(t for t in (table_with(app, "note", i) for i in range(len(app.table)))
                         if list(t["line"]) == [r["line"] for r in lines])
            # every line whole: the table wraps, nothing is clipped
            assert list(shown["note"]) == [" ".join(r["note"].split()) for r in lines]
    # SQS's 256 KB maximum is stale: its value carries the marker, and AWS's value is written out
    sqs_limits = table_with(app, "subject")
    flagged = [lim for lim in kg.entity("service:sqs").limits if lim.stale]
    assert flagged
    for lim in flagged:
        row = sqs_limits[sqs_limits["subject"] == lim.subject].iloc[0]
        assert row["value"].startswith(lim.display) and row["value"].endswith(lim.stale["marker"])
        assert f"⚠ {lim.stale['message']}" in texts(app)
    # not a pair the notes contrast: the pair picker is empty
    assert app.selectbox(key="cmp_pair").value is None


def test_compare_view_lists_the_pairs_the_notes_contrast(app: AppTest, kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Compare").run()
    pairs = views.contrast_pairs(kg)
    assert {frozenset((p.a, p.b)) for p in pairs} == {frozenset(p) for p in kg.comparisons()}
    picker = app.selectbox(key="cmp_pair")
    assert picker.label == f"Pairs your notes contrast ({len(kg.comparisons())})"
    assert picker.options == [p.label for p in pairs]
    assert [p.label.lower() for p in pairs] == sorted(p.label.lower() for p in pairs)
    listed = next(df.value for df in app.dataframe if "pair" in df.value.columns)
    assert list(listed["pair"]) == [p.label for p in pairs]
    pick = pairs[len(pairs) // 2]
    app.selectbox(key="cmp_pair").set_value(len(pairs) // 2).run()
    assert (app.selectbox(key="cmp_a").value, app.selectbox(key="cmp_b").value) == (pick.a, pick.b)
    data = kg.compare(pick.a, pick.b)
    assert data["contrasted"] and any("contrast these two" in i.value for i in app.info)
    assert [unescape(s.value) for s in app.subheader] == [data["a"]["name"], data["b"]["name"]]


def answer_quiz(app: AppTest, questions, choose) -> list[tuple]:
    """Answer each question with choose(i, q) (None leaves it unanswered); returns (q, choice)."""
    answers = []
    for i, q in enumerate(questions):
        choice = choose(i, q)
        if choice is not None:
            app.radio(key=f"quiz-{q.id}").set_value(choice).run()
        answers.append((q, choice))
    return answers


def test_quiz_keeps_score_per_service_across_quizzes(app: AppTest, kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Quiz").run()
    app.slider(key="quiz_n").set_value(4).run()
    expected_total: dict = {}
    for round_ in (1, 2):
        questions = make_quiz(kg, None, n=4, seed=round_)
        # right on even questions, wrong on odd ones
        answers = answer_quiz(app, questions, lambda i, q: q.answer_index if i % 2 == 0
                              else (q.answer_index + 1) % len(q.choices))
        app.button(key="quiz_check").click().run()
        assert not app.exception
        expected_total = views.add_scores(expected_total, score_by_service(answers))
        scores = next(df.value for df in app.dataframe if "percent" in df.value.columns)
        assert scores.to_dict("records") == views.score_rows(expected_total)
        assert len(app.success) == sum(1 for q, c in answers if q.is_correct(c))
        app.button(key="quiz_new").click().run()
    assert sum(r["asked"] for r in views.score_rows(expected_total)) == 8


def test_quiz_keeps_the_answers_given_names_them_by_letter_and_scores_the_round(app: AppTest,
        kg: KnowledgeGraph) -> None:
    app.sidebar.radio(key="view").set_value("Quiz").run()
    app.slider(key="quiz_n").set_value(5).run()
    questions = make_quiz(kg, None, n=5, seed=1)
    for q in questions:  # every choice carries the letter the feedback names it by
        assert app.radio(key=f"quiz-{q.id}").options == [
            views.literal_markdown(f"{'ABCDE'[i]}. {c}") for i, c in enumerate(q.choices)]
    # right, wrong, unanswered, right, wrong
    plan = {0: "right", 1: "wrong", 2: None, 3: "right", 4: "wrong"}
    answers = answer_quiz(app, questions, lambda i, q: None if plan[i] is None else
                          q.answer_index if plan[i] == "right" else (q.answer_index + 1) % len(q.choices))
    # leaving the view and coming back keeps the answers given so far
    app.sidebar.radio(key="view").set_value("Limits").run()
    app.sidebar.radio(key="view").set_value("Quiz").run()
    assert [app.radio(key=f"quiz-{q.id}").value for q in questions] == [c for _, c in answers]
    app.button(key="quiz_check").click().run()
    assert not app.exception
    readback = [t for t in texts(app) if t.startswith(("✓", "✗", "·"))]
    assert len(readback) == len(questions)
    for (q, choice), lines in zip(answers, readback, strict=True):
        rows = lines.splitlines()
        assert [r.split("   ←")[0][2:] for r in rows] == [
            f"{'ABCDE'[i]}. {c}" for i, c in enumerate(q.choices)]
        assert rows[q.answer_index].startswith("✓") and "the answer" in rows[q.answer_index]
        if choice is not None:
            assert "your answer" in rows[choice]
        else:
            assert not any("your answer" in r for r in rows)
    right = f"{'ABCDE'[questions[0].answer_index]}. {questions[0].answer}"
    assert [unescape(x.value) for x in app.success] == [
        f"Right: {'ABCDE'[q.answer_index]}. {q.answer}" for q, c in answers
        if c is not None and q.is_correct(c)]
    assert unescape(app.success[0].value) == f"Right: {right}"
    assert len(app.error) == 2 and all("You answered" in unescape(e.value) for e in app.error)
    assert [unescape(x.value) for x in app.info] == [
        f"Not answered. The answer is {'ABCDE'[questions[2].answer_index]}. {questions[2].answer}"]
    assert [s.value for s in app.subheader] == ["Score: 2 of 5 right · 2 wrong · 1 not answered"]


def test_export_file_names_carry_their_format(kg: KnowledgeGraph) -> None:
    names = {fmt: views.download_name("service:sqs", fmt, info.extension) for fmt, info in FORMATS.items()}
    assert len(set(names.values())) == len(FORMATS)  # no two downloads share a name
    assert names["csv"] == "sqs-csv.zip" and names["obsidian"] == "sqs-obsidian.zip"
    assert names["cypher"] == "sqs-cypher.jsonl" and names["graphml"] == "sqs.graphml"
    for fmt, name in names.items():
        assert name.endswith(FORMATS[fmt].extension)
    assert views.download_name("feature:lambda/reserved-concurrency", "anki", ".apkg") == \
        "lambda-reserved-concurrency.apkg"


# ---------------------------------------------------------------------------- graphs and uploads


def test_uploaded_notes_make_a_session_graph_and_leave_the_committed_one(app: AppTest) -> None:
    before = (COMMITTED.read_bytes(), COMMITTED.stat().st_mtime_ns)
    notes = b"# Study\n\n## SQS\n\n- Zebra queues: hold at most 42 messages\n"
    app.sidebar.file_uploader(key="uploads").set_value(("mine.md", notes, "text/markdown")).run()
    app.sidebar.button(key="build_uploads").click().run()
    assert not app.exception and not app.error
    assert "mine.md" in unescape(caption_with(app, "uploads"))
    app.text_input(key="q").input("zebra queues").run()
    assert app.button(key="hit-0").label  # found in the uploaded notes
    assert (COMMITTED.read_bytes(), COMMITTED.stat().st_mtime_ns) == before
    app.sidebar.button(key="drop_uploads").click().run()
    assert "awskg.json" in unescape(caption_with(app, "Graph"))


def test_a_bad_upload_shows_a_one_line_error(app: AppTest) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    app.sidebar.file_uploader(key="uploads").set_value(("photo.png", png, "image/png")).run()
    app.sidebar.button(key="build_uploads").click().run()
    assert not app.exception
    assert len(app.error) == 1
    message = unescape(app.error[0].value)
    assert "photo.png" in message and "\n" not in message and "Traceback" not in message


def test_uploads_sharing_a_name_stem_build_one_graph(app: AppTest) -> None:
    uploads = [("notes.txt", b"Lambda: what is the max timeout?\nLambda\nmax timeout is 15 minutes\n",
                "text/plain"),
               ("notes.md", b"# SQS\n\nmessages up to 256 KB\n", "text/markdown")]
    app.sidebar.file_uploader(key="uploads").set_value(uploads).run()
    app.sidebar.button(key="build_uploads").click().run()
    assert not app.exception and not app.error
    cards = app.session_state.uploaded_kg.cards()
    assert sorted(c["file"] for c in cards) == ["notes.md", "notes.txt"]
    assert len({c["id"] for c in cards}) == 2


SAMPLES = REPO / "tests" / "samples" / "formats"


def zipped_folder(folder: Path, top: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
    return buf.getvalue()


def test_an_anki_package_a_zipped_vault_and_a_quizlet_deck_upload_together(app: AppTest) -> None:
    uploads = [("deck.apkg", (SAMPLES / "sample_deck.apkg").read_bytes(), "application/octet-stream"),
               ("My Vault.zip", zipped_folder(SAMPLES / "sample_vault", "My Vault"), "application/zip"),
               ("set.txt", (SAMPLES / "sample_quizlet.txt").read_bytes(), "text/plain")]
    app.sidebar.file_uploader(key="uploads").set_value(uploads).run()
    app.sidebar.button(key="build_uploads").click().run()
    assert not app.exception and not app.error
    kg = app.session_state.uploaded_kg
    files = {c["file"] for c in kg.cards()}
    # Named as uploaded: the server's temp folder is nobody's business.
    assert "deck.apkg" in files and "set.txt" in files
    assert "My Vault.zip/AWS/Compute/Lambda.md" in files
    assert {c["format"] for c in kg.cards()} == {"apkg", "obsidian", "termdef"}
    assert ("service:lambda", "service:dynamodb") in {(u, v) for u, v, k in kg.graph.edges(keys=True)
                                                      if k == "CONSUMES_STREAMS_FROM"}


@pytest.mark.parametrize(("name", "data", "needle"), [
    ("deck.apkg", b"PK\x03\x04" + b"\x00" * 200, "deck.apkg: is not a readable Anki package"),
    ("pictures.zip", None, "pictures.zip: is a zip archive with no notes in it"),
    ("empty.md", b"", "empty.md: is empty"),
])
def test_a_bad_upload_names_the_upload_and_never_a_server_path(app: AppTest, name: str, data: bytes | None,
                                                               needle: str) -> None:
    if data is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a.png", b"\x89PNG")
        data = buf.getvalue()
    app.sidebar.file_uploader(key="uploads").set_value((name, data, "application/octet-stream")).run()
    app.sidebar.button(key="build_uploads").click().run()
    assert not app.exception and len(app.error) == 1
    message = unescape(app.error[0].value)
    assert message.startswith(needle) and "\n" not in message
    assert "/tmp" not in message and "awskg-upload" not in message and tempfile.gettempdir() not in message


def test_a_missing_graph_file_is_an_error_not_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.setenv("AWSKG_GRAPH", str(tmp_path / "nowhere.json"))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert len(at.error) == 1 and "nowhere.json" in unescape(at.error[0].value)


def test_node_names_with_markup_are_rendered_as_text(markup_app: AppTest) -> None:
    at = markup_app
    at.text_input(key="q").input("alert").run()
    labels = [unescape(b.label) for b in at.button if str(b.key).startswith("hit-")]
    assert SCRIPT in labels and IMG in labels
    open_entity(at, "feature:markup-lab/script")
    assert unescape(at.subheader[0].value) == SCRIPT
    assert f"runs {IMG} for *15* minutes" in texts(at)  # the definition, as st.text
    assert SCRIPT in at.code[0].value and IMG in at.code[0].value  # the card, as st.code
    assert list(table_with(at, "subject")["subject"]) == [SCRIPT]
    # Nothing that Streamlit renders as Markdown or HTML holds the markup unescaped: labels,
    # headings, and every cell of the static tables (st.table renders Markdown).
    assert [h.proto.body for h in at.get("html")] == [views.page_css()]  # the app's own style rules only
    cells = [c for t in at.table for c in t.value.to_numpy().ravel() if isinstance(c, str)]
    assert any("<" in unescape(c) for c in cells)
    for element in [*at.markdown, *at.caption, *at.subheader, *at.button, *at.expander]:
        value = getattr(element, "value", None) or getattr(element, "label", "")
        assert not re.search(r"(?<!\\)<", value), value
    for value in cells:
        assert not re.search(r"(?<!\\)[<\[*`]", value), value


def test_the_app_answers_without_loading_spacy() -> None:
    # In a fresh interpreter: other tests in this process build graphs and so load spaCy.
    script = f"""
import os, sys
os.environ["AWSKG_GRAPH"] = {str(COMMITTED)!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(APP)!r}, default_timeout=60).run()
at.text_input(key="q").input("lamda timout").run()
at.button(key="hit-0").click().run()
at.slider(key="depth").set_value(2).run()
for view in ("Limits", "Compare", "Quiz"):
    at.sidebar.radio(key="view").set_value(view).run()
assert not at.exception, at.exception
print(sorted(m for m in sys.modules if m == "spacy" or m.startswith("spacy.")))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


# ---------------------------------------------------------------------------- view helpers


@pytest.mark.parametrize("text", [SCRIPT, IMG, "*bold* _it_ `code` [a](javascript:x) $x^2$ :red[c] <b>&amp;",
                                  "# not a heading", "1. not a list", "back\\slash | pipe ~strike~"])
def test_literal_markdown_renders_as_the_text_itself(text: str) -> None:
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    rendered = md.render(views.literal_markdown(text))
    assert rendered == f"<p>{html.escape(text, quote=False)}</p>\n"


def test_graph_elements_colour_each_type_and_mark_the_focus_in_its_own_style(kg: KnowledgeGraph) -> None:
    sub = kg.subgraph("service:sqs", depth=1)
    elements = views.graph_elements(sub, "service:sqs")
    nodes = [e for e in elements if "source" not in e["data"]]
    edges = [e for e in elements if "source" in e["data"]]
    assert len(nodes) == sub.number_of_nodes() and len(edges) == sub.number_of_edges()
    assert [n["data"]["id"] for n in nodes if n["classes"] == "focus"] == ["service:sqs"]
    assert not any(n["selected"] for n in nodes)  # a selected node takes the theme's colour
    focus_style = next(r["style"] for r in views.graph_stylesheet() if r["selector"] == "node.focus")
    assert focus_style["background-color"] not in views.TYPE_COLOURS.values()
    for n in nodes:
        assert n["data"]["colour"] == views.TYPE_COLOURS[sub.nodes[n["data"]["id"]]["type"]]
    assert len({e["data"]["id"] for e in elements}) == len(elements)


def test_graph_labels_keep_markup_as_literal_text(tmp_path: Path) -> None:
    kg = awskg.load(write_markup_graph(tmp_path / "g.json"))
    sub = kg.subgraph("service:markup-lab", depth=1)
    labels = {e["data"]["label"] for e in views.graph_elements(sub) if "source" not in e["data"]}
    assert {SCRIPT, IMG} <= labels


def test_shown_path_is_relative_inside_the_working_folder(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert views.shown_path(tmp_path / "graph" / "awskg.json") == "graph/awskg.json"
    outside = tmp_path.parent / "elsewhere.json"
    assert views.shown_path(outside) == outside.as_posix()


def test_a_click_opens_a_selected_node_other_than_the_focus() -> None:
    assert views.clicked_node({"nodes": ["a"], "edges": []}, "a") is None
    assert views.clicked_node({"nodes": ["a", "b"], "edges": []}, "a") == "b"
    assert views.clicked_node({"nodes": [], "edges": ["a|X|b"]}, "a") is None
    assert views.clicked_node(None, "a") is None


def test_chart_rows_leave_out_what_a_log_axis_cannot_show(kg: KnowledgeGraph) -> None:
    limits = kg.limits(numeric_only=False)
    rows = views.chart_rows(limits, "seconds")
    seconds = [lim for lim in limits if lim.dimension == "seconds" and (lim.base_value_max or lim.base_value)]
    assert 0 < len(rows) == len(seconds)
    assert all(r["low"] > 0 and r["high"] >= r["low"] for r in rows)
    assert [r["high"] for r in rows] == sorted(r["high"] for r in rows)


def test_the_limits_chart_axis_spans_its_rows_so_it_is_never_measured_on_nothing(kg: KnowledgeGraph) -> None:
    rows = views.chart_rows(kg.limits(), "bytes")
    assert len(rows) > 1
    scale = views.chart_spec(rows, "bytes")["layer"][0]["encoding"]["x"]["scale"]
    assert scale["type"] == "log"
    assert scale["domain"] == [min(r["low"] for r in rows), max(r["high"] for r in rows)]
    one = views.chart_spec(rows[:1], "bytes")["layer"][1]["encoding"]["x"]["scale"]["domain"]
    assert one[0] < rows[0]["high"] < one[1]


def test_a_line_hit_opens_the_entity_read_from_that_line(kg: KnowledgeGraph) -> None:
    line_hits = [h for h in kg.search("max time the lambda function will run", limit=20) if h.type == "line"]
    assert line_hits
    for hit in line_hits:
        target = views.hit_target(kg, hit)
        assert target is not None and target.node in kg.graph
        owners = views.nodes_at_line(kg, hit.source.file, hit.source.line)
        assert target.node == (owners[0] if owners else hit.source.card)


def test_uploaded_file_names_cannot_leave_the_temp_folder(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    notes = b"# Notes\n\n## SQS\n\n- delay queues: up to 15 minutes\n"
    kg = views.build_uploaded([("../../escape.md", notes)])
    files = {s["file"] for _, d in kg.graph.nodes(data=True) for s in d.get("sources", [])}
    assert files == {"escape.md"}
    assert not list(tmp_path.parent.glob("escape.md")) and not list(tmp_path.glob("**/escape.md"))
    with pytest.raises(awskg.InputError):
        views.build_uploaded([])
