"""What a build reads out of notes: services and their aliases, features, typed entities, limits with
their service and subject, relations, and the provenance of every one of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import awskg

SHARED = Path(__file__).resolve().parents[2] / "shared"


def build_text(tmp_path: Path, text: str, name: str = "deck.txt") -> awskg.KnowledgeGraph:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return awskg.build([path], cache_dir=tmp_path / "cache")


def node_ids(kg, type_):
    return {n for n, d in kg.graph.nodes(data=True) if d.get("type") == type_}


# ------------------------------------------------------------------------------------------ services


@pytest.mark.parametrize(
    "spelling,service_id",
    [
        ("ASG", "ec2-auto-scaling"),
        ("Auto Scaling group", "ec2-auto-scaling"),
        ("AG", "ec2-auto-scaling"),
        ("DDB", "dynamodb"),
        ("dynamoDB", "dynamodb"),
        ("KDS", "kinesis-data-streams"),
        ("Kinesis Data Streams", "kinesis-data-streams"),
        ("CFN", "cloudformation"),
        ("CloudFormation", "cloudformation"),
        ("ElasticSearch", "opensearch-service"),
    ],
)
def test_service_spellings_and_abbreviations_resolve_to_one_node(tmp_path, spelling, service_id):
    kg = build_text(tmp_path, f"deck\nLambda: what is it?\ncan be invoked by {spelling} events\n")
    assert f"service:{service_id}" in kg.graph
    sources = kg.graph.nodes[f"service:{service_id}"]["sources"]
    assert {"file": sources[0]["file"], "line": 3} == {"file": sources[0]["file"], "line": sources[0]["line"]}


def test_ebs_means_beanstalk_in_a_beanstalk_card_and_block_store_beside_volumes(tmp_path):
    text = (
        "deck\n"
        "Elastic Beanstalk: what is .ebextensions?\n"
        "directory for EBS configuration of the environment\n"
        "EC2: what storage can an instance use?\n"
        "EBS volumes: gp3 and io1 SSD volumes with provisioned IOPS, snapshots to S3\n"
        "attach an EBS volume to the instance\n"
    )
    kg = build_text(tmp_path, text)
    beanstalk = {s["line"] for s in kg.graph.nodes["service:elastic-beanstalk"]["sources"]}
    block = {s["line"] for s in kg.graph.nodes["service:elastic-block-store"]["sources"]}
    assert 3 in beanstalk and 3 not in block
    assert 6 in block and 6 not in beanstalk


def test_every_service_the_dev_notes_name_is_found(built_graph):
    gold = [json.loads(x) for x in open(SHARED / "eval" / "services_dev.jsonl", encoding="utf-8")]
    names = {d["name"].lower() for _, d in built_graph.graph.nodes(data=True) if d.get("type") == "service"}
    aliases = {
        a.lower()
        for _, d in built_graph.graph.nodes(data=True)
        if d.get("type") == "service"
        for a in d.get("aliases", [])
    }

    def found(service: str) -> bool:
        s = service.lower().removeprefix("amazon ").removeprefix("aws ")
        return any(s == n or s in n or n in s for n in names | aliases)

    # Every named AWS service or product (IAM is never named, only its concepts).
    missing = [g["service"] for g in gold if g["aliases_in_text"] and not found(g["service"])]
    assert missing == []


# ------------------------------------------------------------------------------------------ entities


def test_each_typed_entity_kind_is_extracted(built_graph):
    g = built_graph.graph
    expected = {
        "api": ["api:putrecord", "api:deletequeue", "api:updateitem"],
        "error": ["error:requestentitytoolargeexception", "error:http 429"],
        "config": ["config:/etc/ecs/ecs.config", "config:cron.yaml", "config:/tmp", "config:.ebextensions"],
        "env_var": ["env_var:CODEBUILD_KMS_KEY_ID"],
        "metric": ["metric:groupminsize", "metric:approximatenumberofmessagesvisible"],
        "permission": ["permission:ec2:createnetworkinterface"],
        "policy": ["policy:awslambdavpcaccessexecutionrole"],
        "resource_type": ["resource_type:aws::serverless::function"],
    }
    for type_, ids in expected.items():
        for node in ids:
            assert node in g, node
            assert g.nodes[node]["type"] == type_
    assert any("throughputexceeded" in n for n in node_ids(built_graph, "error"))
    arns = {d["name"]: d.get("aliases", []) for n, d in g.nodes(data=True) if d.get("type") == "arn"}
    assert "Function ARN" in arns and "Layer version ARN" in arns
    # `Function version` and `Function alias` ARNs have one shape (a qualifier after the name).
    assert any({"Function version", "Function alias"} <= set(aliases) for aliases in arns.values())


def test_a_term_line_defines_its_entity(built_graph):
    e = built_graph.entity("PutRecords")
    assert e.type == "api" and "batch" in e.definition
    f = built_graph.entity("reserved concurrency")
    assert f.type == "feature" and f.definition.startswith("upper limit")
    assert "PITR" in built_graph.entity("point in time recovery").aliases


def test_features_hang_off_their_service(built_graph):
    names = {n.name for n in built_graph.related("lambda", relations=["HAS_FEATURE"])}
    assert {"provisioned concurrency", "reserved concurrency", "timeout", "Lambda Layers"} <= names


# ------------------------------------------------------------------------------------------ provenance


def test_every_node_and_edge_cites_a_file_and_line_whose_text_exists(built_graph):
    g = built_graph.graph
    for n, d in g.nodes(data=True):
        assert d["sources"], n
        for s in d["sources"]:
            assert s["file"].endswith(".txt") and s["line"] >= 1
    for u, v, k, d in g.edges(keys=True, data=True):
        assert d["sources"], (u, v, k)
    lim = next(x for x in built_graph.limits("sqs") if x.subject == "max message size")
    assert lim.line_text == "max message size: 256KB"
    assert lim.source.line == 84


# ------------------------------------------------------------------------------------------ limits


def test_limit_takes_the_service_its_clause_opens_with(tmp_path):
    text = (
        "deck\n"
        "Lambda: integration notes\n"
        "functions can have up to 5 layers; SQS messages can be up to 256 KB; "
        "DynamoDB items can be up to 400 KB\n"
    )
    kg = build_text(tmp_path, text)
    by_value = {(lim.value, lim.unit): lim.service for lim in kg.limits()}
    assert by_value == {(5, "layers"): "Lambda", (256, "KB"): "SQS", (400, "KB"): "DynamoDB"}


def test_an_object_named_after_the_value_does_not_steal_the_limit(tmp_path):
    text = "deck\nElastic Beanstalk: environments\nsingle instance: contains one Amazon EC2 instance\n"
    [lim] = build_text(tmp_path, text).limits()
    assert lim.service == "Elastic Beanstalk" and lim.value == 1


def test_exam_premise_numbers_are_not_limits(tmp_path):
    text = (
        "deck\n"
        "EC2 autoscaling: what happens?\n"
        "Autoscaling\n"
        "An Auto Scaling group has a maximum capacity of 3 and a policy that adds 3 instances. "
        "what happens?\n"
        "1 instance is added\n"
        "the group can hold up to 10 instances\n"
    )
    assert [(lim.value, lim.source.line) for lim in build_text(tmp_path, text).limits()] == [(10, 6)]


def test_limit_subjects_come_from_the_notes_words(built_graph):
    subjects = {(lim.service, lim.subject) for lim in built_graph.limits()}
    assert ("SQS", "max message size") in subjects
    assert ("Lambda", "layer size") in subjects
    assert ("Lambda", "timeout") in subjects
    assert ("Lambda", "/tmp directory size") in subjects


def test_dev_limits_recall_and_precision_hold(built_graph):
    """The dev labels, scored the way score.py scores them (recall, precision, service)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    recall, precision = score.score_limits(built_graph, SHARED / "eval" / "limits_dev.jsonl")
    assert recall >= 0.95 and precision >= 0.95


