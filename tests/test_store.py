"""The query store (store.py): answers read from it equal the answers of the graph parsed into
memory, and it is never trusted blindly (stale, damaged, missing, unwritable)."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import COMMITTED_GRAPH, NOTES, REPO

import awskg
from awskg import store as store_mod
from awskg.errors import AwskgError, GraphFileError, UnknownEntity
from awskg.graph import KnowledgeGraph

SHARED = REPO.parent / "shared" / "eval"
REALWORLD = SHARED / "realworld"
SMALL_NOTES = [REALWORLD / "dev-qa-d.txt", REALWORLD / "dev-tables-e.md",
               SHARED / "formats" / "sample_notes.md", SHARED / "formats" / "sample_anki.txt"]


def _need_shared() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} (the shared eval data) is not here")


@pytest.fixture(scope="module")
def committed_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed graph in a folder of its own, with no store yet."""
    out = tmp_path_factory.mktemp("committed") / "awskg.json"
    shutil.copy(COMMITTED_GRAPH, out)
    return out


@pytest.fixture(scope="module")
def small_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real-world notes files (a Q/A deck, pipe tables) and the format samples, built into one
    graph and saved (which writes its store)."""
    _need_shared()
    out = tmp_path_factory.mktemp("small") / "small.json"
    awskg.build(SMALL_NOTES, cache_dir=out.parent / "cache").save(out)
    return out


def _queries(kg: KnowledgeGraph, n: int, seed: int) -> list[str]:
    """The dev and real-world queries, and queries made from the graph the way students type them:
    names, names with a typo, limit questions, `A vs B`, words of note lines."""
    out: list[str] = []
    for path in [SHARED / "queries_dev.jsonl", *sorted(REALWORLD.glob("*.queries.jsonl"))]:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            out += [json.loads(ln)["query"] for ln in text.splitlines() if ln.strip()]
    rng = random.Random(seed)
    g = kg.graph
    names = sorted({d.get("name", "") for _, d in g.nodes(data=True) if d.get("type") != "card"} - {""})
    limits = sorted(x for x, d in g.nodes(data=True) if d.get("type") == "limit")
    lines = sorted(t for _, d in g.nodes(data=True) if d.get("type") == "card"
                   for _, _, t in d.get("lines", []))
    pairs = sorted((u, v) for u, v, k in g.edges(keys=True) if k == "CONTRASTS_WITH")
    out += ["sqs max message size", "lamda timout", "DDB pitr", "where do lambda logs go", "how many shards",
            "queu", "fifo vs standard", "zzzz qqqq"]
    while len(out) < n:
        pick = rng.random()
        if pick < 0.25:
            name = rng.choice(names)
            i = rng.randrange(len(name))
            out.append(name[:i] + name[i + 1 :] if len(name) > 5 else name)
        elif pick < 0.5 and limits:
            d = g.nodes[rng.choice(limits)]
            cue = rng.choice(["max", "how long", "limit", ""])
            out.append(f"{d.get('service') or ''} {cue} {d.get('subject', '')}")
        elif pick < 0.65 and pairs:
            u, v = rng.choice(pairs)
            out.append(f"{g.nodes[u].get('name', u)} vs {g.nodes[v].get('name', v)}")
        else:
            words = rng.choice(lines).split()
            start = rng.randrange(max(1, len(words)))
            out.append(" ".join(words[start : start + rng.randint(1, 4)]))
    return out


def _outcome(call: Any) -> Any:
    """What a call returns, or the error it raises (its class and message)."""
    try:
        return call()
    except AwskgError as err:
        return (err.__class__.__name__, str(err))


def _answers(kg: KnowledgeGraph, memory: KnowledgeGraph) -> dict[str, Any]:
    """Every answer of the public API for one graph, as plain data (same calls, same order)."""
    queries = _queries(memory, 400, seed=5)
    g = memory.graph
    entities = sorted(x for x, d in g.nodes(data=True) if d.get("type") != "card")
    services = sorted(x for x, d in g.nodes(data=True) if d.get("type") == "service")
    pairs = sorted({tuple(sorted((u, v))) for u, v, k in g.edges(keys=True) if k == "CONTRASTS_WITH"})
    lines = sorted({(d.get("file", ""), int(n)) for _, d in g.nodes(data=True) if d.get("type") == "card"
                    for n, _, _ in d.get("lines", [])})
    sample = entities[:: max(1, len(entities) // 60)]
    out: dict[str, Any] = {}
    out["search"] = [[h.to_dict() for h in kg.search(q, limit=10)] for q in queries]
    out["search typed"] = [[h.to_dict() for h in kg.search(q, limit=5, types=["limit"], service="sqs")]
                           for q in queries[:60]]
    out["suggest"] = [kg.suggest(q) for q in queries[:40]]
    out["limits"] = [[lim.to_dict() for lim in kg.limits(numeric_only=n)] for n in (True, False)]
    out["limits of"] = [_outcome(lambda s=s, k=k: [x.to_dict() for x in kg.limits(s, kind=k,
                                                                                  numeric_only=False)])
                        for s in services for k in (None, "max")]
    out["entity"] = [kg.entity(e).to_dict() for e in entities]
    names = ("lambda", "lamda", "DDB", "kinesis data stream", "no such thing at all")
    out["entity by name"] = [_outcome(lambda n=n: kg.entity(n).to_dict()) for n in names]
    out["related"] = [[n.to_dict() for n in kg.related(e, depth=d)] for e in sample for d in (1, 2)]
    out["related typed"] = [[n.to_dict() for n in kg.related(e, types=["limit", "feature"],
                                                             relations=["HAS_LIMIT"])] for e in sample]
    subs = [kg.subgraph(e, depth=d) for e in sample[:20] for d in (0, 1, 2)]
    out["subgraph"] = [(sorted(s.nodes(data=True), key=lambda x: x[0]),
                        sorted(s.edges(keys=True, data=True), key=lambda x: x[:3]), s.graph) for s in subs]
    out["compare"] = [kg.compare(a, b) for a, b in pairs]
    out["stats"] = kg.stats()
    out["cards"] = kg.cards()
    out["comparisons"] = kg.comparisons()
    out["lines"] = [(kg.line_text(f, n), kg.question_of(f, n)) for f, n in lines]
    out["nodes"] = [kg.nodes(), kg.nodes("limit"), len(kg), "service:lambda" in kg, "nope" in kg]
    out["card_of"] = [kg.card_of(e) for e in sample]
    out["nodes at"] = [kg.nodes_at(f, n) for f, n in lines]
    out["labels"] = [kg.labels(), kg.labels(["service", "limit"]), [kg.label(e) for e in entities + ["nope"]]]
    out["resolve"] = [_outcome(lambda n=n, t=t: kg.resolve(n, types=t))
                      for n in ("sqs", "lambda layers", "lamda layer", "kinesis", "DDB", "xyzzy")
                      for t in (None, ["service"], ["feature"])]
    return out


def _compare_store_and_memory(path: Path) -> KnowledgeGraph:
    awskg.load(path)  # writes the store when the graph has none yet
    stored = awskg.load(path)
    memory = awskg.load(path, store=False)
    assert stored._store is not None and memory._store is None
    got = _answers(stored, memory)
    assert stored._graph is None, "the store answered without parsing the graph file"
    want = _answers(memory, memory)
    for key in want:
        assert got[key] == want[key], key
    assert len(got["search"]) >= 400 and sum(1 for hits in got["search"] if hits) > 300
    return stored


def test_the_store_answers_every_api_call_of_the_committed_graph_as_memory_does(committed_copy: Path) -> None:
    _need_shared()
    _compare_store_and_memory(committed_copy)


def test_the_store_answers_every_api_call_of_a_built_graph_as_memory_does(small_graph: Path) -> None:
    kg = _compare_store_and_memory(small_graph)
    # The small graph has question cards: the store serves the questions their answers stand under.
    asked = [(f, n) for f, n in ((c["file"], ln[0]) for c in awskg.load(small_graph, store=False).cards()
                                 if c.get("asks") for ln in c["lines"] if ln[1] != "front")]
    assert asked and all(kg.question_of(f, n) for f, n in asked)


def test_the_store_search_equals_the_array_scorer_of_a_large_index(committed_copy: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Large graphs in memory score with numpy; a store scores in Python: the same hits and scores."""
    import awskg.search

    memory = awskg.load(committed_copy, store=False)
    monkeypatch.setattr(awskg.search, "ARRAY_MIN_DOCS", 0)
    queries = _queries(memory, 200, seed=9)
    want = [[h.to_dict() for h in memory.search(q)] for q in queries]
    assert memory._search_index._array_cache is not None  # the array scorer did answer
    stored = awskg.load(committed_copy)
    assert [[h.to_dict() for h in stored.search(q)] for q in queries] == want


