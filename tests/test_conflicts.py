"""Conflicts: the notes stating one limit with two values. Only limits of the same subject, kind
and direction can disagree; a producer-side and a consumer-side figure are two limits."""

from __future__ import annotations

import pytest

import awskg
from awskg.conflicts import direction


def _limits(tmp_path, text: str) -> list[awskg.Limit]:
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    return awskg.build([path], cache_dir=tmp_path / "cache").limits()


@pytest.mark.parametrize(
    ("line", "value", "expected"),
    [
        ("shard throughput: 1 MB/s in, 2 MB/s out", "1 MB/s", "in"),
        ("shard throughput: 1 MB/s in, 2 MB/s out", "2 MB/s", "out"),
        ("shard capacity: producers write 1 MB/s per shard", "1 MB/s", "in"),
        ("consumers read 2 MB/s per shard", "2 MB/s", "out"),
        ("write 1,000 records per second, read 2 MB per second", "1,000 records", "in"),
        ("1 MB/s in each shard", "1 MB/s", None),  # `in` as a preposition names no direction
        ("max message size: 256KB", "256KB", None),
        ("the reader gets a copy; up to 5 layers", "5 layers", None),  # another clause's word
    ],
)
def test_the_direction_of_a_value_is_read_from_the_words_beside_it(line, value, expected):
    assert direction(line, value) == expected


def test_figures_for_opposite_directions_are_not_a_conflict(tmp_path):
    limits = _limits(tmp_path, "Kinesis: what is the throughput of a shard?\n"
                               "shard throughput: 1 MB/s in, 2 MB/s out\n")
    assert sorted(lim.display for lim in limits) == ["1 MB/s", "2 MB/s"]
    # Each figure keeps the direction the line names it for.
    assert {lim.subject for lim in limits} == {"shard throughput (in)", "shard throughput (out)"}
    assert not any(lim.conflict for lim in limits)


def test_figures_for_the_same_direction_that_differ_are_a_conflict(tmp_path):
    limits = _limits(tmp_path, "Kinesis: what is the throughput of a shard?\n"
                               "shard throughput: 1 MB/s in\n"
                               "Kinesis: shard limits\n"
                               "shard throughput: 2 MB/s in\n")
    assert sorted(lim.display for lim in limits) == ["1 MB/s", "2 MB/s"]
    assert all(lim.conflict for lim in limits)


def test_a_default_and_a_maximum_of_one_subject_are_not_a_conflict(tmp_path):
    limits = _limits(tmp_path, "Lambda: what is the timeout?\ntimeout: default 3 seconds\n"
                               "Lambda: timeout\ntimeout: max 15 minutes\n")
    assert {lim.kind for lim in limits} == {"default", "max"}
    assert not any(lim.conflict for lim in limits)