def test_changed_numbers_are_read_as_written(tmp_path):
    """The same notes with other numbers: the rules read the language, not the values."""
    text = (
        Path(__file__).resolve().parents[1] / "notes" / "aws-developer-associate-flashcards.txt"
    ).read_text()
    changed = (
        text.replace("256KB", "1,024KB")
        .replace("up to 5 layers", "up to 7 layers")
        .replace("0-15 minutes", "0-20 minutes")
        .replace("35 day period", "30 day period")
    )
    kg = build_text(tmp_path, changed, "changed.txt")
    got = {(lim.source.line, lim.value, lim.value_max) for lim in kg.limits()}
    assert {(84, 1024, None), (217, 7, None), (73, 0, 20), (500, 30, None)} <= got


# ------------------------------------------------------------------------------------------ relations


@pytest.mark.parametrize(
    "line,edge",
    [
        (
            "Kinesis Data Firehose: where does it store data?\nstores data into S3, RedShift, or Splunk\n",
            ("service:kinesis-data-firehose", "service:redshift", "STORES_DATA_IN"),
        ),
        (
            "Lambda: event source mappings\nevent source mapping:\navailable for DynamoDB, Kinesis, SQS\n",
            ("service:sqs", "service:lambda", "EVENT_SOURCE_FOR"),
        ),
        (
            "Lambda: async invocation\nfailed events go to a dead-letter queue (SNS topic or SQS queue)\n",
            ("service:lambda", "service:sns", "SENDS_FAILURES_TO"),
        ),
        (
            "Kinesis Adapter\nKinesis Adapter\nrecommended way to consume streams from DynamoDB\n",
            ("service:dynamodb-streams-kinesis-adapter", "service:dynamodb-streams", "CONSUMES_STREAMS_FROM"),
        ),
        (
            "SQS: encryption\nmessages sent to SQS are encrypted with a key managed by AWS KMS\n",
            ("service:sqs", "service:kms", "ENCRYPTED_WITH"),
        ),
        (
            "CodeBuild: logs\nsend build logs to CloudWatch Logs\n",
            ("service:codebuild", "service:cloudwatch-logs", "LOGS_TO"),
        ),
        ("AppSync\nAppSync\nuses GraphQL\n", ("service:appsync", "service:graphql", "USES")),
        (
            "SAM: what is it?\nan extension of CloudFormation for serverless apps\n",
            ("service:sam", "service:cloudformation", "BUILT_ON"),
        ),
    ],
)
def test_relation_patterns_read_typed_edges(tmp_path, line, edge):
    kg = build_text(tmp_path, "deck\n" + line)
    u, v, rel = edge
    assert kg.graph.has_edge(u, v, rel), sorted(
        (a, b, k)
        for a, b, k in kg.graph.edges(keys=True)
        if k not in ("MENTIONS", "RELATED_TO", "HAS_FEATURE")
    )
    assert kg.graph.edges[u, v, rel]["sources"][0]["line"] >= 2