def test_ties_in_score_rank_by_id_when_read_from_the_store(tmp_path: Path) -> None:
    """Many documents with the same score: the store reads ids only at the edge of the first hits,
    and ranks them as memory does (by id)."""
    lines = [f"SQS: queue {i}\nvisibility timeout note number {i}\n" for i in range(60)]
    notes = tmp_path / "ties.txt"
    notes.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "ties.json"
    awskg.build([notes], cache_dir=tmp_path / "cache").save(out)
    memory, stored = awskg.load(out, store=False), awskg.load(out)
    for q in ("visibility timeout note", "note number", "queue"):
        want = [h.to_dict() for h in memory.search(q, limit=50)]
        assert len({h["score"] for h in want}) < len(want)  # ties, really
        assert [h.to_dict() for h in stored.search(q, limit=50)] == want


# ---------------------------------------------------------------------------- what build writes


def test_build_writes_the_store_and_the_first_query_reads_it(tmp_path: Path, run_cli) -> None:
    deck = tmp_path / "deck.txt"
    shutil.copy(NOTES / "aws-developer-associate-flashcards.txt", deck)
    out = tmp_path / "g.json"
    code, _, _ = run_cli(["build", deck, "-o", out, "--json"])
    assert code == 0
    store = store_mod.store_path(out)
    assert store.is_file()
    before = (store.stat().st_mtime_ns, store.stat().st_ino)
    kg = awskg.load(out)
    assert kg._store is not None and kg._store.path == store
    assert kg.search("sqs max message size")[0].type == "limit"
    assert kg.limits("sqs") and kg.entity("lambda").limits
    assert kg._graph is None  # answered without parsing the graph file
    assert (store.stat().st_mtime_ns, store.stat().st_ino) == before  # read, not written again
    code, out_text, _ = run_cli(["search", "sqs max message size", "--json", "-g", out])
    assert code == 0 and json.loads(out_text)[0]["type"] == "limit"
    assert (store.stat().st_mtime_ns, store.stat().st_ino) == before


