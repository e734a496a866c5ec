"""Quantities in note text: `10,240MB`, `0-15 minutes`, `up to five`, `1,000 ... every 10 seconds`.

`find_quantities(text)` returns each stated limit in a line with its numbers, unit, kind and base
value; `parse_quantity("100MB")` reads one value (the CLI's `--over` / `--under`).

Numbers are read with regular expressions over the text rather than spaCy tokens: the tokenizer
splits `256KB` but not `1ms`, `0-15` but not `3–15`, so token patterns would need a rule per
spelling. The vocabulary (units, number words, cue phrases, not-a-limit words) is data, in
`data/units.json` and `data/cues.json`; this module only holds the grammar.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from .readers.text import pieces
from .vocabulary import count_unit_words, cues, rate_nouns, units

KINDS = ("max", "min", "default", "range", "count", "retention", "rate", "granularity", "other")

# Words that end a counted noun phrase ("5 filters on a ...": the noun is "filters").
_RATE_WORD = re.compile(r"/(s|sec|second|min|h|hour|day)$", re.I)
_STOP = {
    "w/",
    "w/o",
    "of",
    "per",
    "in",
    "to",
    "for",
    "from",
    "on",
    "at",
    "by",
    "with",
    "and",
    "or",
    "the",
    "a",
    "an",
    "is",
    "are",
    "was",
    "be",
    "can",
    "each",
    "that",
    "which",
    "it",
    "you",
    "your",
    "if",
    "when",
    "but",
    "not",
    "no",
    "as",
    "than",
    "into",
    "across",
    "within",
    "before",
    "after",
    "every",
    "including",
    "included",
    "shared",
    "default",
    "max",
    "min",
    "maximum",
    "minimum",
    "total",
    "will",
    "must",
    "may",
    "should",
    "do",
    "does",
    "have",
    "has",
    "get",
    "gets",
    "go",
    "whichever",
    "then",
    "so",
    "up",
    "only",
    "over",
    "under",
    "above",
    "below",
    "between",
    "via",
    "through",
    "plus",
    "minus",
    "while",
    "where",
    "unless",
    "until",
    "depending",
    "based",
    "according",
    "depends",
    "typically",
    "usually",
}


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float | None
    value_max: float | None
    unit: str | None
    dimension: str  # bytes | seconds | percent | count | rate
    base_value: float | None
    base_value_max: float | None
    kind: str
    per: str | None = None
    bound: str | None = None
    noun: str | None = None
    unsure: str | None = None  # why the value may not be what the note meant
    cue: str | None = None  # the words that gave the kind (`up to`, `only`); None: no cue


@dataclass
class _Num:
    start: int
    end: int
    value: float
    word: bool
    range_end: bool = False
    unsure: str | None = None  # why the number may not be what the note meant (`12,500,00`)
    ratio: bool = False  # `50:1`


@dataclass
class _Unit:
    end: int
    unit: str | None  # canonical unit or count noun
    dimension: str
    factor: float
    noun: str | None = None
    compound: bool = False
    attached: bool = False


# --------------------------------------------------------------------------- vocabulary, compiled


@cache
def _unit_table() -> tuple[dict[str, tuple[str, str, float]], re.Pattern[str]]:
    """spelling -> (canonical unit, dimension, factor) and one regex for every spelling."""
    table: dict[str, tuple[str, str, float]] = {}
    for dim, entries in units()["dimensions"].items():
        for canon, entry in entries.items():
            for sp in entry["spellings"]:
                table[sp] = (canon, dim, float(entry["factor"]))
                if sp != "B" and sp not in ("d", "h", "s"):
                    table.setdefault(sp.lower(), (canon, dim, float(entry["factor"])))
    alts = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?:" + "|".join(re.escape(a) for a in alts) + r")(?![A-Za-z0-9_])")
    return table, pattern


@cache
def _time_units() -> dict[str, tuple[str, float]]:
    out = {}
    for canon, entry in units()["dimensions"]["seconds"].items():
        for sp in entry["spellings"]:
            out[sp.lower()] = (canon, float(entry["factor"]))
    return out


@cache
def _number_words() -> tuple[dict[str, float], re.Pattern[str]]:
    words = {k.lower(): float(v) for k, v in units()["number_words"].items()}
    alts = sorted(words, key=len, reverse=True)
    return words, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in alts) + r")\b", re.I)


@cache
def _phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted(phrases, key=len, reverse=True)
    parts = []
    for p in alts:
        body = re.escape(p)
        left = r"(?<![A-Za-z])" if p[:1].isalnum() else ""
        right = r"(?![A-Za-z])" if p[-1:].isalnum() else ""
        parts.append(left + body + right)
    return re.compile("|".join(parts), re.I)


@cache
def _cue_res() -> dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
    out = {}
    for kind, spec in cues()["kinds"].items():
        before = tuple(spec.get("before", []))
        after = tuple(spec.get("after", []))
        out[kind] = (_phrase_re(before) if before else None, _phrase_re(after) if after else None)
    return out


@cache
def _named_kind_res() -> dict[str, re.Pattern[str]]:
    spec = cues().get("named_kinds", {})
    return {kind: _phrase_re(tuple(words)) for kind, words in spec.items() if kind in _KIND_PRIORITY}


def kind_named(words: str) -> str | None:
    """The one kind that `words` (what a limit bounds) names, or None: `max integration timeout`
    -> max, `Default sampling rule` -> default; `default & max timeout` names two, so None."""
    named = {kind for kind, rx in _named_kind_res().items() if rx.search(words)}
    return named.pop() if len(named) == 1 else None


@cache
def _count_verbs_re() -> re.Pattern[str]:
    return _phrase_re(tuple(cues()["count_verbs"]))


@cache
def _trigger_re() -> re.Pattern[str]:
    """Anything that can start a quantity: a digit, a number word, a bound phrase, `by the`, `twice`."""
    words = list(units()["number_words"]) + list(units()["times_words"])
    words += ["by the", "up to a", "once", "every"]
    words += [p for phrases in cues()["bounds"].values() for p in phrases]
    alts = sorted({w.lower() for w in words}, key=len, reverse=True)
    return re.compile(r"\d|\b(?:" + "|".join(re.escape(a) for a in alts) + r")\b", re.I)


@cache
def _times_verbs_re() -> re.Pattern[str]:
    return _phrase_re(tuple(cues()["times_verbs"]["words"]))


@cache
def _of_nouns_re() -> re.Pattern[str]:
    nouns = sorted(cues().get("of_nouns", []), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(x) for x in nouns) + r")\s+of\s+$", re.I)


@cache
def _bounds() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, _phrase_re(tuple(ph))) for name, ph in cues()["bounds"].items()]


def states_bound(text: str) -> bool:
    """Whether `text` states a bound without a number (`unlimited`, `forever`)."""
    return any(rx.search(text) for _name, rx in _bounds())


@cache
def _not_before() -> frozenset[str]:
    return frozenset(w.lower() for w in cues()["not_limit_before"])


@cache
def _label_words() -> frozenset[str]:
    return frozenset(w.lower() for w in cues()["label_words"]["words"])


def is_unit(word: str) -> bool:
    """`days`, `MB`, `ms`: a spelling of a unit."""
    table, _ = _unit_table()
    return word in table or word.lower() in table


def is_counted_unit(word: str) -> bool:
    """`IOPS`, `RCUs`: a noun that is a unit by itself."""
    return word.lower() in _count_units()


def kind_cue_only(words: str) -> bool:
    """Whether `words` are only cues of a kind (`max`, `up to`, `default`), nothing they bound."""
    rest = words
    for kind in _KIND_PRIORITY:
        before, _after = _cue_res()[kind]
        if before:
            rest = before.sub(" ", rest)
    return not re.search(r"[A-Za-z]{2,}", rest)


def is_label_word(word: str) -> bool:
    """`Layer`, `RAID`, `Test`: a word that a number after it turns into a name."""
    return word.strip().lower() in _label_words()


@cache
def _not_after() -> tuple[str, ...]:
    return tuple(w.lower() for w in cues()["not_limit_after"])


# Digit groups, malformed ones kept whole (`12,500,00` is one number the note mistyped, not two),
# and a bare decimal (`.5 GB`).
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:,\d{1,2}(?![\d]))?(?:\.\d+)?|\d+(?:\.\d+)?|(?<![\w.])\.\d+")
_MALFORMED = re.compile(r"\d{1,3}(?:,\d{3})+,\d{1,2}")
_PER_TIME = re.compile(r"\s*/\s*(s|sec|second|min|minute|h|hr|hour|day)\b", re.I)
_GLUED_NOUN = re.compile(r"(?:[a-z]?[A-Z]{2,}|[A-Z][a-z]+[A-Z]+)s?(?![A-Za-z0-9])")
_ROUND_PLURAL = re.compile(r"s(?=\s+(?:of\b|[A-Za-z]))")
# What may stand between two values of one list: a separator, or a word or two of the value before
# and then a separator (`10,000 RPS steady-state, 5,000 burst`).
# Words before a number that rule it out whatever its unit (`per 10,000 calls`, `assuming 16 KiB`).
_GUARDS_ANY_UNIT = ("per", "version", "assuming")
_ONCE_PER = re.compile(r"\bonce\s+(?:a|an|per|every|each)\s+(second|minute|hour|day|week|month|year)\b",
                       re.I)
# Terse notes' `every yr`, `every sec`; in prose `rotate every year` tells how, not a limit.
_EVERY_UNIT = re.compile(r"\bevery\s+(sec|min|hr|yr)\b", re.I)
_BOUND_RIGHT_BEFORE = re.compile(
    r"\b(?:more than|less than|fewer than|greater than|up to|at most|at least|no more than|maximum of|max)"
    r"\s+$",
    re.I,
)
# `0s-12h`: a value with its unit glued on, just before a dash (the dash opens a range's other end).
_GLUED_VALUE_BEFORE = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?(?:s|ms|sec|secs|min|mins|h|hr|hrs|d|day|days|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"
)
_LARGEST = 1e300
_PIECE = 20_000  # characters of one line read at once (clauses are bounded well below it)
_VALUE_BEFORE = re.compile(r"\d[\w/%]*(?:\s+[A-Za-z]+)?\s*$")
_ABOVE = {"more than", "greater than", "longer than", "over", "above", "larger than"}
_NEGATION = re.compile(r"\b(?:cannot|can't|can’t|can not|not|never|no|won't|mustn't|must not)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|never|isn't|isn’t|aren't|aren’t)\s*[(\s]*$", re.I)
_TIME_WORD = re.compile(r"(?:second|sec|s|minute|min|hour|hr|h|day)s?", re.I)
_DISCOUNT = re.compile(r"\s*(?:off|discount|cheaper|savings?|less expensive)\b", re.I)
_BILLING_UNIT = re.compile(r"-(?:month|mo|hour|hr|second)s?\b", re.I)
# `1/2 RCU`: a half, not a date or a path.
_FRACTION = re.compile(r"(?<![\w./])([1-3])/([2-4])(?![\w/])|[½¼¾]")
_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75}
# Words that end a counted noun because they say what kind of value it is (`40k WCU limit`).
_PARTICIPLE = re.compile(r"[a-z]{3,}ed", re.I)
_VERB_NEXT = re.compile(
    r"\s+(?:is|are|was|were|will|can|could|would|should|may|might|gets?|got|has|have|had|do|does|did)\b"
    r"|\s*=(?!>)",
    re.I,
)
_NOUN_END = {"limit", "limits", "max", "maximum", "min", "minimum", "default", "cap", "quota"}
_LIST_JOIN = re.compile(
    r"(?:\s+per\s+[A-Za-z][\w/-]*(?:\s+[A-Za-z][\w/-]*)?)?"  # (`300 msg/s per API action, 3,000 ...`)
    r"(?:\s+[A-Za-z][\w/-]*){0,2}\s*(?:[,/&(|]|\band\b|\bor\b)\s*(?:\b(?:and|or|and/or)\b)?\s*(?:up to\s+)?"
    # (`10,000 rps, burst 5,000`, `item 400KB | GSI 20`: a label word opening the next item)
    r"(?:(?<=[,;|] )(?!(?:then|so|but|with|without|for|to|in|on|at|of|the|an?|is|are|was|were|only|just|"
    r"about|around|over|under|than|per|each|every|all|any|some|its?)\b)[a-z][a-z-]+\s+)?"
    r"|\s*(?:[,/&(]\s*)?(?:\b(?:and|or|and/or)\b)?\s*(?:up to\s+)?",
    re.I,
)
_ROUND = {10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0}
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|<br>|\n")
_CLAUSE_END = re.compile(r"[.!?;,](?=\s|$)|<br>|\n|[()]| \+ | but | whereas | while |\bthen\b")
_WORD = re.compile(r"[A-Za-z][\w/.'’-]*")
_KIND_PRIORITY = ("granularity", "retention", "default", "min", "max", "rate")
_RATE_DEN = {"second": "s", "sec": "s", "s": "s", "minute": "min", "min": "min"}
_RATE_DEN |= {"hour": "h", "hr": "h", "h": "h", "day": "day"}


# --------------------------------------------------------------------------- public API


def to_base(value: float | None, unit: str | None) -> tuple[str, float | None]:
    """(dimension, value in base units) for a value and a unit spelling; other units are counts."""
    if value is None:
        return "count", None
    table, _ = _unit_table()
    hit = table.get(unit or "") or table.get((unit or "").lower())
    if hit:
        return hit[1], value * hit[2]
    return "count", float(value)


def parse_quantity(text: str) -> tuple[float, str, str]:
    """`"100MB"` -> (104857600.0, "bytes", "MB"); `"1 minute"` -> (60.0, "seconds", "min").

    Raises ValueError on anything that is not one number with an optional unit."""
    m = re.fullmatch(r"\s*(\d[\d,]*(?:\.\d+)?)\s*([A-Za-z%]*)\s*", text or "")
    if not m:
        raise ValueError(f"not a quantity: {text!r} (try 100MB, 15 minutes, 5)")
    value = float(m.group(1).replace(",", ""))
    unit = m.group(2)
    if not unit:
        return value, "count", ""
    table, _ = _unit_table()
    hit = table.get(unit) or table.get(unit.lower())
    if not hit:
        raise ValueError(f"unknown unit {unit!r} in {text!r}")
    canon, dim, factor = hit
    return value * factor, dim, canon


def find_quantities(
    text: str,
    masks: tuple[tuple[int, int], ...] | list[tuple[int, int]] = (),
    *,
    start: int = 0,
    table: bool = False,
) -> list[Quantity]:
    """Every limit stated in `text` from offset `start` on, skipping the `masks` spans.

    `table=True` reads a table cell, where a bare count ("5,000 requests") is a quota by position.
    """
    if not text:
        return []
    if len(text) > _PIECE:
        # A pasted dump on one line: read in pieces cut after whitespace, offsets kept.
        return _in_pieces(text, tuple(masks), start, table)
    if not _trigger_re().search(text):
        return []  # most note lines state no quantity: one cheap scan decides
    masks = tuple(sorted(masks))
    nums = [n for n in _numbers(text) if n.start >= start and not _masked(n.start, n.end, masks)]
    units_after = [_unit_after(text, n) for n in nums]
    out: list[Quantity] = []
    used: set[int] = set()
    period_of: dict[int, str] = {}

    # "every 10 seconds" is the period of a count in the same sentence, not a limit of its own.
    for i, n in enumerate(nums):
        u = units_after[i]
        if u.dimension != "seconds":
            continue
        before = text[max(0, n.start - 7) : n.start].lower()
        if not re.search(r"\b(?:every|per)\s+$", before):
            continue
        s0, s1 = _sentence(text, n.start)
        # `1,000 instances every 10 seconds`: a count right before the period is its rate, cue or
        # not; a count further off in the sentence needs words that make it a limit.
        counts = [
            j
            for j, m in enumerate(nums)
            if j != i
            and s0 <= m.start < s1
            and units_after[j].dimension == "count"
            and (
                re.fullmatch(r"\s*(?:every|per)\s*", text[units_after[j].end : n.start], re.I)
                or _count_ok(text, m, units_after[j], table)
            )
        ]
        if counts:
            j = min(counts, key=lambda j: abs(nums[j].start - n.start))
            period_of[j] = f"{_fmt(n.value)} {u.unit}"
            used.add(i)

    i = 0
    while i < len(nums):
        if i in used:
            i += 1
            continue
        n, u = nums[i], units_after[i]
        rng = _range_at(text, nums, units_after, i) if i + 1 < len(nums) and i + 1 not in used else None
        if rng:
            q = rng
            i += 2
        else:
            # `80k IOPS per instance and 64k vol`: a number listed after a limit is one too.
            listed = bool(out) and _listed_after(text, out[-1], n)
            q = None if n.range_end else _single(text, n, u, table or listed, period_of.get(i))
            i += 1
        if q is None:
            continue
        if _guarded(text, q):
            continue
        if _restates(out, q, text):
            continue
        if out:
            q = _inherit_unit(text, out[-1], q)
        out.append(q)
    out.extend(_special(text, masks, start, out))
    out.extend(_bound_phrases(text, masks, start, out))
    out.sort(key=lambda q: q.start)
    # A value whose base units overflow (`1e305 TB`) cannot be compared or written as JSON.
    return [q for q in out if all(v is None or abs(v) < _LARGEST for v in (q.base_value, q.base_value_max))]


# --------------------------------------------------------------------------- numbers and units


def _in_pieces(text: str, masks: tuple[tuple[int, int], ...], start: int, table: bool) -> list[Quantity]:
    out: list[Quantity] = []
    for pos, end in pieces(text, _PIECE):
        piece_masks = [(max(0, s - pos), e - pos) for s, e in masks if e > pos and s < end]
        for q in find_quantities(text[pos:end], piece_masks, start=max(0, start - pos), table=table):
            out.append(replace(q, start=q.start + pos, end=q.end + pos))
    return out


def _numbers(text: str) -> list[_Num]:
    found: list[_Num] = []
    for m in _DIGITS.finditer(text):
        s, e = m.start(), m.end()
        prev = text[s - 1] if s else " "
        prev2 = text[s - 2] if s > 1 else " "
        if (prev.isalnum() or prev in "_$€£#.:=") and not (prev2 == "." and prev == "."):
            continue  # (`128MB..10GB`: the dots join a range)
        if prev == "/" and re.search(r"\d{1,3}(?:\.\d{1,3}){3}/$", text[max(0, s - 16) : s]):
            continue  # the prefix length of a CIDR block (`172.31.0.0/16`)
        glued_unit = prev in "-–" and _GLUED_VALUE_BEFORE.search(text[: s - 1])
        if prev in "-/" and prev2.isalpha() and not _scaled_at(text, s - 2) and not glued_unit:
            continue
        run = s
        while run > s - 24 and run and (text[run - 1].isdigit() or text[run - 1] in ",.-–"):
            run -= 1
        if run < s and text[run] in "-–" and run and text[run - 1].isalpha():
            if not _scaled_at(text, run - 1) and not glued_unit:
                continue  # "Serverless-2016-10-31", "us-west-2": part of a name
        chain = re.match(r"[\d,.]*(?:[-–][\d,.]+)*", text[run : run + 48])
        if chain and len(re.findall(r"[-–]", chain.group())) >= 2:
            continue  # dates such as 2025-08-04
        range_end = prev in "-–—" and (prev2.isdigit() or _scaled_at(text, s - 2) or bool(glued_unit))
        nxt = text[e : e + 3]
        ratio = re.match(r":1(?![\d.:])", text[e:])
        if re.match(r"[.:]\d", nxt) and not ratio or re.match(r"-\d{2}-", text[e : e + 4]):
            continue  # versions, times of day, dates
        raw = m.group()
        if (s == 0 or text[:s].strip() == "") and re.match(r"[.)]\s", nxt) and len(raw) <= 2:
            continue  # list numbering: "1. ..." / "2) ..."
        value = float(raw.replace(",", ""))
        if not value < _LARGEST:
            continue  # a number no float holds (`1` and 400 zeros) states nothing awskg can compare
        unsure = None
        if _MALFORMED.fullmatch(raw):
            unsure = f"the digit groups of {raw} are malformed; read as {_fmt(value)}"
        scale = re.match(r"([kKM])(?![A-Za-z0-9])", text[e:]) or re.match(
            r"\s+(thousand|million|billion)\b", text[e:], re.I
        )
        if scale:
            value *= units()["scales"][scale.group(1).lower() if scale.group(1) != "M" else "million"]
            e += scale.end()
        if ratio:
            e += ratio.end()
        found.append(_Num(s, e, _clean(value), False, range_end, unsure=unsure, ratio=bool(ratio)))
    for m in _FRACTION.finditer(text):
        value = _VULGAR.get(m.group()) or int(m.group(1)) / int(m.group(2))
        found.append(_Num(m.start(), m.end(), _clean(value), False))
    words, wre = _number_words()
    for m in wre.finditer(text):
        found.append(_Num(m.start(), m.end(), words[m.group().lower()], True))
    found.sort(key=lambda n: (n.start, -n.end))
    dedup: list[_Num] = []
    for n in found:
        if dedup and n.start < dedup[-1].end:
            continue
        dedup.append(n)
    return dedup


def _scaled_at(text: str, i: int) -> bool:
    """`3K-16K`: the letter at i is the scale suffix of a number, not part of a name."""
    return i > 0 and text[i] in "kKM" and text[i - 1].isdigit()


def _unit_after(text: str, n: _Num) -> _Unit:
    table, unit_re = _unit_table()
    pos = n.end
    if n.ratio:
        # `50:1 IOPS to GiB Ratio`: the ratio's two sides name its unit.
        sides = re.match(r"\s+([A-Za-z][\w/]*)\s+(?:to|per)\s+([A-Za-z][\w]*)\b", text[pos:])
        if sides:
            a, b = sides.group(1), table.get(sides.group(2), (sides.group(2),))[0]
            return _Unit(pos + sides.end(), f"{a}/{b}", "rate", 1.0, compound=True)
        return _Unit(pos, "ratio", "count", 1.0, compound=True)
    m = re.match(r"(\s|-|\u00a0)?", text[pos:])
    gap = m.group() if m else ""
    if _ROUND_PLURAL.match(text, pos) and n.value in _ROUND and not n.word:
        return _Unit(pos, None, "invalid", 1.0)  # `100s of volumes`, `1000s GB/s`: many, not a value
    um = unit_re.match(text, pos + len(gap))
    if um and not (n.word and gap == ""):
        sp = um.group()
        canon, dim, factor = table.get(sp) or table[sp.lower()]
        end = um.end()
        # "1 MB/s", "10 MB per second": a byte rate is its own unit ("MB/s").
        rm = re.match(r"\s*(?:/|per\s+)(s|sec|second)\b", text[end:], re.I)
        if rm and dim == "bytes":
            return _Unit(end + rm.end(), f"{canon}/s", "rate", factor, compound=True, attached=gap == "")
        return _Unit(end, canon, dim, factor, attached=gap == "")
    per_time = _PER_TIME.match(text, pos)
    if per_time:
        # `3500/second`, `5500/s`: a count per unit of time with no noun.
        return _Unit(per_time.end(), f"/{_RATE_DEN[per_time.group(1).lower()]}", "rate", 1.0, compound=True)
    glued = _GLUED_NOUN.match(text, pos)
    if glued and set(glued.group().upper()) - {"X"}:
        # `2RCU`, `3k WCU` glued: an acronym written against its number is the counted noun.
        word = glued.group()
        rate = _rate_noun(word)
        if rate:
            return _Unit(glued.end(), rate, "rate", 1.0, noun=word, compound=True)
        return _Unit(glued.end(), word.lower(), "count", 1.0, noun=word)
    context_unit = _glued_in_context(text, pos)
    if context_unit:
        canon, dim, factor = table[context_unit]
        return _Unit(pos + 1, canon, dim, factor, attached=True)
    if re.match(r"[A-Za-z]", text[pos : pos + 1]):
        return _Unit(pos, None, "invalid", 1.0)  # "5xx", "2nd", "3D": not a quantity
    # A counted noun: up to four words, its head is the last one ("read replicas" -> replicas).
    words = []
    p = pos
    while len(words) < 4:
        wm = re.match(r"[ \u00a0]+([A-Za-z][\w/'’-]*)", text[p:])
        if not wm or wm.group(1).lower() in _STOP or (words and wm.group(1).lower() in _NOUN_END):
            break
        if _PARTICIPLE.fullmatch(wm.group(1)) and (
            words or not re.match(r"[ \u00a0]+[A-Za-z]", text[p + wm.end() :])
        ):
            # `5,400,000 IOPS allocated`, `3,000 batched`: a participle after the noun, or with
            # none after it, says what happens to the count (`5 provisioned IOPS` keeps its noun).
            break
        words.append(wm.group(1))
        p += wm.end()
        if _RATE_WORD.search(wm.group(1)) or _rate_noun(wm.group(1)):
            break  # `300 msg/s without batching`: the rate ends the noun
        if wm.group(1).lower() in _count_units():
            break  # `3,000 IOPS baseline`: a unit by itself ends the noun too
    if not words:
        return _Unit(pos, None, "count", 1.0)
    noun = " ".join(words)
    head = words[-1].rstrip(".'’")
    rate = _rate_noun(head)
    if rate:
        return _Unit(p, rate, "rate", 1.0, noun=noun, compound=True)
    if "/" in head and _RATE_WORD.search(head):
        return _Unit(p, _rate_unit(head), "rate", 1.0, noun=noun, compound=True)
    if re.fullmatch(r"[A-Za-z]+/[A-Za-z]+", head) and not head.lower().startswith("w/"):
        # `3 IOPS/GiB`, `7 partitions/AZ`: a count per something is a ratio the notes state.
        return _Unit(p, head, "count", 1.0, noun=noun, compound=True)
    per_time = _PER_TIME.match(text, p)
    if per_time:
        # `3000 msgs / second`: the noun, then a spaced slash and a unit of time.
        den = _RATE_DEN[per_time.group(1).lower()]
        return _Unit(per_time.end(), f"{head.lower()}/{den}", "rate", 1.0, noun=noun, compound=True)
    return _Unit(p, head.lower(), "count", 1.0, noun=noun)


@cache
def _glued_contexts() -> dict[str, tuple[str, re.Pattern[str]]]:
    spec = {k: v for k, v in units().get("glued_in_context", {}).items() if k != "comment"}
    return {letter: (v["unit"], _phrase_re(tuple(v["context"]))) for letter, v in spec.items()}


def _glued_in_context(text: str, pos: int) -> str | None:
    """The unit of a letter written against a number that is a unit only in context
    (units.json `glued_in_context`): `timeout 15m` -> min."""
    letter = text[pos : pos + 1]
    found = _glued_contexts().get(letter)
    if not found or re.match(r"[\w]", text[pos + 1 : pos + 2]):
        return None
    s0, s1 = _sentence(text, pos)
    return found[0] if found[1].search(text[s0:s1]) else None


_count_units = count_unit_words  # (vocabulary.py: read once for extraction and search)
_rate_nouns = rate_nouns


def _rate_noun(word: str) -> str | None:
    """`RPS` -> requests/s: a noun that is itself a rate."""
    return _rate_nouns().get(word.lower().rstrip(".,;:"))


def _rate_unit(head: str) -> str:
    num, _, den = head.partition("/")
    den = {"sec": "s", "second": "s", "hour": "h"}.get(den.lower(), den.lower())
    num = {"req": "requests"}.get(num.lower(), num.lower())
    return f"{num}/{den}"


# --------------------------------------------------------------------------- one quantity


# An acronym or a capitalised name right before a number: `SAML 2.0` is a version, not a count.
_VERSION_BEFORE = re.compile(r"\b(?:[A-Z]{2,}[a-z]?|[A-Z][a-z]+[A-Z]\w*)\s+$")


def _single(text: str, n: _Num, u: _Unit, table: bool, period: str | None) -> Quantity | None:
    if u.dimension == "invalid":
        return None
    if u.dimension == "count" and not u.noun and n.value == 0:
        return None  # `0 (no retention)`: zero of nothing is no limit
    if n.word and u.dimension == "count" and not u.noun and not _BOUND_RIGHT_BEFORE.search(text[: n.start]):
        return None  # `one`, `two` alone are words; `more than two`, `up to five` are bounds
    end = u.end
    per = None
    pm = re.match(
        r"\s+per\s+((?:[A-Za-z][\w-]*)(?:\s+(?!(?:" + "|".join(_STOP) + r")\b)[A-Za-z][\w-]*){0,2})",
        text[end:],
    )
    if pm and (u.dimension != "rate" or not _TIME_WORD.fullmatch(pm.group(1).split()[0])):
        # `2,375 MB/s per instance`: a rate per something other than time keeps what it is per.
        per = pm.group(1)
        end += pm.end()
    if period:
        per = period
    if u.dimension == "count":
        if not _count_ok(text, n, u, table) and not per and not period:
            return None
        if n.value >= 1900 and n.value <= 2100 and not n.word and not u.noun:
            return None  # a year
        decimal = re.fullmatch(r"\d+\.\d+", text[n.start : n.end])
        version = decimal and _VERSION_BEFORE.search(text, 0, n.start)
        if version and not is_unit(version.group().strip()):
            return None  # `SAML 2.0`, `TLS 1.2`: a version of what the acronym names
    dim = u.dimension
    base = n.value * u.factor if dim in ("bytes", "seconds", "percent", "rate") else n.value
    if dim == "rate" and not u.compound:
        dim = "count"
    kind, cue = _kind_cue(text, n.start, end, u)
    if period or (dim == "rate"):
        kind = "rate" if kind in ("count", "other", "max", "rate") else kind
    if per and dim == "count" and kind == "other":
        kind = "max"
    unit = u.unit
    if u.dimension == "count" and per and re.fullmatch(r"(second|sec|minute|min|hour|day)", per, re.I):
        # `1,000 requests per second` is a rate: requests/s (a byte or time value keeps its unit,
        # `3600 seconds per clock hour`, with the period in `per`).
        unit = f"{u.unit or 'count'}/{_RATE_DEN[per.lower()]}"
        dim, per = "rate", None
        kind = "rate" if kind in ("count", "other") else kind
    return Quantity(
        start=n.start,
        end=u.end,
        text=text[n.start : u.end],
        value=n.value,
        value_max=None,
        unit=unit,
        dimension=dim,
        base_value=base,
        base_value_max=None,
        kind=kind,
        per=per,
        noun=u.noun,
        unsure=n.unsure,
        cue=cue,
    )


def _count_ok(text: str, n: _Num, u: _Unit, table: bool) -> bool:
    """A bare count is a limit only when the words say so: a bound cue in its clause, a verb of
    having just before it, a `per` after it, or a table cell."""
    if table and not n.word:
        return True
    if u.compound or (u.noun and u.unit in _count_units() and not n.word):
        return True
    if u.noun and not n.word and not text[: n.start].strip(" \t*-•+>") and not _VERB_NEXT.match(text, u.end):
        # Terse notes open a line with what they count (`20 read replicas - same region`); a
        # sentence that goes on with a verb (`1 instance is added`) tells what happens.
        return True
    c0, _ = _clause(text, n.start)
    if n.word:
        # "one", "a single": only a cue right before it makes a word a count ("up to five layers");
        # a cue earlier in the clause belongs to another number ("up to 5 filters on a single ...").
        c0 = max(c0, text.rfind(" ", 0, max(0, text.rfind(" ", 0, n.start - 1))) + 1)
        c0 = max(c0, n.start - 14)
    left = text[c0 : n.start]
    for kind in ("max", "min", "default", "retention"):
        before, _after = _cue_res()[kind]
        if before and before.search(left):
            return True
    right = text[u.end : u.end + 30]
    for kind in ("max", "min", "default"):
        _before, after = _cue_res()[kind]
        if after and after.match(right.lstrip(" (")) and not n.word:
            return True
    near = text[max(c0, n.start - 40) : n.start]
    vm = list(_count_verbs_re().finditer(near))
    if vm:
        gap = near[vm[-1].end() :].split()
        if len(gap) <= 3:
            return True
    if re.match(r"\s+per\s+\w", text[u.end :]):
        return True
    can_do = re.search(r"\b(?:can|could|will)\s+(?:only\s+)?[a-z]+\s+(?:up to\s+)?$", text[c0 : n.start])
    if can_do and u.noun and not n.word:
        return True  # `tasks can move 50 million files`: what something can do, counted
    of = re.match(r"\s+of\s+([A-Za-z]+)", text[u.end :])
    if of and u.noun and _of_nouns_re().search(f"{of.group(1)} of "):
        return True  # `the remaining 100 units of concurrency`: units of something that is bounded
    # `a burst of 5,000 requests`, `a concurrency limit of 1,000`: the noun before says what it is.
    if _of_nouns_re().search(text[max(c0, n.start - 40) : n.start]):
        return True
    return False


def _kind(text: str, start: int, end: int, u: _Unit) -> str:
    return _kind_cue(text, start, end, u)[0]


# A value, then a verb that says something new of it: a cue before them is that value's.
_NEW_PREDICATE = re.compile(r"\d[^\d]*?\b(?:can|could|may|but|while|whereas|raised|increased|extended|"
                            r"configured|adjusted|changed)\b")


def _kind_cue(text: str, start: int, end: int, u: _Unit) -> tuple[str, str | None]:
    """The kind of the value at start..end and the cue phrase that says so (None: no cue)."""
    c0, c1 = _clause(text, start)
    left = text[c0:start]
    right = text[end : min(c1 + 1, end + 40)].lstrip(" (")
    found: dict[str, int] = {}
    spans: list[tuple[str, int, int]] = []
    cue_text: dict[str, str] = {}
    for kind in _KIND_PRIORITY:
        before, after = _cue_res()[kind]
        am = after.match(right) if after else None
        if am:
            found[kind] = 0
            cue_text[kind] = am.group().lower()
        if before:
            spans += [(kind, m.start(), m.end()) for m in before.finditer(left)]
    # "no more than" holds "more than": a cue inside a longer cue is not a cue of its own.
    for kind, s0, e0 in spans:
        if any(s1 <= s0 and e0 <= e1 and (e1 - s1) > (e0 - s0) for _k, s1, e1 in spans):
            continue
        if found and _VALUE_BEFORE.search(left[:s0]):
            continue  # `0 seconds minimum and 12 hours maximum`: `minimum` is the 0's, after it
        if _NEW_PREDICATE.search(left, e0):
            continue  # `defaults to 30 seconds and can be raised to a maximum of`: the 30's cue
        if kind not in found:
            found[kind] = len(left) - e0
            cue_text[kind] = left[s0:e0].lower()
    if found:
        for kind in _KIND_PRIORITY:
            if kind in found:
                cue = cue_text.get(kind)
                if kind == "min" and cue in _ABOVE and _NEGATION.search(left[: max(0, len(left) - len(cue))]):
                    return "max", cue  # `cannot split into more than two`: no more than, a maximum
                return kind, cue
    if u.dimension == "count":
        return "count", None
    if u.dimension == "bytes":
        return "max", None
    return "other", None


# --------------------------------------------------------------------------- ranges


def _range_at(text: str, nums: list[_Num], us: list[_Unit], i: int) -> Quantity | None:
    a, b = nums[i], nums[i + 1]
    ua, ub = us[i], us[i + 1]
    if ub.dimension == "invalid" or ua.dimension == "invalid":
        return None
    a_has_unit = ua.dimension in ("bytes", "seconds", "percent")
    between = text[(ua.end if a_has_unit else a.end) : b.start]
    # `0 (no retention) up to 10 years`: a parenthesis after the low end glosses it.
    between = re.sub(r"^\s*\([^()]{1,40}\)(?=\s)", "", between)
    lead = text[max(0, a.start - 40) : a.start].lower()
    # `bias (-99 to +99)`, `temperature -40 to 85 C`: a minus glued to the low end after a word or
    # an opening parenthesis signs it (at the start of a line it is a bullet).
    signed = bool(re.search(r"(?:\(|\w[ \t]+|[:=][ \t]*)[-−]$", lead)) and bool(
        re.fullmatch(r"\s+to\s+\+?", between))
    kind = "range"
    if re.fullmatch(r"\s*(?:[-–—]|\.\.\.?|…)\s*", between) or re.fullmatch(r"\s+to\s+\+?", between):
        pass  # `128MB..10GB` too: the range of a language's literals
    elif re.fullmatch(r"\s+and\s+", between) and re.search(r"\b(between|from)\s+$", lead):
        pass
    elif re.fullmatch(r"\s+up to\s+", between) and (re.search(r"\bfrom\s+$", lead) or a.value == 0):
        pass  # `from 1 up to 5`, `0 up to 10 years`
    elif re.fullmatch(r"\s*(?:->|→|⟶)\s*", between) and a_has_unit and ub.dimension == ua.dimension:
        pass  # `60 seconds → 14 days`: two values of one dimension
    elif re.fullmatch(r"\s+or\s+", between) and not a_has_unit and (
        ub.dimension in ("seconds", "bytes") or ub.noun and a.value < b.value and not a.word
    ):
        kind = "other"  # `1 or 3 years`, `0 or 1 public IPv4 address`
    else:
        return None
    if a.word != b.word and kind == "range" and not re.search(r"\b(between|from)\s+$", lead):
        return None
    if ub.dimension == "count" and not ub.noun and not re.search(r"\b(between|from)\s+$", lead):
        # `vCPU: 0.25 to 16`: a term whose definition is the range itself.
        if not re.fullmatch(r"\s*[-–—]\s*", between) and not re.search(r":\s*$", lead):
            return None
    # Units: a shared trailing unit ("0-15 minutes"), or one each ("3 seconds to 15 minutes").
    if a_has_unit and ub.dimension == ua.dimension:
        fa, fb = ua.factor, ub.factor
        unit, factor = (ua.unit, fa) if fa <= fb else (ub.unit, fb)
        va, vb = a.value * fa / factor, b.value * fb / factor
    elif not a_has_unit and ua.dimension != "invalid":
        unit, factor = ub.unit, ub.factor
        va, vb = a.value, b.value
    else:
        return None
    if signed:
        va = -va
    if vb < va:
        return None
    dim = ub.dimension if ub.dimension != "rate" or ub.compound else "count"
    base = (va * factor, vb * factor) if dim in ("bytes", "seconds", "percent", "rate") else (va, vb)
    if kind == "range":
        gk = _kind(text, ub.end, ub.end, ub)
        if gk == "granularity":
            kind = "range"
    return Quantity(
        start=a.start,
        end=ub.end,
        text=text[a.start : ub.end],
        value=_clean(va),
        value_max=_clean(vb),
        unit=unit,
        dimension=dim,
        base_value=base[0],
        base_value_max=base[1],
        kind=kind,
        noun=ub.noun,
        unsure=a.unsure or b.unsure,
    )


# --------------------------------------------------------------------------- phrases without digits


def _special(text: str, masks, start: int, have: list[Quantity]) -> list[Quantity]:
    out: list[Quantity] = []
    times = units()["times_words"]
    tu = _time_units()
    # "by the second" / "by the hour": billing granularity of one unit.
    for m in re.finditer(r"\bby the (second|minute|hour|day)\b", text, re.I):
        canon, factor = tu[m.group(1).lower()]
        out.append(
            Quantity(m.start(), m.end(), m.group(), 1.0, None, canon, "seconds", factor, None, "granularity")
        )
    # "retries ... twice": a count of times, beside a verb of trying again.
    for m in re.finditer(r"\b(" + "|".join(times) + r")\b(?!\s+as\b)", text, re.I):
        c0, c1 = _clause(text, m.start())
        if not _times_verbs_re().search(text[c0:c1]):
            continue
        out.append(
            Quantity(
                m.start(),
                m.end(),
                m.group(),
                float(times[m.group(1).lower()]),
                None,
                "times",
                "count",
                float(times[m.group(1).lower()]),
                None,
                "count",
            )
        )
    # "once per day": one time in each period.
    for m in _ONCE_PER.finditer(text):
        capped = re.search(r"\b(?:only|at most|max)\s+(?:\w+\s+){0,3}$", text[: m.start()], re.I)
        per = m.group(1).lower()
        q = Quantity(m.start(), m.end(), m.group(), 1.0, None, "times", "count", 1.0, None, "rate", per=per)
        out.append(replace(q, kind="max") if capped else q)
    # "every sec", "every yr": a period of one unit.
    for m in _EVERY_UNIT.finditer(text):
        canon, factor = tu[m.group(1).lower()]
        s = m.start(1)
        out.append(Quantity(s, m.end(), m.group(1), 1.0, None, canon, "seconds", factor, None, "other"))
    # "up to a year": an article as the number one, only after an upper-bound cue.
    for m in re.finditer(r"\bup to (a|an) (year|month|week|day|hour|minute|second)\b", text, re.I):
        canon, factor = tu[m.group(2).lower()]
        s = m.start(1)
        out.append(Quantity(s, m.end(), text[s : m.end()], 1.0, None, canon, "seconds", factor, None, "max"))
    return [
        q
        for q in out
        if q.start >= start
        and not _masked(q.start, q.end, masks)
        and not any(h.start <= q.start < h.end or q.start <= h.start < q.end for h in have)
    ]


def _bound_phrases(text: str, masks, start: int, have: list[Quantity]) -> list[Quantity]:
    out: list[Quantity] = []
    for name, rx in _bounds():
        for m in rx.finditer(text):
            if m.start() < start or _masked(m.start(), m.end(), masks):
                continue
            if any(q.start <= m.start() < q.end or m.start() <= q.start < m.end() for q in have + out):
                continue
            if _NEGATED.search(text[max(0, m.start() - 25) : m.start()]):
                continue  # `(3,000 with batching, not unlimited)`: the bound the note rules out
            kind = "retention" if name == "forever" else "max"
            out.append(
                Quantity(
                    m.start(), m.end(), m.group(), None, None, None, "count", None, None, kind, bound=name
                )
            )
    return out


# --------------------------------------------------------------------------- guards and helpers


def _guarded(text: str, q: Quantity) -> bool:
    """Numbers that are not limits: ports, HTTP codes, versions, denominators ("per 10,000 calls")."""
    before = text[max(0, q.start - 25) : q.start]
    words = re.findall(r"[A-Za-z][A-Za-z.#]*|#", before)
    if words and words[-1].lower().rstrip(".") in _not_before() | {w.rstrip(".") for w in _not_before()}:
        if q.dimension not in ("bytes", "seconds", "percent") or words[-1].lower() in _GUARDS_ANY_UNIT:
            return True
    bare = q.dimension == "count" and not q.noun and q.unit is None
    if bare and re.search(r"\b(?:a|an)\s+$", before, re.I):
        return True  # `gives a 504`: a code or name, since a value takes no article
    label = re.search(r"([A-Za-z]+) $", before)
    if label and label.group(1).lower() in _label_words() and q.dimension == "count" and not q.noun:
        return True  # `Layer 7`, `RAID 10`, `Test 1`: a name with a number in it
    if q.dimension == "count" and re.match(r"\s*=(?![>=])", text[q.end :]):
        return True  # `1 RCU = 1 read/s of 4 KB`: the unit a definition defines, not a value
    if _NEGATED.search(before):
        return True  # `Indefinite by default (not 7 days)`: the value the note rules out
    if q.dimension == "percent" and _DISCOUNT.match(text, q.end):
        return True  # `up to 75% off on-demand`: a price, not a limit
    if _BILLING_UNIT.match(text, q.end):
        return True  # `10 GB-month`, `instance-hours`: a billed amount, not a limit
    after = text[q.end : q.end + 12].lower().lstrip()
    if q.dimension == "count" and any(after.startswith(w) for w in _not_after()):
        return True
    if q.dimension == "count" and re.match(r"\s*(?:error|status|response)", text[q.end : q.end + 12], re.I):
        return True
    return False


def _restates(have: list[Quantity], q: Quantity, text: str) -> bool:
    """`900 seconds (15 min)`: a parenthesis restating the value just before it."""
    if not have or q.base_value is None:
        return False
    prev = have[-1]
    gap = text[prev.end : q.start]
    if re.fullmatch(r"\s*\(\s*", gap) and prev.dimension == q.dimension and prev.base_value:
        values = {prev.base_value, prev.base_value_max}
        return q.base_value in values
    return False


def _listed_after(text: str, prev: Quantity, n: _Num) -> bool:
    """Whether number `n` continues a list that `prev` opens: `1 MB/s or 1000 msgs/s`,
    `10GB or 3k RCU or 1k WCU`, `300 msg/s (3,000 batched)`."""
    if n.word or prev.value is None:
        return False
    return bool(_LIST_JOIN.fullmatch(text[prev.end : n.start]))


def _inherit_unit(text: str, prev: Quantity, q: Quantity) -> Quantity:
    """`1 day (max 365)`, `max 3600 seconds, default 300`: a bare number right after a value with a
    unit, in the same sentence, is in that unit."""
    if q.unit is not None or q.noun or q.dimension != "count" or q.value is None:
        return q
    if prev.dimension not in ("seconds", "bytes", "rate") or not prev.value or prev.base_value is None:
        return q
    gap = text[prev.end : q.start]
    if len(gap) > 30 or _SENTENCE_END.search(gap):
        return q
    label = re.split(r"[,;(]|\band\b|\bor\b", gap)[-1]
    if not kind_cue_only(re.sub(r"\b(?:to|up|is|of|a|the)\b", " ", label, flags=re.I)):
        return q  # `kept up to 6 hours, retries 0-2`: a noun right before it names another measure
    factor = prev.base_value / prev.value
    if prev.value_max is not None and prev.base_value_max is not None and prev.value_max:
        factor = prev.base_value_max / prev.value_max
    base_max = q.value_max * factor if q.value_max is not None else None
    return replace(
        q, unit=prev.unit, dimension=prev.dimension, base_value=q.value * factor, base_value_max=base_max
    )


def _masked(s: int, e: int, masks) -> bool:
    return any(ms < e and s < me for ms, me in masks)


# Cues govern their clause, but only so far back: a clause of a thousand numbers is data, and
# reading all of it before each number would make a long line cost quadratic time.
_WINDOW = 160


@lru_cache(maxsize=32)
def _ends(text: str, kind: str) -> tuple[list[int], list[int]]:
    """(starts, ends) of every sentence or clause boundary of `text`, found once per text."""
    rx = _SENTENCE_END if kind == "sentence" else _CLAUSE_END
    found = [(m.start(), m.end()) for m in rx.finditer(text)]
    return [a for a, _ in found], [b for _, b in found]


def _sentence(text: str, pos: int) -> tuple[int, int]:
    starts, ends = _ends(text, "sentence")
    i = bisect_right(ends, pos)  # boundaries that end at or before pos
    s = ends[i - 1] if i else 0
    return s, starts[i] if i < len(starts) else len(text)


def _clause(text: str, pos: int) -> tuple[int, int]:
    starts, ends = _ends(text, "clause")
    i = bisect_right(ends, pos)
    s = ends[i - 1] if i else 0
    j = bisect_left(starts, pos, lo=i)
    return max(s, pos - _WINDOW), starts[j] if j < len(starts) else len(text)


def _clean(v: float) -> float:
    return float(round(v, 6))


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)


def with_kind(q: Quantity, kind: str) -> Quantity:
    return replace(q, kind=kind)
