"""The benchmark runs in CI in `--quick` mode: every row of its table is there and every number is
finite and positive. Times are never asserted here (they are measured in benchmarks/, on purpose).

Also here: the synthetic corpus really differs from the deck it is made from, and the search hot
paths rewritten for speed pick exactly what the plain definitions pick.
"""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "eval" / "formats"

# What the table promises for every corpus, and for the notes scales together.
PER_CORPUS = [
    "build time", "peak RSS (build)", "graph file size", "store file size", "load time (into memory)",
    "first search, in memory (builds index)", "open (store)", "first search, from the store",
    "search p50 (warm)", "search p99 (warm)", "cold search --json", "cold search (table)",
    "cold limits --json", "cold limits (table)", "cold show --json", "cold show (table)",
    "cold search --json, first ever (no store)", "cold search --json, first after build",
    "peak RSS (cold search --json)",
]
PER_SCALE = ["app: page load", "app: first result"]
WITH_FLOOR = {"build time", "peak RSS (build)", "graph file size", "store file size",
              "load time (into memory)", "search p50 (warm)", "search p99 (warm)", "cold search --json",
              "cold search (table)", "cold limits --json", "cold limits (table)", "cold show --json",
              "cold show (table)", "cold search --json, first ever (no store)",
              "cold search --json, first after build"}
