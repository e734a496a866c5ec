"""Splitting a flashcard export into cards: every shape of front, on notes the reader has never seen."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from awskg.readers.flashcards import segment

NOTES = Path(__file__).resolve().parents[1] / "notes"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


DECK = "My AWS deck\n"


def fronts(text: str) -> list[tuple[int, ...]]:
    return [c.front_lines for c in segment(text, "deck.txt", "deck")]


@pytest.mark.parametrize(
    "body,expected_fronts,service",
    [
        # a question line opening with a service and a colon
        ("SQS: what is it? what does PurgeQueue do?\nSQS\nfully managed queue\n", [(2,)], "sqs"),
        # a topic line
        ("Lambda: layers\nlambda layers\ncan have up to 5 layers\n", [(2,)], "lambda"),
        # a front in lower case, with an abbreviation
        ("ddb: what are GSIs?\nglobal secondary index (GSIs):\nno size limitations\n", [(2,)], "dynamodb"),
        # a bare title that the next line repeats in other case
        ("amplify\nAmplify\nmanages mobile app backends\n", [(2,)], "amplify"),
        # a bare title with a typo, corrected on the next line
        (
            "kinesis video steams\nKinesis Video Streams\nstreams video from devices\n",
            [(2,)],
            "kinesis-video-streams",
        ),
        # a front spanning two lines: the second asks more, then the answer's title names the service
        (
            "EC2 autoscaling: can AGs span regions?\nwhat happens when an AZ fails? what metrics exist?\n"
            "Autoscaling\nAGs can span AZs, but not regions\n",
            [(2, 3)],
            "ec2-auto-scaling",
        ),
        # a long list of topics whose first one the next line repeats
        (
            "Lambda: troubleshooting: general, RequestEntityTooLargeException when calling updateFunction, "
            "PermanentRedirect. S3 Error Message: The bucket is in this region…:\ntroubleshooting\n"
            "general: permission is denied\n",
            [(2,)],
            "lambda",
        ),
    ],
)
def test_front_shapes_are_recognised(body, expected_fronts, service):
    cards = segment(DECK + body, "deck.txt", "deck")
    assert [c.front_lines for c in cards] == expected_fronts
    assert cards[0].service == service


def test_answer_lines_that_look_like_fronts_stay_in_their_card():
    text = DECK + (
        "EC2: what are the instance types?\n"
        "instance types (on-demand, spot)\n"
        "spot instances: Request unused EC2 instances, which can reduce your costs\n"
        "SQS KMS: allows messages sent to SQS to be encrypted\n"
        "RDS proxy:\n"
        "*know that EC2 scales\n"
    )
    cards = segment(text, "deck.txt", "deck")
    assert len(cards) == 1
    assert cards[0].last_line == 7


def test_line_roles_term_heading_subtopic_and_paragraph():
    text = DECK + (
        "Lambda: timeout\n"
        "timeout:\n"
        "max time the lambda function will run\n"
        "*long polling vs short polling\n"
        "reserved concurrency: upper limit to the amount of instances\n"
        "All at once – Deploy the new version to all instances simultaneously.\n"
        + " ".join(["word"] * 80)
        + "\n"
    )
    [card] = segment(text, "deck.txt", "deck")
    roles = {ln.number: ln.role for ln in card.lines}
    assert roles == {3: "heading", 4: "text", 5: "subtopic", 6: "term", 7: "term", 8: "paragraph"}
    by_number = {ln.number: ln for ln in card.lines}
    assert by_number[4].heading == "timeout"
    assert (by_number[6].term, by_number[7].term) == ("reserved concurrency", "All at once")


def test_every_front_of_the_dev_notes_is_found():
    gold = load_jsonl(SHARED / "eval" / "cards_dev.jsonl")
    text = (NOTES / "aws-developer-associate-flashcards.txt").read_text(encoding="utf-8")
    cards = segment(text, "n.txt", "n")
    got = {c.front_lines[0]: c for c in cards}
    assert len(cards) == len(gold)
    for g in gold:
        card = got[g["front_line"]]
        assert (card.first_line, card.last_line) == (g["answer_first_line"], g["answer_last_line"])
        assert list(card.front_lines) == (g.get("front_lines") or [g["front_line"]])


def _shuffled_deck(seed: int) -> tuple[str, list[str]]:
    """The dev notes with their cards in another order (and the expected fronts, in that order)."""
    text = (NOTES / "aws-developer-associate-flashcards.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    cards = segment(text, "n.txt", "n")
    blocks = [lines[c.front_lines[0] - 1 : c.last_line] for c in cards]
    random.Random(seed).shuffle(blocks)
    return "\n".join([lines[0]] + [ln for b in blocks for ln in b]) + "\n", [b[0] for b in blocks]


@pytest.mark.parametrize("seed", [1, 2])
def test_cards_in_another_order_segment_the_same(seed):
    text, expected = _shuffled_deck(seed)
    cards = segment(text, "n.txt", "n")
    assert [c.front.split(" ")[0] for c in cards] == [e.split(" ")[0] for e in expected]
    assert len(cards) == len(expected)


def test_front_with_a_service_and_a_qualifier():
    text = (
        DECK + "SQS FIFO: what throughput?\nFIFO queues support 300 transactions per second\n"
        "KMS: what is it?\nKMS\nkey management\n"
    )
    cards = segment(text, "deck.txt", "deck")
    assert [(c.front_lines, c.service) for c in cards] == [((2,), "sqs"), ((4,), "kms")]


QA_DECK = """My deck
Q: What is the maximum execution time of a Lambda function?
A: 15 minutes. Default timeout is 3 seconds.

Question: How large can an SQS message be?
Answer: 256 KB
use the Extended Client Library above that
Q. DynamoDB: max item size?
A. 400 KB
"""


def test_question_and_answer_lines_are_cards():
    cards = segment(QA_DECK, "qa.txt", "qa")
    assert [c.front_lines for c in cards] == [(2,), (5,), (8,)]
    assert [c.front for c in cards] == [
        "What is the maximum execution time of a Lambda function?",
        "How large can an SQS message be?",
        "DynamoDB: max item size?",
    ]
    assert [c.services for c in cards] == [["lambda"], ["sqs"], ["dynamodb"]]
    assert cards[0].topic == "maximum execution time of a Lambda function"
    # The answer keeps its line numbers and loses its `A:` label; the lines after it stay in it.
    assert [(ln.number, ln.plain) for ln in cards[1].lines] == [
        (6, "256 KB"), (7, "use the Extended Client Library above that")]
    assert cards[0].lines[0].plain == "15 minutes. Default timeout is 3 seconds."
    assert cards[0].lines[0].term is None  # `A:` is no term being defined


def test_question_and_answer_deck_is_read_as_flashcards_with_its_limits(tmp_path):
    import awskg

    path = tmp_path / "qa.txt"
    path.write_text(QA_DECK, encoding="utf-8")
    kg = awskg.build([path], cache_dir=tmp_path / "cache")
    assert kg.graph.graph["files"][0]["format"] == "flashcards"
    found = {(lim.service, lim.source.line, lim.display, lim.kind) for lim in kg.limits()}
    assert found == {("Lambda", 3, "15 min", "max"), ("Lambda", 3, "3 s", "default"),
                     ("SQS", 6, "256 KB", "max"), ("DynamoDB", 9, "400 KB", "max")}
