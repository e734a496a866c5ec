"""Hostile input, second pass (issue 18): cases an attacker tries beyond tests/test_robustness.py.
Files that share a name, outputs that are not awskg's, damaged cache entries, terminal escapes in
notes, CSV pairs that cannot both be written, killed parallel builds, names the OS accepts but
terminals and UTF-8 do not. Each keeps the README's promises: one line, no traceback, nothing lost,
nothing overwritten that is not awskg's.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CLI_BOOT, COMMITTED_GRAPH
from test_robustness import one_line_error

import awskg

LAMBDA = "Lambda: what is the max timeout?\nLambda\nmax timeout is 15 minutes\n"
SQS = "SQS: what is the max message size?\nSQS\nmessages up to 256 KB\n"


def card_files(graph: Path) -> dict[str, str]:
    """Card id -> the file it comes from, as the graph file records them."""
    data = json.loads(graph.read_text(encoding="utf-8"))
    return {n["id"]: n["file"] for n in data["nodes"] if n.get("type") == "card"}


# ---------------------------------------------------------------------------- files sharing a name


@pytest.mark.parametrize("names", [
    ("a/notes.txt", "b/notes.txt"),
    ("x.txt", "x.md"),
    ("Lambda.txt", "lambda.TXT"),
    ("a/notes.txt", "b/notes.txt", "a-notes.txt"),  # a path's stem is another file's name
    ("a b.txt", "a-b.txt", "a_b.md"),  # names that slug alike
])
def test_files_sharing_a_name_stem_get_card_ids_of_their_own(run_cli, tmp_path, monkeypatch, names):
    monkeypatch.chdir(tmp_path)
    for i, name in enumerate(names):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(LAMBDA if i % 2 == 0 else SQS, encoding="utf-8")
    ids = []
    for out in ("g1.json", "g2.json"):
        code, _, err = run_cli(["build", *names, "-o", out, "--no-cache"])
        assert code == 0, err
        ids.append(card_files(Path(out)))
    assert ids[0] == ids[1]  # stable: the same files give the same ids
    assert sorted(ids[0].values()) == sorted(names)  # one card per file, none merged into another
    # A stem depends only on the files built: reversing their order changes nothing.
    code, _, err = run_cli(["build", *reversed(names), "-o", "g3.json", "--no-cache"])
    assert code == 0, err
    assert card_files(Path("g3.json")) == ids[0]


def test_a_file_built_alone_keeps_its_name_as_card_stem(tmp_path):
    notes = tmp_path / "a" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text(LAMBDA, encoding="utf-8")
    kg = awskg.build([notes], cache_dir=tmp_path / "cache")
    assert [c["id"] for c in kg.cards()] == ["card:notes:1"]


# ---------------------------------------------------------------------------- build -o


@pytest.fixture
def lambda_notes(tmp_path: Path) -> Path:
    notes = tmp_path / "lambda.txt"
    notes.write_text(LAMBDA, encoding="utf-8")
    return notes


def _old_layout(kg) -> str:
    """A graph file as awskg's first releases wrote it: keys sorted, the graph attributes between
    the edges and the nodes."""
    data = kg.to_data()
    parts = []
    for key in sorted(data):
        value = data[key]
        if key in ("nodes", "edges"):
            records = (json.dumps(r, ensure_ascii=False, sort_keys=True) for r in value)
            body = "[\n" + ",\n".join(records) + "\n]"
        else:
            body = json.dumps(value, ensure_ascii=False, sort_keys=True)
        parts.append(f"{json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


@pytest.mark.parametrize("foreign", [
    '{"nodes": [], "links": []}\n',  # another tool's node-link JSON
    'dear diary: the graph is "directed", the "nodes" are many\n',
    '{\n"directed": true,\n"edges": [\n]\n}\n',  # awskg's old first line, but no graph of awskg's
    '{"graph": {"schema_version": 1}, "nodes": []}\n',  # the header's words, not its layout
])
def test_build_never_replaces_a_file_that_only_looks_like_a_graph(run_cli, tmp_path, lambda_notes, foreign):
    out = tmp_path / "out.json"
    out.write_text(foreign, encoding="utf-8")
    code, _, err = run_cli(["build", lambda_notes, "-o", out])
    one_line_error(code, err, "out.json: exists and is not an awskg graph; pass --force", exit_code=5)
    assert out.read_text(encoding="utf-8") == foreign


@pytest.mark.parametrize("layout", ["current", "old"])
def test_build_replaces_an_awskg_graph_without_force(run_cli, tmp_path, lambda_notes, layout):
    out = tmp_path / "out.json"
    kg = awskg.build([lambda_notes], cache_dir=tmp_path / "cache")
    if layout == "old":
        out.write_text(_old_layout(kg), encoding="utf-8")
        assert awskg.load(out).to_json() == kg.to_json()  # a graph all the same
    else:
        kg.save(out)
        assert out.read_bytes().startswith(b'{\n"graph": {"schema_version": 1, ')
    (tmp_path / "sqs.txt").write_text(SQS, encoding="utf-8")
    code, _, err = run_cli(["build", tmp_path / "sqs.txt", "-o", out])
    assert code == 0, err
    assert [Path(c["file"]).name for c in awskg.load(out).cards()] == ["sqs.txt"]


@pytest.mark.parametrize("force", [False, True])
def test_build_never_writes_over_one_of_its_notes_files(run_cli, tmp_path, lambda_notes, force):
    (tmp_path / "link.txt").symlink_to(lambda_notes)
    for target in (lambda_notes, tmp_path / "link.txt"):
        code, _, err = run_cli(["build", lambda_notes, "-o", target, *(["--force"] if force else [])])
        one_line_error(code, err, "is a notes file of this build", exit_code=5)
    assert lambda_notes.read_text(encoding="utf-8") == LAMBDA


def test_build_into_a_missing_folder_is_refused_before_the_build(run_cli, tmp_path, lambda_notes,
                                                                  monkeypatch):
    import awskg.builder

    def no_build(*args, **kwargs):
        raise AssertionError("built before the output was checked")

    monkeypatch.setattr(awskg.builder, "build", no_build)
    code, _, err = run_cli(["build", lambda_notes, "-o", tmp_path / "no" / "g.json"])
    one_line_error(code, err, "no: no such folder (create it first)", exit_code=5)


def test_build_to_a_device_is_refused_even_with_force(run_cli, lambda_notes):
    code, _, err = run_cli(["build", lambda_notes, "-o", "/dev/null", "--force"])
    one_line_error(code, err, "/dev/null: is not a regular file", exit_code=5)
    assert Path("/dev/null").is_char_device()


# ---------------------------------------------------------------------------- a damaged build cache


def _entry(body: bytes, honest_digest: bool) -> bytes:
    """A cache entry holding `body`, with its own digest (a forgery that passes the check) or the
    digest of what it held before (an edit)."""
    digest = hashlib.sha256(body).hexdigest() if honest_digest else "0" * 64
    return b'{"sha256": "' + digest.encode() + b'", "entry": ' + body + b"}\n"


DAMAGES = {
    "a value edited (256 KB -> 254 KB)": lambda raw: raw.replace(b"256", b"254"),
    "facts null": lambda raw: _entry(b'{"format": "flashcards", "cards": 3, "facts": null}', True),
    "facts a list": lambda raw: _entry(b'{"format": "flashcards", "cards": 3, "facts": [1, 2]}', True),
    "cards 1e400": lambda raw: _entry(b'{"format": "flashcards", "cards": 1e400, "facts": {}}', True),
    "an unknown format": lambda raw: _entry(b'{"format": "pickle", "cards": 3, "facts": {}}', True),
    "nested 100,000 deep": lambda raw: _entry(b"[" * 100_000 + b"]" * 100_000, True),
    "nodes of the wrong shape": lambda raw: _entry(
        b'{"format": "flashcards", "cards": 3, "facts": {"nodes": [{"id": 5}]}}', True),
    "an entry of the old form (no digest)": lambda raw: raw[raw.index(b'"entry": ') + 9 : -2],
    "cut short": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_cache_entry_is_parsed_again_and_rewritten(run_cli, tmp_path, damage, monkeypatch):
    notes = tmp_path / "deck.txt"
    notes.write_text(LAMBDA + SQS, encoding="utf-8")
    cache = tmp_path / "cache"
    monkeypatch.setenv("AWSKG_CACHE", str(cache))
    code, _, err = run_cli(["build", notes, "-o", tmp_path / "fresh.json"])
    assert code == 0, err
    [entry] = cache.glob("*.json")
    whole = entry.read_bytes()
    body = whole[whole.index(b'"entry": ') + 9 : -2]
    assert json.loads(whole)["sha256"] == hashlib.sha256(body).hexdigest()
    for _ in range(2):  # the damage is mended, not met again on every build
        entry.write_bytes(DAMAGES[damage](whole))
        code, out, err = run_cli(["build", notes, "-o", tmp_path / "again.json", "--json"])
        assert code == 0, err
        assert json.loads(out)["parsed"] and not json.loads(out)["cached"]
        assert (tmp_path / "again.json").read_bytes() == (tmp_path / "fresh.json").read_bytes()
        assert entry.read_bytes() == whole
        code, out, err = run_cli(["build", notes, "-o", tmp_path / "again.json", "--json"])
        assert json.loads(out)["cached"], "the rewritten entry is used"


# ---------------------------------------------------------------------------- terminal escapes in notes

TITLE = "\x1b]0;PWNED\x07"  # retitles the terminal window
CLEAR = "\x1b[2J\x9b2J\u202e"  # clears the screen (7-bit and 8-bit CSI), then a bidi override


@pytest.fixture(scope="module")
def escape_graph(tmp_path_factory) -> Path:
    """The committed graph with escape sequences in every name, definition and note line."""
    from conftest import COMMITTED_GRAPH

    kg = awskg.load(COMMITTED_GRAPH)
    for _, d in kg.graph.nodes(data=True):
        d["name"] = f"{d.get('name', '')}{TITLE}"
        if d.get("definition"):
            d["definition"] += CLEAR
        if d.get("type") == "card":
            d["lines"] = [[n, role, f"{text} {CLEAR}{TITLE}"] for n, role, text in d.get("lines", [])]
    out = tmp_path_factory.mktemp("escapes") / "g.json"
    kg.save(out)
    return out


@pytest.mark.parametrize("args", [
    ["show", "service:lambda"], ["search", "lambda timeout"], ["limits", "service:lambda"],
    ["limits"], ["related", "service:lambda"], ["compare", "service:sqs", "service:sns"],
    ["quiz", "-n", "30", "--answers", "--seed", "1"], ["show", "service:lambda", "--json"],
    ["search", "lambda timeout", "--json"], ["search", "zzqqxx"],
])
def test_escape_sequences_in_notes_are_shown_escaped(run_cli, escape_graph, args, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # table cells whole, not folded
    code, out, err = run_cli([*args, "-g", escape_graph])
    both = out + err
    assert code in (0, 1), err
    assert not any(ch in both for ch in "\x1b\x07\x9b\u202e"), both[:2000]
    if args[0] != "search" or args[1] != "zzqqxx":
        assert "\\x1b]0;PWNED\\x07" in both or "\\u001b]0;PWNED\\u0007" in both
    if "--json" in args:
        json.loads(out)  # still JSON, the same value


def test_control_characters_are_shown_as_python_writes_them():
    from awskg.control_chars import json_visible, visible

    shown = visible("a\x1b[2J\x07b\tc\nd\r\x7f\x9b\u202e\udcff")
    assert shown == "a\\x1b[2J\\x07b\tc\nd\\r\\x7f\\x9b\\u202e\\xff"
    assert visible("a\tb\nc", one_line=True) == "a\tb\\nc"
    assert visible("café → λ [red]") == "café → λ [red]"  # text is left alone
    text = json.dumps({"k": "\x1b\x9b\u202eé"}, ensure_ascii=False)
    assert json.loads(json_visible(text)) == {"k": "\x1b\x9b\u202eé"}
    assert not any(ch in json_visible(text) for ch in "\x1b\x9b\u202e")


# ---------------------------------------------------------------------------- the CSV pair


def _csv_args(nodes, edges, *extra):
    from conftest import COMMITTED_GRAPH

    return ["export", "lambda", "-f", "csv", "--nodes", nodes, "--edges", edges, *extra,
            "-g", COMMITTED_GRAPH]


def test_a_csv_pair_whose_edges_cannot_be_written_writes_no_nodes(run_cli, tmp_path):
    code, _, err = run_cli(_csv_args(tmp_path / "n.csv", "/proc/awskg-e.csv"))
    one_line_error(code, err, "/proc/awskg-e.csv: cannot write here", exit_code=5)
    assert list(tmp_path.iterdir()) == []


def test_a_csv_pair_whose_second_rename_fails_keeps_both_old_files(run_cli, tmp_path, monkeypatch):
    nodes, edges = tmp_path / "n.csv", tmp_path / "e.csv"
    nodes.write_text("my nodes\n", encoding="utf-8")
    edges.write_text("my edges\n", encoding="utf-8")
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == edges:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code, _, err = run_cli(_csv_args(nodes, edges, "--force"))
    one_line_error(code, err, "e.csv: cannot write (No space left on device); no file was written",
                   exit_code=5)
    assert nodes.read_text(encoding="utf-8") == "my nodes\n"
    assert edges.read_text(encoding="utf-8") == "my edges\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "n.csv"]  # no temp file left


@pytest.mark.parametrize("second", ["sub/../n.csv", "link.csv", "hard.csv"])
def test_a_csv_pair_naming_one_file_twice_is_refused(run_cli, tmp_path, monkeypatch, second):
    monkeypatch.chdir(tmp_path)
    Path("sub").mkdir()
    Path("n.csv").write_text("my table\n", encoding="utf-8")
    Path("link.csv").symlink_to("n.csv")
    os.link("n.csv", "hard.csv")
    code, _, err = run_cli(_csv_args("n.csv", second, "--force"))
    one_line_error(code, err, "--nodes and --edges must be two different files", exit_code=2)
    assert Path("n.csv").read_text(encoding="utf-8") == "my table\n"


# ---------------------------------------------------------------------------- what killed writes leave


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    return int(proc.stdout)


def test_temp_files_of_killed_writes_are_cleaned_by_the_next_write(tmp_path, lambda_notes):
    target = tmp_path / "g.json"
    kg = awskg.build([lambda_notes], cache_dir=tmp_path / "cache")
    dead, alive = _dead_pid(), os.getppid()
    stale = [tmp_path / f".g.json.{dead}-k1ll3d.tmp", tmp_path / ".g.json.abcd1234.tmp"]
    kept = [tmp_path / f".g.json.{alive}-wr1t1ng.tmp",  # a write still running
            tmp_path / ".g.json.efgh5678.tmp",  # untagged but recent
            tmp_path / ".other.json.12-x.tmp",  # another file's
            tmp_path / f".g.json.x.{dead}-a.tmp"]  # the file `g.json.x`'s
    for path in stale + kept:
        path.write_text("half a graph", encoding="utf-8")
    os.utime(stale[1], (time.time() - 7200, time.time() - 7200))
    (tmp_path / f".g.json.{dead}-f0ld3r.tmp").mkdir()  # a killed folder export's
    kg.save(target)
    assert all(p.exists() for p in kept)
    assert not any(p.exists() for p in stale)
    assert not (tmp_path / f".g.json.{dead}-f0ld3r.tmp").exists()
    assert awskg.load(target).cards()


def test_a_build_killed_mid_write_leaves_a_temp_file_the_next_build_removes(tmp_path, lambda_notes):
    from test_robustness import _killed_at_fsync

    target = tmp_path / "g.json"
    proc = _killed_at_fsync(["build", lambda_notes, "-o", target], target, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".g.json.")]
    assert len(leftovers) == 1, leftovers
    done = subprocess.run([sys.executable, "-c", CLI_BOOT, "build", str(lambda_notes), "-o", str(target)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".g.json.")] == []


# ---------------------------------------------------------------------------- a killed parallel build


def _living_children() -> dict[int, int]:
    """pid -> parent pid of every process not yet ended (a zombie has ended: only not reaped)."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        state, ppid = text[text.rindex(")") + 2 :].split()[:2]
        if state not in ("Z", "X"):
            out[int(stat.parent.name)] = int(ppid)
    return out


