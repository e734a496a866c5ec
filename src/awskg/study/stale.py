"""Limits AWS has changed since the notes were written: the notes' value beside the current one.

`reference.py` reads the shipped reference of current AWS quotas. Here each limit of the notes is
matched to a row (same service, same measure, subject by fuzzy match) and compared like with like:

* a maximum with AWS's maximum (a range's upper end; a quota AWS raises on request counts up to its
  ceiling), a minimum with the minimum (a range's lower end), a default with the default, a range
  with both ends, a rate with the rate, a retention with the retention;
* values in base units, rates per second (`14 days` is `1,209,600 seconds`; `1,000 every 10
  seconds` is `100 per second`);
* a value of another kind (a count, a retention of a configurable period) only against the row's
  bounds: inside AWS's range is not stale, outside is;
* a non-numeric bound (`unlimited`) with a row that states one.

`stale_flags(limits)` returns a `StaleFlag` for those that differ. `limit_flag(kg, limit)`,
`graph_flags(kg)` and `flags_at(kg, file, line)` (the flags of a note line) are the one place a
graph's flags are computed (kept per graph): `Limit.stale`, search hits, `show`, `compare`,
quizzes and exports all read them from there. The
reference never feeds extraction or search: the notes stay the answer, and the flag is shown
beside it.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from ..model import Hit, Limit
from ..search import stem
from ..store import ABSENT
from ..vocabulary import catalog, load_data

if TYPE_CHECKING:
    from .reference import Reference

# The reference (reference.py) and rapidfuzz are imported where a limit is matched: a graph that
# answers from its store reads the flags the store was written with, and a query then needs neither.

__all__ = [
    "MATCH_THRESHOLD", "Match", "StaleFlag", "flag_hits", "flag_message", "flags_at", "graph_flags",
    "limit_flag", "limit_measure", "match_limit", "matches", "stale_flags", "subject_score",
]

# A subject match at or above this score counts. Tested with a pair on either side of it
# (tests/test_study_stale.py): below it, subjects share one generic word ("size") and little else.
MATCH_THRESHOLD = 72.0

# Words that make two subjects different quotas however many other words they share: the cluster
# shards of "cluster mode disabled" are not those of "cluster mode enabled".
_OPPOSITES = (
    ("enabled", "disabled"), ("standard", "fifo"), ("standard", "express"), ("read", "write"),
    ("synchronous", "asynchronous"), ("sync", "async"), ("zipped", "unzipped"),
    ("compressed", "uncompressed"), ("request", "response"), ("inbound", "outbound"),
    ("public", "private"), ("encrypted", "unencrypted"), ("local", "global"),
)

# Two values this close (relative) are the same quota written in other units (1,024 KB and 1 MB).
_TOLERANCE = 1e-6

# Words that say which kind of bound a subject is, not what it bounds; kinds are compared apart.
_KIND_WORDS = {"max", "maximum", "min", "minimum", "default", "total", "limit", "limited", "quota",
               "amount", "number", "valid", "range", "up", "upto", "per", "incl", "including", "all",
               "each", "any", "one", "use", "above", "this", "than", "also", "via"}

# A row of the same kind as the limit (a maximum with a maximum) outranks one the limit is only
# checked against (a count inside a range) by this much subject score.
_SAME_KIND_BONUS = 3.0


@dataclass
class StaleFlag:
    """A limit of the notes whose value AWS states otherwise today: both values and AWS's source."""

    limit_id: str
    reference: dict[str, Any]
    message: str
    score: float
    notes_value: str = ""
    aws_value: str = ""
    differs: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return str(self.reference.get("source", ""))

    @property
    def as_of(self) -> str:
        return str(self.reference.get("as_of", ""))

    @property
    def marker(self) -> str:
        """`⚠ AWS since 2025-08: 1 MiB`: what a value shows beside it, where a cell has no room for
        the whole message."""
        when = f"AWS since {self.as_of}" if self.as_of and self.as_of != "unknown" else "AWS today"
        return f"⚠ {when}: {self.aws_value}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "limit_id": self.limit_id,
            "notes_value": self.notes_value,
            "aws_value": self.aws_value,
            "as_of": self.as_of,
            "source": self.source,
            "message": self.message,
            "marker": self.marker,
            "differs": list(self.differs),
            "score": round(self.score, 1),
            "reference": dict(self.reference),
        }


