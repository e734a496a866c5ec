"""Limit scoring for the labelled samples in tests/samples/, by the rules of ../shared/eval/score.py:

  * a gold limit (not `unsure`, with a value) is found when one extracted limit citing its line (in
    `source`, or in `sources` where one limit merges repeats) carries all of its numbers, after unit
    conversion (sizes binary; 2.5% tolerance on sizes, so KB = 1000 or 1024 both pass);
  * an extracted limit is a false positive when no gold limit on its lines (unsure ones included)
    shares a number with it.

One addition for samples of several files (an Obsidian vault): a gold row may name its `file`
(relative to the sample's folder), and then a line means that file's line. Rows without a `file`
match lines of any file, as score.py does for its one-file samples.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

BYTES = {"b": 1, "byte": 1, "bytes": 1, "kb": 1024, "kib": 1024, "kilobyte": 1024, "kilobytes": 1024,
         "mb": 1024**2, "mib": 1024**2, "megabyte": 1024**2, "megabytes": 1024**2,
         "gb": 1024**3, "gib": 1024**3, "gigabyte": 1024**3, "gigabytes": 1024**3,
         "tb": 1024**4, "tib": 1024**4, "terabyte": 1024**4, "terabytes": 1024**4}
SECONDS = {"ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
           "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
           "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
           "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
           "d": 86400, "day": 86400, "days": 86400, "week": 604800, "weeks": 604800,
           "month": 2592000, "months": 2592000, "year": 31536000, "years": 31536000, "yr": 31536000}
PERCENT = {"%": 1, "percent": 1, "pct": 1}

Quantity = tuple[str, float]


def base(value: Any, unit: Any) -> Quantity | None:
    """(dimension, value in base units); a unit the tables do not know is a plain count."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    u = re.sub(r"[^a-z%]", "", str(unit or "").lower())
    for dim, table in (("bytes", BYTES), ("seconds", SECONDS), ("percent", PERCENT)):
        if u in table:
            return dim, number * table[u]
    return "count", number


def same(a: Quantity | None, b: Quantity | None) -> bool:
    if a is None or b is None or a[0] != b[0]:
        return False
    if a[1] == b[1]:
        return True
    if a[0] == "bytes":
        return abs(a[1] - b[1]) <= 0.025 * max(abs(a[1]), abs(b[1]))
    return abs(a[1] - b[1]) <= 1e-9 * max(abs(a[1]), abs(b[1]), 1)


def numbers(rec: dict[str, Any]) -> list[Quantity]:
    out = []
    for key in ("value", "value_max"):
        q = base(rec.get(key), rec.get("unit"))
        if q is not None:
            out.append(q)
    return out


@dataclass
class Score:
    recall: float
    precision: float
    found: int
    required: int
    predicted: int
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)

    def explain(self) -> str:
        lines = [f"recall {self.recall:.3f} ({self.found}/{self.required}), precision {self.precision:.3f} "
                 f"({self.predicted - len(self.false_positives)}/{self.predicted})"]
        lines += [f"  missed line {g['line']}: {g.get('file', '')} {g['subject']}: {g['text']!r}"
                  for g in self.misses]
        lines += [f"  extra  {sorted(_where(c))}: {c.get('subject')}: {c.get('text')!r}"
                  for c in self.false_positives]
        return "\n".join(lines)


def _where(rec: dict[str, Any]) -> set[tuple[str, int]]:
    """(file, line) of every source a limit cites."""
    out = set()
    for src in [rec.get("source") or {}] + list(rec.get("sources") or []):
        if isinstance(src, dict) and src.get("line") is not None:
            out.add((str(src.get("file", "")), int(src["line"])))
    return out


def load_gold(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score_limits(limits: list[dict[str, Any]], gold: list[dict[str, Any]]) -> Score:
    """Recall and precision of `limits` (`Limit.to_dict()` records) against `gold` rows."""

    def key(file: str | None, line: int) -> tuple[str | None, int]:
        return (PurePosixPath(file).as_posix() if file else None, int(line))

    def cited(rec: dict[str, Any]) -> set[tuple[str | None, int]]:
        out: set[tuple[str | None, int]] = set()
        for file, line in _where(rec):
            out.add((None, line))
            out.update((f, line) for f in gold_files if file == f or file.endswith("/" + f))
        return out

    gold_files = {str(g["file"]) for g in gold if g.get("file")}
    by_line: dict[tuple[str | None, int], list[dict[str, Any]]] = {}
    for rec in limits:
        for k in cited(rec):
            by_line.setdefault(k, []).append(rec)
    required = [g for g in gold if not g.get("unsure") and g.get("value") is not None]
    found = 0
    misses = []
    for g in required:
        want = numbers(g)
        candidates = by_line.get(key(g.get("file"), g["line"]), [])
        if any(all(any(same(w, h) for h in numbers(c)) for w in want) for c in candidates):
            found += 1
        else:
            misses.append(g)
    gold_at: dict[tuple[str | None, int], list[Quantity]] = {}
    for g in gold:
        gold_at.setdefault(key(g.get("file"), g["line"]), []).extend(numbers(g))
    false_pos = []
    for rec in limits:
        pool = [q for k in cited(rec) for q in gold_at.get(k, [])]
        if not any(same(h, p) for h in numbers(rec) for p in pool):
            false_pos.append(rec)
    recall = found / len(required) if required else 0.0
    precision = (len(limits) - len(false_pos)) / len(limits) if limits else 0.0
    return Score(recall, precision, found, len(required), len(limits), misses, false_pos)
