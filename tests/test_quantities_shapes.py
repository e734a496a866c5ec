"""Number shapes real students write: scaled numbers, ratios, glued and slashed rates, malformed digit
groups, word periods, defaults that borrow a unit, and the numbers that only look like values."""

from __future__ import annotations

import pytest

from awskg.quantities import find_quantities

# (text, [(value, value_max, unit), ...]) — every value the text states, in order.
SHAPES = [
    ("3k to 16k IOPS", [(3000, 16000, "iops")]),
    ("| gp3 | 3K-16K | 125-1000 MB/s |", [(3000, 16000, None), (125, 1000, "MB/s")]),
    ("io2: up to 256K IOPS", [(256000, None, "iops")]),
    ("up to 2 million items", [(2_000_000, None, "items")]),
    ("50:1 IOPS to GiB ratio", [(50, None, "IOPS/GB")]),
    ("S3 writes: 3500/second per prefix", [(3500, None, "/s")]),
    ("max 2RCU per item", [(2, None, "rcu")]),
    ("throttle at 10,000 RPS", [(10000, None, "requests/s")]),
    ("max 3000 msgs / second", [(3000, None, "msgs/s")]),
    ("3 IOPS/GiB of volume size", [(3, None, "IOPS/GiB")]),
    ("- 7 partitions/AZ", [(7, None, "partitions/AZ")]),
    ("low latency (10 Gbps)", [(10, None, "Gbps")]),
    ("use 1/2 RCU per 4KB block", [(0.5, None, "rcu")]),
    ("From .5 GB minimum to 237 GB max size", [(0.5, None, "GB"), (237, None, "GB")]),
    ("1000. Soft limit that can be increased.", []),  # no cue: only an answer makes it a value
    ("we can only switch once per day", [(1, None, "times")]),
    ("snapshots every yr", [(1, None, "year")]),
    # A minus glued to the low end of a range after a word or "(" signs it; at a line's start it is
    # a bullet.
    ("operating temperature -40 to 85 C", [(-40, 85, "c")]),
    ("UTC offset from -12 to +14 hours", [(-12, 14, "h")]),
    ("-20 to 30 read replicas", [(20, 30, "replicas")]),
    ("1-35 days", [(1, 35, "day")]),
    ("Lambda memory: 128MB..10GB", [(128, 10240, "MB")]),
    # `m` against a number is minutes only where the sentence is about time.
    ("Lambda timeout: 15m max", [(15, None, "min")]),
    ("cooldown 5m default", [(5, None, "min")]),
    ("10m requests free per month", []),
]


@pytest.mark.parametrize("text,expected", SHAPES)
def test_number_shapes_are_read_whole(text, expected):
    got = [(q.value, q.value_max, q.unit) for q in find_quantities(text)]
    want = [(float(v), None if m is None else float(m), u) for v, m, u in expected]
    assert [(v, m) for v, m, _ in got] == [(v, m) for v, m, _ in want]
    for (_, _, unit), (_, _, want_unit) in zip(got, want, strict=True):
        if want_unit is not None:
            assert unit == want_unit


def test_a_bare_number_answered_in_a_table_is_a_value():
    assert [q.value for q in find_quantities("1000. Soft limit that can be increased.", table=True)] == [1000]


def test_malformed_digit_groups_stay_one_number_and_are_flagged_unsure():
    (q,) = find_quantities("max 12,500,00 items per batch")
    assert q.value == 1250000
    assert q.unsure and "12,500,00" in q.unsure
    (ok,) = find_quantities("max 12,500 items per batch")
    assert ok.unsure is None


@pytest.mark.parametrize(
    "text,value,unit,kind",
    [
        ("retention 1 day (max 365)", 365, "day", "max"),
        ("timeout: max 3600 seconds, default 300", 300, "s", "default"),
        ("retention 1-35days (default 7)", 7, "day", "default"),
    ],
)
def test_a_bare_bound_after_a_value_takes_its_unit(text, value, unit, kind):
    last = find_quantities(text)[-1]
    assert (last.value, last.unit, last.kind) == (value, unit, kind)
    assert last.dimension in ("seconds", "bytes")


@pytest.mark.parametrize(
    "text,values",
    [
        ("maxes at 80k IOPS per instance and 64k vol", [80000, 64000]),
        ("more than 1 MB/s or 1000 messages/s per shard", [1, 1000]),
        ("10,000 RPS steady-state, 5,000 burst", [10000, 5000]),
        ("beyond 10GB or 3k RCU or 1k WCU a partition splits", [10, 3000, 1000]),
    ],
)
def test_a_number_listed_after_a_limit_is_a_limit_too(text, values):
    assert [q.value for q in find_quantities(text)] == values


@pytest.mark.parametrize(
    "text",
    [
        "1000s of clients connect",
        "(100s GB/s of throughput)",
        "Logs Retention: Indefinite by default (not 7 days)",
        "half a month represents 10 GB-month",
        "Layer 7 (application layer)",
        "EBS supports RAID 10.",
        "a backend that is too slow gives a 504",
        "this risks updating the item twice",
        "Cache-Control: max-age=0",
        "replicas in us-east-1 and eu-west-2",
        "the default VPC is 172.31.0.0/16",
    ],
)
def test_shapes_that_are_not_values(text):
    assert [(q.value, q.unit) for q in find_quantities(text)] == []


def test_a_bound_the_note_rules_out_is_no_bound():
    found = find_quantities("SQS FIFO has 300 msg/s limit (3,000 with batching, not unlimited)")
    assert [q.bound for q in found if q.bound] == []
    assert [q.bound for q in find_quantities("Standard queues: nearly unlimited throughput")] == ["unlimited"]


def test_twice_counts_beside_a_verb_of_retrying():
    assert [q.value for q in find_quantities("Lambda retries failed async events twice")] == [2]


def test_a_range_whose_ends_carry_their_own_glued_units():
    (q, default) = find_quantities("visibility timeout 0s-12h, default 30s")
    assert (q.base_value, q.base_value_max) == (0, 12 * 3600)
    assert (default.value, default.unit, default.kind) == (30, "s", "default")


def test_a_value_listed_after_a_rate_with_a_preposition_between_takes_the_rate():
    first, second = find_quantities("FIFO 300 msg/s w/o batching, 3000 w/ batching")
    assert (second.value, second.unit) == (3000, first.unit)


@pytest.mark.parametrize("text", ["supports the SAML 2.0 standard", "an OAuth 2.0 token"])
def test_a_decimal_after_an_acronym_is_a_version_not_a_count(text):
    assert find_quantities(text, []) == []


def test_a_decimal_count_of_a_counted_unit_is_still_one():
    assert [(q.value, q.unit) for q in find_quantities("uses 0.5 RCU", [])] == [(0.5, "rcu")]


def test_dflt_is_default_shorthand():
    kinds = [(q.kind, q.value) for q in find_quantities("vis timeout dflt 30s, max 12h", [])]
    assert kinds == [("default", 30.0), ("max", 12.0)]


def test_a_bare_number_after_another_measure_does_not_borrow_its_unit():
    kept, retries = find_quantities("events kept up to 6 hours, retries 0-2")
    assert (kept.value, kept.unit) == (6, "h")
    assert (retries.value, retries.value_max, retries.unit) == (0, 2, None)
    # A cue between them is no measure of its own: the bare number is in the unit before it.
    assert [q.unit for q in find_quantities("max 3600 seconds, default 300")] == ["s", "s"]
