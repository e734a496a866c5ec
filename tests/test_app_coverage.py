"""The app's Coverage view through Streamlit's AppTest: the exam guide's services beside the notes,
a chart of them by group, and each service a link to its page (or, when missing, to what the notes
say nearby). Expected values come from `coverage_report`, never from numbers in the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import awskg
from awskg import views
from awskg.graph import KnowledgeGraph
from awskg.study import coverage_report

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "graph" / "awskg.json"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return awskg.load(COMMITTED)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AWSKG_GRAPH", str(COMMITTED))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=30)
    at.run()
    at.sidebar.radio(key="view").set_value("Coverage").run()
    assert not at.exception, at.exception
    return at


def test_coverage_view_shows_the_figure_and_a_chart_by_guide_group(app: AppTest, kg: KnowledgeGraph) -> None:
    report = coverage_report(kg, "DVA-C02")
    assert app.selectbox(key="cov_exam").value == "DVA-C02"
    assert any(views.literal_markdown(report.summary) in m.value for m in app.markdown)
    # Streamlit ships the chart's rows apart from its spec (as Arrow); the spec keeps the groups.
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["y"]["sort"] == [g for g, _items in report.by_group()]
    labels = [views.coverage_group_label(g, items) for g, items in report.by_group()]
    assert [e.label for e in app.main.expander] == labels


def test_the_chart_counts_each_groups_services_by_status(kg: KnowledgeGraph) -> None:
    report = coverage_report(kg, "DVA-C02")
    spec = views.coverage_chart_spec(report)
    counted = {(r["group"], r["status"]): r["services"] for r in spec["data"]["values"]}
    for group, items in report.by_group():
        for status in ("covered", "thin", "missing"):
            assert counted.get((group, status), 0) == sum(1 for s in items if s.status == status)
    assert sum(counted.values()) == report.total
    assert spec["encoding"]["color"]["scale"]["domain"] == ["covered", "thin", "missing"]


def test_a_service_the_notes_name_opens_its_entity_page(app: AppTest, kg: KnowledgeGraph) -> None:
    service = next(s for s in coverage_report(kg, "DVA-C02").services if s.status == "covered")
    app.button(key=f"cov-{service.service_id}-0").click().run()
    assert app.sidebar.radio(key="view").value == "Explore"
    assert app.session_state.focus == service.node


def test_a_missing_service_links_to_what_the_notes_say_nearby(app: AppTest, kg: KnowledgeGraph) -> None:
    service = next(s for s in coverage_report(kg, "DVA-C02").services if s.status == "missing" and s.nearby)
    labels = [b.label for b in app.button if str(b.key).startswith(f"cov-{service.service_id}-")]
    assert labels == [views.literal_markdown(f"nearby: {name}") for _n, name in service.nearby]
    app.button(key=f"cov-{service.service_id}-0").click().run()
    assert app.session_state.focus == service.nearby[0][0]


def test_another_exam_redraws_the_view(app: AppTest, kg: KnowledgeGraph) -> None:
    app.selectbox(key="cov_exam").set_value("SOA-C03").run()
    report = coverage_report(kg, "SOA-C03")
    assert any(views.literal_markdown(report.summary) in m.value for m in app.markdown)
    assert len(app.main.expander) == len(report.by_group())
