"""Coverage against the exam guides (awskg.study.coverage): the exam data shipped as package data,
the notes' services covered, thin or missing, `awskg coverage` and `awskg export --missing`.

Expectations about the committed notes are read from the notes text itself (which services a line
names, which have a "what is it?" card), never written into the test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import awskg
from awskg.errors import UsageError
from awskg.graph import KnowledgeGraph
from awskg.model import Source
from awskg.study import coverage_report, exam_guide, known_exams
from awskg.study.coverage import STATUSES
from awskg.vocabulary import catalog

REPO = Path(__file__).resolve().parents[1]
EXAM_DATA = REPO / "src" / "awskg" / "data" / "exams"
NOTES_FILE = REPO / "notes" / "aws-developer-associate-flashcards.txt"
SHIPPED = ("CLF-C02", "DVA-C02", "SAA-C03", "SOA-C02", "SOA-C03")


# ---------------------------------------------------------------------------- the exam data


@pytest.mark.parametrize("path", sorted(EXAM_DATA.glob("*.json")), ids=lambda p: p.stem)
def test_exam_data_names_every_service_by_its_canonical_catalog_name(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    cat = catalog()
    assert raw["exam"] == path.stem
    named = [s for g in raw["in_scope"] for s in g["services"]]
    assert len(named) >= 20
    for item in named:
        sid = cat.lookup(item["service"])
        assert sid is not None and cat.name(sid) == item["service"], (path.stem, item)
        assert item["guide"], item
    for group in raw["out_of_scope"]["groups"]:
        for item in group["services"]:
            if item["service"] is not None:  # a name the catalog does not know stays the guide's
                sid = cat.lookup(item["service"])
                assert sid is not None and cat.name(sid) == item["service"], (path.stem, item)


@pytest.mark.parametrize("path", sorted(EXAM_DATA.glob("*.json")), ids=lambda p: p.stem)
def test_exam_data_says_where_it_comes_from_and_what_was_verified(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    guide = raw["guide"]
    assert guide["url"].startswith("https://") and "aws" in guide["url"]
    assert guide["read_from"] and len(guide["verified"]) > 80
    assert "version" in guide and "date" in guide  # null when the copy read does not show them
    assert sum(d["weight"] for d in raw["domains"]) == 100
    out = raw["out_of_scope"]
    assert isinstance(out["given"], bool) and out["note"]
    assert bool(out["groups"]) == out["given"]


def test_the_shipped_exams_are_package_data() -> None:
    assert known_exams() == SHIPPED
    assert tuple(sorted(p.stem for p in EXAM_DATA.glob("*.json"))) == SHIPPED
    # (pyproject is read as text: tomllib is Python 3.11+, awskg runs on 3.10)
    project = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    globs = re.search(r"(?m)^\[tool\.setuptools\.package-data\]\s*\nawskg = \[(.*)\]", project)
    assert globs and '"data/exams/*.json"' in globs.group(1)


def test_a_guide_lists_each_service_once_in_the_first_group_that_names_it() -> None:
    raw = json.loads((EXAM_DATA / "SAA-C03.json").read_text(encoding="utf-8"))
    listed = [(g["name"], s["service"]) for g in raw["in_scope"] for s in g["services"]]
    twice = {name for _g, name in listed if [n for _x, n in listed].count(name) > 1}
    assert twice  # AppSync is under Application Integration and Serverless
    guide = exam_guide("SAA-C03")
    ids = [e.service_id for e in guide.in_scope]
    assert len(ids) == len(set(ids))
    for name in twice:
        first = next(g for g, n in listed if n == name)
        assert next(e.group for e in guide.in_scope if e.name == name) == first


def test_exam_codes_forgive_case_and_spaces() -> None:
    assert exam_guide(" dva-c02 ").code == "DVA-C02"


def test_an_unknown_exam_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError) as err:
        exam_guide("DVA-C99")
    assert "DVA-C99" in str(err.value) and all(code in str(err.value) for code in SHIPPED)


# ---------------------------------------------------------------------------- the committed notes


def _spelling_pattern(sid: str) -> re.Pattern[str]:
    rec = catalog().get(sid)
    assert rec is not None
    words = "|".join(re.escape(s) for s in sorted(rec.spellings, key=len, reverse=True))
    abbrev = "|".join(re.escape(a) for a in rec.abbreviations)
    pattern = rf"(?i:\b(?:{words})\b)" + (rf"|\b(?:{abbrev})\b" if abbrev else "")
    return re.compile(pattern)


def _lines_naming(sid: str, lines: list[str]) -> list[int]:
    """The note lines that name a service or any of its catalog parts by a catalog spelling."""
    cat = catalog()
    ids = [sid] + [r.id for r in cat.services.values() if _is_part_of(r.id, sid)]
    patterns = [_spelling_pattern(i) for i in ids]
    return [n for n, text in enumerate(lines, 1) if any(p.search(text) for p in patterns)]


def _is_part_of(child: str, sid: str) -> bool:
    parent = catalog().get(child).parent
    while parent:
        if parent == sid:
            return True
        parent = catalog().get(parent).parent
    return False


@pytest.fixture(scope="module")
def dva(built_graph: KnowledgeGraph):
    return coverage_report(built_graph, "DVA-C02")


@pytest.fixture(scope="module")
def note_lines() -> list[str]:
    return NOTES_FILE.read_text(encoding="utf-8").splitlines()


def test_services_the_notes_define_are_covered(dva, note_lines: list[str]) -> None:
    # A "what is it?" card front names the service it defines: `SQS: what is it? ...`
    fronts = {m.group(1) for line in note_lines if (m := re.match(r"^([\w .-]+?): what is it", line, re.I))}
    defined = {catalog().lookup(f) for f in fronts} - {None}
    in_scope = {s.service_id: s for s in dva.services}
    checked = [in_scope[sid] for sid in defined if sid in in_scope]
    assert len(checked) >= 3
    for s in checked:
        assert s.status == "covered" and s.defined and s.cards >= 1 and s.lines >= 2, s.to_dict()
        assert s.node == f"service:{s.service_id}"


def test_services_the_notes_never_name_are_missing(dva, note_lines: list[str]) -> None:
    never = [s for s in dva.services if not _lines_naming(s.service_id, note_lines)]
    assert len(never) >= 5  # API Gateway, Cognito, X-Ray... have no line in these notes
    for s in never:
        assert s.status == "missing" and s.node is None and s.lines == 0, s.to_dict()
        assert s.how == "never named"


def test_a_service_named_once_in_passing_is_thin(dva, note_lines: list[str]) -> None:
    def in_passing(sid: str) -> bool:
        # One line names it, and that line is not its own card's title (`CodeArtifact` alone).
        found = _lines_naming(sid, note_lines)
        return len(found) == 1 and not _spelling_pattern(sid).fullmatch(note_lines[found[0] - 1].strip())

    once = [s for s in dva.services if in_passing(s.service_id)]
    assert once  # Elastic Load Balancing: one line of the Elastic Beanstalk card
    for s in once:
        line = _lines_naming(s.service_id, note_lines)[0]
        assert s.status == "thin", s.to_dict()
        assert s.lines == 1 and s.first is not None and s.first.line == line
        assert not (s.defined or s.cards or s.limits or s.features)
        assert "never explained" in s.how


def test_the_coverage_figure_is_the_share_of_covered_services(dva) -> None:
    counts = dva.counts
    assert sum(counts.values()) == dva.total == len(exam_guide("DVA-C02").in_scope)
    assert all(counts[s] > 0 for s in STATUSES)
    assert dva.percent == round(100 * counts["covered"] / dva.total, 1)
    assert dva.summary.startswith(f"DVA-C02: {counts['covered']} of {dva.total} ")


def test_report_groups_follow_the_guide(dva) -> None:
    groups = [g for g, _items in dva.by_group()]
    assert groups == list(exam_guide("DVA-C02").groups)
    assert [s for _g, items in dva.by_group() for s in items] == dva.services


def test_a_missing_service_points_to_what_the_notes_say_nearby(dva) -> None:
    for s in (x for x in dva.services if x.status == "missing" and x.nearby):
        for node, _name in s.nearby:
            assert node.startswith("service:")
            near = next((x for x in dva.services if x.node == node), None)
            assert near is None or near.status != "missing"
    assert any(s.nearby for s in dva.services if s.status == "missing")


def test_out_of_scope_services_the_notes_cover_are_listed_apart(built_graph: KnowledgeGraph) -> None:
    report = coverage_report(built_graph, "SOA-C02")
    out_ids = {e.service_id for e in report.exam.out_of_scope}
    listed = {s.service_id for s in report.out_of_scope_in_notes}
    assert listed and listed <= out_ids
    assert all(f"service:{sid}" in built_graph or any(
        f"service:{p}" in built_graph for p in catalog().services if _is_part_of(p, sid)) for sid in listed)
    assert not listed & {s.service_id for s in report.services}


def test_the_guide_never_changes_what_the_notes_say(built_graph: KnowledgeGraph) -> None:
    before = built_graph.to_json()
    for code in known_exams():
        coverage_report(built_graph, code)
    assert built_graph.to_json() == before


# ---------------------------------------------------------------------------- small graphs


def _graph(*services: tuple[str, dict]) -> KnowledgeGraph:
    kg = KnowledgeGraph()
    for i, (sid, attrs) in enumerate(services, 1):
        kg.add_entity(f"service:{sid}", "service", catalog().name(sid), [Source("notes/x.md", i)], **attrs)
    return kg


def test_a_part_the_notes_explain_covers_its_service() -> None:
    thin = coverage_report(_graph(("vpc", {})), "DVA-C02")
    vpc = next(s for s in thin.services if s.service_id == "vpc")
    assert vpc.status == "thin" and vpc.via == []
    kg = _graph(("vpc", {}), ("security-groups", {"definition": "a stateful firewall of an instance"}))
    vpc = next(s for s in coverage_report(kg, "DVA-C02").services if s.service_id == "vpc")
    assert vpc.status == "covered" and not vpc.defined and vpc.via == ["Security Groups"]
    assert vpc.lines == 2 and "Security Groups" in vpc.how


def test_a_missing_part_points_to_its_parent_in_the_notes() -> None:
    kg = _graph(("s3", {}))
    glacier = next(s for s in coverage_report(kg, "DVA-C02").services if s.service_id == "s3-glacier")
    assert glacier.status == "missing" and glacier.nearby[0] == ("service:s3", "S3")


def test_notes_that_define_every_in_scope_service_are_fully_covered(tmp_path: Path) -> None:
    cat = catalog()
    cards = []
    for entry in exam_guide("DVA-C02").in_scope:
        rec = cat.get(entry.service_id)
        cards += [f"{rec.name}: what is it?", rec.name, f"the managed service {rec.full_name}", ""]
    notes = tmp_path / "every-service.txt"
    notes.write_text("\n".join(cards), encoding="utf-8")
    report = coverage_report(awskg.build([notes], cache_dir=tmp_path / "cache"), "DVA-C02")
    assert report.percent == 100.0 and report.counts["covered"] == report.total
    assert all(s.defined and s.node == f"service:{s.service_id}" for s in report.services)


# ---------------------------------------------------------------------------- the command line


def test_coverage_json_is_the_librarys_report(run_cli, built_graph_path, built_graph) -> None:
    code, out, err = run_cli(["coverage", "--exam", "SAA-C03", "--graph", str(built_graph_path), "--json"])
    assert code == 0, err
    assert json.loads(out) == json.loads(json.dumps(coverage_report(built_graph, "SAA-C03").to_dict()))


def test_coverage_table_puts_the_figure_on_top_and_every_service_below(run_cli, built_graph_path, dva,
                                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "240")  # a wide terminal: no name folded over two rows
    code, out, err = run_cli(["coverage", "--graph", str(built_graph_path)])
    assert code == 0, err
    assert out.splitlines()[0] == dva.summary
    for s in dva.services:
        assert s.name in out


def test_an_unknown_exam_is_one_line_listing_the_known_ones(run_cli, built_graph_path) -> None:
    for args in (["coverage", "--exam", "DVA-C99"],
                 ["export", "--missing", "--exam", "DVA-C99", "--format", "markdown"]):
        code, out, err = run_cli([*args, "--graph", str(built_graph_path)])
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert "DVA-C99" in err and all(c in err for c in SHIPPED)


def test_export_missing_writes_a_checklist_of_missing_and_thin_services(run_cli, built_graph_path, dva,
                                                                       tmp_path: Path) -> None:
    target = tmp_path / "todo.md"
    args = ["export", "--missing", "--exam", "DVA-C02", "--format", "markdown", "-o", str(target),
            "--graph", str(built_graph_path)]
    code, _out, err = run_cli(args)
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    tasks = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    todo = [s for s in dva.services if s.status != "covered"]
    assert len(tasks) == len(todo) == dva.counts["missing"] + dva.counts["thin"]
    for s in todo:
        assert sum(f"**{s.name}**" in t and s.status in t for t in tasks) == 1, s.name
    for s in dva.services:
        if s.status == "covered":
            assert not any(f"**{s.name}**" in t for t in tasks)
    assert dva.exam.url in text
    code, _out, err = run_cli(args)  # never over the student's file without --force
    assert code == 5 and "--force" in err


def test_export_missing_is_markdown_only_and_takes_no_entities(run_cli, built_graph_path) -> None:
    graph = ["--graph", str(built_graph_path)]
    code, _out, err = run_cli(["export", "--missing", "--format", "json", *graph])
    assert code == 2 and "markdown" in err
    code, _out, err = run_cli(["export", "lambda", "--missing", "--format", "markdown", *graph])
    assert code == 2 and "--missing" in err
    code, out, err = run_cli(["export", "--missing", "-f", "markdown", *graph])
    assert code == 0 and out.startswith("# DVA-C02 study checklist")
    code, _out, err = run_cli(["export", "--format", "markdown", *graph])
    assert code == 2 and "entity" in err
