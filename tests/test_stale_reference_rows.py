"""Every row of the reference, both ways: notes that state today's value get no flag, notes that
state another value get one naming the notes' value, AWS's value and its source.

The notes are written here from each row's own fields (service, subject, kind, value, unit) and
built with `awskg.build`, so each test runs the whole way: reading the line, extracting the limit,
matching it to its row, comparing like with like. An outdated note changes the number the row
bounds (half it, or three times it where half is not a whole number; a range's upper end; a
number where AWS states no limit).
"""

from __future__ import annotations

import re

import pytest

import awskg
from awskg.model import format_number
from awskg.study.reference import Reference, reference_rows
from awskg.study.stale import matches

ROWS = reference_rows()
WORDS = {"max": "max", "min": "min", "default": "default", "rate": "", "retention": "retained for"}


def _subject(text: str) -> str:
    """What a student would write as the line's subject: the row's subject without its
    parenthesis, `:` as a dash, `incl.` spelled out, at most eight words (a `term: value` line)."""
    text = re.sub(r"\([^)]*\)", "", text).replace(":", " -").replace("incl.", "including")
    return " ".join(text.split()[:8]).strip(" ,-")


def _unit(row: Reference) -> str:
    """The unit as AWS writes it, without its parenthesis or a trailing clause."""
    return row.unit.split("(")[0].split(",")[0].strip()


def _changed(value: float) -> float:
    return value / 2 if (value / 2).is_integer() else value * 3


def _value(row: Reference, outdated: bool) -> str:
    """`max 1,048,576 bytes`, `60-1,209,600 seconds`, `unlimited messages`: the row's own value,
    or a changed one."""
    unit = _unit(row)
    if row.value is None:
        return f"max 100,000 {unit}" if outdated else f"{row.bound} {unit}"
    if row.kind == "range":
        high = _changed(row.value_max) if outdated else row.value_max
        return f"{format_number(row.value)}-{format_number(high)} {unit}"
    value = _changed(row.value) if outdated else row.value
    return f"{WORDS[row.kind]} {format_number(value)} {unit}".strip()


def _section(row: Reference, outdated: bool) -> str:
    service = re.sub(r"\([^)]*\)", "", row.service).strip()
    return f"## {service}\n\n- {_subject(row.subject)}: {_value(row, outdated)}\n\n"


LINE_OF_ROW = 3  # each section is 4 lines: heading, blank, the value line, blank


def _notes(tmp_path_factory: pytest.TempPathFactory, outdated: bool):
    folder = tmp_path_factory.mktemp("outdated" if outdated else "today")
    path = folder / "reference-notes.md"
    path.write_text("".join(_section(row, outdated) for row in ROWS), encoding="utf-8")
    kg = awskg.build([path], cache_dir=folder / "cache")
    by_line: dict[int, list[awskg.Limit]] = {}
    for lim in kg.limits(numeric_only=False):
        by_line.setdefault(lim.source.line, []).append(lim)
    return by_line


@pytest.fixture(scope="module")
def today(tmp_path_factory):
    return _notes(tmp_path_factory, outdated=False)


@pytest.fixture(scope="module")
def outdated(tmp_path_factory):
    return _notes(tmp_path_factory, outdated=True)


def _limit_of(by_line, i: int, row: Reference) -> awskg.Limit:
    found = by_line.get(4 * i + LINE_OF_ROW, [])
    assert len(found) == 1, f"the line written for {row.subject!r} was read as {[f.display for f in found]}"
    return found[0]


def _params():
    out = []
    for i, row in enumerate(ROWS):
        out.append(pytest.param(i, row, id=f"{i + 1}-{row.service}-{row.subject}"[:70]))
    return out


@pytest.mark.parametrize(("i", "row"), _params())
def test_notes_stating_todays_value_are_matched_and_not_flagged(today, i, row):
    lim = _limit_of(today, i, row)
    match = matches([lim]).get(lim.id)
    assert match is not None and match.reference is row, (
        f"{lim.display} ({lim.kind}, {lim.subject!r}) matched "
        f"{match.reference.subject if match else None!r}, not its row")
    assert not match.stale
    assert lim.stale is None


@pytest.mark.parametrize(("i", "row"), _params())
def test_notes_stating_another_value_are_flagged_with_both_values_and_the_source(outdated, i, row):
    lim = _limit_of(outdated, i, row)
    flag = lim.stale
    assert flag is not None, f"{lim.display} ({lim.kind}, {lim.subject!r}) not flagged against {row.display}"
    assert flag["reference"] == row.to_dict()
    assert flag["notes_value"] == lim.display
    assert flag["aws_value"] == row.display
    assert flag["source"] == row.source
    assert lim.display in flag["message"] and row.display in flag["message"] and row.source in flag["message"]

