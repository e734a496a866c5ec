"""Limits as structured quantities: every phrasing notes use, and the numbers that are not limits."""

from __future__ import annotations

import pytest

from awskg.quantities import find_quantities, kind_named, parse_quantity, to_base

# (text, [(value, value_max, unit, kind), ...]) — the limits the text states, in order
# (a None unit or kind is not checked).
PHRASINGS = [
    ("max message size: 256KB", [(256, None, "KB", "max")]),
    (
        "configurable from 512MB and 10,240MB, 1MB resolution",
        [(512, 10240, "MB", "range"), (1, None, "MB", "granularity")],
    ),
    ("can delay from 0-15 minutes (DelaySeconds parameter)", [(0, 15, "min", "range")]),
    ("Sign-in session for challenges: 3–15 mins", [(3, 15, "min", "range")]),
    (
        "ranges from 3 seconds to 15 minutes (1 second resolution)",
        [(3, 900, "s", "range"), (1, None, "s", "granularity")],
    ),
    ("can have up to 5 layers", [(5, None, "layers", "max")]),
    ("the deployment package must be less than 3MB in size", [(3, None, "MB", "max")]),
    ("total size can’t exceed 8KB", [(8, None, "KB", "max")]),
    ("The low-storage condition lasts at least five minutes.", [(5, None, "min", "min")]),
    ("At least six hours have passed since the last storage modification.", [(6, None, "h", "min")]),
    ("ideal for long-running (up to one year) workflows", [(1, None, "year", "max")]),
    ("a usage agreement for 1 or 3 year periods", [(1, 3, "year", "other")]),
    (
        "reserved instance benefits are applied to a maximum of 3600 seconds per clock hour",
        [(3600, None, "s", "max")],
    ),
    ("you are charged for execution of an extension in 1ms increments", [(1, None, "ms", "granularity")]),
    ("visibility timeout default is 30 seconds", [(30, None, "s", "default")]),
    ("stores this information in a log for up to 24 hours", [(24, None, "h", "retention")]),
    ("backups retained for a fixed 35 day period", [(35, None, "day", "retention")]),
    ("Pay, by the second, for the instances that you launch.", [(1, None, "s", "granularity")]),
    ("Lambda retries function errors twice.", [(2, None, "times", "count")]),
    ("Free available space is less than 10 percent of the allocated storage.", [(10, None, "%", "max")]),
    ("1 MB/s or 1,000 records/s per shard", [(1, None, "MB/s", "rate"), (1000, None, "records/s", "rate")]),
    (
        "Default sampling rule: 1 req/sec (reservoir) + 5% of additional requests",
        [(1, None, "requests/s", "default"), (5, None, "%", None)],
    ),
    (
        "a CFN template can declare no more than 500 resources and 200 parameters",
        [(500, None, "resources", "max"), (200, None, "parameters", "max")],
    ),
    ("default 30 sec, max 12 hours", [(30, None, "s", "default"), (12, None, "h", "max")]),
    ("max 900 seconds (15 min)", [(900, None, "s", "max")]),  # the parenthesis restates it
    (
        "this shard has one primary read/write node and 0-5 replica nodes",
        [(1, None, "node", "count"), (0, 5, "nodes", "range")],
    ),
    ("a cache miss results in 3 trips", [(3, None, "trips", "count")]),
    ("Lambda will set up one hyperplane ENI per resource you are accessing", [(1, None, "eni", "count")]),
    (
        "Objects can be up to 50 TB, but a single PutObject request tops out at 5 GB",
        [(50, None, "TB", "max"), (5, None, "GB", "max")],
    ),
    ("Part numbers must be between 1 and 10,000", [(1, 10000, None, "range")]),
    ("from 60 seconds up to 14 days", [(60, 1209600, "s", "range")]),
    ("the message capacity in an sqs queue is unlimited", [(None, None, None, "max")]),
    ("no size limitations", [(None, None, None, "max")]),
    ("retained forever, even after the table is deleted", [(None, None, None, "retention")]),
]

# Numbers that are not limits: HTTP codes, ports, ARN account ids, versions, names, list numbering,
# dates, prices' denominators, rounding, and counts nothing bounds.
NOT_LIMITS = [
    "requests that outpace your concurrency return a 429 error",
    "Too hot → HTTP 503 SlowDown",
    "ensure port 2049 is open on the security groups",
    "open ports 443 and 80 on the load balancer",
    "The daemon listens on UDP port 2000",
    "ARN of version 42 of the helloworld function",
    "you can use T2.micro burstable instances on EC2 with S3",
    "Symmetric keys are AES-256 and SHA-256 hashes",
    "Transform: AWS::Serverless-2016-10-31",
    "1. create the function",
    "the default is SSE-S3 since Jan 2023",
    "Pricing: per secret per month + per 10,000 API calls",
    "where s = size of data, rounded up to nearest 4",
    "spread across 3 AZs and 2 instances are added",
    "chmod 755 [filepath] on the code",
    "a single failure in one being written does not halt the entire operation",
    "runs in python3.12 on x86_64 in us-west-2",
]


def _records(text):
    return [(q.value, q.value_max, q.unit, q.kind) for q in find_quantities(text)]