def test_a_fresh_clone_writes_the_store_on_its_first_query(tmp_path: Path, run_cli) -> None:
    graph = tmp_path / "graph" / "awskg.json"
    graph.parent.mkdir()
    shutil.copy(COMMITTED_GRAPH, graph)  # what a clone holds: the graph file, no store
    code, out, _ = run_cli(["limits", "sqs", "--json", "-g", graph])
    assert code == 0 and json.loads(out)
    assert store_mod.store_path(graph).is_file()
    assert awskg.load(graph)._store is not None


def test_the_store_is_not_committed() -> None:
    found = subprocess.run(["git", "check-ignore", "-q", "graph/awskg.json.sqlite"], cwd=REPO)
    assert found.returncode == 0


def test_query_commands_import_neither_networkx_nor_numpy_nor_spacy(tmp_path: Path) -> None:
    graph = tmp_path / "awskg.json"
    shutil.copy(COMMITTED_GRAPH, graph)
    awskg.load(graph)  # writes the store
    probe = ("import sys; from awskg.cli import main; code = main(sys.argv[1:]); "
             "bad = sorted(m for m in ('networkx', 'numpy', 'spacy', 'pandas') if m in sys.modules); "
             "print('IMPORTED', bad, file=sys.stderr); sys.exit(code)")
    for args in (["search", "sqs max message size", "--json"], ["search", "lamda timout"],
                 ["limits", "lambda", "--json"], ["limits", "lambda"], ["show", "lambda", "--json"],
                 ["show", "sqs"], ["search", "kinesis vs firehose", "--json"]):
        done = subprocess.run([sys.executable, "-c", probe, *args, "-g", str(graph)], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (args, done.stderr)
        assert "IMPORTED []" in done.stderr, (args, done.stderr)


def test_stale_flags_come_from_the_store_without_loading_the_reference(tmp_path: Path) -> None:
    """The store keeps the flags its limits had when it was written: a query shows them without
    reading the shipped reference or matching (rapidfuzz), and they are the flags a graph in
    memory works out."""
    graph = tmp_path / "awskg.json"
    shutil.copy(COMMITTED_GRAPH, graph)
    memory = awskg.load(graph, store=False)
    flagged = {lim.id: lim.stale for lim in memory.limits(numeric_only=False) if lim.stale}
    assert flagged, "the committed graph has limits AWS has changed since: the test needs some"
    stored = awskg.load(graph)
    assert {lim.id: lim.stale for lim in stored.limits(numeric_only=False) if lim.stale} == flagged
    probe = ("import sys; from awskg.cli import main; code = main(sys.argv[1:]); "
             "bad = sorted(m for m in ('rapidfuzz', 'awskg.study.reference') if m in sys.modules); "
             "print('IMPORTED', bad, file=sys.stderr); sys.exit(code)")
    service = memory.limit(next(iter(flagged))).service_id
    for args in (["search", "sqs max message size", "--json"], ["limits", service, "--json"],
                 ["show", service, "--json"]):
        done = subprocess.run([sys.executable, "-c", probe, *args, "-g", str(graph)], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (args, done.stderr)
        assert "IMPORTED []" in done.stderr, (args, done.stderr)
        if args[0] == "limits":
            shown = {row["id"]: row.get("stale") for row in json.loads(done.stdout)}
            assert {k: v for k, v in shown.items() if v} == {k: v for k, v in flagged.items() if k in shown}


# ---------------------------------------------------------------------------- never trusted blindly


def _store_of(tmp_path: Path) -> tuple[Path, Path]:
    graph = tmp_path / "awskg.json"
    shutil.copy(COMMITTED_GRAPH, graph)
    awskg.load(graph)
    return graph, store_mod.store_path(graph)


QUERIES = ["sqs max message size", "lamda timout", "DDB pitr", "kinesis vs firehose",
           "where do lambda logs go", "queu"]


def _some_answers(kg: KnowledgeGraph) -> list[Any]:
    return ([[h.to_dict() for h in kg.search(q)] for q in QUERIES] + [kg.suggest("lamda")]
            + [[lim.to_dict() for lim in kg.limits("sqs")], kg.entity("sqs").to_dict(), kg.stats(),
               [n.to_dict() for n in kg.related("lambda")], kg.resolve("fifo queues"),
               kg.resolve("lamda layer"), kg.entity("reserved concurency").id])


def test_a_changed_graph_file_makes_the_store_stale(tmp_path: Path) -> None:
    graph, store = _store_of(tmp_path)
    data = json.loads(graph.read_text(encoding="utf-8"))
    for node in data["nodes"]:
        if node["id"] == "service:sqs":
            node["name"] = "Zorblax"  # a word the notes never use: only a store of the new file finds it
    graph.write_text(json.dumps(data), encoding="utf-8")
    kg = awskg.load(graph)
    hits = kg.search("zorblax", limit=3)
    assert hits and hits[0].id == "service:sqs"
    assert kg.entity("zorblax").id == "service:sqs"
    assert awskg.load(graph, store=False).search("zorblax", limit=3)[0].to_dict() == hits[0].to_dict()


def test_a_changed_graph_file_of_the_same_size_and_mtime_is_still_caught_by_its_inode(tmp_path: Path) -> None:
    """A file renamed over the graph (as git and editors do) with the old size and mtime."""
    graph, _ = _store_of(tmp_path)
    st = graph.stat()
    text = graph.read_text(encoding="utf-8").replace('"name": "SQS"', '"name": "SQZ"', 1)
    assert len(text) == len(graph.read_text(encoding="utf-8")) and "SQZ" in text
    other = tmp_path / "other.json"
    other.write_text(text, encoding="utf-8")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, graph)
    assert awskg.load(graph).entity("service:sqs").name == "SQZ"


def test_the_same_bytes_with_a_new_mtime_keep_the_store_and_restamp_it(tmp_path: Path) -> None:
    graph, store = _store_of(tmp_path)
    inode = store.stat().st_ino
    os.utime(graph, ns=(10**18, 10**18))  # a checkout or a copy: same bytes, other mtime
    kg = awskg.load(graph)
    assert kg._store is not None and store.stat().st_ino == inode  # kept, not written again
    assert kg._store.meta["graph"][1] == 10**18  # and the next open need not hash the file
    assert awskg.load(graph)._store.matches(graph) == "stamp"


def _damage(store: Path, how: str) -> None:
    if how == "empty":
        store.write_bytes(b"")
    elif how == "garbage":
        store.write_bytes(os.urandom(50_000))
    elif how == "truncated":
        whole = store.read_bytes()
        store.write_bytes(whole[: len(whole) // 2])
    elif how == "page zeroed":
        whole = bytearray(store.read_bytes())
        whole[len(whole) // 2 : len(whole) // 2 + 8192] = bytes(8192)
        store.write_bytes(bytes(whole))
    else:
        con = sqlite3.connect(store)
        with con:
            con.execute(how)
        con.close()


DAMAGE = [
    "empty", "garbage", "truncated", "page zeroed",
    "UPDATE meta SET value='99' WHERE key='schema'",  # another schema (row edited, checksum not)
    "DROP TABLE postings",
    "UPDATE nodes SET data=replace(data, 'Simple Queue', 'Simple Cue') WHERE id='service:sqs'",
    "UPDATE nodes SET name='SQZ' WHERE type='service'",
    "UPDATE postings SET weights=zeroblob(length(weights)) WHERE term='sqs'",
    "UPDATE docs SET data=replace(data, 'SQS', 'SQZ')",
    "UPDATE lines SET text='edited' WHERE line % 7 = 0",
    "UPDATE lines SET text='edited'",
    "UPDATE edges SET data=replace(data, '\"line\": ', '\"line\": 9')",
    "UPDATE names SET ids='[\"service:sns\"]'",
    "UPDATE blobs SET data=zeroblob(length(data)) WHERE name='doc_priors'",
    "UPDATE blobs SET data=substr(data, 1, 40) WHERE name='doc_types'",
    "UPDATE blobs SET data=CAST('[]' AS BLOB) WHERE name='name_keys'",
]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_store_is_never_trusted(tmp_path: Path, how: str) -> None:
    graph, store = _store_of(tmp_path)
    want = _some_answers(awskg.load(graph, store=False))
    _damage(store, how)
    kg = awskg.load(graph)
    assert _some_answers(kg) == want
    # ... and it is written again, whole: the next process reads it and answers the same.
    again = awskg.load(graph)
    assert again._store is not None and again._store.path == store
    assert _some_answers(again) == want


def test_a_damaged_row_found_mid_answer_is_answered_from_the_graph_file(tmp_path: Path) -> None:
    graph, store = _store_of(tmp_path)
    kg = awskg.load(graph)
    kg.search("lambda")  # the store is open and in use
    want = awskg.load(graph, store=False).entity("sqs").to_dict()
    _damage(store, "UPDATE nodes SET data=replace(data, 'Simple Queue', 'Simple Cue') WHERE id='service:sqs'")
    assert kg.entity("sqs").to_dict() == want
    assert kg._graph is not None  # read from the file this time
    assert awskg.load(graph)._store.node_data("service:sqs").count("Simple Queue")  # the store was rewritten


def test_a_read_only_folder_still_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the store cannot go beside the graph, it goes to the fallback folder; where it can go
    nowhere, the graph answers from memory."""
    graph = tmp_path / "ro" / "awskg.json"
    graph.parent.mkdir()
    shutil.copy(COMMITTED_GRAPH, graph)
    want = _some_answers(awskg.load(graph, store=False))
    real_write = store_mod.write
    refused: list[Path] = []

    def write(target: Path, *args: Any) -> Path:
        if target.parent == graph.parent:
            refused.append(target)
            raise PermissionError(13, "Permission denied")
        return real_write(target, *args)

    monkeypatch.setattr(store_mod, "write", write)
    monkeypatch.setenv("AWSKG_CACHE", str(tmp_path / "cache"))
    kg = awskg.load(graph)
    assert refused and kg._store is not None
    assert kg._store.path == store_mod.fallback_path(graph)
    assert kg._store.path.parent == tmp_path / "cache" / "stores"
    assert _some_answers(kg) == want
    assert awskg.load(graph)._store.path == kg._store.path  # found there next time
    shutil.rmtree(tmp_path / "cache")

    def nowhere(target: Path, *args: Any) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store_mod, "write", nowhere)
    kg = awskg.load(graph)
    assert kg._store is None
    assert _some_answers(kg) == want


def test_a_read_only_folder_still_answers_for_real(tmp_path: Path) -> None:
    from conftest import CLI_BOOT, as_a_user

    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(COMMITTED_GRAPH, folder / "awskg.json")
    folder.chmod(0o555)
    try:
        done = subprocess.run([*as_a_user(), sys.executable, "-c", CLI_BOOT, "search", "sqs max message size",
                               "--json", "-g", str(folder / "awskg.json")],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)[0]["value"] is not None
        assert not store_mod.store_path(folder / "awskg.json").exists()
        assert not any(p.name.endswith(".tmp") for p in folder.iterdir())
    finally:
        folder.chmod(0o755)


def test_a_store_without_its_graph_file_does_not_answer(tmp_path: Path) -> None:
    graph, store = _store_of(tmp_path)
    graph.unlink()
    assert store.is_file()
    with pytest.raises(GraphFileError, match="no such graph file"):
        awskg.load(graph)


def test_a_corrupt_graph_file_beside_an_old_store_is_a_graph_file_error(tmp_path: Path, run_cli) -> None:
    graph, _ = _store_of(tmp_path)
    graph.write_text('{"nodes": [', encoding="utf-8")
    with pytest.raises(GraphFileError, match="not valid graph JSON"):
        awskg.load(graph)
    code, _, err = run_cli(["search", "sqs", "-g", graph])
    assert code == 3 and "not valid graph JSON" in err and "Traceback" not in err


def test_editing_a_stored_graph_answers_from_the_edit(tmp_path: Path) -> None:
    graph, _ = _store_of(tmp_path)
    kg = awskg.load(graph)
    assert kg.search("sqs")
    kg.add_entity("service:zorblax", "service", "Zorblax", definition="a queue nobody has heard of")
    assert kg._store is None  # edits are not in the store: the graph in memory answers
    assert kg.search("zorblax")[0].id == "service:zorblax"
    assert kg.entity("zorblax").definition == "a queue nobody has heard of"
    with pytest.raises(UnknownEntity):
        awskg.load(graph).entity("zorblax")  # the file (and its store) are as they were


def test_every_match_read_from_the_store_ranks_as_in_memory(committed_copy: Path) -> None:
    """Past the first hits (a query that skips repeated lines reads on), the store's index orders
    every match as memory does, reading ids only where scores tie."""
    memory = awskg.load(committed_copy, store=False)
    awskg.load(committed_copy)
    stored = awskg.load(committed_copy)
    mem_index, store_index = memory._index(), stored._index()
    assert store_index._store is not None and mem_index._store is None
    checked = 0
    for query in _queries(memory, 120, seed=13):
        for kw in ({}, {"types": ["limit", "line"]}, {"service": "sqs"}):
            q_mem, q_store = mem_index._prepare(query, **kw), store_index._prepare(query, **kw)
            if q_mem is None:
                assert q_store is None
                continue
            q_mem.first = q_store.first = 3  # reading on goes through the sort of every match
            want = list(mem_index._rank(q_mem))
            assert list(store_index._rank(q_store)) == want, (query, kw)
            checked += len(want) > 3
    assert checked > 100