def _descendants(pid: int) -> set[int]:
    parents = _living_children()
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for child, parent in parents.items():
            if parent == p and child not in found:
                found.add(child)
                todo.append(child)
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_a_killed_parallel_build_takes_its_workers_with_it(tmp_path):
    from conftest import NOTES

    folder = tmp_path / "notes"
    folder.mkdir()
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(NOTES.glob("*.txt"))) * 6
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "AWSKG_CACHE": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-c", CLI_BOOT, "build", str(folder), "-j", "2", "--no-cache",
                             "-o", str(tmp_path / "g.json")], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    left: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        family: set[int] = set()
        # The fork server, the resource tracker and two workers, then a moment to start parsing.
        while len(family) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            family = _descendants(proc.pid)
        assert proc.poll() is None and len(family) >= 4, "the build ended or never started its workers"
        time.sleep(2)
        family = _descendants(proc.pid)
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            left = family & set(_living_children())
            if not left:
                break
            time.sleep(0.2)
        assert not left, f"{len(left)} of the build's {len(family)} processes outlived it"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in left:  # a failed run must not leave them behind either
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


# ---------------------------------------------------------------------------- names the OS accepts


ODD_NAMES = [os.fsdecode(b"\xff\xfe.txt"), "a\nb.txt", "c\x1b[2Jd.txt", "-rf.txt", "名前 ノート.md",
             "q?*:|<>.txt", "x" * 240 + ".txt", " lead and trail .txt", "\u202eevil.txt"]


