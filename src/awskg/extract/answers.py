"""Question cards: how an answer relates to the front it answers.

A Q/A deck or an Anki note has one question (or a statement to judge, or a blank to fill) on its
front and the answer below. That shape says things a line alone does not:

  * a bare value under a question (`90 days`, `7`, `T. Every 5 minutes`) is the answer, so it is
    a limit even with no cue word beside it;
  * a front that asks for a quantity (`How long ...?`, `What is the max ...?`) makes the numbers
    of the answer's first line values, the way a table cell is;
  * a front that states something (`T or F: ...`, `... 3500/second per ____.`) states facts,
    unless the answer's verdict says it is false.

The words are data (`cues.json`, `answers`).
"""

from __future__ import annotations

import re
from functools import cache

from ..model import Card, NoteLine
from ..quantities import Quantity
from ..vocabulary import cues

_BLANK = re.compile(r"_{2,}")
# A bare answer: the value and a few words (`1 role at a time`, `Every 5 minutes`) before the
# first full stop; more than this is a sentence about something.
_BARE_WORDS = 4


@cache
def _vocab() -> dict[str, re.Pattern[str]]:
    spec = cues()["answers"]

    def alt(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    return {
        "true": re.compile(r"^\s*(?:" + alt(spec["true"]) + r")\s*(?:[.,:;!)\-–—]|$)", re.I),
        "false": re.compile(r"^\s*(?:" + alt(spec["false"]) + r")\s*(?:[.,:;!)\-–—]|$)", re.I),
        "judge": re.compile(r"^\s*(?:" + alt(spec["judge_prefixes"]) + r")\s*[:?.-]", re.I),
        "phrase": re.compile(r"\b(?:" + alt(spec["quantity_phrases"]) + r")\b", re.I),
        "noun": re.compile(r"\b(?:" + alt(spec["quantity_nouns"]) + r")\b", re.I),
    }


def verdict(text: str) -> bool | None:
    """True / False when an answer opens with a verdict (`T.`, `False -`, `Yes,`), else None."""
    v = _vocab()
    if v["true"].match(text):
        return True
    if v["false"].match(text):
        return False
    return None


def without_verdict(text: str) -> str:
    v = _vocab()
    for key in ("true", "false"):
        m = v[key].match(text)
        if m:
            return text[m.end() :].lstrip()
    return text


def judged(front: str) -> bool:
    """A statement to judge: `T or F: ...`, `True or False: ...`."""
    return bool(_vocab()["judge"].match(front))


def asks_quantity(front: str) -> bool:
    """The front asks for a value: `How long ...?`, `What is the maximum ...?`, `... = ____ IOPS`."""
    if judged(front):
        return False
    v = _vocab()
    return bool(v["phrase"].search(front) or v["noun"].search(front))


def states(front: str) -> bool:
    """The front is a statement (a blank to fill, a statement to judge), not a question."""
    return judged(front) or bool(_BLANK.search(front)) or "?" not in front


def answer_verdict(card: Card) -> bool | None:
    first = next((ln for ln in card.lines if ln.plain.strip()), None)
    return verdict(first.plain) if first else None


def bare_answer(text: str, quantities: list[Quantity]) -> bool:
    """The line's first sentence is a value and a few words: `90 days`, `T. Every 5 minutes`."""
    body = without_verdict(text)
    offset = len(text) - len(body)
    end = re.search(r"[.;!?](?=\s|$)|\s\(", body)
    stop = offset + (end.start() if end else len(body))
    inside = [q for q in quantities if offset <= q.start < stop]
    if not inside:
        return False
    rest = text[offset:stop]
    for q in sorted(inside, key=lambda q: q.start, reverse=True):
        rest = rest[: q.start - offset] + " " + rest[q.end - offset :]
    return len(re.findall(r"[A-Za-z]+", rest)) <= _BARE_WORDS


def answers_value(card: Card, ln: NoteLine) -> bool:
    """Whether `ln` is where the card's asked-for value stands: the first answer line of a question
    card whose front asks for a quantity."""
    if not card.asks or not card.lines or ln is not card.lines[0]:
        return False
    return asks_quantity(card.front)
