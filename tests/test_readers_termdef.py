"""Term-definition decks: Quizlet's export with its separators, and CSV/TSV with named columns;
told apart from the other formats by their content."""

from __future__ import annotations

from pathlib import Path

import pytest

import awskg
from awskg.readers import detect_format
from awskg.readers.anki import column_roles, segment_csv
from awskg.readers.termdef import Layout, segment, sniff

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "eval" / "formats"


def fronts_and_lines(text: str) -> list[tuple[str, list[tuple[int, str]]]]:
    return [(c.front, [(ln.number, ln.plain) for ln in c.lines]) for c in segment(text, "deck.txt", "deck")]


def test_quizlet_tab_rows_with_definitions_running_over_lines() -> None:
    text = ("SQS message size\t256 KB\nSQS retention\t4 days by default,\nup to 14 days\n"
            "Lambda timeout\t15 minutes\n")
    assert sniff(text) == Layout("\t", "\n")
    assert fronts_and_lines(text) == [
        ("SQS message size", [(1, "256 KB")]),
        ("SQS retention", [(2, "4 days by default,"), (3, "up to 14 days")]),
        ("Lambda timeout", [(4, "15 minutes")]),
    ]


@pytest.mark.parametrize(("text", "layout"), [
    ("SQS size - 256 KB\nSQS retention - 4 days\nLambda timeout - 15 minutes\n", Layout(" - ", "\n")),
    ("SQS size :: 256 KB\nSQS retention :: 4 days\n", Layout(" :: ", "\n")),
    ("SQS size\t256 KB;SQS retention\t4 days;Lambda timeout\t15 minutes;", Layout("\t", ";")),
    ("SQS size,256 KB\nSQS retention,4 days, up to 14\nLambda timeout,15 minutes\n", Layout(",", "\n")),
])
def test_quizlet_custom_separators_are_read_from_the_content(text: str, layout: Layout) -> None:
    assert sniff(text) == layout
    cards = fronts_and_lines(text)
    assert [c[0] for c in cards][:2] == ["SQS size", "SQS retention"]
    assert cards[1][1][0][1].startswith("4 days")


def test_semicolon_rows_on_one_line_all_cite_that_line() -> None:
    text = "intro line\nSQS size\t256 KB;SQS retention\t4 days;Lambda timeout\t15 min;DynamoDB item\t400 KB;"
    assert [c.front_lines for c in segment(text, "d.txt", "d")] == [(2,), (2,), (2,), (2,)]


@pytest.mark.parametrize("header", ["Term,Definition", "definition,term", "Tags;Definition;Term;Notes",
                                    "front\tback\ttags", "Question,Answer,Chapter"])
def test_a_header_row_names_the_front_and_back_columns(header: str) -> None:
    sep = ";" if ";" in header else "\t" if "\t" in header else ","
    names = header.split(sep)
    row = {"term": "SQS size", "front": "SQS size", "question": "SQS size", "definition": "256 KB",
           "back": "256 KB", "answer": "256 KB", "tags": "aws::sqs", "notes": "was 64 KB", "chapter": "3"}
    text = header + "\n" + sep.join(row[n.lower()] for n in names) + "\n"
    assert detect_format(text, ".csv") == "csv"
    card = segment_csv(text, "t.csv", "t")[0]
    assert card.front == "SQS size" and card.lines[0].plain == "256 KB"
    assert card.tags == (["aws::sqs"] if "Tags" in names or "tags" in names else [])
    assert [ln.plain for ln in card.lines[1:]] == (["was 64 KB"] if "Notes" in names else [])


def test_columns_that_name_no_front_or_back_are_not_a_header() -> None:
    assert column_roles(["SQS size", "256 KB"]) is None
    assert column_roles(["Term", "Chapter"]) is None
    assert column_roles(["Definition", "Term", "Extra"]).content == (1, 0, 2)


def test_a_short_definition_is_a_cell_whose_bare_count_is_a_limit(tmp_path: Path) -> None:
    deck = tmp_path / "deck.txt"
    deck.write_text("OpenSearch Service: data nodes per domain\t1,000 data nodes\n"
                    "Route 53: records per hosted zone\t10,000 by default\n"
                    "Redshift Spectrum\tqueries data in S3 without loading it, 3 ways to pay\n")
    kg = awskg.build([deck], cache_dir=tmp_path / "cache", jobs=1)
    found = {(lim.service, lim.value) for lim in kg.limits()}
    assert ("OpenSearch Service", 1000) in found and ("Route 53", 10000) in found
    assert all(v != 3 for _, v in found)  # a sentence's bare count is no cell


@pytest.mark.parametrize(("text", "fmt"), [
    ("Lambda: what is it?\nserverless compute\nSQS: what is it?\nqueues\nSNS: what is it?\ntopics\n",
     "flashcards"),
    ("# Lambda\n\n- timeout - max 15 minutes\n- memory - up to 10 GB\n", "markdown"),
    ("#separator:tab\n#html:true\nSQS: size?\t256 KB\n", "anki"),
    ("SQS: size?\t256 KB\taws::sqs\nSNS: size?\t256 KB\taws::sns\n", "anki"),
    ("SQS size\t256 KB\nSNS size\t256 KB\n", "termdef"),
    ("SQS size - 256 KB\nSNS size - 256 KB\nLambda timeout - 15 min\n", "termdef"),
    ("Rolling – deploy a batch at a time.\nThe fleet keeps serving, and a batch updates.\n", "flashcards"),
])
def test_term_definition_decks_are_told_from_the_other_formats(text: str, fmt: str) -> None:
    assert detect_format(text, ".txt") == fmt


def test_the_shared_samples_and_the_notes_keep_their_formats() -> None:
    assert detect_format((SHARED / "sample_anki.txt").read_text(), ".txt") == "anki"
    assert detect_format((SHARED / "sample_notes.md").read_text(), ".md") == "markdown"
    for notes in (REPO / "notes").iterdir():
        assert detect_format(notes.read_text(), notes.suffix) == "flashcards"


def test_a_cheat_sheet_csv_names_each_row_by_its_label_columns(tmp_path):
    from conftest import build_notes

    text = ("service,feature,limit,notes\n"
            "SQS,message retention,1 minute - 14 days,default 4 days\n"
            "SQS,visibility timeout,0 - 12 hours,default 30 seconds\n"
            "SQS,delivery delay,0 - 15 minutes,default 0\n")
    kg = build_notes(tmp_path, text, "cheat.csv")
    subjects = {lim.source.line: lim.subject for lim in kg.limits() if lim.kind == "range"}
    # Each row bounds what its feature column names: three subjects, so no false conflict.
    assert subjects == {2: "SQS message retention", 3: "SQS visibility timeout", 4: "SQS delivery delay"}
    assert not any(lim.conflict for lim in kg.limits())