@dataclass(frozen=True)
class Match:
    """The reference row a limit was matched to, how well, and how the values compare."""

    limit_id: str
    reference: Reference
    score: float
    differs: tuple[str, ...]  # which values differ: "value", "lower bound", "upper bound", "default"
    same_kind: bool = True  # compared bound with bound (max with max); else checked against bounds

    @property
    def stale(self) -> bool:
        return bool(self.differs)


# --------------------------------------------------------------------------- matching


def subject_score(limit_text: str, reference_subject: str, service_id: str | None = None,
                  sides: frozenset[str] = frozenset(), named_elsewhere: frozenset[str] = frozenset(),
                  subject: str | None = None) -> float:
    """How well a limit's words (subject, feature) name a reference subject, 0-100.

    The mean of rapidfuzz's token_set_ratio and token_sort_ratio over stemmed words, with kind
    words and the service's own name left out: token_set alone scores 100 whenever one subject's
    words are a subset of the other's ("size" of anything), token_sort alone punishes the longer,
    qualified wording of the reference ("Maximum message size (body + attributes)"). Subjects that
    name opposites (enabled/disabled, local/global) score 0, and so do a limit that names
    neither where the row names one whose other side is in `sides` (the words of the service's
    rows: `Shard read throughput` beside `Shard write throughput`)."""
    from rapidfuzz import fuzz

    if _opposed(limit_text, reference_subject, sides=sides):
        return 0.0
    drop = _service_words(service_id)
    wa = _words(limit_text, drop)
    # Words that only say what is measured (`size`, `throughput`) name no quota: a limit whose
    # words share none but those with a row that names one (`DynamoDB size` and `Maximum item
    # size`) is not its. What a row measures is named before its qualifiers (`Item collection
    # size (tables with LSIs), per partition key value` is no `partition key size`).
    named = set(_words(_head(reference_subject), drop)) - _MEASURE_WORDS
    if named and not named & set(wa):
        return 0.0
    # A word of the limit that another row of the service names, and this row does not, says
    # which other quota the limit is (`transaction items size` is not `Maximum item size` where
    # a row names `TransactWriteItems`).
    # Only the limit's `subject` counts here, not the section it sits in (a feature). A subject
    # may be its counted noun, then its label in a parenthesis (`read transactions (GetRecords
    # transactions per shard)`): the label alone is a reading of it too.
    if named_elsewhere:
        said = subject if subject is not None else limit_text
        own = set(_words(_split_camel(reference_subject), drop)) | _SIZING_WORDS
        inner = " ".join(_INNER.findall(said))
        if all((set(_words(_split_camel(reading), drop)) - own) & named_elsewhere
               for reading in filter(None, (said, inner))):
            return 0.0
    best = 0.0
    # A parenthesis qualifies or renames (`Message size (MaximumMessageSize topic attribute)`):
    # the subject is scored with it and without it, and the better reading counts.
    for subject in {reference_subject, _PAREN.sub(" ", reference_subject)}:
        wb = _words(subject, drop)
        if wa and wb:
            a, b = " ".join(wa), " ".join(wb)
            best = max(best, (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2.0)
    return best


_PAREN = re.compile(r"\([^)]*\)")
_INNER = re.compile(r"\(([^)]*)\)")
# Where a row's subject turns to qualifying what it names: a parenthesis, a comma, `per ...`.
_QUALIFIERS = re.compile(r"\(|,|\bper\b|\bin\b|\bwith\b|\bwithout\b|\bfor\b", re.I)


def _head(subject: str) -> str:
    """What a row's subject names before its qualifiers (`Template body size in request`)."""
    return _QUALIFIERS.split(subject, maxsplit=1)[0] or subject


def _split_camel(text: str) -> str:
    """`TransactWriteItems` -> `Transact Write Items`: an API's name read as its words."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)


@lru_cache(maxsize=512)
def _service_row_words(rows: tuple[Reference, ...], service_id: str | None) -> frozenset[str]:
    """The stemmed words of a service's rows, API names split into their words, minus the words
    that only say what is measured."""
    drop = _service_words(service_id)
    return frozenset(w for r in rows if r.service_id == service_id
                     for w in _words(_split_camel(r.subject), drop)) - _MEASURE_WORDS


def _opposed(a: str, b: str, silent_differs: bool = True, sides: frozenset[str] = frozenset()) -> bool:
    """Subjects of two different quotas: one names a side the other does not take (`read` where
    the other says `write`, or says neither: a row of one side is not a limit of either), or they
    name a model the other does not (`io1` and `io2`, or no model: a row of io1 volumes is not a
    limit of EBS at large). With `silent_differs` False, only a side or model `a` names counts."""
    ta, tb = _plain_words(a), _plain_words(b)
    said = _plain_words(_PAREN.sub(" ", b))  # (a parenthesis qualifies: it may go unsaid)
    for x, y in _OPPOSITES:
        for one, other in ((x, y), (y, x)):
            if one in tb and one not in ta and (
                    other in ta or silent_differs and one in said and other in sides and other not in tb):
                return True
    models_a = {w for w in ta if _is_model(w)}
    models_b = {w for w in tb if _is_model(w)}
    return bool(models_b and not models_b & models_a and (silent_differs or models_a))


@cache
def _is_model(word: str) -> bool:
    """`io1`, `gp3`: a model's name; `s3`, `ec2` name services of their own."""
    if not _MODEL.fullmatch(word):
        return False
    rec = catalog().get(catalog().lookup(word))
    return rec is None or rec.parent is not None


@lru_cache(maxsize=512)
def _sides(rows: tuple[Reference, ...], service_id: str | None) -> frozenset[str]:
    """The words of the rows of a service."""
    return frozenset(w for r in rows if r.service_id == service_id for w in _plain_words(r.subject))


# `io1`, `gp3`, `t2`, `v2`: a model's name, letters then digits.
_MODEL = re.compile(r"[a-z]{1,4}\d{1,2}")

# Words that size what they qualify (`a single object`, `the largest message`) without naming
# another quota, though a row may hold them (`Single PUT upload size`).
_SIZING_WORDS = frozenset({"single", "individu", "largest", "biggest", "smallest", "whole",
                           "entire", "overall", "given", "first"})

# What a subject measures, not which quota it is.
_MEASURE_WORDS = frozenset({"size", "throughput", "durat", "duration", "time", "period", "retention",
                            "rate", "length", "capacity", "count"})


def _plain_words(text: str) -> set[str]:
    """The words of a subject, abbreviations spelled out (`gsi` is `global secondary index`)."""
    abbrev = _abbreviations()
    out: set[str] = set()
    for raw in re.findall(r"[a-z0-9]+", text.lower()):
        out.update(re.findall(r"[a-z0-9]+", abbrev.get(raw, raw)))
    return out


@cache
def _abbreviations() -> dict[str, str]:
    return {k: v[0] for k, v in load_data("synonyms.json").get("abbreviations", {}).items() if v}


@cache
def _service_words(service_id: str | None) -> frozenset[str]:
    rec = catalog().get(service_id)
    if not rec:
        return frozenset()
    words: set[str] = set()
    for spelling in [*rec.spellings, *rec.abbreviations]:
        words |= {stem(w) for w in re.findall(r"[a-z0-9]+", spelling.lower())}
    return frozenset(words - {"function", "queue", "table", "stream", "log", "event"})


def _words(text: str, drop: frozenset[str] = frozenset()) -> list[str]:
    abbrev = _abbreviations()
    out: list[str] = []
    for raw in re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")):
        if raw in _KIND_WORDS or raw in _STOPWORDS or raw.isdigit():
            continue
        expanded = abbrev.get(raw, raw) if raw not in ("max", "min") else raw
        for w in re.findall(r"[a-z0-9]+", expanded):
            if w in _KIND_WORDS or w in _STOPWORDS:
                continue
            s = _stem(w)
            if s not in drop and s not in out:
                out.append(s)
    return out


_STOPWORDS = frozenset(
    "a an the of for to in on at is are be can do does it its with and or that this from by as into "
    "if your you which what when how after before".split()
)


def _stem(word: str) -> str:
    s = stem(word)
    if s.endswith("al") and len(s) > 6:  # environmental -> environment
        s = s[:-2]
    if len(s) > 3 and s[-1] == s[-2] and s[-1] not in "aeiousl":  # zipp(ed) -> zip
        s = s[:-1]
    return s


def _limit_text(lim: Limit) -> str:
    """The words that say what a limit bounds: its subject, the feature it belongs to and the
    model its service names (`EBS io2`)."""
    model = " ".join(w for w in _plain_words(lim.service or "") if _is_model(w))
    return f"{lim.subject} {_feature_words(lim.feature)} {model}".strip()


def _feature_words(feature: str | None) -> str:
    if not feature:
        return ""
    kind, _, rest = feature.partition(":")
    if kind == "service":
        return catalog().name(rest) or rest.replace("-", " ")
    return rest.split("/", 1)[-1].replace("-", " ")


def _same_service(lim: Limit, ref: Reference) -> bool:
    """The row is about the limit's service (or its parent or component). A row of something the
    catalog does not hold (`AWS Free Tier`, a programme across services) is about any service."""
    if not ref.service_id:
        return True
    if not lim.service_id:
        return False
    if ref.service_id == lim.service_id:
        return True
    cat = catalog()
    a, b = cat.get(lim.service_id), cat.get(ref.service_id)
    return bool((a and a.parent == ref.service_id) or (b and b.parent == lim.service_id))


def match_limit(lim: Limit, rows: Iterable[Reference] | None = None,
                threshold: float = MATCH_THRESHOLD) -> Match | None:
    """The reference row a limit of the notes states, or None: same service, same measure, a
    subject score at or above the threshold, and values the two can be compared by. A row of the
    limit's own kind outranks one the limit is only checked against."""
    from .reference import reference_rows

    measure = limit_measure(lim)
    if measure is None:
        return None
    dimension = measure[0]
    text = _limit_text(lim)
    rows = tuple(rows) if rows is not None else reference_rows()
    best: tuple[float, int, Match] | None = None
    # A value AWS states today, of the limit's kind, in a row the limit also matches is the
    # student's right value, whichever row scores best: it is never flagged.
    agreeing: tuple[float, int, Match] | None = None
    for i, ref in enumerate(rows):
        if (ref.dimension != dimension or not _same_service(lim, ref)
                or _opposed(lim.subject, ref.subject, silent_differs=False)):
            continue  # (the subject alone names a side: `GSI` of a feature `LSI, GSI` is global)
        score = subject_score(text, ref.subject, lim.service_id, _sides(rows, ref.service_id),
                              _service_row_words(rows, ref.service_id), lim.subject)
        # A row of a side the limit leaves unsaid (`Unzipped deployment package` for `deployment
        # package size`) is no row to flag it by, but one whose value it states is still where
        # AWS states that value: the student is right.
        only_agrees = score < threshold
        if only_agrees:
            score = subject_score(text, ref.subject, lim.service_id)
            if score < threshold:
                continue
        verdict = compare(lim, ref)
        if verdict is None:
            continue
        same_kind, differs = verdict
        if only_agrees:
            if same_kind and not differs:
                rank = score + _SAME_KIND_BONUS
                if agreeing is None or rank > agreeing[0]:
                    agreeing = (rank, -i, Match(lim.id, ref, score, (), True))
            continue
        rank = score + (_SAME_KIND_BONUS if same_kind else 0.0)
        candidate = (rank, -i, Match(lim.id, ref, score, tuple(differs), same_kind))
        if best is None or rank > best[0]:
            best = candidate
        if same_kind and not differs and (agreeing is None or rank > agreeing[0]):
            agreeing = candidate
    chosen = agreeing or best
    return chosen[2] if chosen else None


# --------------------------------------------------------------------------- comparing


def limit_measure(lim: Limit) -> tuple[str, float | None, float | None] | None:
    """(measure, low, high) of a limit in base units, rates per second: `1 MB/s` is (`bytes/s`,
    1048576, None); `1,000 instances per 10 s` is (`count/s`, 100, None); `unlimited` is (`count`,
    None, None). None for a limit with neither a value nor a bound."""
    from .reference import period_seconds

    if lim.base_value is None:
        return (lim.dimension, None, None) if lim.bound else None
    lo, hi = lim.base_value, lim.base_value_max
    if lim.dimension == "rate":
        num, _, den = (lim.unit or "").partition("/")
        period = period_seconds(den or "s") or 1.0
        measure = "bytes/s" if _unit_dimension(num) == "bytes" else "count/s"
        return measure, lo / period, hi / period if hi is not None else None
    period = period_seconds(lim.per) if lim.dimension in ("count", "bytes") else None
    if period:
        return f"{lim.dimension}/s", lo / period, hi / period if hi is not None else None
    return lim.dimension, lo, hi


def _unit_dimension(unit: str) -> str:
    from ..quantities import to_base

    return to_base(1.0, unit)[0]


@dataclass(frozen=True)
class _Bounds:
    """What a reference row states, in base units (rates per second)."""

    lower: float | None = None  # a min row; a range's lower end
    upper: float | None = None  # a max row; a range's upper end
    ceiling: float | None = None  # a max AWS raises on request up to this (a max row's value_max)
    default: float | None = None
    fixed: float | None = None  # a rate or a retention: the one value AWS states


def _bounds(ref: Reference) -> _Bounds:
    v, vmax, d = ref.base_value, ref.base_value_max, ref.base_default
    if ref.kind == "range":
        return _Bounds(lower=v, upper=vmax, default=d)
    if ref.kind == "max":
        return _Bounds(upper=v, ceiling=vmax, default=d)
    if ref.kind == "min":
        return _Bounds(lower=v, default=d)
    if ref.kind == "default":
        return _Bounds(default=v)
    return _Bounds(fixed=v, default=d)  # rate, retention: what AWS does


def compare(lim: Limit, ref: Reference) -> tuple[bool, list[str]] | None:
    """(same kind, values that differ) of a limit against a row: empty when they agree; None when
    the two state things that cannot be compared (a maximum and a default, a granularity and a
    range). Same kind: the limit's kind is a bound the row states (max with max or a range's upper
    end). Otherwise a value is only checked against the row's bounds."""
    measure = limit_measure(lim)
    if measure is None:
        return None
    _, lo, hi = measure
    if lo is None or ref.bound:  # a non-numeric bound on either side
        return _compare_bounds(lim, ref, lo)
    b, kind = _bounds(ref), lim.kind
    if kind == "max":
        return _same_value(b.upper, b.ceiling, lo, "value" if ref.kind == "max" else "upper bound") \
            or _same_value(b.fixed, None, lo, "value")
    if kind == "min":
        return _same_value(b.lower, None, lo, "value" if ref.kind == "min" else "lower bound")
    if kind == "default":
        return _same_value(b.default, None, lo, "default") or _inside(b, lo)
    if kind == "range":
        return _compare_range(b, lo, hi)
    if kind == "rate":
        target = b.fixed if ref.kind == "rate" else b.upper if ref.kind == "max" else b.default
        return _same_value(target, b.ceiling if ref.kind == "max" else None, lo, "value") or _inside(b, lo)
    if kind == "retention" and ref.kind == "retention":
        return _same_value(b.fixed, None, lo, "value")
    if kind in ("retention", "count"):
        return _inside(b, lo)
    return None  # granularity, other: the reference states neither


def _compare_bounds(lim: Limit, ref: Reference, value: float | None) -> tuple[bool, list[str]] | None:
    """`unlimited` in the notes agrees with `unlimited` at AWS; a maximum in the notes where AWS
    states no limit is stale. A non-numeric bound is never compared with a number AWS states:
    `no size limitations` names a different thing more often than it contradicts a quota."""
    if ref.bound is None or lim.kind not in ("max", "range"):
        return None
    if value is None:
        return (True, []) if lim.bound == ref.bound else None
    return True, ["value"]


def _same_value(target: float | None, ceiling: float | None, value: float,
                label: str) -> tuple[bool, list[str]] | None:
    """Same kind: the value is the row's (or, for a quota raised on request, up to its ceiling)."""
    if target is None:
        return None
    if _same(value, target) or (ceiling is not None and target <= value <= ceiling * (1 + _TOLERANCE)):
        return True, []
    return True, [label]


def _compare_range(b: _Bounds, lo: float, hi: float | None) -> tuple[bool, list[str]] | None:
    if hi is None:
        return None
    pairs = []
    if b.lower is not None:
        pairs.append(("lower bound", lo, b.lower))
    if b.upper is not None:
        if b.ceiling is not None and b.upper <= hi <= b.ceiling * (1 + _TOLERANCE):
            hi = b.upper
        pairs.append(("upper bound", hi, b.upper))
    if not pairs:
        return None
    return True, [label for label, a, c in pairs if not _same(a, c)]


def _inside(b: _Bounds, value: float) -> tuple[bool, list[str]] | None:
    """A value of another kind than the row's bounds, checked against them: inside is not stale
    (a retention of 35 days where AWS allows 1-35), outside is."""
    low, high = b.lower, b.ceiling if b.ceiling is not None else b.upper
    if low is None and high is None:
        return None
    above_low = low is None or value >= low * (1 - _TOLERANCE)
    below_high = high is None or value <= high * (1 + _TOLERANCE)
    inside = above_low and below_high
    return False, [] if inside else ["value"]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) <= _TOLERANCE * max(abs(a), abs(b), 1e-12)


