"""Every limit of the committed graph says what its note line says.

For each limit of `graph/awskg.json`, its value (and a range's upper end) is read back from the
text of its own source line, in any written form the quantities grammar takes (`256KB`, `10,240`,
`five`, `1k`, `twice`, `up to a year`, `by the second`), and its unit, or a spelling of it from
`data/units.json`, is written on that line or on the line its subject comes from (its feature's
line). A non-numeric bound (`unlimited`, `forever`) is one of its phrases on the line. A value that
extraction invented, took from another line, or misread (`1.5` as `15`, `minus 100` as a limit
stated nowhere as such is caught only when its number is not on the line) fails here.

This reads the graph file as committed: when extraction changes, the graph is rebuilt and
committed, and this test judges what students get.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path

import pytest

import awskg

GRAPH = Path(__file__).resolve().parents[1] / "graph" / "awskg.json"
KG = awskg.load(GRAPH)
LIMITS = KG.limits(numeric_only=False)


@cache
def _data(name: str) -> dict:
    return json.loads(resources.files("awskg").joinpath("data").joinpath(name).read_text(encoding="utf-8"))


_DIGITS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


def numbers_on(text: str, unit: str | None = None) -> set[float]:
    """Every number the line writes, in the forms the quantities grammar reads. A number written
    with a unit of `unit`'s dimension counts in `unit` only (`15 minutes` is 900 in `s`, and
    `3600 seconds` is 1 in `h`, never 3600)."""
    units = _data("units.json")
    scales = {k.lower(): float(v) for k, v in units["scales"].items()}
    wanted = _factor(unit) if unit else None
    found: set[float] = set()
    for m in _DIGITS.finditer(text):
        value = float(m.group(1).replace(",", "") + (f".{m.group(2)}" if m.group(2) else ""))
        after = re.match(r"\s?([A-Za-z%]+)", text[m.end():])
        written = _factor(after.group(1)) if after else None
        if wanted and written and written[0] == wanted[0]:
            found.add(round(value * written[1] / wanted[1], 9))
            continue
        found.add(value)
        if after and after.group(1).lower() in scales:  # `1k`, `5 million`
            found.add(value * scales[after.group(1).lower()])
    for table in ("number_words", "times_words"):
        for word, value in units[table].items():
            if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text, re.I):
                found.add(float(value))
    return found


def _factor(spelling: str) -> tuple[str, float] | None:
    """(dimension, factor to base) of a unit spelling in units.json."""
    for dim, entries in _data("units.json")["dimensions"].items():
        for canon, entry in entries.items():
            if spelling == canon or spelling in entry["spellings"]:
                return dim, float(entry["factor"])
    return None


def _implied_one(text: str, unit: str | None) -> bool:
    """`up to a year`, `by the second`: the grammar's one, an article right before the unit."""
    spellings = "|".join(re.escape(s) for s in unit_spellings(unit) if len(s) > 2)
    return bool(spellings) and bool(re.search(rf"\b(?:a|an|the)\s+(?:{spellings})\b", text, re.I))


def unit_spellings(unit: str | None) -> set[str]:
    """A unit's spellings in units.json (`KB`: KB, KiB, kb, kilobytes...); a rate's numerator
    (`MB/s`: MB...; `transactions/s`: transactions); a counted noun in either number; `times` also
    as `twice`."""
    if not unit:
        return set()
    head = unit.split("/", 1)[0]
    for entries in _data("units.json")["dimensions"].values():
        for canon, entry in entries.items():
            if head == canon or head in entry["spellings"]:
                return set(entry["spellings"]) | {canon}
    out = {head, head + "s", head.rstrip("s")}
    if head == "times":
        out |= set(_data("units.json")["times_words"])
    return out


def _written(spelling: str, text: str) -> bool:
    # One-letter units (B, s, h, d) are case-sensitive and must stand against a number or a space.
    flags = 0 if len(spelling) <= 2 else re.I
    return bool(re.search(rf"(?<![A-Za-z]){re.escape(spelling)}(?![A-Za-z])", text, flags))


def _subject_lines(lim: awskg.Limit) -> list[str]:
    """The limit's own line, then the line its subject comes from: its feature's line."""
    texts = [KG.line_text(s.file, s.line) or "" for s in lim.sources[:1]]
    if lim.feature and lim.feature in KG.graph:
        for s in KG.graph.nodes[lim.feature].get("sources", [])[:1]:
            texts.append(KG.line_text(s["file"], int(s["line"])) or "")
    return texts


def _number_said(line: str, value: float, unit: str | None) -> bool:
    return float(value) in numbers_on(line, unit) or (value == 1 and _implied_one(line, unit))


def _check(lim: awskg.Limit) -> list[str]:
    """What of the limit its line does not say (empty: the line says it all)."""
    line = KG.line_text(lim.source.file, lim.source.line)
    if not line:
        return [f"no text for its source line {lim.source.line}"]
    problems = []
    if lim.value is None:
        phrases = _data("cues.json")["bounds"].get(lim.bound or "", [])
        if not any(_written(p, line) for p in phrases):
            problems.append(f"bound {lim.bound!r} is not on the line")
        return problems
    for label, value in (("value", lim.value), ("upper end", lim.value_max)):
        if value is not None and not _number_said(line, value, lim.unit):
            problems.append(f"{label} {value:g} is not on the line")
    spellings = unit_spellings(lim.unit)
    if spellings and not any(_written(s, text) for text in _subject_lines(lim) for s in spellings):
        problems.append(f"unit {lim.unit!r} is not on the line nor on its subject's line")
    return problems


def test_the_committed_graph_has_limits_to_check():
    assert len([lim for lim in LIMITS if lim.value is not None]) >= 40


@pytest.mark.parametrize("lim", LIMITS, ids=[lim.id for lim in LIMITS])
def test_every_limit_is_read_back_from_its_source_line(lim):
    problems = _check(lim)
    assert not problems, f"{lim.display} ({lim.subject!r}, line {lim.source.line}: {lim.line_text!r}): " + \
        "; ".join(problems)


@pytest.mark.parametrize(
    ("display_value", "unit", "line", "faithful"),
    [
        (256, "KB", "max message size: 256KB", True),
        (10240, "MB", "up to 10,240 MB of memory", True),
        (5, "layers", "can have up to five layers", True),
        (1000, "requests", "about 1k requests each second", True),
        (1, "year", "executions can last up to a year", True),
        (2, "times", "retries failed invocations twice", True),
        (15, "s", "timeout of 1.5 seconds", False),  # a misread decimal
        (900, "s", "ranges from 3 seconds to 15 minutes", True),  # 15 minutes, in seconds
        (90, "s", "ranges from 3 seconds to 15 minutes", False),
        (512, "MB", "the default is 128 MB", False),  # a value from another line
        (256, "MB", "max message size: 256KB", False),  # the wrong unit
    ],
)
def test_the_check_catches_a_value_or_unit_the_line_does_not_say(display_value, unit, line, faithful):
    unit_said = any(_written(s, line) for s in unit_spellings(unit))
    assert (_number_said(line, display_value, unit) and unit_said) == faithful


def test_a_limit_of_the_graph_with_a_changed_value_or_unit_fails_the_check():
    from dataclasses import replace

    checked = [lim for lim in LIMITS if lim.value and not _check(lim)]
    assert checked
    for lim in checked:
        assert _check(replace(lim, value=lim.value * 10 + 7)), lim.id
        if lim.unit in ("KB", "s", "min", "MB"):
            other = {"KB": "GB", "s": "h", "min": "week", "MB": "TB"}[lim.unit]
            assert _check(replace(lim, unit=other)), lim.id
