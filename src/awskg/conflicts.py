"""Limits the notes state with different values: where the notes disagree with themselves.

Two limits conflict when they bound the same thing the same way and their values differ: the same
service, subject and kind, and the same direction. The direction is read from the words beside the
value on its line, with the vocabulary of `data/directions.json`: `1 MB/s in` and `producers write
1 MB/s` bound what goes in, `2 MB/s out` and `consumers read 2 MB/s` what comes out, so a
producer-side and a consumer-side figure are two limits, not a disagreement. A limit whose line
names no direction only conflicts with another that names none.

Run once at the end of a build (builder.py), over the merged graph: the limits of every file.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .vocabulary import fold, load_data

# Where a clause ends: a value's direction is read from its own clause only.
_CLAUSE = re.compile(r"[,.](?!\d)|[;()\[\]]|\s(?:but|while|whereas|and|or)\s")
_WORD = re.compile(r"[a-z]+")
_BEFORE_WORDS = 4


def mark_conflicts(kg: Any) -> int:
    """Flag `conflict` on limits of the same service, subject, kind and direction stated with
    different values (each is kept); returns how many were flagged."""
    groups: dict[tuple[Any, str, str, str | None], list[str]] = {}
    g = kg.graph
    for n, d in g.nodes(data=True):
        if d.get("type") == "limit" and d.get("value") is not None:
            key = (d.get("service_id"), fold(d.get("subject", "")), d.get("kind"), _direction_of(kg, d))
            groups.setdefault(key, []).append(n)
    count = 0
    for ids in groups.values():
        values = {(g.nodes[i].get("base_value"), g.nodes[i].get("base_value_max")) for i in ids}
        if len(values) > 1:
            for i in ids:
                g.nodes[i]["conflict"] = True
                count += 1
    return count


def _direction_of(kg: Any, d: dict[str, Any]) -> str | None:
    sources = d.get("sources") or []
    if not sources:
        return None
    line = kg.line_text(sources[0].get("file", ""), int(sources[0].get("line", 0))) or ""
    return direction(line, str(d.get("text") or ""))


def direction(line: str, value_text: str) -> str | None:
    """`in`, `out` or None: which way the value written `value_text` bounds a flow on its line."""
    low, value = line.lower(), value_text.lower().strip()
    at = low.find(value) if value else -1
    if at < 0:
        return None
    start = max((m.end() for m in _CLAUSE.finditer(low, 0, at)), default=0)
    end_match = _CLAUSE.search(low, at + len(value))
    end = end_match.start() if end_match else len(low)
    before = _WORD.findall(low[start:at])[-_BEFORE_WORDS:]
    after = _WORD.findall(low[at + len(value) : end])
    words = _vocabulary()
    if after:
        first, alone = after[0], len(after) == 1
        for name, spec in words.items():
            if first in spec["after"] or (alone and first in spec["after_alone"]):
                return name
    for word in reversed(before):  # the nearest word before the value
        for name, spec in words.items():
            if word in spec["before"]:
                return name
    return None


@cache
def _vocabulary() -> dict[str, dict[str, frozenset[str]]]:
    raw = load_data("directions.json")["directions"]
    keys = ("before", "after", "after_alone")
    return {name: {k: frozenset(w.lower() for w in spec.get(k, [])) for k in keys}
            for name, spec in raw.items()}