def test_any_name_the_os_accepts_builds_and_is_shown_escaped(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "1000")
    folder = Path("notes")
    folder.mkdir()
    for i, name in enumerate(ODD_NAMES):
        notes = f"Lambda: what is the max timeout?\nLambda\nmax timeout is {i + 1} minutes\n"
        (folder / name).write_text(notes, encoding="utf-8")
    code, _, err = run_cli(["build", folder, "-o", "g.json"])
    assert code == 0, err
    raw = Path("g.json").read_bytes()
    raw.decode("utf-8")  # UTF-8 throughout: the undecodable byte is written as an escape
    files = {c["file"] for c in awskg.load("g.json").cards()}
    assert "notes/\\xff\\xfe.txt" in files and "notes/a\nb.txt" in files
    assert len(files) == len(ODD_NAMES)
    code, out, err = run_cli(["show", "lambda", "-g", "g.json"])  # a limit of each file, with its name
    assert code == 0, err
    assert "notes/\\xff\\xfe.txt:" in out and "notes/a\\nb.txt:" in out and "notes/c\\x1b[2Jd.txt" in out
    assert not any(ch in out for ch in "\x1b\u202e")
    code, out, err = run_cli(["build", folder, "-o", "g.json", "--json"])  # and from the cache
    assert code == 0 and len(json.loads(out)["cached"]) == len(ODD_NAMES), err


