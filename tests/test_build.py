"""Building: deterministic, round-trips through its file, merges files into one graph, flags notes
that disagree, and re-parses only what changed."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

import awskg
from awskg.builder import build
from awskg.errors import GraphFileError
from awskg.graph import SCHEMA_VERSION, KnowledgeGraph

NOTES = Path(__file__).resolve().parents[1] / "notes"
SHARED = Path(__file__).resolve().parents[2] / "shared"

DECK_A = "deck A\nLambda: layers\nlambda layers\ncan have up to 5 layers\neach layer can be up to 250MB\n"
DECK_B = "deck B\nLambda: layers again\nlayers\nyou can have up to 5 layers per function\n"
DECK_C = "deck C\nLambda: layers\nlambda layers\neach layer can be up to 200MB\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_same_notes_give_a_byte_identical_graph(tmp_path, built_graph_path):
    again = build([NOTES], cache_dir=tmp_path / "fresh-cache", use_cache=False)
    assert again.to_json() == Path(built_graph_path).read_text(encoding="utf-8")


def test_committed_graph_is_in_step_with_the_code(built_graph_path):
    committed = (NOTES.parent / "graph" / "awskg.json").read_text(encoding="utf-8")
    assert committed == Path(built_graph_path).read_text(encoding="utf-8"), "rebuild with `awskg build`"


def test_save_then_load_round_trips(built_graph, tmp_path):
    path = built_graph.save(tmp_path / "g.json")
    again = awskg.load(path)
    assert again.to_json() == built_graph.to_json()
    assert again.stats() == built_graph.stats()


def test_graph_file_is_networkx_node_link_with_schema_version(built_graph_path):
    data = json.loads(Path(built_graph_path).read_text(encoding="utf-8"))
    assert data["graph"]["schema_version"] == SCHEMA_VERSION
    g = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    assert g.number_of_nodes() == len(data["nodes"]) and g.number_of_edges() == len(data["edges"])
    assert "service:lambda" in g and g.nodes["service:lambda"]["type"] == "service"


def test_load_uses_awskg_graph_env(monkeypatch, built_graph_path):
    monkeypatch.setenv("AWSKG_GRAPH", str(built_graph_path))
    assert awskg.load().stats()["cards"] == 103


def test_unknown_schema_version_is_refused(tmp_path, built_graph_path):
    data = json.loads(Path(built_graph_path).read_text(encoding="utf-8"))
    data["graph"]["schema_version"] = SCHEMA_VERSION + 1
    bad = tmp_path / "future.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(GraphFileError, match="schema version"):
        KnowledgeGraph.load(bad)


def test_same_entity_in_two_files_is_one_node_with_both_sources(tmp_path):
    a, b = write(tmp_path / "n", "a.txt", DECK_A), write(tmp_path / "n", "b.txt", DECK_B)
    kg = build([a, b], cache_dir=tmp_path / "cache")
    files = {s["file"] for s in kg.graph.nodes["service:lambda"]["sources"]}
    assert {Path(f).name for f in files} == {"a.txt", "b.txt"}


def test_same_limit_stated_twice_is_one_limit_with_two_sources(tmp_path):
    a = write(tmp_path, "a.txt", DECK_A)
    b = write(tmp_path, "b.txt", "deck B\nLambda: layers\nlambda layers\ncan have up to 5 layers\n")
    kg = build([a, b], cache_dir=tmp_path / "cache")
    [five] = [lim for lim in kg.limits("lambda") if lim.value == 5]
    assert len(five.sources) == 2 and not five.conflict


def test_different_values_for_one_limit_are_both_kept_and_flagged(tmp_path):
    a, c = write(tmp_path, "a.txt", DECK_A), write(tmp_path, "c.txt", DECK_C)
    kg = build([a, c], cache_dir=tmp_path / "cache")
    sizes = [lim for lim in kg.limits("lambda") if lim.subject == "layer size"]
    assert sorted(lim.value for lim in sizes) == [200, 250]
    assert all(lim.conflict for lim in sizes)
    assert not any(lim.conflict for lim in kg.limits("lambda") if lim.subject != "layer size")


def test_rebuild_reparses_only_the_file_that_changed(tmp_path):
    folder = tmp_path / "notes"
    write(folder, "a.txt", DECK_A)
    write(folder, "b.txt", DECK_B)
    cache = tmp_path / "cache"
    first = build([folder], cache_dir=cache)
    assert sorted(Path(p).name for p in first.build_report.parsed) == ["a.txt", "b.txt"]
    write(folder, "b.txt", DECK_B + "each layer can be up to 250MB\n")
    second = build([folder], cache_dir=cache)
    assert [Path(p).name for p in second.build_report.parsed] == ["b.txt"]
    assert [Path(p).name for p in second.build_report.cached] == ["a.txt"]
    fresh = build([folder], cache_dir=tmp_path / "other-cache")
    assert second.to_json() == fresh.to_json()


def _three_formats() -> list[Path]:
    samples = SHARED / "eval" / "formats"
    notes = NOTES / "aws-developer-associate-flashcards.txt"
    return [notes, samples / "sample_notes.md", samples / "sample_anki.txt"]


def test_notes_and_both_sample_formats_merge_services_across_files(tmp_path):
    kg = build(_three_formats(), cache_dir=tmp_path / "cache")
    formats = {row["file"].rsplit("/", 1)[-1]: row["format"] for row in kg.graph.graph["files"]}
    assert formats == {
        "aws-developer-associate-flashcards.txt": "flashcards",
        "sample_notes.md": "markdown",
        "sample_anki.txt": "anki",
    }
    for service in ("service:lambda", "service:sqs", "service:dynamodb"):
        files = {s["file"].rsplit("/", 1)[-1] for s in kg.graph.nodes[service]["sources"]}
        assert {"aws-developer-associate-flashcards.txt", "sample_anki.txt"} <= files, service
    assert kg.stats()["cards"] > 103


def test_build_writes_nothing_but_its_output(tmp_path):
    folder = tmp_path / "notes"
    write(folder, "a.txt", DECK_A)
    before = sorted(p.name for p in folder.iterdir())
    build([folder], cache_dir=tmp_path / "cache")
    assert sorted(p.name for p in folder.iterdir()) == before


# ---------------------------------------------------------------------------- parsing in processes


def test_files_parsed_in_worker_processes_give_the_same_graph(tmp_path):
    alone = build(_three_formats(), cache_dir=tmp_path / "c1", use_cache=False, jobs=1)
    together = build(_three_formats(), cache_dir=tmp_path / "c2", use_cache=False, jobs=2)
    assert together.to_json() == alone.to_json()
    assert together.build_report.parsed == alone.build_report.parsed


def test_worker_processes_fill_the_cache_and_mix_with_cached_files(tmp_path):
    folder = tmp_path / "notes"
    write(folder, "a.txt", DECK_A)
    write(folder, "b.txt", DECK_B)
    write(folder, "c.txt", DECK_C)
    cache = tmp_path / "cache"
    first = build([folder], cache_dir=cache, jobs=2)
    assert len(first.build_report.parsed) == 3
    write(folder, "b.txt", DECK_B + "each layer can be up to 250MB\n")
    write(folder, "c.txt", DECK_C + "you can have up to 5 layers per function\n")
    second = build([folder], cache_dir=cache, jobs=2)
    assert [Path(p).name for p in second.build_report.parsed] == ["b.txt", "c.txt"]
    assert [Path(p).name for p in second.build_report.cached] == ["a.txt"]
    assert second.to_json() == build([folder], cache_dir=tmp_path / "other", jobs=1).to_json()


def test_a_bad_file_parsed_in_a_worker_is_the_same_one_line_error(tmp_path):
    folder = tmp_path / "notes"
    write(folder, "a.txt", DECK_A)
    write(folder, "b.md", "# \n")  # decodes, holds no notes
    write(folder, "c.txt", DECK_C)
    errors = []
    for jobs in (1, 2):
        with pytest.raises(awskg.InputError) as err:
            build([folder], cache_dir=tmp_path / f"c{jobs}", use_cache=False, jobs=jobs)
        errors.append(str(err.value))
    assert errors[0] == errors[1] and "b.md" in errors[0] and "\n" not in errors[0]


def test_small_builds_parse_in_this_process_and_big_ones_per_cpu(monkeypatch):
    from awskg import builder

    def entries(*sizes: int, cached: bool = False) -> list:
        return [builder._File(Path(f"{i}"), f"{i}", "", "", "x" * n, cached) for i, n in enumerate(sizes)]

    monkeypatch.setattr(builder.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    big = builder.PARALLEL_MIN_BYTES
    assert builder._workers(None, entries(big)) == 1  # one file: nothing to share out
    assert builder._workers(None, entries(10, 10)) == 1  # too little to pay for a second spaCy
    assert builder._workers(None, entries(big, big, big)) == 2  # one per CPU
    assert builder._workers(None, entries(big, big, cached=True)) == 1  # all from the cache
    assert builder._workers(3, entries(10, 10)) == 2  # asked for: never more than the files
    assert builder._workers(1, entries(big, big)) == 1
