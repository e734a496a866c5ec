"""Hostile and broken input. Every case of the catalogue is answered with one line naming the file or
argument and a non-zero exit, never a traceback; a build or export that fails or is killed leaves
the file that was there intact; note text prints as typed, and loading a graph executes nothing.
"""

from __future__ import annotations

import ast
import codecs
import errno
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import CLI_BOOT, COMMITTED_GRAPH, NOTES, REPO

import awskg
from awskg.errors import OutputError
from awskg.graph import KnowledgeGraph

DECK = (
    "My deck\n"
    "Lambda: what is the max timeout?\n"
    "Lambda\n"
    "max timeout is 15 minutes\n"
    "memory from 128 MB to 10,240 MB\n"
    "Lambda uses SQS as an event source\n"
    "SQS: what is the max message size?\n"
    "SQS\n"
    "messages up to 256 KB\n"
    "retention from 1 minute to 14 days\n"
    "SQS vs SNS: SQS is pull, SNS is push\n"
)


def one_line_error(code: int, err: str, *needles: str, exit_code: int | None = None) -> str:
    """The CLI's answer to bad input: a non-zero exit and exactly one `awskg: error:` line."""
    assert code != 0, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("awskg: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, err)
    if exit_code is not None:
        assert code == exit_code, err
    return lines[0]


def limit_rows(kg: KnowledgeGraph) -> list[tuple]:
    return [(lim.subject, lim.value, lim.value_max, lim.unit, lim.source.line, lim.line_text)
            for lim in kg.limits(numeric_only=False)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "deck.txt"
    path.write_text(DECK, encoding="utf-8")
    return path


@pytest.fixture
def deck_graph(tmp_path: Path, deck: Path) -> Path:
    out = tmp_path / "deck.json"
    awskg.build([deck], cache_dir=tmp_path / "cache").save(out)
    return out


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one table row per line: messages and text are not wrapped


# ---------------------------------------------------------------------------- notes paths


def test_missing_notes_path_is_named(run_cli, tmp_path):
    out = tmp_path / "g.json"
    code, _, err = run_cli(["build", tmp_path / "nope.txt", "-o", out])
    one_line_error(code, err, "nope.txt", "no such file", exit_code=2)
    assert not out.exists()


def test_unreadable_notes_file_is_named(run_awskg, tmp_path, deck):
    from conftest import CLI_BOOT, as_a_user

    deck.chmod(0)
    try:
        proc = subprocess.run([*as_a_user(), sys.executable, "-c", CLI_BOOT, "build", str(deck),
                               "-o", str(tmp_path / "g.json")], capture_output=True, text=True, timeout=300)
        one_line_error(proc.returncode, proc.stderr, "deck.txt", "is not readable", exit_code=2)
    finally:
        deck.chmod(0o644)


def test_notes_file_that_refuses_to_be_read_is_named(run_cli, tmp_path, deck, monkeypatch):
    # What chmod 000 does for a user other than root: the read itself fails.
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "deck.txt":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, _, err = run_cli(["build", deck, "-o", tmp_path / "g.json"])
    one_line_error(code, err, "deck.txt", "Permission denied", exit_code=2)


def test_pipe_given_as_notes_file_is_refused_not_waited_on(run_awskg, tmp_path):
    fifo = tmp_path / "notes.txt"
    os.mkfifo(fifo)
    # Nothing ever writes to the pipe: reading it would block for ever, hence the timeout.
    proc = run_awskg(["build", fifo, "-o", tmp_path / "g.json"], timeout=120, cwd=tmp_path)
    one_line_error(proc.returncode, proc.stderr, "notes.txt", "not a regular file", exit_code=2)


def test_folder_with_no_notes_is_named(run_cli, tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    (folder / ".hidden.txt").write_text(DECK, encoding="utf-8")
    code, _, err = run_cli(["build", folder, "-o", tmp_path / "g.json"])
    one_line_error(code, err, "pictures", "no notes files", exit_code=2)


def _zip_bytes(name: str = "collection.anki2") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, "not really")
    return buf.getvalue()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + bytes(40)


@pytest.mark.parametrize(
    "name,data,what",
    [
        ("diagram.txt", PNG, "PNG image"),
        # A zip is read as an Anki package, whatever its name: this one's collection is no database.
        ("deck.csv", _zip_bytes(), "damaged Anki package"),
        ("report.txt", _zip_bytes("word/document.xml"), "zip archive but not an Anki package"),
        ("notes.md", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("raw.txt", b"SQS\x00\x01\x02" * 50, "binary file"),
    ],
)
def test_binary_file_is_refused_by_name(run_cli, tmp_path, name, data, what):
    path = tmp_path / name
    path.write_bytes(data)
    code, _, err = run_cli(["build", path, "-o", tmp_path / "g.json"])
    one_line_error(code, err, name, what, exit_code=2)


def test_binary_file_in_a_folder_of_notes_is_named(run_cli, tmp_path, deck):
    (tmp_path / "zz-screenshot.txt").write_bytes(PNG)
    code, _, err = run_cli(["build", tmp_path, "-o", tmp_path / "g.json"])
    one_line_error(code, err, "zz-screenshot.txt", "PNG image", exit_code=2)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-8"])
def test_unicode_with_a_byte_order_mark_builds_like_utf8(tmp_path, encoding):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-8": codecs.BOM_UTF8}[encoding]
    plain = tmp_path / "plain" / "deck.txt"
    marked = tmp_path / "marked" / "deck.txt"
    plain.parent.mkdir()
    marked.parent.mkdir()
    plain.write_text(DECK, encoding="utf-8")
    marked.write_bytes(bom + DECK.encode(encoding))
    expected = limit_rows(awskg.build([plain], use_cache=False))
    assert expected  # the deck states limits, so an empty list below would be a loss
    assert limit_rows(awskg.build([marked], use_cache=False)) == expected


def test_latin1_file_is_refused_by_name(run_cli, tmp_path):
    path = tmp_path / "cafe.txt"
    path.write_bytes(DECK.replace("My deck", "Mon café").encode("latin-1"))
    code, _, err = run_cli(["build", path, "-o", tmp_path / "g.json"])
    one_line_error(code, err, "cafe.txt", "not UTF-8", exit_code=2)


def test_byte_order_mark_over_broken_text_is_named(run_cli, tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + DECK.encode("utf-16-le") + b"\x00")  # an odd byte count
    code, _, err = run_cli(["build", path, "-o", tmp_path / "g.json"])
    one_line_error(code, err, "odd.txt", "utf-16", exit_code=2)


@pytest.mark.parametrize(
    "ending",
    [pytest.param(lambda i: "\r\n", id="crlf"), pytest.param(lambda i: "\r", id="cr"),
     pytest.param(lambda i: ("\r\n", "\n", "\r")[i % 3], id="mixed")],
)
def test_crlf_and_mixed_line_endings_read_like_lf(tmp_path, ending):
    lf = tmp_path / "lf" / "deck.txt"
    other = tmp_path / "other" / "deck.txt"
    lf.parent.mkdir()
    other.parent.mkdir()
    lines = DECK.split("\n")
    lf.write_bytes(DECK.encode())
    other.write_bytes("".join(ln + ending(i) for i, ln in enumerate(lines[:-1])).encode())
    a, b = awskg.build([lf], use_cache=False), awskg.build([other], use_cache=False)
    assert limit_rows(a) and limit_rows(b) == limit_rows(a)
    assert [(c["number"], c["lines"]) for c in b.cards()] == [(c["number"], c["lines"]) for c in a.cards()]


@pytest.mark.parametrize("text", ["", "\n\n  \n\t\n", "\ufeff"])
def test_empty_notes_file_is_named(run_cli, tmp_path, text):
    path = tmp_path / "blank.txt"
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli(["build", path, "-o", tmp_path / "g.json"])
    one_line_error(code, err, "blank.txt", "empty", exit_code=2)


def test_unknown_notes_format_is_named(run_cli, tmp_path, deck):
    code, _, err = run_cli(["build", deck, "--format", "docx", "-o", tmp_path / "g.json"])
    one_line_error(code, err, "docx", exit_code=2)


def test_a_megabyte_notes_file_builds_with_a_progress_bar(tmp_path):
    # The 50 MB case below takes 11 minutes and runs on request; this one runs every time, on
    # the same path: one file over the CLI's 512 KB threshold, so the bar is drawn.
    notes = tmp_path / "big.txt"
    notes.write_text(_big_notes(1024 * 1024), encoding="utf-8")
    out = tmp_path / "g.json"
    env = dict(os.environ, TTY_COMPATIBLE="1", TTY_INTERACTIVE="1", AWSKG_CACHE=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-c", CLI_BOOT, "build", str(notes), "-o", str(out), "--no-cache"],
        capture_output=True, text=True, env=env, timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "big.txt" in proc.stderr and "━" in proc.stderr  # the progress bar, on stderr
    assert "Traceback" not in proc.stderr
    copies = notes.read_text(encoding="utf-8").count("Lambda: what is the limit of copy")
    assert copies > 10 and KnowledgeGraph.load(out).stats()["cards"] >= 103 * copies  # every copy's cards


def test_many_files_build_with_one_bar_for_the_files(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(_big_notes(300 * 1024), encoding="utf-8")
    env = dict(os.environ, TTY_COMPATIBLE="1", TTY_INTERACTIVE="1", AWSKG_CACHE=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-c", CLI_BOOT, "build", str(folder), "-o", str(tmp_path / "g.json"), "--no-cache"],
        capture_output=True, text=True, env=env, timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "notes files" in proc.stderr and "2/2" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("AWSKG_SLOW"),
                    reason="builds 50 MB of notes (11 minutes here); run with AWSKG_SLOW=1")
def test_fifty_megabyte_notes_file_builds_with_a_progress_bar_in_bounded_memory(tmp_path):
    notes = tmp_path / "big.txt"
    notes.write_text(_big_notes(50 * 1024 * 1024), encoding="utf-8")
    out = tmp_path / "g.json"
    # A child of its own measures the build alone: RUSAGE_CHILDREN of this process would also
    # count every subprocess the rest of the session ran.
    probe = (
        "import resource, subprocess, sys, json\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'rc': p.returncode, 'rss_kb': rss, 'err': p.stderr[-4000:]}))\n"
    )
    env = dict(os.environ, TTY_COMPATIBLE="1", TTY_INTERACTIVE="1", AWSKG_CACHE=str(tmp_path / "cache"))
    build_cmd = [sys.executable, "-c", CLI_BOOT, "build", notes, "-o", out, "--no-cache"]
    proc = subprocess.run(
        [sys.executable, "-c", probe, *map(str, build_cmd)],
        capture_output=True, text=True, env=env, timeout=4 * 3600,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["rc"] == 0, result["err"]
    assert "big.txt" in result["err"] and "━" in result["err"]  # the progress bar, on stderr
    assert "Traceback" not in result["err"]
    kg = KnowledgeGraph.load(out)
    assert kg.stats()["cards"] > 90_000
    # Measured here: 1.8 GB at peak for 50 MB of notes and a 436 MB graph file. Saving that held
    # the whole JSON text (and its bytes) in memory, as it did before it streamed, peaked at 5.6 GB.
    peak_mb = result["rss_kb"] / 1024
    print(f"50 MB build: peak RSS {peak_mb:.0f} MB, graph {out.stat().st_size / 2**20:.0f} MB")
    assert peak_mb < 3 * 1024


def _big_notes(size: int) -> str:
    """`size` characters of flashcards: the real deck over and over, each copy with a card of its own."""
    lines = (NOTES / "aws-developer-associate-flashcards.txt").read_text(encoding="utf-8").split("\n")
    title, body = lines[0], "\n".join(lines[1:]).rstrip("\n")
    parts, total, k = [title], len(title), 0
    while total < size:
        k += 1
        chunk = (f"{body}\nLambda: what is the limit of copy {k}?\nLambda\n"
                 f"copy {k} allows up to {k % 997 + 1} MB per request")
        parts.append(chunk)
        total += len(chunk) + 1
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------- graph files


def test_truncated_graph_file_is_named(run_cli, tmp_path):
    graph = tmp_path / "cut.json"
    data = COMMITTED_GRAPH.read_bytes()
    graph.write_bytes(data[: len(data) // 2])
    code, _, err = run_cli(["stats", "--graph", graph])
    one_line_error(code, err, "cut.json", "truncated or corrupt", exit_code=3)


@pytest.mark.parametrize(
    "data",
    [b"\x00\xff\xfe garbage", b"[1, 2, 3]", b'{"nodes": "ab", "graph": {"schema_version": 1}}',
     b'{"nodes": [], "graph": [1]}', b'{"nodes": [{"name": "no id"}], "graph": {"schema_version": 1}}',
     b'{"nodes": [], "edges": [{"source": "a"}], "graph": {"schema_version": 1}}'],
    ids=["bytes", "list", "nodes-string", "graph-list", "node-without-id", "edge-without-target"],
)
def test_corrupt_graph_file_is_named(run_cli, tmp_path, data):
    graph = tmp_path / "bad.json"
    graph.write_bytes(data)
    code, _, err = run_cli(["show", "lambda", "--graph", graph])
    one_line_error(code, err, "bad.json", exit_code=3)


def test_graph_file_of_an_unknown_schema_version_is_named(run_cli, tmp_path):
    data = json.loads(COMMITTED_GRAPH.read_text(encoding="utf-8"))
    data["graph"]["schema_version"] = 99
    graph = tmp_path / "future.json"
    graph.write_text(json.dumps(data), encoding="utf-8")
    line = one_line_error(*run_cli(["limits", "sqs", "--graph", graph])[::2], "future.json", exit_code=3)
    assert "schema version 99" in line and "awskg build" in line


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_missing_graph_file_is_named(run_cli, tmp_path, kind):
    graph = tmp_path / "graph.json"
    if kind == "folder":
        graph.mkdir()
    code, _, err = run_cli(["search", "sqs", "--graph", graph])
    one_line_error(code, err, "graph.json", "awskg build" if kind == "missing" else "folder", exit_code=3)


# ---------------------------------------------------------------------------- arguments


def test_unknown_entity_says_did_you_mean(run_cli):
    code, _, err = run_cli(["show", "nosuchthing", "--graph", COMMITTED_GRAPH])
    one_line_error(code, err, "no entity named 'nosuchthing'", exit_code=4)
    code, _, err = run_cli(["show", "lamda", "--graph", COMMITTED_GRAPH])
    one_line_error(code, err, "did you mean 'Lambda'", exit_code=4)


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_is_refused(run_cli, query):
    code, _, err = run_cli(["search", query, "--graph", COMMITTED_GRAPH])
    one_line_error(code, err, "query is empty", exit_code=2)


@pytest.mark.parametrize("query", [("sqs max message size " * 500)[:10_000], "zq" * 5_000, "[red]" * 2_000],
                         ids=["words", "nonsense", "markup"])
def test_ten_thousand_character_query_is_answered(run_cli, query):
    assert len(query) == 10_000
    code, out, err = run_cli(["search", query, "--json", "--graph", COMMITTED_GRAPH])
    assert code in (0, 1) and "Traceback" not in err and "internal error" not in err
    hits = json.loads(out)
    assert (code == 0) == bool(hits)
    code, out, err = run_cli(["search", query, "--graph", COMMITTED_GRAPH])
    assert code in (0, 1) and "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("command", [["related", "lambda"], ["export", "lambda", "--format", "json"]])
@pytest.mark.parametrize("depth", ["100", "-1"])
def test_depth_out_of_range_is_refused(run_cli, command, depth):
    code, _, err = run_cli([*command, "--depth", depth, "--graph", COMMITTED_GRAPH])
    one_line_error(code, err, "depth must be", depth, exit_code=2)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["search"], ["Missing argument", "awskg search --help"]),
        (["search", "sqs", "--limit", "abc"], ["--limit", "abc"]),
        (["build", "--jobs", "0"], ["--jobs", "0"]),
        (["frobnicate"], ["No such command", "frobnicate"]),
        (["search", "sqs", "--no-such-option"], ["--no-such-option"]),
    ],
    ids=["missing-argument", "bad-number", "out-of-range", "unknown-command", "unknown-option"],
)
def test_command_line_mistakes_get_one_line_and_exit_2(run_cli, args, needles):
    code, _, err = run_cli(args)
    one_line_error(code, err, *needles, exit_code=2)


# ---------------------------------------------------------------------------- export targets


def test_export_into_a_missing_folder_is_named(run_cli, tmp_path):
    target = tmp_path / "no" / "such" / "lambda.json"
    code, _, err = run_cli(["export", "lambda", "--format", "json", "-o", target, "--graph", COMMITTED_GRAPH])
    one_line_error(code, err, str(target.parent), "no such folder", exit_code=5)
    assert not (tmp_path / "no").exists()


def test_export_to_an_unwritable_path_is_named(run_cli, tmp_path):
    if os.geteuid() == 0:
        target = Path("/proc/awskg-lambda.json")  # root may write anywhere but into /proc
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "lambda.json"
    code, _, err = run_cli(["export", "lambda", "--format", "json", "-o", target, "--graph", COMMITTED_GRAPH])
    one_line_error(code, err, str(target), exit_code=5)
    assert not target.exists()


def test_export_over_an_existing_file_needs_force(run_cli, tmp_path):
    target = tmp_path / "mine.json"
    target.write_text("my own notes\n", encoding="utf-8")
    args = ["export", "lambda", "--format", "json", "-o", target, "--graph", COMMITTED_GRAPH]
    code, _, err = run_cli(args)
    one_line_error(code, err, "mine.json", "--force", exit_code=5)
    assert target.read_text(encoding="utf-8") == "my own notes\n"
    code, _, err = run_cli([*args, "--force"])
    assert code == 0, err
    assert "lambda" in target.read_text(encoding="utf-8").lower()


# ---------------------------------------------------------------------------- in a real process


@pytest.mark.parametrize(
    "args,needle",
    [
        (["build", "{tmp}/nope.txt", "-o", "{tmp}/g.json"], "nope.txt"),
        (["build", "{tmp}/img.txt", "-o", "{tmp}/g.json"], "PNG image"),
        (["stats", "--graph", "{tmp}/cut.json"], "cut.json"),
        (["show", "nosuchthing", "--graph", str(COMMITTED_GRAPH)], "did you mean"),
        (["related", "lambda", "--depth", "100", "--graph", str(COMMITTED_GRAPH)], "depth"),
        (["export", "lambda", "--format", "json", "-o", "{tmp}/no/x.json", "--graph", str(COMMITTED_GRAPH)],
         "no such folder"),
    ],
    ids=["missing", "binary", "truncated-graph", "unknown-entity", "depth", "export-folder"],
)
def test_no_traceback_reaches_stderr_of_a_real_process(run_awskg, tmp_path, args, needle):
    (tmp_path / "img.txt").write_bytes(PNG)
    (tmp_path / "cut.json").write_bytes(COMMITTED_GRAPH.read_bytes()[:1000])
    proc = run_awskg([a.format(tmp=tmp_path) for a in args], cwd=tmp_path)
    one_line_error(proc.returncode, proc.stderr, needle)
    assert proc.stdout == ""


# ---------------------------------------------------------------------------- nothing lost


def test_a_write_failing_before_the_rename_leaves_the_previous_graph_intact(deck_graph, monkeypatch):
    before = digest(deck_graph)
    kg = awskg.load(deck_graph)
    kg.graph.graph["note"] = "a newer graph"

    def fail(src, dst):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match="deck.json"):
        kg.save(deck_graph)
    assert digest(deck_graph) == before
    assert sorted(p.name for p in deck_graph.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_a_disk_that_fills_mid_write_leaves_the_previous_graph_intact(deck_graph, monkeypatch):
    before = digest(deck_graph)
    real_fdopen = os.fdopen

    class HalfWriter(io.RawIOBase):
        """Writes half of what it is given, then fails as a full disk does."""

        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(bytes(data[: len(data) // 2]))
            self.fh.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def fileno(self):
            return self.fh.fileno()

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: HalfWriter(real_fdopen(fd, *a, **k)))
    with pytest.raises(OutputError, match="No space left"):
        awskg.load(deck_graph).save(deck_graph)
    assert digest(deck_graph) == before
    assert [p.name for p in deck_graph.parent.iterdir() if p.name.endswith(".tmp")] == []


# The child patches os.fsync, which atomic_write calls once the temp file beside the target holds
# every byte and before it renames it over the target, to kill the process right there: a crash
# mid-write. Only the fsync of the target's temp file kills (a build also writes its cache).
KILL_AT_FSYNC = (
    "import os, signal, sys\n"
    "real_fsync, target = os.fsync, '.' + os.path.basename(sys.argv[-1]) + '.'\n"
    "def fsync(fd):\n"
    "    if os.path.basename(os.readlink(f'/proc/self/fd/{fd}')).startswith(target):\n"
    "        os.kill(os.getpid(), signal.SIGKILL)\n"
    "    real_fsync(fd)\n"
    "os.fsync = fsync\n"
    "from awskg.cli import main\n"
    "sys.exit(main(sys.argv[1:-1]))\n"
)


def _killed_at_fsync(args: list, target: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", KILL_AT_FSYNC, *map(str, args), str(target)],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


def test_a_build_killed_while_writing_leaves_the_previous_graph_intact(tmp_path, deck, deck_graph):
    before = digest(deck_graph)
    deck.write_text(DECK + "Kinesis: what is a shard?\nKinesis\n1 MB per second of writes per shard\n",
                    encoding="utf-8")
    proc = _killed_at_fsync(["build", deck, "-o", deck_graph], deck_graph, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert digest(deck_graph) == before
    assert awskg.load(deck_graph).stats()["cards"] == 2


def test_an_export_killed_while_writing_leaves_the_previous_file_intact(tmp_path):
    target = tmp_path / "lambda.json"
    target.write_text('{"mine": true}\n', encoding="utf-8")
    args = ["export", "lambda", "--format", "json", "-o", target, "--force", "--graph", COMMITTED_GRAPH]
    proc = _killed_at_fsync(args, target, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert target.read_text(encoding="utf-8") == '{"mine": true}\n'


def test_a_failed_build_leaves_the_previous_graph_intact(run_cli, tmp_path, deck_graph):
    before = digest(deck_graph)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(PNG)
    code, _, err = run_cli(["build", bad, "-o", deck_graph])
    one_line_error(code, err, "bad.txt")
    assert digest(deck_graph) == before


def test_building_other_notes_never_writes_the_committed_graph(tmp_path, deck, monkeypatch):
    import awskg.graph as graph_module

    monkeypatch.chdir(REPO)  # where the default graph path points
    before = (digest(COMMITTED_GRAPH), COMMITTED_GRAPH.stat().st_mtime_ns)
    written: list[Path] = []
    real = graph_module.atomic_write

    def spy(path, data, **kw):
        written.append(Path(path).resolve())
        return real(path, data, **kw)

    monkeypatch.setattr(graph_module, "atomic_write", spy)
    monkeypatch.setattr("awskg.builder.atomic_write", spy)
    kg = awskg.build([deck], cache_dir=tmp_path / "cache")
    assert kg.stats()["cards"] == 2
    assert (digest(COMMITTED_GRAPH), COMMITTED_GRAPH.stat().st_mtime_ns) == before
    assert written and all(p.is_relative_to(tmp_path) for p in written)


# ---------------------------------------------------------------------------- safe rendering

MARKUP_DECK = (
    "My deck\n"
    "Lambda: what is the [red]max[/red] timeout?\n"
    "Lambda\n"
    "[red]timeout[/red] is up to 15 minutes <script>alert(1)</script>\n"
    "[bold]memory[/bold] from 128 MB to 10,240 MB [link=http://x]click[/link]\n"
    "Lambda uses SQS as an event source [/] \\[not escaped]\n"
    "SQS: what is the max message size?\n"
    "SQS\n"
    "[red]messages[/red] up to 256 KB <img src=x onerror=alert(1)>\n"
    "SQS vs SNS: SQS is pull, SNS is push\"]]\n"
)


@pytest.fixture
def markup_graph(tmp_path: Path) -> Path:
    notes = tmp_path / "markup.txt"
    notes.write_text(MARKUP_DECK, encoding="utf-8")
    out = tmp_path / "markup.json"
    awskg.build([notes], cache_dir=tmp_path / "cache").save(out)
    return out


@pytest.mark.parametrize(
    "args,shown",
    [
        (["show", "lambda"], ["[red]timeout[/red] is up to 15 minutes <script>alert(1)</script>",
                              "[red]max[/red] timeout?", "[/] \\[not escaped]"]),
        (["search", "timeout"], ["[red]timeout[/red]"]),
        (["search", "messages onerror"], ["<img src=x onerror=alert(1)>"]),
        (["limits", "lambda"], ["[red]timeout[/red] is up to 15 minutes",
                                "[bold]memory[/bold] from 128 MB to 10,240 MB [link=http://x]click[/link]"]),
        (["related", "sqs"], ["[/] \\[not escaped]"]),
        (["compare", "sqs", "sns"], ['SQS is pull, SNS is push"]]']),
    ],
    ids=["show", "search", "search-html", "limits", "related", "compare"],
)
def test_note_text_prints_as_typed_in_the_cli(run_cli, markup_graph, args, shown):
    code, out, err = run_cli([*args, "--graph", markup_graph])
    assert code == 0, err
    for text in shown:
        assert text in out, (text, out)


def test_loading_a_graph_executes_nothing_and_keeps_its_text(run_cli, tmp_path):
    canary = tmp_path / "pwned"
    payloads = {
        "__reduce__": ["os.system", [f"touch {canary}"]],
        "py/object": "os.system",
        "!!python/object/apply:os.system": [f"touch {canary}"],
    }
    data = {
        "directed": True, "multigraph": True, "graph": {"schema_version": 1},
        "nodes": [{"id": "service:evil", "type": "service", "name": "!!python/object/apply:os.system",
                   "definition": f"cos\nsystem\n(S'touch {canary}'\ntR.", "sources": [], **payloads}],
        "edges": [],
    }
    graph = tmp_path / "evil.json"
    graph.write_text(json.dumps(data), encoding="utf-8")
    kg = awskg.load(graph)
    node = kg.node("service:evil")
    assert node["__reduce__"] == payloads["__reduce__"] and node["py/object"] == "os.system"
    assert kg.entity("service:evil").definition.startswith("cos\nsystem")
    code, out, _ = run_cli(["show", "service:evil", "--graph", graph])
    assert code == 0 and "!!python/object/apply:os.system" in out
    assert not canary.exists()


UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "shelve", "marshal", "jsonpickle"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__"}
# YAML (Obsidian front matter) is read with the safe loader only, which builds plain data.
YAML_SAFE = {"safe_load", "safe_load_all", "YAMLError", "SafeLoader", "CSafeLoader"}


def _unsafe_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
            found.append(node.module)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "yaml" and \
                any(a.name not in YAML_SAFE for a in node.names):
            found.append(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in UNSAFE_CALLS:
            found.append(f"{node.func.id}()")
        elif isinstance(node, ast.Attribute) and node.attr in ("loads", "load") and \
                isinstance(node.value, ast.Name) and node.value.id in UNSAFE_MODULES:
            found.append(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "yaml" \
                and ("load" in node.attr or node.attr.endswith("Loader")) and node.attr not in YAML_SAFE:
            found.append(f"yaml.{node.attr}")
    return found


def test_no_module_of_awskg_unpickles_or_evaluates():
    sources = sorted((REPO / "src" / "awskg").rglob("*.py"))
    assert REPO / "src" / "awskg" / "graph.py" in sources
    assert {str(p.relative_to(REPO)): _unsafe_uses(p) for p in sources if _unsafe_uses(p)} == {}


def test_unsafe_use_detector_sees_pickle_and_eval(tmp_path):
    # The test above passes only if this detector can see what it looks for.
    probe = tmp_path / "probe.py"
    probe.write_text("import pickle\nfrom yaml import load\nx = eval('1')\n", encoding="utf-8")
    assert _unsafe_uses(probe) == ["pickle", "yaml", "eval()"]
    probe.write_text("import yaml\na = yaml.safe_load(s)\nb = yaml.load(s, Loader=yaml.Loader)\n"
                     "c = yaml.full_load(s)\nd = yaml.unsafe_load(s)\n", encoding="utf-8")
    assert sorted(_unsafe_uses(probe)) == ["yaml.Loader", "yaml.full_load", "yaml.load", "yaml.unsafe_load"]


# ---------------------------------------------------------------------------- damaged caches


def test_a_damaged_build_cache_is_parsed_again(tmp_path, deck):
    cache = tmp_path / "cache"
    first = awskg.build([deck], cache_dir=cache)
    entries = sorted(cache.glob("*.json"))
    assert entries
    for k, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if k % 2 == 0 else b'{"format": 1, "cards": "x"}')
    again = awskg.build([deck], cache_dir=cache)
    assert again.build_report.parsed == first.build_report.parsed
    assert again.to_json() == first.to_json()