# --------------------------------------------------------------------------- flags


def stale_flags(limits: Iterable[Limit]) -> dict[str, StaleFlag]:
    """limit id -> StaleFlag, for the limits whose value differs from the current AWS value they
    match. Limits that match no row, or match one they agree with, are left out."""
    out: dict[str, StaleFlag] = {}
    for lim in limits:
        flag = _flag(lim)
        if flag is not None:
            out[lim.id] = flag
    return out


def _flag(lim: Limit) -> StaleFlag | None:
    if lim.unsure:
        return None  # a value awskg is unsure it read right is not set against AWS's
    m = match_limit(lim)
    if m is None or not m.stale:
        return None
    ref = m.reference
    return StaleFlag(
        limit_id=lim.id,
        reference=ref.to_dict(),
        message=flag_message(lim, ref),
        score=m.score,
        notes_value=lim.display,
        aws_value=ref.display,
        differs=list(m.differs),
    )


def matches(limits: Iterable[Limit]) -> dict[str, Match]:
    """limit id -> Match for every limit that matches a reference row, stale or not."""
    from .reference import reference_rows

    rows = reference_rows()
    out = {}
    for lim in limits:
        m = match_limit(lim, rows)
        if m is not None:
            out[lim.id] = m
    return out


def flag_message(lim: Limit, ref: Reference) -> str:
    """`your notes: 256 KB; AWS since 2025-08: 1 MiB; source https://...`"""
    return f"your notes: {lim.display}; {ref.since}: {ref.display}; source {ref.source}"


