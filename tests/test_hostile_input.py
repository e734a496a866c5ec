"""Hostile input, second pass (issue 18): cases an attacker tries beyond tests/test_robustness.py.
Files that share a name, outputs that are not awskg's, damaged cache entries, terminal escapes in
notes, CSV pairs that cannot both be written, killed parallel builds, names the OS accepts but
terminals and UTF-8 do not. Each keeps the README's promises: one line, no traceback, nothing lost,
nothing overwritten that is not awskg's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
