"""Browsing: ranked neighbours with evidence, depth, comparisons, and names that do not exist."""

from __future__ import annotations

import pytest

from awskg.errors import UnknownEntity, UsageError

# The comparisons the notes make (issue 5): each pair must be contrasted, with both definitions.
PAIRS = [
    ("standard queues", "FIFO queues"),
    ("long polling", "short polling"),
    ("memcached", "redis"),
    ("PITR", "on-demand backups"),
    ("reserved concurrency", "provisioned concurrency"),
    ("standard", "express"),
    ("LSI", "GSI"),
    ("internal extensions", "external extensions"),
    ("lazy loading", "write-through"),
    ("rolling", "immutable"),
    ("canary deployment", "linear deployment"),
    ("All at once", "blue/green"),
]


@pytest.mark.parametrize("a,b", PAIRS)
def test_each_comparison_of_the_notes_shows_both_sides_with_their_lines(built_graph, a, b):
    data = built_graph.compare(a, b)
    assert data["contrasted"], (data["a"]["id"], data["b"]["id"])
    for side in (data["a"], data["b"]):
        assert side["definition"]
        assert side["lines"] and all(x["text"] for x in side["lines"])


@pytest.mark.parametrize(
    "entity,relation,direction,expected",
    [
        (
            "Kinesis Data Firehose",
            "STORES_DATA_IN",
            "out",
            {"S3", "Redshift", "OpenSearch Service", "Splunk"},
        ),
        (
            "lambda",
            "EVENT_SOURCE_FOR",
            "in",
            {"DynamoDB", "Kinesis Data Streams", "Amazon MQ", "Apache Kafka", "SQS", "DocumentDB"},
        ),
        ("lambda", "SENDS_FAILURES_TO", "out", {"SNS", "SQS"}),
        ("Kinesis Adapter", "CONSUMES_STREAMS_FROM", "out", {"DynamoDB Streams"}),
        ("kms", "ENCRYPTED_WITH", "in", {"SQS", "DynamoDB", "CodeBuild"}),
        ("CloudWatch Logs", "LOGS_TO", "in", {"Lambda", "CodeBuild"}),
        ("concurrency", "TYPE_OF", "in", {"reserved concurrency", "provisioned concurrency"}),
        ("Lambda Layers", "PART_OF", "out", {"Lambda"}),
    ],
)
def test_related_lists_the_neighbours_the_text_names(built_graph, entity, relation, direction, expected):
    found = built_graph.related(entity, relations=[relation])
    names = {n.name for n in found if n.direction == direction}
    assert expected <= names
    for n in found:
        assert n.evidence and n.evidence_text, n.name


def test_top_neighbours_of_lambda_are_specific_to_lambda(built_graph):
    top5 = built_graph.related("lambda", limit=5)
    everywhere = {"S3", "CloudWatch", "EC2", "IAM", "SQS", "DynamoDB", "KMS", "VPC"}
    assert not {n.name for n in top5} & everywhere
    own = [n for n in top5 if n.relation in ("HAS_FEATURE", "PART_OF") or n.type == "feature"]
    assert len(own) == 5


def _star(evidence: dict[str, int], hub_links: dict[str, int]):
    """A hand-made graph: `center` linked to each neighbour by MENTIONS with `evidence[n]` lines,
    and each neighbour linked to `hub_links[n]` other nodes (its degree elsewhere)."""
    from awskg.graph import KnowledgeGraph
    from awskg.model import Source

    kg = KnowledgeGraph()
    kg.add_entity("feature:x/center", "feature", "center", [Source("n.txt", 1)])
    line = 2
    for name, count in evidence.items():
        kg.add_entity(f"feature:x/{name}", "feature", name, [Source("n.txt", line)])
        kg.add_relation(
            "feature:x/center",
            f"feature:x/{name}",
            "MENTIONS",
            [Source("n.txt", line + i) for i in range(count)],
        )
        line += count
        for j in range(hub_links.get(name, 0)):
            other = f"feature:x/{name}-other-{j}"
            kg.add_entity(other, "feature", other, [Source("n.txt", 900 + j)])
            kg.add_relation(other, f"feature:x/{name}", "MENTIONS", [Source("n.txt", 900 + j)])
    return kg


def test_neighbours_with_more_evidence_rank_higher():
    kg = _star({"often": 4, "once": 1}, {})
    assert [n.name for n in kg.related("center")] == ["often", "once"]


def test_a_neighbour_everyone_shares_ranks_below_a_specific_one():
    kg = _star({"hub": 2, "specific": 2}, {"hub": 30})
    assert [n.name for n in kg.related("center")][:2] == ["specific", "hub"]


def test_depth_reaches_further_and_is_bounded(built_graph):
    one = built_graph.related("SQS", depth=1)
    two = built_graph.related("SQS", depth=2)
    assert {n.id for n in one} < {n.id for n in two}
    assert max(n.depth for n in two) == 2 and all(n.via for n in two if n.depth == 2)
    with pytest.raises(UsageError):
        built_graph.related("SQS", depth=100)


def test_type_filter_keeps_only_that_type(built_graph):
    found = built_graph.related("dynamodb", types=["feature"])
    assert found and {n.type for n in found} == {"feature"}


def test_subgraph_holds_the_entities_and_their_neighbourhood_without_cards(built_graph):
    sub = built_graph.subgraph(["sqs"], depth=1)
    assert "service:sqs" in sub and "feature:sqs/long-polling" in sub
    assert not [n for n, d in sub.nodes(data=True) if d["type"] == "card"]
    assert sub.number_of_edges() > 0
    assert set(built_graph.subgraph(["sqs"], depth=2)) > set(sub)


@pytest.mark.parametrize(
    "name,suggestion",
    [
        ("lamdba funtion urls", "Lambda Function URLs"),
        ("dynamo dbb", "DynamoDB"),
        ("elasticash", "ElastiCache"),
    ],
)
def test_misspelt_names_get_did_you_mean(built_graph, name, suggestion):
    try:
        eid = built_graph.resolve(name)
    except UnknownEntity as err:
        assert suggestion in err.suggestions
        assert "did you mean" in str(err)
    else:
        assert built_graph.graph.nodes[eid]["name"] == suggestion


def test_unknown_name_is_an_error_with_a_one_line_message(built_graph):
    with pytest.raises(UnknownEntity) as err:
        built_graph.entity("quantum teleporter")
    assert "\n" not in str(err.value)


def test_entity_page_data(built_graph):
    e = built_graph.entity("SQS")
    assert e.type == "service" and e.definition
    assert any(lim.subject == "max message size" for lim in e.limits)
    assert any(n.relation == "HAS_FEATURE" for n in e.neighbours)
    assert e.source_text and all(text for _, text in e.source_text)
    card = built_graph.card_of(e.id)
    assert card and card["front"].startswith("SQS")