@pytest.mark.parametrize("text,expected", PHRASINGS)
def test_phrasing_becomes_limit_records(text, expected):
    got = _records(text)
    assert len(got) == len(expected), got
    for (v, vmax, unit, kind), (gv, gvmax, gunit, gkind) in zip(expected, got, strict=True):
        assert gv == v and gvmax == vmax, got
        if kind is not None:
            assert gkind == kind, got
        if unit is not None:
            assert gunit == unit, got


@pytest.mark.parametrize("text", NOT_LIMITS)
def test_numbers_that_are_not_limits_are_left_alone(text):
    assert [q for q in find_quantities(text) if q.value is not None] == []


def test_base_values_compare_across_units():
    [a] = find_quantities("up to 1 GB")
    [b] = find_quantities("max 900 MB")
    assert a.dimension == b.dimension == "bytes"
    assert a.base_value > b.base_value
    [t] = find_quantities("ranges from 3 seconds to 15 minutes")
    assert (t.base_value, t.base_value_max) == (3, 900)


def test_every_n_seconds_is_the_period_of_a_count_not_a_limit_of_its_own():
    qs = find_quantities("Every 10 seconds, Lambda can allocate at most 1,000 additional instances")
    assert [(q.value, q.unit, q.kind, q.per) for q in qs] == [(1000, "instances", "rate", "10 s")]


def test_every_n_days_alone_is_a_period_limit():
    [q] = find_quantities("Automatic rotation: every 365 days by default")
    assert (q.value, q.unit, q.kind) == (365, "day", "default")


def test_masked_spans_are_not_read():
    text = "use `Timeout: 30` in the template, max 15 minutes"
    start = text.index("`")
    end = text.index("`", start + 1) + 1
    got = find_quantities(text, [(start, end)])
    assert [(q.value, q.unit) for q in got] == [(15, "min")]


def test_table_cells_read_bare_counts():
    assert find_quantities("Burst; 5,000 requests") == []
    [q] = find_quantities("Burst; 5,000 requests", table=True)
    assert (q.value, q.unit) == (5000, "requests")


@pytest.mark.parametrize(
    "text,base,dim",
    [
        ("100MB", 100 * 1024**2, "bytes"),
        ("1 minute", 60, "seconds"),
        ("5", 5, "count"),
        ("10 %", 10, "percent"),
    ],
)
def test_parse_quantity_reads_one_value(text, base, dim):
    value, dimension, _unit = parse_quantity(text)
    assert (value, dimension) == (base, dim)


@pytest.mark.parametrize("text", ["", "MB", "ten minutes", "5 parsecs"])
def test_parse_quantity_refuses_what_is_not_a_quantity(text):
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_to_base_treats_unknown_units_as_counts():
    assert to_base(5, "layers") == ("count", 5)
    assert to_base(2, "KB") == ("bytes", 2048)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("throttle of 10,000 requests with a burst of 5,000 requests", [(5000, "requests")]),
        ("FIFO queues support 300 transactions per second", [(300, "transactions/s")]),
        ("multipart upload recommended for objects over 100 MB", [(100, "MB")]),
    ],
)
def test_more_phrasings_of_other_notes(text, expected):
    got = [(q.value, q.unit) for q in find_quantities(text)]
    for item in expected:
        assert item in got, got


def test_over_is_a_lower_bound():
    [q] = find_quantities("recommended for objects over 100 MB")
    assert q.kind == "min"


def test_a_long_line_of_numbers_reads_each_cue_from_a_bounded_window():
    """A line of many numbers stays cheap: a number's clause reaches back at most a fixed window
    (so reading it does not grow with the line), and every number is still read."""
    from awskg import quantities

    line = "max 1 KB, " * 1000
    assert len(find_quantities(line)) == 10 * len(find_quantities("max 1 KB, " * 100))
    start, _end = quantities._clause(line + " 5 GB", len(line) + 1)
    assert len(line) + 1 - start <= quantities._WINDOW


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("max integration timeout", "max"),
        ("Default sampling rule", "default"),
        ("how long are records kept", "retention"),
        ("minimum memory", "min"),
        ("metric resolution", "granularity"),
        ("Integration timeout", None),  # names no kind
        ("default & max visibility timeout", None),  # names two: no guess
        ("maxReceiveCount", None),  # a word that only starts like a cue
    ],
)
def test_kind_named_by_what_a_limit_bounds(words, kind):
    assert kind_named(words) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A rate's unit ends the counted noun: the words after it are not its unit.
        ("FIFO throughput: 300 msg/s without batching", [(300, "msg/s", "rate")]),
        ("300 msg/s batching", [(300, "msg/s", "rate")]),
        # Steps are a granularity, before or after the value.
        ("Memory: 128 MB – 10,240 MB (1 MB steps)", [(128, "MB", "range"), (1, "MB", "granularity")]),
        ("memory in steps of 64 MB", [(64, "MB", "granularity")]),
    ],
)
def test_rates_and_steps_in_terse_notes(text, expected):
    assert [(q.value, q.unit, q.kind) for q in find_quantities(text)] == expected