@pytest.mark.parametrize("name", ["bad\nname.txt", os.fsdecode(b"bad\xff\nname.txt"), "bad\r\x1b[2Jname.txt"])
def test_an_error_naming_an_odd_file_is_one_line(run_cli, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"caf\xe9 latin-1\n")
    code, _, err = run_cli(["build", path, "-o", tmp_path / "g.json"])
    line = one_line_error(code, err, "is not UTF-8 text", exit_code=2)
    assert "bad\\" in line and not any(ch in line for ch in "\r\x1b")
    code, _, err = run_cli(["build", tmp_path / (name + "-missing"), "-o", tmp_path / "g.json"])
    one_line_error(code, err, "no such file or folder", exit_code=2)


# ---------------------------------------------------------------------------- smaller (item 11)


@pytest.mark.parametrize(("name", "safe"), [
    ("CON", "CON (note)"),
    ("nul.txt", "nul (note).txt"),
    ("Com1.md", "Com1 (note).md"),
    ("aux .json", "aux (note).json"),
    ("LPT\u00b9", "LPT\u00b9 (note)"),
    ("conout$", "conout$ (note)"),
    ("prn.tar.gz", "prn (note).tar.gz"),
])
def test_obsidian_note_names_are_never_a_windows_device(name, safe):
    from awskg.export.obsidian import clean_name

    assert clean_name(name) == safe