SCALING = ["scaling exponent: build time", "scaling exponent: peak RSS"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout


@pytest.mark.slow
def test_quick_benchmark_has_every_row(quick_run: tuple[dict, str]) -> None:
    data, _ = quick_run
    corpora = ["notes 1×", "notes 2×"]
    for label, name in (("markdown sample", "sample_notes.md"), ("anki sample", "sample_anki.txt")):
        if (SAMPLES / name).is_file():
            corpora.append(label)
        else:
            assert any(label in note for note in data["notes"]), f"{label} left out without a note"
    got = {(r["corpus"], r["figure"]) for r in data["rows"]}
    for corpus in corpora:
        for figure in PER_CORPUS + (PER_SCALE if corpus.startswith("notes") else []):
            assert (corpus, figure) in got, f"missing row: {corpus} / {figure}"
    for figure in SCALING:
        assert ("notes 1×–2×", figure) in got


@pytest.mark.slow
def test_quick_benchmark_numbers_are_finite_and_positive(quick_run: tuple[dict, str]) -> None:
    data, _ = quick_run
    assert data["rows"]
    for row in data["rows"]:
        what = f"{row['corpus']} / {row['figure']}"
        assert row["values"], what
        for v in row["values"]:
            assert math.isfinite(v), what
            # A scaling exponent is a slope and may be anything finite; every other figure is a
            # time, a size or a memory peak.
            if row["unit"] != "exponent":
                assert v > 0, what
        if row["figure"] in WITH_FLOOR:
            assert row["floor_values"] and all(math.isfinite(v) and v > 0 for v in row["floor_values"]), what
            assert math.isfinite(row["ratio"]) and row["ratio"] > 0, what


@pytest.mark.slow
def test_quick_benchmark_prints_one_table_with_every_row(quick_run: tuple[dict, str]) -> None:
    data, stdout = quick_run
    table = [ln for ln in stdout.splitlines() if ln.startswith("|")]
    assert table[0].split("|")[1].strip() == "corpus"
    assert len(table) == 2 + len(data["rows"])  # header, rule, one line a row
    for row in data["rows"]:
        assert any(row["corpus"] in ln and row["figure"] in ln for ln in table), row["figure"]
    assert re.search(r"^machine: .*CPUs", stdout, re.M)


def test_corpus_copies_recombine_the_deck_with_other_services_and_numbers(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from corpus import DECK, write_corpus
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    from awskg.readers.flashcards import segment

    files = write_corpus(3, tmp_path / "c")
    assert [f.name for f in files] == ["deck-000.txt", "deck-001.txt", "deck-002.txt"]
    deck = DECK.read_text(encoding="utf-8")
    assert files[0].read_text(encoding="utf-8") == deck
    deck_cards = segment(deck, "d.txt", "d")
    fronts = {c.front for c in deck_cards}
    for f in files[1:]:
        text = f.read_text(encoding="utf-8")
        cards = segment(text, f.name, f.stem)
        # Still a deck of the same shape: nearly every card is still found as a card ...
        assert len(cards) >= 0.9 * len(deck_cards)
        # ... but with other fronts (other services), other numbers and more than one service.
        assert len({c.front for c in cards} - fronts) >= 0.8 * len(cards)
        assert set(re.findall(r"\b\d+\b", text)) != set(re.findall(r"\b\d+\b", deck))
        assert len({c.service for c in cards}) > len({c.service for c in deck_cards})
    assert files[1].read_text(encoding="utf-8") != files[2].read_text(encoding="utf-8")
    again = write_corpus(3, tmp_path / "again")
    assert [f.read_bytes() for f in again] == [f.read_bytes() for f in files]


# ---------------------------------------------------------------------------- search hot paths

_WORDS = st.sampled_from([
    "Lambda", "max", "256KB", "message", "messages", "policies", "queue's", "dead-letter", "/tmp",
    "$LATEST", "S3", "10,000", "it’s", "ENI", "x", "a-b-c", "--", "''", "retries", "caching", "hot",
])


@given(st.lists(_WORDS, max_size=120), st.sets(_WORDS, max_size=6), st.sampled_from([13, 40, 240]))
def test_snippet_window_is_the_one_the_plain_scan_picks(words: list[str], query: set[str], size: int) -> None:
    from awskg.search import _best_window, _best_window_slow, fold_text, tokens

    text = " ".join(words)
    terms = set(tokens(" ".join(query)))
    if not terms:
        return
    assert _best_window(text, fold_text(text), terms, size) == _best_window_slow(text, terms, size)


def test_snippet_window_on_note_lines_is_the_one_the_plain_scan_picks(committed_graph) -> None:
    from awskg.search import _best_window, _best_window_slow, fold_text, tokens

    lines = [t for _, d in committed_graph.graph.nodes(data=True) if d.get("type") == "card"
             for _, _, t in d.get("lines", [])]
    rng = random.Random(5)
    checked = 0
    for _ in range(400):
        text = re.sub(r"\s+", " ", " ".join(rng.sample(lines, rng.randint(2, 9)))).strip()
        toks = tokens(text)
        if len(text) <= 240 or not toks:
            continue
        terms = set(rng.sample(toks, min(len(toks), rng.randint(1, 5))))
        assert _best_window(text, fold_text(text), terms, 240) == _best_window_slow(text, terms, 240)
        checked += 1
    assert checked > 300


# ---------------------------------------------------------------------------- the array scorer


def _student_queries(kg, n: int, seed: int) -> list[str]:  # noqa: ANN001 - a KnowledgeGraph
    """Queries made from the graph: names, names with a typo, limit questions, `A vs B`, lines."""
    rng = random.Random(seed)
    g = kg.graph
    names = sorted({d.get("name", "") for _, d in g.nodes(data=True) if d.get("type") != "card"} - {""})
    limits = sorted(n for n, d in g.nodes(data=True) if d.get("type") == "limit")
    lines = [t for _, d in g.nodes(data=True) if d.get("type") == "card" for _, _, t in d.get("lines", [])]
    out = ["sqs max message size", "lamda timout", "DDB pitr", "where do lambda logs go", "how many shards"]
    while len(out) < n:
        pick = rng.random()
        if pick < 0.25:
            out.append(rng.choice(names))
        elif pick < 0.45:
            name = rng.choice(names)
            i = rng.randrange(len(name))
            out.append(name[:i] + name[i + 1 :] + " " + rng.choice(["max", "limit", "how long", "size"]))
        elif pick < 0.65:
            d = g.nodes[rng.choice(limits)]
            out.append(f"{d.get('service') or ''} {d.get('subject', '')}")
        elif pick < 0.8:
            out.append(f"{rng.choice(names)} vs {rng.choice(names)}")
        else:
            words = rng.choice(lines).split()
            i = rng.randrange(max(1, len(words) - 2))
            out.append(" ".join(words[i : i + rng.randint(1, 5)]))
    return out


def test_array_scorer_ranks_exactly_like_the_loop(committed_graph, monkeypatch: pytest.MonkeyPatch) -> None:
    import awskg.search
    from awskg.search import SearchIndex

    index = SearchIndex(committed_graph)
    queries = _student_queries(committed_graph, 160, seed=3)
    filters = [{}, {"types": ["limit"]}, {"types": "feature"}, {"service": "lambda"},
               {"types": ["line", "api"]}]

    def answers() -> list:
        return [[(h.id, h.score, h.snippet) for h in index.search(q, limit=10, **kw)]
                for q in queries for kw in filters]

    monkeypatch.setattr(awskg.search, "ARRAY_MIN_DOCS", 10**9)
    loop = answers()
    monkeypatch.setattr(awskg.search, "ARRAY_MIN_DOCS", 0)
    arrays = answers()
    assert sum(1 for a in loop if a) > len(loop) // 2  # most queries find something
    assert arrays == loop  # same documents, same order, bit-identical scores


def test_array_scorer_orders_every_match_like_the_loop(committed_graph) -> None:
    from awskg.search import SearchIndex

    index = SearchIndex(committed_graph)
    checked = 0
    for query in _student_queries(committed_graph, 60, seed=9):
        for kw in ({}, {"types": ["limit", "line"]}, {"service": "sqs"}):
            q = index._prepare(query, **kw)
            if q is None:
                continue
            # Sort only 3 up front, so reading on goes through the full sort of each scorer.
            q.first = 3
            loop, arrays = list(index._rank(q)), list(index._rank_arrays(q))
            assert arrays == loop, (query, kw)
            checked += len(loop) > 3
    assert checked > 50


# ---------------------------------------------------------------------------- merging sources

_SOURCE = st.builds(
    lambda f, line, card: {"file": f, "line": line, **({"card": card} if card is not None else {})},
    st.sampled_from(["a.txt", "b.md", "notes/c.txt"]), st.integers(1, 60),
    st.sampled_from([None, "", "card:a:1", "card:b:2"]),
)


@given(st.lists(st.lists(_SOURCE, max_size=40), min_size=1, max_size=12))
def test_sources_merged_file_after_file_are_those_sorted_at_once(batches: list[list[dict]]) -> None:
    from awskg.graph import KnowledgeGraph, _sources
    from awskg.model import Source

    kg = KnowledgeGraph()
    kg.add_entity("service:x", "service", "X")
    kg.add_entity("service:y", "service", "Y")
    for batch in batches:
        kg.add_entity("service:x", "service", "X", [Source.from_dict(s) for s in batch])
        kg.add_relation("service:x", "service:y", "RELATED_TO", [Source.from_dict(s) for s in batch])
    everything = [s for batch in batches for s in batch]
    assert kg.graph.nodes["service:x"]["sources"] == _sources(everything)
    edge = kg.graph.edges["service:x", "service:y", "RELATED_TO"]
    assert edge["sources"] == _sources(everything)
    assert edge["weight"] == (len(_sources(everything)) or 1)


def test_sources_merged_into_a_list_changed_elsewhere_are_sorted_again() -> None:
    from awskg.graph import KnowledgeGraph, _sources
    from awskg.model import Source

    kg = KnowledgeGraph()
    many = [Source("a.txt", n) for n in range(1, 80)]
    kg.add_entity("service:x", "service", "X", many)
    kg.add_entity("service:x", "service", "X", [Source("a.txt", 200)])
    # Someone replaces the list with an unsorted one: the next merge must not trust it.
    kg.graph.nodes["service:x"]["sources"] = [{"file": "z.txt", "line": 1}, {"file": "a.txt", "line": 5}]
    kg.add_entity("service:x", "service", "X", [Source("b.txt", 3)])
    assert kg.graph.nodes["service:x"]["sources"] == _sources(
        [{"file": "z.txt", "line": 1}, {"file": "a.txt", "line": 5}, {"file": "b.txt", "line": 3}])


# ---------------------------------------------------------------------------- saving in pieces


def test_saved_graph_is_its_data_one_record_a_line(committed_graph, tmp_path: Path) -> None:
    out = committed_graph.save(tmp_path / "g.json")
    text = out.read_text(encoding="utf-8")
    assert text == committed_graph.to_json()
    data = committed_graph.to_data()
    assert json.loads(text) == data
    # Each node and edge is one line of its own (readable diffs of the committed graph).
    lines = text.splitlines()
    records = [json.loads(ln.rstrip(",")) for ln in lines if ln.startswith('{"')]
    assert records == data["edges"] + data["nodes"]
    # More records than one batch: the pieces still join into the whole document.
    assert len(data["nodes"]) + len(data["edges"]) > 1024
    assert len(list(committed_graph.json_pieces())) > 4


def test_atomic_write_of_pieces_leaves_the_old_file_when_a_piece_fails(tmp_path: Path) -> None:
    import gc

    from awskg.graph import atomic_write

    target = tmp_path / "f.json"
    atomic_write(target, iter(["a", "é", "b"]))
    assert target.read_bytes() == "aéb".encode()

    def failing():
        yield "new"
        raise RuntimeError("encoder failed")

    with pytest.raises(RuntimeError):
        atomic_write(target, failing())
    assert target.read_bytes() == "aéb".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # no temp file left
    assert gc.isenabled()


# ---------------------------------------------------------------------------- the garbage collector


def test_cli_command_leaves_no_object_frozen(run_cli) -> None:
    import gc

    graph = REPO / "graph" / "awskg.json"
    for args in (["search", "sqs max message size", "-g", graph], ["limits", "sqs", "-g", graph],
                 ["show", "no such thing at all", "-g", graph]):
        run_cli(args)
        assert gc.get_freeze_count() == 0, args
    assert gc.isenabled()


def test_search_index_leaves_the_collector_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import awskg
    import awskg.search

    monkeypatch.setenv("AWSKG_CACHE", str(tmp_path))
    monkeypatch.setattr(awskg.search, "ARRAY_MIN_DOCS", 0)  # the array warm-up too
    graph = tmp_path / "awskg.json"
    graph.write_bytes((REPO / "graph" / "awskg.json").read_bytes())
    for _ in range(2):  # built (and its store written), then read from its store
        kg = awskg.load(graph)
        assert gc.isenabled()
        assert kg.search("lambda timeout")
        assert gc.isenabled()
