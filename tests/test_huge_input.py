"""Input at the edges of what numbers and lines can be: a number no float holds, a line longer than
spaCy reads at once. The build finishes, reads what it can and writes strict JSON."""

from __future__ import annotations

import json

import awskg


def _strict(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_a_number_no_float_holds_is_left_out_and_the_graph_stays_strict_json(tmp_path):
    notes = tmp_path / "huge.txt"
    notes.write_text(
        "Lambda: max size?\n"
        f"the max size is 1{'0' * 400} MB\n"
        "SQS: limits?\n"
        f"max {'9' * 330} TB per queue, max message size 256 KB\n",
        encoding="utf-8",
    )
    kg = awskg.build([notes], cache_dir=tmp_path / "cache", use_cache=False)
    assert [lim.display for lim in kg.limits()] == ["256 KB"]
    out = kg.save(tmp_path / "g.json")
    _strict(out.read_text(encoding="utf-8"))


def test_a_line_longer_than_spacy_reads_at_once_is_read_in_pieces(tmp_path):
    notes = tmp_path / "long.txt"
    filler = "word " * 260_000  # 1.3 million characters on one line
    notes.write_text(f"Lambda: a long line?\nthe timeout is 15 minutes {filler} max memory 10 GB\n",
                     encoding="utf-8")
    kg = awskg.build([notes], cache_dir=tmp_path / "cache", use_cache=False)
    found = {(lim.display, lim.source.line) for lim in kg.limits()}
    assert found == {("15 min", 2), ("10 GB", 2)}