@pytest.mark.parametrize("name", ["console", "nullable.txt", "com10", "auxiliary", "lpt", "S3 con"])
def test_obsidian_note_names_that_only_start_like_a_device_are_kept(name):
    from awskg.export.obsidian import clean_name

    assert clean_name(name) == name


@pytest.mark.parametrize(("args", "needles"), [
    (["search", "sqs", "--type", "nonsense"], ["--type", "'nonsense'", "service", "line", "comparison"]),
    (["search", "sqs", "--type", "service,nonsense"], ["--type", "'nonsense'"]),
    (["related", "lambda", "--type", "line"], ["--type", "'line'", "feature"]),
    (["related", "lambda", "--relation", "bogus"], ["--relation", "'BOGUS'", "HAS_FEATURE"]),
    (["export", "lambda", "--format", "json", "--types", "zzz"], ["--types", "'zzz'", "limit"]),
], ids=["search", "search-one-of-two", "related-type", "related-relation", "export"])
def test_an_unknown_type_or_relation_names_the_valid_ones(run_cli, args, needles):
    code, out, err = run_cli([*args, "--graph", COMMITTED_GRAPH])
    one_line_error(code, err, *needles, exit_code=2)
    assert not out


@pytest.mark.parametrize("args", [
    ["search", "sqs", "--type", "Service,line", "--json"],
    ["related", "lambda", "--relation", "has_feature", "--json"],
])
def test_known_types_and_relations_are_taken_in_any_case(run_cli, args):
    code, out, err = run_cli([*args, "--graph", COMMITTED_GRAPH])
    assert code == 0, err
    assert json.loads(out)