# --------------------------------------------------------------------------- the graph's flags


@dataclass
class _GraphFlags:
    stamp: tuple[Any, ...]
    by_limit: dict[str, StaleFlag | None] = field(default_factory=dict)
    complete: bool = False
    limits_at: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # (file, line) -> limit ids


_GRAPHS: weakref.WeakKeyDictionary[Any, _GraphFlags] = weakref.WeakKeyDictionary()


def _flags_of(kg: Any) -> _GraphFlags:
    """The flags computed so far for this graph; a graph that has changed since starts afresh."""
    stamp = kg.revision()
    cached = _GRAPHS.get(kg)
    if cached is None or cached.stamp != stamp:
        cached = _GRAPHS[kg] = _GraphFlags(stamp)
    return cached


def limit_flag(kg: Any, lim: Limit) -> StaleFlag | None:
    """The flag of one limit of a graph, computed once per graph (every face asks through here)."""
    cached = _flags_of(kg)
    if lim.id not in cached.by_limit:
        stored = kg.stored_stale(lim.id)
        if stored is ABSENT:
            cached.by_limit[lim.id] = _flag(lim)
        else:  # worked out here when the store was written
            cached.by_limit[lim.id] = StaleFlag(**stored) if stored is not None else None
    return cached.by_limit[lim.id]


