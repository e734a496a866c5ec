"""Outdated limits: the notes' limits matched to the shipped reference of current AWS quotas."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from awskg.model import Limit, Source
from awskg.study.reference import Reference, parse_row, reference_rows
from awskg.study.stale import (
    MATCH_THRESHOLD,
    match_limit,
    matches,
    stale_flags,
    subject_score,
)

REPO = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = REPO.parent / "shared" / "reference" / "aws-quotas.jsonl"
SHIPPED_REFERENCE = REPO / "src" / "awskg" / "data" / "aws-quotas.jsonl"


def _find(kg, service: str, words: tuple[str, ...], kind: str, dimension: str | None = None) -> Limit:
    """The one limit of a service whose subject (or feature) has all the words, of that kind."""
    found = []
    for lim in kg.limits(service):
        text = f"{lim.subject} {lim.feature or ''}".lower()
        if lim.kind == kind and all(w in text for w in words) and dimension in (None, lim.dimension):
            found.append(lim)
    assert len(found) == 1, f"{service} {words} {kind}: {[f.id for f in found]}"
    return found[0]


@pytest.fixture(scope="module")
def notes_limits(built_graph):
    return built_graph.limits(numeric_only=False)


@pytest.fixture(scope="module")
def flags(notes_limits):
    return stale_flags(notes_limits)


# --------------------------------------------------------------------------- the two sets


@pytest.mark.parametrize(
    ("service", "words", "kind", "aws"),
    [
        ("sqs", ("message size",), "max", "1 MiB"),
        ("lambda", ("variables", "size"), "max", "4 KB"),
        ("rds", ("replicas",), "max", "15 replicas"),
        ("lambda", ("timeout",), "range", "1-900 seconds"),
    ],
)
def test_limits_aws_changed_since_the_notes_are_flagged(built_graph, flags, service, words, kind, aws):
    lim = _find(built_graph, service, words, kind)
    assert lim.id in flags
    assert flags[lim.id].aws_value.startswith(aws)
    assert flags[lim.id].notes_value == lim.display


@pytest.mark.parametrize(
    ("service", "words", "kind", "dimension"),
    [
        ("lambda", ("layers",), "max", "count"),  # 5 layers per function, today as in the notes
        ("sqs", ("delay",), "range", "seconds"),  # 0-15 minutes, today as in the notes
        # a fixed 35 days: inside AWS's 1-35 days, a retention (not a bound) is not stale
        ("dynamodb", ("retention", "point-in-time"), "retention", "seconds"),
        ("lambda", ("timeout",), "default", "seconds"),  # 3 s: compared with the default, not the range
    ],
)
def test_limits_that_match_their_reference_value_are_not_flagged(built_graph, flags, service, words, kind,
                                                                  dimension):
    lim = _find(built_graph, service, words, kind, dimension)
    match = matches([lim]).get(lim.id)
    assert match is not None, "the limit must match its reference row for this test to mean anything"
    assert not match.stale
    assert lim.id not in flags


def test_timeout_flag_is_about_its_lower_bound(built_graph, flags):
    lim = _find(built_graph, "lambda", ("timeout",), "range")
    assert flags[lim.id].differs == ["lower bound"]


def test_flag_message_gives_both_values_the_date_and_the_source(built_graph, flags):
    lim = _find(built_graph, "sqs", ("message size",), "max")
    flag = flags[lim.id]
    assert flag.message.startswith("your notes: 256 KB; AWS since 2025-08: 1 MiB; source https://")
    assert flag.reference["source"] in flag.message
    assert flag.score >= MATCH_THRESHOLD
    assert set(flag.to_dict()) >= {"limit_id", "reference", "message", "score"}


def test_flags_never_change_what_the_notes_say(built_graph, flags):
    lim = _find(built_graph, "sqs", ("message size",), "max")
    assert lim.id in flags
    assert built_graph.limit(lim.id).display == "256 KB"
    hits = built_graph.search("sqs max message size", limit=3)
    assert any(h.to_dict().get("display") == "256 KB" for h in hits)


# --------------------------------------------------------------------------- the reference file


def test_every_shipped_reference_row_keeps_its_source():
    rows = [json.loads(line) for line in SHIPPED_REFERENCE.read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) == len(reference_rows()) > 0
    for raw in rows:
        assert raw["source"].startswith("http"), raw["subject"]
        assert raw["as_of"]
    assert all(r.source.startswith("http") for r in reference_rows())


def test_shipped_reference_is_the_shared_reference_unchanged():
    assert SHIPPED_REFERENCE.read_bytes() == SHARED_REFERENCE.read_bytes()


def test_a_row_without_a_source_is_refused():
    with pytest.raises(ValueError, match="no source"):
        parse_row({"service": "SQS", "subject": "x", "kind": "max", "value": 1, "unit": "KB", "source": ""})


@pytest.mark.parametrize(
    ("unit", "value", "value_max", "dimension", "base_value_max", "default"),
    [
        ("seconds (default 30; max 12 h)", 0, 43200, "seconds", 43200.0, 30.0),
        ("minutes (60 min - 10 years; default 30 days)", 60, 5256000, "seconds", 315360000.0, 2592000.0),
        ("bytes (default 262,144 = 256 KiB; configurable 1,024-1,048,576)", 1048576, None, "bytes", None,
         262144.0),
        ("filters (5 default, up to 10 via quota increase)", 5, 10, "count", 10.0, 5.0),
        ("MB (1-MB increments; default 128)", 128, 10240, "bytes", 10240 * 1024.0**2, 128 * 1024.0**2),
        ("days (default 7 console / 1 API; 0 disables)", 0, 35, "seconds", 35 * 86400.0, 7 * 86400.0),
        ("KB (frames 32 KB)", 128, None, "bytes", None, None),
    ],
)
def test_reference_units_are_read_from_their_words(unit, value, value_max, dimension, base_value_max,
                                                   default):
    row = parse_row({"service": "SQS", "subject": "s", "kind": "range" if value_max else "max",
                     "value": value, "value_max": value_max, "unit": unit, "source": "https://x"})
    assert row.dimension == dimension
    assert row.base_value_max == (pytest.approx(base_value_max) if base_value_max else None)
    assert row.base_default == (pytest.approx(default) if default is not None else None)


def test_reference_rates_and_periods_are_read():
    shard = parse_row({"service": "Kinesis Data Streams", "subject": "w", "kind": "rate", "value": 1,
                       "unit": "MB/s per shard", "source": "https://x"})
    assert (shard.dimension, shard.base_value) == ("bytes/s", 1024.0**2)
    scaling = parse_row({"service": "Lambda", "subject": "r", "kind": "rate", "value": 1000,
                         "unit": "execution environments per 10 seconds", "source": "https://x"})
    assert (scaling.dimension, scaling.base_value, scaling.per) == ("count/s", 100.0, "10 seconds")
    fifo = parse_row({"service": "SQS", "subject": "t", "kind": "rate", "value": 300,
                      "unit": "transactions per second per API action", "source": "https://x"})
    assert (fifo.dimension, fifo.base_value) == ("count/s", 300.0)


def test_a_reference_row_that_states_no_limit_reads_as_unlimited():
    row = parse_row({"service": "SQS", "subject": "Messages per queue", "kind": "max", "value": None,
                     "unit": "messages (unlimited)", "source": "https://x"})
    assert (row.bound, row.dimension, row.display) == ("unlimited", "count", "unlimited")


def test_reference_services_are_catalog_ids():
    ids = {r.service: r.service_id for r in reference_rows()}
    assert ids["SQS"] == "sqs"
    assert ids["ElastiCache (Valkey/Redis OSS)"] == "elasticache"
    assert ids["Kinesis Data Streams"] == "kinesis-data-streams"


# --------------------------------------------------------------------------- matching


def test_subject_threshold_sits_between_a_pair_just_above_and_a_pair_just_below():
    above = subject_score("deployment package size zip archives",
                          "Console code editor deployment package size", "lambda")
    below = subject_score("code size", "Container image code package size (uncompressed, incl. layers)",
                          "lambda")
    assert MATCH_THRESHOLD <= above < MATCH_THRESHOLD + 5
    assert MATCH_THRESHOLD - 10 < below < MATCH_THRESHOLD


def test_a_row_is_named_by_what_it_measures_not_by_its_qualifiers():
    # `per partition key value` qualifies an item collection: a partition key's size is no such row.
    row = "Item collection size (tables with LSIs), per partition key value"
    assert subject_score("partition key size", row, "dynamodb") == 0.0
    assert subject_score("item collection size", row, "dynamodb") >= MATCH_THRESHOLD


def test_a_word_another_row_of_the_service_names_tells_the_rows_apart():
    # The words of `TransactWriteItems actions per transaction` and `BatchWriteItem request`.
    others = frozenset({"transact", "write", "item", "action", "transaction", "batch", "request"})
    for words in ("transaction items size", "batch write items size"):
        assert subject_score(words, "Maximum item size", "dynamodb", named_elsewhere=others) == 0.0
    # Words that only size what they qualify name no other quota.
    assert subject_score("size of a single item", "Maximum item size", "dynamodb",
                         named_elsewhere=others | {"single"}) >= MATCH_THRESHOLD
    # A counted noun before its label: the label alone is a reading of the subject.
    assert subject_score("read transactions (item size)", "Maximum item size", "dynamodb",
                         named_elsewhere=others | {"read"}) >= MATCH_THRESHOLD


def test_subjects_that_name_opposites_do_not_match():
    assert subject_score("cluster shard disabled", "Shards/nodes per cluster, cluster mode enabled",
                         "elasticache") == 0.0
    assert subject_score("cluster shards enabled", "Shards/nodes per cluster, cluster mode enabled",
                         "elasticache") >= MATCH_THRESHOLD


def _limit(subject: str, kind: str, value: float, unit: str, dimension: str, factor: float,
           value_max: float | None = None, service: str = "sqs", per: str | None = None) -> Limit:
    return Limit(
        id=f"limit:{service}/{subject.replace(' ', '-')}/{kind}", service=service.upper(), subject=subject,
        kind=kind, value=value, value_max=value_max, unit=unit, text="", source=Source("notes.md", 1),
        dimension=dimension, base_value=value * factor,
        base_value_max=value_max * factor if value_max is not None else None, service_id=service, per=per,
    )


def _row(subject: str, kind: str, value: float, unit: str, value_max: float | None = None,
         service: str = "SQS") -> Reference:
    return parse_row({"service": service, "subject": subject, "kind": kind, "value": value,
                      "value_max": value_max, "unit": unit, "as_of": "2025-08", "source": "https://example"})


def test_values_are_compared_in_base_units():
    row = _row("Maximum message size", "max", 1048576, "bytes")
    same = _limit("max message size", "max", 1024, "KB", "bytes", 1024.0)
    other = _limit("max message size", "max", 256, "KB", "bytes", 1024.0)
    assert match_limit(same, [row]).differs == ()
    assert match_limit(other, [row]).differs == ("value",)


def test_dimension_and_service_must_agree():
    row = _row("Maximum message size", "max", 1048576, "bytes")
    seconds = _limit("max message size", "max", 30, "s", "seconds", 1.0)
    other_service = _limit("max message size", "max", 256, "KB", "bytes", 1024.0, service="sns")
    assert match_limit(seconds, [row]) is None
    assert match_limit(other_service, [row]) is None


def test_a_range_differs_when_either_end_differs():
    row = _row("Function timeout (range)", "range", 1, "seconds", 900, service="Lambda")
    notes = _limit("timeout", "range", 3, "s", "seconds", 1.0, value_max=900, service="lambda")
    upper = _limit("timeout", "range", 1, "s", "seconds", 1.0, value_max=300, service="lambda")
    # 1 s to 15 min, written in other units: the same range in base units.
    same = replace(_limit("timeout", "range", 1, "s", "seconds", 1.0, value_max=900, service="lambda"),
                   value_max=15, unit="min")
    assert match_limit(notes, [row]).differs == ("lower bound",)
    assert match_limit(upper, [row]).differs == ("upper bound",)
    assert match_limit(same, [row]).differs == ()


def test_a_retention_inside_the_references_range_is_not_stale_and_outside_it_is():
    row = _row("Point-in-time recovery (PITR) recovery period", "range", 1, "days (default 35)", 35,
               service="DynamoDB")
    fixed = _limit("backups retention point in time recovery", "retention", 35, "day", "seconds", 86400.0,
                   service="dynamodb")
    longer = replace(fixed, value=90, base_value=90 * 86400.0)
    assert match_limit(fixed, [row]).differs == ()
    assert match_limit(longer, [row]).differs == ("value",)


def test_each_kind_is_compared_with_the_same_kind_of_the_reference():
    default = _row("Function timeout (default)", "default", 3, "seconds", service="Lambda")
    ranged = _row("Function timeout (range)", "range", 1, "seconds", 900, service="Lambda")
    fifteen = _limit("timeout", "max", 15, "min", "seconds", 60.0, service="lambda")
    three = _limit("timeout", "default", 3, "s", "seconds", 1.0, service="lambda")
    # 15 minutes at most is the range's upper end, never the 3 s default
    assert match_limit(fifteen, [default]) is None
    assert match_limit(fifteen, [default, ranged]).reference.subject == "Function timeout (range)"
    assert match_limit(fifteen, [default, ranged]).differs == ()
    # a 3 s default is the default, never the range's lower end
    assert match_limit(three, [default, ranged]).reference.subject == "Function timeout (default)"
    assert match_limit(three, [default, ranged]).differs == ()
    # a minimum is not compared with a maximum
    minimum = _limit("timeout", "min", 900, "s", "seconds", 1.0, service="lambda")
    assert match_limit(minimum, [_row("Function timeout", "max", 900, "seconds", service="Lambda")]) is None


def test_values_are_compared_in_base_units_against_a_range_written_in_another_unit():
    row = _row("Message retention period", "range", 60, "seconds (default 345,600 = 4 days)", 1209600)
    up_to_14_days = _limit("message retention", "max", 14, "day", "seconds", 86400.0)
    up_to_7_days = _limit("message retention", "max", 7, "day", "seconds", 86400.0)
    four_days = _limit("message retention", "default", 4, "day", "seconds", 86400.0)
    assert match_limit(up_to_14_days, [row]).differs == ()
    assert match_limit(up_to_7_days, [row]).differs == ("upper bound",)
    assert match_limit(four_days, [row]).differs == ()


def test_a_maximum_raised_on_request_agrees_from_its_default_to_its_ceiling():
    row = _row("Event filters per event source mapping", "max", 5,
               "filters (5 default, up to 10 via quota increase)", 10, service="Lambda")
    for value, differs in ((5, ()), (10, ()), (15, ("value",)), (3, ("value",))):
        lim = _limit("event filters", "max", value, "filters", "count", 1.0, service="lambda")
        assert match_limit(lim, [row]).differs == differs, value


def test_a_number_where_aws_states_no_limit_is_stale_and_unlimited_agrees():
    row = parse_row({"service": "SQS", "subject": "Messages per queue (backlog)", "kind": "max",
                     "value": None, "unit": "messages (unlimited)", "source": "https://x"})
    numeric = _limit("messages per queue", "max", 120000, "messages", "count", 1.0)
    unlimited = replace(numeric, value=None, base_value=None, bound="unlimited")
    assert match_limit(numeric, [row]).differs == ("value",)
    assert match_limit(unlimited, [row]).differs == ()


def test_a_row_of_a_programme_outside_the_catalog_matches_any_service_by_subject():
    # A programme the catalog does not hold (made up here: the catalog holds AWS Free Tier now).
    row = parse_row({"service": "AWS Welcome Credits", "kind": "max", "value": 6, "unit": "months",
                     "subject": "Welcome credits for accounts created on/after 2025-07-15", "source": "https://x"})
    assert row.service_id is None
    twelve = _limit("welcome credits months for new accounts", "max", 12, "month", "seconds", 2592000.0,
                    service="ec2")
    assert match_limit(twelve, [row]).differs == ("value",)
    other = _limit("reserved instance term", "max", 12, "month", "seconds", 2592000.0, service="ec2")
    assert match_limit(other, [row]) is None


def test_a_single_maximum_is_compared_with_the_maximum_and_a_default_with_the_default():
    row = _row("Ephemeral storage (/tmp)", "range", 512, "MB (default 512)", 10240, service="Lambda")
    tmp_max = _limit("ephemeral storage tmp", "max", 512, "MB", "bytes", 1024.0**2, service="lambda")
    tmp_default = replace(tmp_max, kind="default")
    retries = _row("Async invocation retry attempts on function error", "range", 0, "retries (default 2)", 2,
                   service="Lambda")
    twice = _limit("retry attempts function errors", "count", 2, "times", "count", 1.0, service="lambda")
    assert match_limit(tmp_max, [row]).differs == ("upper bound",)  # 512 MB is no longer the maximum
    assert match_limit(tmp_default, [row]).differs == ()
    assert match_limit(twice, [retries]).differs == ()


def test_a_granularity_is_not_compared_with_a_maximum():
    row = _row("Function timeout (range)", "range", 1, "seconds", 900, service="Lambda")
    step = _limit("timeout granularity", "granularity", 1, "s", "seconds", 1.0, service="lambda")
    assert match_limit(step, [row]) is None


def test_rates_are_compared_per_second():
    row = _row("Concurrency scaling rate per function", "rate", 1000, "execution environments per 10 seconds",
               service="Lambda")
    per_10s = _limit("concurrency scaling rate", "rate", 1000, "instances", "count", 1.0, service="lambda",
                     per="10 s")
    per_s = _limit("concurrency scaling rate", "rate", 100, "instances", "count", 1.0, service="lambda",
                   per="second")
    per_min = _limit("concurrency scaling rate", "rate", 500, "instances", "count", 1.0, service="lambda",
                     per="1 min")
    assert match_limit(per_10s, [row]).differs == ()
    assert match_limit(per_s, [row]).differs == ()
    assert match_limit(per_min, [row]).differs == ("value",)  # the scaling rate before 2023


def test_a_count_per_something_else_than_time_is_not_a_rate():
    row = _row("Concurrency scaling rate per function", "rate", 1000, "execution environments per 10 seconds",
               service="Lambda")
    per_function = _limit("concurrency scaling rate", "max", 1000, "instances", "count", 1.0,
                          service="lambda", per="function")
    assert match_limit(per_function, [row]) is None


def test_non_numeric_limits_are_never_flagged(notes_limits, flags):
    bounds = [lim for lim in notes_limits if lim.value is None]
    assert bounds, "the notes have unlimited/forever bounds"
    assert not any(lim.id in flags for lim in bounds)


# --------------------------------------------------------------------------- a new user's notes


NOTES_RIGHT_TODAY = """Lambda: what is the timeout?
Timeout: max 15 minutes
SQS: how long are messages kept?
Message retention: up to 14 days
"""


def _built_limits(tmp_path: Path, text: str) -> list[Limit]:
    import awskg

    path = tmp_path / "mine.txt"
    path.write_text(text, encoding="utf-8")
    return awskg.build([path], cache_dir=tmp_path / "cache").limits()


def test_notes_stating_todays_values_in_other_units_and_kinds_get_no_flag(tmp_path):
    limits = _built_limits(tmp_path, NOTES_RIGHT_TODAY)
    assert {lim.display for lim in limits} == {"15 min", "14 day"}
    found = matches(limits)
    assert len(found) == 2, "both lines must match a reference row for this test to mean anything"
    assert not any(m.stale for m in found.values())
    assert not any(lim.stale for lim in limits)


def test_the_same_notes_with_other_values_are_flagged(tmp_path):
    text = NOTES_RIGHT_TODAY.replace("15 minutes", "5 minutes").replace("14 days", "21 days")
    limits = _built_limits(tmp_path, text)
    flagged = {lim.display: lim.stale for lim in limits if lim.stale}
    assert set(flagged) == {"5 min", "21 day"}
    assert flagged["5 min"]["aws_value"] == "1-900 seconds"
    assert flagged["5 min"]["source"].startswith("https://")


def test_a_subject_that_only_says_what_is_measured_matches_no_named_quota():
    # `DynamoDB size` (a vague subject) is not the item size, however many rows measure a size.
    item = _row("Maximum item size", "max", 400, "KB", service="DynamoDB")
    vague = _limit("size", "max", 2048, "bytes", "bytes", 1.0, service="dynamodb")
    assert match_limit(vague, [item]) is None
    named = _limit("item size", "max", 300, "KB", "bytes", 1024.0, service="dynamodb")
    assert match_limit(named, [item]).differs == ("value",)


def test_a_value_aws_states_in_any_matching_row_of_its_kind_is_not_flagged():
    rcu = _row("Read capacity unit item size (strongly consistent read per RCU)", "max", 4, "KB",
               service="DynamoDB")
    item = _row("Maximum item size", "max", 400, "KB", service="DynamoDB")
    # In a section on read capacity, the RCU row reads closer; the value is the item size's.
    lim = replace(_limit("item size", "max", 400, "KB", "bytes", 1024.0, service="dynamodb"),
                  feature="feature:dynamodb/read-capacity")
    words = "item size read capacity"  # its subject and feature
    assert subject_score(words, rcu.subject, "dynamodb") > subject_score(words, item.subject, "dynamodb")
    m = match_limit(lim, [rcu, item])
    assert m.reference.subject == "Maximum item size" and not m.stale


def test_a_limit_that_names_neither_side_is_no_row_of_one_side():
    read = _row("Shard read throughput (shared)", "max", 2, "MB/s", service="Kinesis Data Streams")
    write = _row("Shard write throughput", "max", 1, "MB/s", service="Kinesis Data Streams")
    shard = _limit("shard throughput", "max", 3, "MB/s", "rate", 1024.0**2, service="kinesis-data-streams")
    assert match_limit(shard, [read, write]) is None
    # ... though a value one of them states is where AWS states it: never flagged.
    agrees = _limit("shard throughput", "max", 1, "MB/s", "rate", 1024.0**2, service="kinesis-data-streams")
    match = match_limit(agrees, [read, write])
    assert match is not None and match.reference is write and not match.stale
    # ... but a side the reference never contrasts is no side: retries are only asynchronous.
    retries = _row("Async invocation retry attempts", "range", 0, "retries", 2, service="Lambda")
    two = _limit("retry attempts", "count", 2, "times", "count", 1.0, service="lambda")
    assert match_limit(two, [retries]) is not None


def test_a_row_of_one_model_is_no_limit_of_another_or_of_none():
    io1 = _row("io1 Provisioned IOPS per volume", "range", 100, "IOPS", 64000, service="EBS")
    io2 = _limit("IOPS io2 Block Express", "max", 256000, "iops", "count", 1.0, service="elastic-block-store")
    plain = _limit("provisioned IOPS per volume", "max", 256000, "iops", "count", 1.0,
                   service="elastic-block-store")
    assert match_limit(io2, [io1]) is None
    assert match_limit(plain, [io1]) is None


def test_a_subject_naming_one_side_is_no_row_of_the_other_whatever_its_feature():
    lsi = _row("Local secondary indexes per table", "max", 5, "indexes", service="DynamoDB")
    gsi = replace(_limit("GSI", "max", 20, "per table", "count", 1.0, service="dynamodb"),
                  feature="feature:dynamodb/lsi")
    assert match_limit(gsi, [lsi]) is None