# ---------------------------------------------------------------------- hand-edited graph files (item 8)


def _first(data: dict, type_: str) -> dict:
    return next(n for n in data["nodes"] if n.get("type") == type_)


def _nested(depth: int) -> list:
    top = inner = []
    for _ in range(depth - 1):
        inner.append([])
        inner = inner[0]
    return top


def _set(type_: str, **fields):
    """A hand edit: these fields of the graph's first node of this type."""
    return lambda d: _first(d, type_).update(fields)


def _first_source(type_: str, change):
    return lambda d: change(_first(d, type_)["sources"][0])


# (what the hand edit does, words the one-line error holds)
GRAPH_EDITS = {
    "sources-a-string": (_set("service", sources="notes.txt:3"), ["sources", "'notes.txt:3'"]),
    "source-line-a-string": (_first_source("service", lambda s: s.update(line="3")), ["sources[0]", "line"]),
    "source-without-file": (_first_source("service", lambda s: s.pop("file")), ["sources[0]", "or line"]),
    "value-abc": (_set("limit", value="abc"), ["limit:", "value is 'abc'"]),
    "name-null": (_set("feature", name=None), ["feature:", "name is null"]),
    "name-int": (_set("feature", name=7), ["name is 7"]),
    "name-list": (_set("feature", name=["a", "b"]), ["name is a list"]),
    "value-nan": (_set("limit", value=float("nan")), ["value is NaN"]),
    "value-10e400": (_set("limit", value=10**400), ["value is a 401-digit number"]),
    "value-max-infinity": (_set("limit", value_max=float("inf")), ["value_max is Infinity"]),
    "card-line-short": (_set("card", lines=[[2, "front"]]), ["card:", "lines[0]"]),
    "card-line-number-text": (_set("card", lines=[["2", "text", "x"]]), ["card:", "lines[0]"]),
    "card-lines-a-string": (_set("card", lines="x"), ["lines is 'x'"]),
    "card-lines-null": (_set("card", lines=None), ["lines is null"]),
    "node-id-int": (_set("service", id=12), ["id is 12"]),
    "duplicate-ids": (lambda d: _set("feature", id=_first(d, "service")["id"])(d), ["another node's"]),
    "node-a-string": (lambda d: d["nodes"].append("lambda"), ["is 'lambda', not an object"]),
    "edge-to-nowhere": (lambda d: d["edges"][0].update(target="service:no"), ["edge 0", "'service:no'"]),
    "edge-weight-text": (lambda d: d["edges"][0].update(weight="heavy"), ["edge 0", "weight"]),
    "nested-500-deep": (_set("service", extra=_nested(500)), ["extra", "nested deeper"]),
    "header-files-a-string": (lambda d: d["graph"].update(files="notes.txt"), ["files"]),
}


@pytest.mark.parametrize("edit", list(GRAPH_EDITS), ids=list(GRAPH_EDITS))
def test_a_hand_edited_graph_file_is_one_line_naming_its_first_bad_record(run_cli, tmp_path, edit):
    data = json.loads(Path(COMMITTED_GRAPH).read_text(encoding="utf-8"))
    change, needles = GRAPH_EDITS[edit]
    change(data)
    graph = tmp_path / "edited.json"
    graph.write_text(json.dumps(data), encoding="utf-8")  # NaN, Infinity: as Python's json writes them
    for command in (["limits", "sqs"], ["search", "sqs"], ["show", "lambda"], ["stats"]):
        code, _, err = run_cli([*command, "--graph", graph])
        one_line_error(code, err, "edited.json", "malformed graph data", *needles, exit_code=3)