def graph_flags(kg: Any) -> dict[str, StaleFlag]:
    """limit id -> StaleFlag for every limit of a graph that AWS has changed since."""
    cached = _flags_of(kg)
    if not cached.complete:
        for lim in kg.limits(numeric_only=False):  # each Limit asks limit_flag as it is made
            limit_flag(kg, lim)
        cached.complete = True
    return {lid: f for lid, f in cached.by_limit.items() if f is not None}


def flags_at(kg: Any, file: str, line: int) -> list[StaleFlag]:
    """The flags of the limits a note line states: a line shown anywhere (a search hit, a quiz
    explanation, a side of a comparison) carries the flags of the values it states. Only the
    limits of that line are matched."""
    cached = _flags_of(kg)
    key = (file, int(line))
    if key not in cached.limits_at:
        cached.limits_at[key] = sorted(n for n in kg.nodes_at(file, int(line))
                                       if (kg.label(n) or ("",))[0] == "limit")
    flags = (limit_flag(kg, kg.limit(lid)) for lid in cached.limits_at[key])
    return [f for f in flags if f is not None]


def flag_hits(kg: Any, hits: list[Hit]) -> list[Hit]:
    """Search hits with `stale` set: a limit's own flag; a note line, or an entity whose snippet
    shows one of its lines, that states a stale value carries that value's flag."""
    for h in hits:
        flag = None
        if h.type == "limit" and h.id in kg:
            flag = limit_flag(kg, kg.limit(h.id))
        else:
            for file, line in _hit_lines(kg, h):
                flag = next((f for f in flags_at(kg, file, line)
                             if _shows(h, kg.node(f.limit_id).get("text", ""))), None)
                if flag:
                    break
        h.stale = flag.to_dict() if flag else None
    return hits


