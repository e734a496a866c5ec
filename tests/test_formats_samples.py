"""The labelled samples of the formats issue 20 added (tests/samples/formats/, see its README),
each built alone and scored against its hand-written gold by score.py's rules (tests/scoring.py):
limits recall and precision at least 0.95.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from scoring import Score, load_gold, score_limits

import awskg
import awskg.readers

SAMPLES = Path(__file__).resolve().parent / "samples" / "formats"
TARGET = 0.95

CASES = {
    "sample_deck.apkg": ("apkg", "sample_deck_gold.jsonl"),
    "sample_vault": ("obsidian", "sample_vault_gold.jsonl"),
    "sample_quizlet.txt": ("termdef", "sample_quizlet_gold.jsonl"),
    "sample_quizlet_dash.txt": ("termdef", "sample_quizlet_dash_gold.jsonl"),
    "sample_terms.csv": ("csv", "sample_terms_gold.jsonl"),
    "sample_org.org": ("org", "sample_org_gold.jsonl"),
}


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, awskg.KnowledgeGraph]:
    cache = tmp_path_factory.mktemp("cache")
    return {name: awskg.build([SAMPLES / name], cache_dir=cache, jobs=1) for name in CASES}


def scored(graphs: dict[str, awskg.KnowledgeGraph], name: str) -> Score:
    return score_limits([lim.to_dict() for lim in graphs[name].limits()], load_gold(SAMPLES / CASES[name][1]))


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_sample_is_read_in_its_format(graphs: dict[str, awskg.KnowledgeGraph], name: str) -> None:
    fmt, _gold = CASES[name]
    assert {c["format"] for c in graphs[name].cards()} == {fmt}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_sample_scores_at_least_the_target(graphs: dict[str, awskg.KnowledgeGraph], name: str) -> None:
    score = scored(graphs, name)
    assert score.recall >= TARGET and score.precision >= TARGET, score.explain()


def test_gold_quotes_are_the_lines_they_cite() -> None:
    spec = importlib.util.spec_from_file_location("make_sample_deck", SAMPLES / "make_sample_deck.py")
    assert spec and spec.loader
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    deck = {line: text for line, _k, _j, text in maker.numbered_lines(maker.NOTES)}
    # The committed package holds those notes, in that order.
    fronts = [c.front for c in awskg.readers.read_cards(SAMPLES / "sample_deck.apkg")[1]]
    assert len(fronts) == len(maker.NOTES) and fronts[0] == maker.NOTES[0].fields[0]
    for name, (_fmt, gold_file) in CASES.items():
        for row in load_gold(SAMPLES / gold_file):
            if name.endswith(".apkg"):
                quote = deck[row["line"]]
            else:
                path = SAMPLES / name / row["file"] if "file" in row else SAMPLES / name
                quote = path.read_text(encoding="utf-8").split("\n")[row["line"] - 1]
            assert row["quote"] == quote and row["text"] in quote, row["id"]