def test_a_graph_file_edited_after_its_store_was_written_is_checked_again(run_cli, tmp_path):
    from awskg.store import store_path

    graph = tmp_path / "g.json"
    graph.write_bytes(Path(COMMITTED_GRAPH).read_bytes())
    code, _, err = run_cli(["limits", "sqs", "--graph", graph])  # writes the store beside it
    assert code == 0 and store_path(graph).is_file(), err
    data = json.loads(graph.read_text(encoding="utf-8"))
    _first(data, "limit").update(value="abc")
    graph.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run_cli(["limits", "sqs", "--graph", graph])  # the store is stale: the file is parsed
    one_line_error(code, err, "g.json", "value is 'abc'", exit_code=3)
    fresh = tmp_path / "fresh.json"  # a fresh clone: no store; none is written from a bad file
    fresh.write_bytes(graph.read_bytes())
    code, _, err = run_cli(["stats", "--graph", fresh])
    one_line_error(code, err, "fresh.json", "value is 'abc'", exit_code=3)
    assert not store_path(fresh).exists()


def test_a_graph_nested_100000_deep_is_refused_without_a_recursion_error(run_cli, tmp_path):
    graph = tmp_path / "deep.json"
    graph.write_text('{"graph": {"schema_version": 1}, "nodes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, err = run_cli(["stats", "--graph", graph])
    one_line_error(code, err, "deep.json", "nested deeper", exit_code=3)


def test_the_committed_graph_and_its_exports_pass_the_check():
    from awskg.export import render
    from awskg.graphcheck import first_problem

    data = json.loads(Path(COMMITTED_GRAPH).read_text(encoding="utf-8"))
    assert first_problem(data) is None
    kg = awskg.load(COMMITTED_GRAPH)
    exported = json.loads(render(kg, kg.subgraph(["lambda"], depth=2), "json"))
    assert first_problem(exported) is None


def test_a_fifo_given_as_graph_file_is_refused_not_waited_on(run_awskg, tmp_path):
    fifo = tmp_path / "graph.json"
    os.mkfifo(fifo)
    proc = run_awskg(["stats", "--graph", fifo], timeout=60)
    one_line_error(proc.returncode, proc.stderr, "graph.json", "not a regular file", exit_code=3)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_device_given_as_graph_or_notes_is_refused_before_it_is_read(run_awskg, tmp_path, device):
    proc = run_awskg(["stats", "--graph", device], timeout=60)
    one_line_error(proc.returncode, proc.stderr, device, "not a regular file", exit_code=3)
    proc = run_awskg(["build", device, "-o", tmp_path / "g.json"], timeout=60)
    one_line_error(proc.returncode, proc.stderr, device, "not a regular file", exit_code=2)
    link = tmp_path / "notes"
    link.mkdir()
    (link / "zero.txt").symlink_to(device)  # in a folder, behind a name that looks like notes
    (link / "ok.txt").write_text(LAMBDA, encoding="utf-8")
    proc = run_awskg(["build", link, "-o", tmp_path / "g.json"], timeout=120)
    assert proc.returncode == 0 and "zero.txt" not in Path(tmp_path / "g.json").read_text(), proc.stderr


def test_a_graph_file_over_the_size_cap_is_refused_before_it_is_read(run_cli, tmp_path, monkeypatch):
    import awskg.graph

    monkeypatch.setattr(awskg.graph, "MAX_GRAPH_BYTES", 1000)
    code, _, err = run_cli(["stats", "--graph", COMMITTED_GRAPH])
    one_line_error(code, err, "awskg.json", "larger than", exit_code=3)


@pytest.mark.parametrize("cap", ["MAX_NOTES_BYTES", "MAX_PACKAGE_BYTES"])
def test_a_notes_file_over_the_size_cap_is_refused_with_its_size(run_cli, tmp_path, monkeypatch, cap):
    import awskg.builder

    notes = tmp_path / "big.txt"
    notes.write_text(LAMBDA * 30_000, encoding="utf-8")  # 2 MB
    monkeypatch.setattr(awskg.builder, cap, 2**20)
    code, _, err = run_cli(["build", notes, "-o", tmp_path / "g.json", "--no-cache"])
    one_line_error(code, err, "big.txt: is 2 MB, over the 1 MB", exit_code=2)
    assert not (tmp_path / "g.json").exists()


def test_a_notes_file_turned_into_a_pipe_after_it_was_listed_is_not_waited_on(tmp_path, monkeypatch):
    import awskg.builder
    from awskg.errors import InputError

    fifo = tmp_path / "notes.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="notes.txt: is not a regular file"):
        awskg.builder._read(fifo, None, None)
