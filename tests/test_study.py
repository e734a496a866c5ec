"""Study mode: quiz questions generated from the graph of notes/, answered by the graph, asked in a
terminal, scored per service, exported to Anki; the CLI's `quiz` and `limits --stale`."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
import sys
import zipfile

import genanki
import pytest
from rich.console import Console

from awskg.errors import UnknownEntity, UsageError
from awskg.quantities import parse_quantity
from awskg.study import Question, anki_deck, make_quiz, run_terminal_quiz, score_by_service
from awskg.study.quiz import RELATION_QUESTIONS, question_id


@pytest.fixture(scope="module")
def kg(built_graph):
    return built_graph


@pytest.fixture(scope="module")
def every_question(kg) -> list[Question]:
    """All the questions the notes give (the quiz caps at 200; these notes give fewer)."""
    return make_quiz(kg, n=200, seed=0)


def _of_kind(questions: list[Question], kind: str) -> list[Question]:
    found = [q for q in questions if q.kind == kind]
    assert found, f"the notes give {kind} questions"
    return found


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


# --------------------------------------------------------------------------- answers come from the graph


def test_every_question_kind_is_generated(every_question):
    assert {q.kind for q in every_question} == {"limit", "definition", "comparison", "relation"}


def test_limit_questions_answer_with_their_limits_value_and_line(kg, every_question):
    for q in _of_kind(every_question, "limit"):
        lim = kg.limit(q.nodes[0])
        assert q.answer == lim.display
        assert q.explanation == lim.line_text == kg.line_text(q.source["file"], q.source["line"])
        assert q.service == lim.service_id


def test_limit_distractors_are_other_values_of_the_same_dimension(kg, every_question):
    for q in _of_kind(every_question, "limit"):
        lim = kg.limit(q.nodes[0])
        if lim.dimension not in ("bytes", "seconds") or lim.value_max is not None or lim.per:
            continue
        answer_base = lim.base_value
        for choice in q.choices:
            if choice == q.answer:
                continue
            base, dim, _unit = parse_quantity(choice)
            assert dim == lim.dimension, (q.prompt, choice)
            assert base != pytest.approx(answer_base), (q.prompt, choice)


def test_limit_questions_never_state_their_answer(every_question):
    for q in _of_kind(every_question, "limit"):
        number = q.answer.split()[0].replace(",", "")
        assert number not in re.findall(r"\d+", q.prompt.replace(",", "")), q.prompt


def test_definition_questions_quote_the_answers_own_definition(kg, every_question):
    for q in _of_kind(every_question, "definition"):
        node = kg.node(q.nodes[0])
        assert q.answer == node["name"]
        quoted = re.search(r"“(.*)”", q.prompt).group(1).rstrip("…")
        for part in quoted.split("___"):
            assert _fold(part.strip(" .")) in _fold(node["definition"]), (q.prompt, part)
        assert _fold(q.answer) not in _fold(quoted)
        assert q.explanation == kg.line_text(q.source["file"], q.source["line"])


def test_comparison_questions_tell_a_contrasted_pair_apart(kg, every_question):
    for q in _of_kind(every_question, "comparison"):
        this, that = q.nodes[:2]
        assert kg.graph.has_edge(this, that, key="CONTRASTS_WITH") or kg.graph.has_edge(that, this,
                                                                                       key="CONTRASTS_WITH")
        a, b = kg.node(this), kg.node(that)
        assert q.answer == a["name"] and b["name"] in q.choices
        clause = re.search(r"“(.*)”", q.prompt).group(1)
        assert _fold(clause) in _fold(a["definition"])
        assert _fold(clause) not in _fold(b["definition"])


def test_relation_questions_answer_with_a_node_the_relation_joins(kg, every_question):
    g = kg.graph
    for q in _of_kind(every_question, "relation"):
        answer, hub = q.nodes[:2]
        assert q.answer == g.nodes[answer]["name"]
        joined = [rel for rel, (side, template) in RELATION_QUESTIONS.items()
                  if template.format(hub=g.nodes[hub]["name"]) == q.prompt
                  and g.has_edge(*((answer, hub) if side == "target" else (hub, answer)), key=rel)]
        assert joined, q.prompt
        for choice in q.choices:
            if choice == q.answer:
                continue
            others = [n for n, d in g.nodes(data=True) if d.get("name") == choice]
            for rel in joined:
                side = RELATION_QUESTIONS[rel][0]
                assert not any(g.has_edge(*((o, hub) if side == "target" else (hub, o)), key=rel)
                               for o in others), (q.prompt, choice)


def test_choices_hold_the_answer_once_and_nothing_twice(every_question):
    for q in every_question:
        folded = [_fold(c) for c in q.choices]
        assert 3 <= len(q.choices) <= 5, q.prompt
        assert len(set(folded)) == len(folded), q.choices
        assert folded.count(_fold(q.answer)) == 1
        assert q.choices[q.answer_index] == q.answer


def test_question_dicts_carry_the_contract(every_question):
    d = every_question[0].to_dict()
    assert set(d) >= {"id", "kind", "prompt", "choices", "answer", "answer_index", "explanation", "source",
                      "nodes", "service"}
    assert set(d["source"]) == {"file", "line"}
    assert Question.from_dict(d) == every_question[0]


def test_a_stale_limit_question_carries_the_flag_beside_the_notes_answer(kg):
    questions = make_quiz(kg, "sqs", n=200, seed=0)
    prompt = "SQS: what is the maximum message size?"
    sizes = [q for q in questions if q.kind == "limit" and q.prompt == prompt]
    assert len(sizes) == 1
    assert sizes[0].answer == "256 KB"
    assert sizes[0].stale and "1 MiB" in sizes[0].stale


# --------------------------------------------------------------------------- seeds, services, sizes


def test_the_same_seed_gives_the_same_quiz(kg):
    a = [q.to_dict() for q in make_quiz(kg, n=10, seed=42)]
    b = [q.to_dict() for q in make_quiz(kg, n=10, seed=42)]
    assert a == b


def test_different_seeds_give_different_quizzes(kg):
    a = [q.id for q in make_quiz(kg, n=10, seed=1)]
    b = [q.id for q in make_quiz(kg, n=10, seed=2)]
    assert a != b


def test_question_ids_depend_on_the_nodes_not_the_seed(kg):
    by_seed = [{q.id: q.nodes for q in make_quiz(kg, n=200, seed=s)} for s in (1, 2)]
    shared = set(by_seed[0]) & set(by_seed[1])
    assert shared
    assert all(by_seed[0][i] == by_seed[1][i] for i in shared)
    assert question_id("limit", ["limit:a"]) != question_id("limit", ["limit:b"])


def test_a_quiz_mixes_the_kinds_and_asks_n_questions(kg):
    questions = make_quiz(kg, n=8, seed=3)
    assert len(questions) == 8
    assert {q.kind for q in questions} == {"limit", "definition", "comparison", "relation"}
    assert len({q.nodes[0] for q in questions}) == 8


def test_a_service_quiz_only_asks_about_that_service(kg):
    questions = make_quiz(kg, "Simple Queue Service", n=200, seed=0)
    assert questions
    assert {q.service for q in questions} == {"sqs"}


def test_an_unknown_service_is_a_one_line_error(kg):
    with pytest.raises(UnknownEntity, match="no entity named 'nosuchservice'"):
        make_quiz(kg, "nosuchservice")


@pytest.mark.parametrize("n", [0, -1, 201])
def test_a_question_count_out_of_range_is_a_usage_error(kg, n):
    with pytest.raises(UsageError, match="from 1 to 200"):
        make_quiz(kg, n=n)


# --------------------------------------------------------------------------- scoring and the terminal


def _question(service: str, answer_index: int = 1, qid: str = "q1") -> Question:
    choices = ["1 s", "30 s", "15 min"]
    return Question(id=qid, kind="limit", prompt=f"{service}: what is the default <b>timeout</b>?",
                    choices=choices, answer=choices[answer_index], answer_index=answer_index,
                    explanation="default 30 seconds",
                    source={"file": "notes.txt", "line": 3}, nodes=["limit:x"], service=service.lower(),
                    service_name=service)


def test_score_by_service_counts_right_answers_per_service():
    sqs, lam = _question("SQS"), _question("Lambda", 2, "q2")
    score = score_by_service([(sqs, 1), (sqs, "A"), (lam.to_dict(), "15 min"), (lam, "c")])
    assert score == {
        "Lambda": {"asked": 2, "correct": 2, "percent": 100.0, "service_id": "lambda"},
        "SQS": {"asked": 2, "correct": 1, "percent": 50.0, "service_id": "sqs"},
    }


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, highlight=False, color_system=None), out


def test_terminal_quiz_asks_each_question_and_scores_the_letters_typed():
    console, out = _console()
    typed = iter(["x", "b", "A"])  # "x" is not a choice: asked again
    console.input = lambda prompt="", **kw: next(typed)  # type: ignore[method-assign]
    score = run_terminal_quiz([_question("SQS"), _question("Lambda", 2, "q2")], console)
    text = out.getvalue()
    assert "✓ right" in text and "✗ wrong: C) 15 min" in text
    assert "answer with one of A, B, C" in text
    assert score["SQS"]["correct"] == 1 and score["Lambda"]["correct"] == 0
    assert re.search(r"all\s+│?\s*1/2", text)


def test_terminal_quiz_stops_at_the_end_of_input():
    console, out = _console()

    def closed(prompt: str = "", **kw) -> str:
        raise EOFError

    console.input = closed  # type: ignore[method-assign]
    assert run_terminal_quiz([_question("SQS")], console) == {}
    assert "quiz stopped" in out.getvalue()


def test_terminal_quiz_with_answers_prints_them_without_asking():
    console, out = _console()

    def never(prompt: str = "", **kw) -> str:
        raise AssertionError("asked")

    console.input = never  # type: ignore[method-assign]
    run_terminal_quiz([_question("SQS")], console, show_answers=True)
    text = out.getvalue()
    assert "answer: B) 30 s" in text
    assert "notes.txt:3: default 30 seconds" in text
    assert "<b>timeout</b>" in text  # printed as written, not read as markup


# --------------------------------------------------------------------------- Anki


def _apkg_notes(data: bytes, tmp_path) -> list[tuple[str, str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        (tmp_path / "collection.anki2").write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        return con.execute("select guid, flds, tags from notes order by id").fetchall()
    finally:
        con.close()


def test_anki_deck_has_one_note_per_question_with_a_stable_guid(kg, tmp_path):
    questions = make_quiz(kg, n=12, seed=5)
    notes = _apkg_notes(anki_deck(questions), tmp_path)
    assert len(notes) == len(questions)
    assert {guid for guid, _, _ in notes} == {genanki.guid_for(q.id) for q in questions}
    for q in questions:
        flds = next(f for guid, f, _ in notes if guid == genanki.guid_for(q.id)).split("\x1f")
        assert len(flds) == 6
        assert q.answer.replace("&", "&amp;").replace("<", "&lt;") in flds[2]


def test_anki_deck_escapes_note_text_and_carries_the_outdated_flag(tmp_path):
    q = _question("SQS")
    q.stale = "your notes: 256 KB; AWS since 2025-08: 1 MiB; source https://example"
    ((_, flds, tags),) = _apkg_notes(anki_deck([q]), tmp_path)
    fields = flds.split("\x1f")
    assert fields[0] == "SQS: what is the default &lt;b&gt;timeout&lt;/b&gt;?"
    assert fields[5] == q.stale
    assert "awskg::outdated" in tags.split()


# --------------------------------------------------------------------------- the CLI


def test_cli_quiz_with_answers_prints_questions_and_answers(run_cli, built_graph_path):
    code, out, err = run_cli(["quiz", "--answers", "-n", "3", "--seed", "1", "--graph", built_graph_path])
    assert code == 0, err
    assert len(re.findall(r"^\s*answer: [A-E]\) ", out, re.M)) == 3
    assert "3/3" in out and "notes notes/" in out


def test_cli_quiz_json_is_the_question_records(run_cli, built_graph_path, kg):
    code, out, _ = run_cli(["quiz", "sqs", "-n", "4", "--seed", "9", "--json", "--graph", built_graph_path])
    assert code == 0
    data = json.loads(out)
    assert data == [q.to_dict() for q in make_quiz(kg, "sqs", n=4, seed=9)]


def test_cli_quiz_about_an_unknown_service_is_one_line_on_stderr(run_cli, built_graph_path):
    code, out, err = run_cli(["quiz", "nosuchservice", "--graph", built_graph_path])
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and "no entity named" in err


def test_cli_limits_stale_lists_only_the_outdated_limits_with_the_marker(run_cli, built_graph_path,
                                                                         monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    code, out, _ = run_cli(["limits", "--stale", "--graph", built_graph_path])
    assert code == 0
    assert "256 KB ⚠ AWS since 2025-08: 1 MiB" in out  # the marker beside the value
    assert "your notes: 256 KB; AWS since 2025-08: 1 MiB; source https://" in out
    code, out, _ = run_cli(["limits", "--stale", "--json", "--graph", built_graph_path])
    rows = json.loads(out)
    assert rows and all(r["stale"]["message"].startswith("your notes: ") for r in rows)
    assert all(r["stale"]["notes_value"] == r["display"] and r["stale"]["source"].startswith("https://")
               for r in rows)
    assert "0-15 min" not in {r["display"] for r in rows}  # the SQS delay agrees with AWS
    code, out, _ = run_cli(["limits", "sqs", "--json", "--graph", built_graph_path])
    assert any(r["stale"] is None for r in json.loads(out))  # every limit says whether it is stale


def test_cli_quiz_writes_an_anki_deck_and_never_overwrites_without_force(run_cli, built_graph_path, tmp_path):
    deck = tmp_path / "quiz.apkg"
    code, _, err = run_cli(["quiz", "-n", "4", "--seed", "2", "--anki", deck, "--graph", built_graph_path])
    assert code == 0 and "wrote 4 questions" in err
    assert len(_apkg_notes(deck.read_bytes(), tmp_path)) == 4
    deck.write_bytes(b"mine")
    code, _, err = run_cli(["quiz", "-n", "4", "--anki", deck, "--graph", built_graph_path])
    assert code != 0 and "--force" in err
    assert deck.read_bytes() == b"mine"
    code, _, _ = run_cli(["quiz", "-n", "4", "--anki", deck, "--force", "--graph", built_graph_path])
    assert code == 0 and zipfile.is_zipfile(deck)


def test_study_runs_on_a_stored_graph_without_spacy(built_graph_path):
    code = (
        "import sys, awskg; from awskg.study import make_quiz, stale_flags, anki_deck\n"
        f"kg = awskg.load({str(built_graph_path)!r})\n"
        "qs = make_quiz(kg, n=5, seed=1); flags = stale_flags(kg.limits()); anki_deck(qs)\n"
        "assert len(qs) == 5 and flags\n"
        "print('spacy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