def _hit_lines(kg: Any, hit: Hit) -> list[tuple[str, int]]:
    """The note lines a hit's snippet is cut from: its own line, and an entity's lines."""
    out = [(hit.source.file, hit.source.line)] if hit.source else []
    if hit.id in kg:
        for ref in kg.node(hit.id).get("lines") or []:
            file, _, number = str(ref).rpartition(":")
            if number.isdigit():
                out.append((file, int(number)))
    return out


def _shows(hit: Hit, value_text: str) -> bool:
    return bool(value_text) and value_text.lower() in hit.snippet.lower()


# --------------------------------------------------------------------------- how a flag is shown


def stale_marker(flag: dict[str, Any] | None) -> str:
    """`⚠ AWS since 2025-08: 1 MiB`: what a value shows beside it when AWS states it otherwise
    today (the flag of study/stale.py, as Limit.stale and Hit.stale carry it); "" when not."""
    return str(flag.get("marker", "")) if flag else ""


def stale_message(flag: dict[str, Any] | None) -> str:
    """`⚠ your notes: 256 KB; AWS since 2025-08: 1 MiB; source https://...`, or ""."""
    return f"⚠ {flag.get('message', '')}" if flag else ""


def with_marker(value: str, flag: dict[str, Any] | None) -> str:
    """A value with its stale marker after it, when it has one."""
    return f"{value}  {stale_marker(flag)}" if flag else value


def line_stale(kg: Any, file: str, line: int) -> list[dict[str, Any]]:
    """The flags of the values a note line states (study/stale.py), as dicts."""
    return [f.to_dict() for f in flags_at(kg, file, line)]


def line_marker(flags: Iterable[dict[str, Any]]) -> str:
    """The markers of the stale values a note line states: `⚠ AWS since 2025-08: 1 MiB`."""
    return "; ".join(stale_marker(f) for f in flags)