def test_available_for_outside_an_event_source_card_is_not_an_event_source(tmp_path):
    kg = build_text(tmp_path, "deck\nS3: storage classes\nIntelligent-Tiering is available for S3 and EFS\n")
    assert not [k for _, _, k in kg.graph.edges(keys=True) if k == "EVENT_SOURCE_FOR"]


def test_type_of_by_head_noun(built_graph):
    g = built_graph.graph
    assert g.has_edge("feature:lambda/provisioned-concurrency", "feature:lambda/concurrency", "TYPE_OF")
    assert g.has_edge("feature:lambda/reserved-concurrency", "feature:lambda/concurrency", "TYPE_OF")


def test_components_are_part_of_their_service(built_graph):
    assert built_graph.graph.has_edge("service:lambda-layers", "service:lambda", "PART_OF")


def test_an_elliptical_clause_keeps_the_subject_before_it(tmp_path):
    text = "# notes\n\n## Lambda\n* Timeout defaults to 3 sec, max is 15 min\n"
    kg = build_text(tmp_path, text, "notes.md")
    assert {lim.subject for lim in kg.limits()} == {"Timeout"}


def test_a_bare_answer_takes_its_kind_from_the_question(tmp_path):
    deck = (
        "API Gateway: max integration timeout?\t29 seconds\tapigw\n"
        "DynamoDB Streams: how long are records kept?\t24 hours\tddb\n"
        "API Gateway: integration timeout?\t29 seconds\tapigw\n"
    )
    kg = build_text(tmp_path, deck, "deck.txt")
    kinds = {(lim.source.line, lim.kind) for lim in kg.limits()}
    assert kinds == {(1, "max"), (2, "retention")}
    # The third card states the first one's fact again: one limit, with both lines behind it.
    (timeout,) = [lim for lim in kg.limits() if lim.source.line == 1]
    assert [s.line for s in timeout.sources] == [1, 3]
