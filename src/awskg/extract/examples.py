"""Worked examples and supposed cases: spans of a line whose values illustrate rather than state.

`For example, 8KB read = 2 RCU`, `Let's say that 5 minutes ...`, `4 rows of 200 bytes = 800 bytes`,
`If we have 12k WCU on the table ...`: the numbers are the example's, not the service's limits.
A sentence is an example when it holds an example phrase (`cues.json`, `examples`) or arithmetic
between numbers (`6x50`, `80 * 3KB`, `2KB = 1 WCU`). Hard-wrapped prose continues a sentence on
the next line, so the unfinished sentence of the lines above counts as part of the line's first
(not across list items: each bullet is its own).
"""

from __future__ import annotations

import re
from functools import cache

from ..model import Card, NoteLine
from ..quantities import Quantity
from ..vocabulary import cues

_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)")
# A list item (`- `, `* `, `1. `) starts a sentence of its own: the bullet above it, unfinished or
# not, is another item.
_ITEM = re.compile(r"^\s*(?:[-*+•▪◦‣]|\d{1,3}[.)])\s+")
# Arithmetic between numbers: `6x50`, `80 \* 3KB`, `12 partitions x 1k WCU`, `8KB read = 2 RCU`.
# `1 RCU = 1 strongly consistent read/s` defines a unit: one of something equals, no example.
_ARITHMETIC = re.compile(
    r"\d[\w.]*(?:\s+[A-Za-z]+)?\s*(?:[x×✕*]|\\\*)\s*\(?\d"
    r"|(?<![\d.,])(?!1\b)\d[\w.]*(?:\s+[A-Za-z]+){0,2}\s+=\s*\d"
    r"|\d\s*[+]\s*\d"
    # A billed amount (`10 GB-month`, `720 instance-hours`): the sentence works out a bill.
    r"|\d\s*(?:[KMGT]i?B|instance)[- ](?:months?|hours?|mo)\b"
)


@cache
def _vocab() -> dict[str, object]:
    spec = cues()["examples"]

    def words(items: list[str]) -> re.Pattern[str]:
        # (`<year>` in a phrase stands for any year: `before <year>`)
        alts = "|".join(re.escape(w).replace(re.escape("<year>"), r"(?:19|20)\d\d")
                        for w in sorted(items, key=len, reverse=True))
        return re.compile(r"(?<![A-Za-z])(?:" + alts + r")(?![A-Za-z])", re.I)

    past = cues()["past"]
    return {
        "past_before": words(past["before"]),
        "past_after": words(past["after"]),
        "strong": words(spec["strong"]),
        "weak": words(spec["weak"]),
        "sections": words(spec["sections"]),
        "weak_cues": frozenset(spec["weak_cues"]),
    }


def sentence_before(card: Card, ln: NoteLine) -> str:
    """The unfinished sentence that the lines just above `ln` leave open (hard-wrapped prose)."""
    out: list[str] = []
    if _ITEM.match(ln.text):
        return ""
    idx = next((i for i, x in enumerate(card.lines) if x is ln), -1)
    number = ln.number
    for prev in reversed(card.lines[:idx] if idx > 0 else []):
        if prev.number != number - 1 or prev.role not in ("text", "paragraph") or ln.role != prev.role:
            break
        text = prev.plain.rstrip()
        if not text or _SENTENCE_END.search(text[-1:] + " "):
            break
        ends = list(_SENTENCE_END.finditer(text))
        out.insert(0, text[ends[-1].end() :] if ends else text)
        if ends or _ITEM.match(prev.text):  # (a wrapped item goes back to its bullet, no further)
            break
        number = prev.number
    return " ".join(out)


def in_example_section(ln: NoteLine) -> bool:
    pat = _vocab()["sections"]
    return any(pat.search(h) for h in (ln.heading, ln.term) if h)  # type: ignore[union-attr]


def not_stated(text: str, quantities: list[Quantity], before: str = "") -> set[int]:
    """Start offsets of the quantities of `text` that an example or a supposed case holds."""
    v = _vocab()
    out: set[int] = set()
    sentences: list[tuple[int, int, str]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        sentences.append((start, m.end(), text[start : m.end()]))
        start = m.end()
    sentences.append((start, len(text), text[start:]))
    out.update(q.start for q in quantities if _former(text, q, v))
    example_from = None
    for k, (s, e, sent) in enumerate(sentences):
        whole = f"{before} {sent}" if k == 0 and before else sent
        if example_from is None and v["strong"].search(whole):  # type: ignore[union-attr]
            example_from = s  # `Let's say ...`: the sentences after it work the same example
        inside = [q for q in quantities if s <= q.start < e]
        if not inside:
            continue
        if example_from is not None or _ARITHMETIC.search(whole):
            out.update(q.start for q in inside)
        elif v["weak"].search(whole):  # type: ignore[union-attr]
            out.update(q.start for q in inside if q.cue is None or q.cue in v["weak_cues"])  # type: ignore[operator]
    return out


def _former(text: str, q: Quantity, v: dict[str, object]) -> bool:
    """A value its clause gives as a former one: `used to be 5 minutes`, `(it was 5 minutes before
    2018)` (cues.json `past`)."""
    c0 = max((m.end() for m in re.finditer(r"[,;(]|\bnow\b", text[: q.start])), default=0)
    # (a parenthesis after the value glosses it: `128 MB (previously 3,008 MB)` is today's)
    c1 = next((m.start() for m in re.finditer(r"[,;()]|\bnow\b", text[q.end :])), len(text) - q.end)
    return bool(v["past_before"].search(text[c0 : q.start])  # type: ignore[union-attr]
                or v["past_after"].search(text[q.end : q.end + c1]))  # type: ignore[union-attr]
