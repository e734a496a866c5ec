"""Entities the way strangers define them: bold bullet terms, `ABBR - Long Name` terms, definition
lists, `A vs B` headings over short `a: ...` lines, and a service's definition read from its own
"what is it" card (with the line it came from)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_notes

from awskg.readers import read_cards

NOTES_FILE = Path(__file__).resolve().parents[1] / "notes" / "aws-developer-associate-flashcards.txt"

DEFINITIONS = """\
# AWS notes

## SQS polling
- **Long Polling:** waits up to 20 seconds for a message to arrive; fewer empty responses
- **Short Polling:** returns at once, even when the queue is empty

## DynamoDB indexes
- **GSI** - Global Secondary Index: any partition key and sort key, added at any time
- **LSI** - Local Secondary Index: same partition key, another sort key, at table creation only

## API Gateway
Lambda authorizer
: a Lambda function that checks the caller's token and returns an IAM policy

## Step Functions
*Standard Workflows vs Express Workflows
standard (default): exactly-once, for up to a year
express: at-least-once, high volume
"""


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    return build_notes(tmp_path_factory.mktemp("defs"), DEFINITIONS)


@pytest.mark.parametrize(
    "a,b", [("long polling", "short polling"), ("GSI", "LSI"), ("standard workflows", "express workflows")]
)
def test_terms_the_notes_define_can_be_compared(kg, a, b):
    data = kg.compare(a, b)
    assert data["a"]["definition"] and data["b"]["definition"]
    assert data["a"]["id"] != data["b"]["id"]


def test_an_abbreviation_dash_long_name_term_is_found_by_both(kg):
    by_abbr, by_name = kg.entity("GSI"), kg.entity("global secondary index")
    assert by_abbr.id == by_name.id
    assert by_abbr.definition.startswith("any partition key")


def test_a_short_term_under_a_vs_heading_takes_the_full_name(kg):
    standard = kg.entity("standard workflows")
    assert standard.name == "Standard Workflows"
    assert "standard" in [a.lower() for a in standard.aliases]
    assert standard.definition.startswith("exactly-once")


def test_a_definition_list_defines_its_term(kg):
    authorizer = kg.entity("lambda authorizer")
    assert authorizer.definition.startswith("a Lambda function that checks")
    assert authorizer.service == "API Gateway"
    assert kg.graph.nodes[authorizer.id]["definition_source"]["line"] == 13


def test_each_service_is_defined_by_its_own_what_is_it_card(committed_graph):
    """Every service of the notes with a `X: what is it?` card takes its definition from that card,
    never from a card about one of its features."""
    _fmt, cards = read_cards(NOTES_FILE)
    own = [c for c in cards if c.topic == "overview" and c.service and c.lines
           and "what is it" in c.front.lower()]
    assert len(own) >= 8
    for card in own:
        node = committed_graph.graph.nodes[f"service:{card.service}"]
        where = node.get("definition_source")
        assert where, card.service
        assert card.first_line <= where["line"] <= card.last_line, (card.service, where, card.front)


SERVICE_SECTIONS = """\
# Notes

## SQS - Simple Queue Service
- Default visibility timeout is 30 seconds
- A fully managed message queue

## 📦 S3 – Simple Storage Service
- Objects up to 5 TB
"""


def test_a_section_named_after_its_service_makes_no_feature_and_defines_it_in_words(tmp_path):
    kg = build_notes(tmp_path, SERVICE_SECTIONS)
    features = [d["name"] for _n, d in kg.graph.nodes(data=True) if d["type"] == "feature"]
    assert features == []
    assert kg.entity("sqs").definition == "A fully managed message queue"
