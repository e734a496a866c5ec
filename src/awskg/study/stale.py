"""Limits AWS has changed since the notes were written: the notes' value beside the current one.

`data/aws-quotas.jsonl` holds current AWS quotas, each with the page it was read from, a quote and
the date it took effect. `stale_flags(limits)` matches each limit of the notes to a row (same
service, same dimension, subject by fuzzy match), compares them in base units and returns a
`StaleFlag` for those that differ. The reference never feeds extraction or search: the notes stay
the answer, and the flag is shown beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz

from ..model import Limit, format_number
from ..quantities import parse_quantity, to_base
from ..search import stem
from ..vocabulary import catalog, load_data

REFERENCE_FILE = "aws-quotas.jsonl"

# A subject match at or above this score counts. Tested with a pair on either side of it
# (tests/test_study_stale.py): below it, subjects share one generic word ("size") and little else.
MATCH_THRESHOLD = 72.0

# Words that make two subjects different quotas however many other words they share: the cluster
# shards of "cluster mode disabled" are not those of "cluster mode enabled".
_OPPOSITES = (
    ("enabled", "disabled"), ("standard", "fifo"), ("standard", "express"), ("read", "write"),
    ("synchronous", "asynchronous"), ("sync", "async"), ("zipped", "unzipped"),
    ("compressed", "uncompressed"), ("request", "response"), ("inbound", "outbound"),
    ("public", "private"), ("encrypted", "unencrypted"),
)

# Two values this close (relative) are the same quota written in other units (1,024 KB and 1 MB).
_TOLERANCE = 1e-6

# Words that say which kind of bound a subject is, not what it bounds; kinds are compared apart.
_KIND_WORDS = {"max", "maximum", "min", "minimum", "default", "total", "limit", "limited", "quota",
               "amount", "number", "valid", "range", "up", "upto", "per", "incl", "including", "all",
               "each", "any", "one", "use", "above", "this", "than", "also", "via"}


@dataclass(frozen=True)
class Reference:
    """One row of the reference, with its values read into base units."""

    service: str
    subject: str
    kind: str
    value: float | None
    value_max: float | None
    unit: str
    as_of: str
    source: str
    quote: str
    changed: str
    service_id: str | None
    dimension: str
    base_value: float | None
    base_value_max: float | None
    base_default: float | None
    unit_name: str
    per: str | None

    def to_dict(self) -> dict[str, Any]:
        """The row as shipped: what a consumer shows beside a flag."""
        return {
            "service": self.service,
            "subject": self.subject,
            "kind": self.kind,
            "value": self.value,
            "value_max": self.value_max,
            "unit": self.unit,
            "as_of": self.as_of,
            "source": self.source,
            "quote": self.quote,
            "changed": self.changed,
        }

    @property
    def display(self) -> str:
        """`1 MiB`, `1-900 seconds`, `1-35 days (default 35)`."""
        return _ref_display(self)


@dataclass
class StaleFlag:
    """A limit of the notes whose value AWS states otherwise today."""

    limit_id: str
    reference: dict[str, Any]
    message: str
    score: float
    notes_value: str = ""
    aws_value: str = ""
    differs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "limit_id": self.limit_id,
            "reference": dict(self.reference),
            "message": self.message,
            "score": round(self.score, 1),
            "notes_value": self.notes_value,
            "aws_value": self.aws_value,
            "differs": list(self.differs),
        }


@dataclass(frozen=True)
class Match:
    """The reference row a limit was matched to, how well, and how the values compare."""

    limit_id: str
    reference: Reference
    score: float
    differs: tuple[str, ...]  # which values differ: "value", "lower bound", "upper bound", "default"

    @property
    def stale(self) -> bool:
        return bool(self.differs)


# --------------------------------------------------------------------------- the reference


@cache
def reference_rows() -> tuple[Reference, ...]:
    """The shipped reference, parsed once; a row without a source is an error in the package."""
    rows = []
    text = resources.files("awskg").joinpath("data").joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            rows.append(parse_row(json.loads(line), number))
    return tuple(rows)


def parse_row(raw: dict[str, Any], number: int = 0) -> Reference:
    """A reference row with its unit text read: `"seconds (default 30; max 12 h)"` is seconds, with a
    default of 30 s; the parenthesis never changes the unit of `value` itself."""
    if not raw.get("source"):
        raise ValueError(f"{REFERENCE_FILE}:{number}: row has no source")
    unit_text = str(raw.get("unit") or "")
    main = unit_text.split("(", 1)[0].strip()
    unit_name, dim, factor, per = _read_unit(main)
    value, value_max = raw.get("value"), raw.get("value_max")
    default = value if raw.get("kind") == "default" else None
    base_default = default * factor if default is not None else _default_in(unit_text, dim, factor)
    return Reference(
        service=str(raw.get("service", "")),
        subject=str(raw.get("subject", "")),
        kind=str(raw.get("kind", "max")),
        value=value,
        value_max=value_max,
        unit=unit_text,
        as_of=str(raw.get("as_of") or "unknown"),
        source=str(raw["source"]),
        quote=str(raw.get("quote", "")),
        changed=str(raw.get("changed", "")),
        service_id=_service_id(str(raw.get("service", "")), str(raw.get("subject", ""))),
        dimension=dim,
        base_value=value * factor if value is not None else None,
        base_value_max=value_max * factor if value_max is not None else None,
        base_default=base_default,
        unit_name=unit_name,
        per=per,
    )


def _read_unit(main: str) -> tuple[str, str, float, str | None]:
    """(unit as written, dimension, factor to base, per) of a unit phrase: `MB/s per shard`,
    `execution environments per 10 seconds`, `KB`, `replicas`."""
    head, _, per = main.partition(" per ")
    first = head.split()[0] if head.split() else ""
    rate = re.fullmatch(r"([A-Za-z]+)/s(?:ec)?", first)
    if rate:
        dim, base = to_base(1.0, rate.group(1))
        if dim == "bytes":
            return first, "rate", float(base or 1.0), per or None
    dim, base = to_base(1.0, first)
    if dim != "count":
        return first, dim, float(base or 1.0), per or None
    return head.strip(), "count", 1.0, per or None


_DEFAULT_RE = re.compile(
    r"default(?:\s+[a-z]+){0,3}?\s+(?:is\s+)?(\d[\d,]*(?:\.\d+)?)\s*([A-Za-z%]+)?"
    r"|(\d[\d,]*(?:\.\d+)?)\s*([A-Za-z%]+)?\s+default",
    re.I,
)


def _default_in(unit_text: str, dim: str, factor: float) -> float | None:
    """The default a unit text states in words (`default 30`, `default 60 min`, `5 default`)."""
    m = _DEFAULT_RE.search(unit_text)
    if not m:
        return None
    number = m.group(1) or m.group(3)
    word = m.group(2) if m.group(1) else m.group(4)
    value = float(number.replace(",", ""))
    if word:
        try:
            base, wdim, _ = parse_quantity(f"{number}{word}")
        except ValueError:
            base, wdim = None, None
        if wdim == dim and base is not None:
            return base
    return value * factor


def _service_id(name: str, subject: str) -> str | None:
    """The catalog id of a reference row's service: `ElastiCache (Valkey/Redis OSS)`, `EBS`."""
    cat = catalog()
    for text in (name, name.split("(", 1)[0].strip()):
        sid = cat.lookup(text)
        if sid:
            return sid
    short = name.split("(", 1)[0].strip()
    if short in cat.ambiguous:
        return cat.resolve_ambiguous(short, subject)
    words = short.split()
    for end in range(len(words) - 1, 0, -1):  # "Cognito User Pools" -> "Cognito User" -> "Cognito"
        sid = cat.lookup(" ".join(words[:end]))
        if sid:
            return sid
    return cat.lookup_fuzzy(short)


# --------------------------------------------------------------------------- matching


def subject_score(limit_text: str, reference_subject: str, service_id: str | None = None) -> float:
    """How well a limit's words (subject, feature) name a reference subject, 0-100.

    The mean of rapidfuzz's token_set_ratio and token_sort_ratio over stemmed words, with kind
    words and the service's own name left out: token_set alone scores 100 whenever one subject's
    words are a subset of the other's ("size" of anything), token_sort alone punishes the longer,
    qualified wording of the reference ("Maximum message size (body + attributes)"). Subjects that
    name opposites (enabled/disabled) score 0."""
    drop = _service_words(service_id)
    wa, wb = _words(limit_text, drop), _words(reference_subject, drop)
    if not wa or not wb or _opposed(limit_text, reference_subject):
        return 0.0
    a, b = " ".join(wa), " ".join(wb)
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2.0


def _opposed(a: str, b: str) -> bool:
    ta = set(re.findall(r"[a-z]+", a.lower()))
    tb = set(re.findall(r"[a-z]+", b.lower()))
    for x, y in _OPPOSITES:
        for one, other in ((x, y), (y, x)):
            if one in ta and other not in ta and other in tb and one not in tb:
                return True
    return False


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
    """The words that say what a limit bounds: its subject and the feature it belongs to."""
    return f"{lim.subject} {_feature_words(lim.feature)}".strip()


def _feature_words(feature: str | None) -> str:
    if not feature:
        return ""
    kind, _, rest = feature.partition(":")
    if kind == "service":
        return catalog().name(rest) or rest.replace("-", " ")
    return rest.split("/", 1)[-1].replace("-", " ")


def _same_service(lim: Limit, ref: Reference) -> bool:
    if not ref.service_id or not lim.service_id:
        return False
    if ref.service_id == lim.service_id:
        return True
    cat = catalog()
    a, b = cat.get(lim.service_id), cat.get(ref.service_id)
    return bool((a and a.parent == ref.service_id) or (b and b.parent == lim.service_id))


def match_limit(lim: Limit, rows: Iterable[Reference] | None = None,
                threshold: float = MATCH_THRESHOLD) -> Match | None:
    """The reference row a limit of the notes states, or None: same service, same dimension, a
    subject score at or above the threshold, and values of a kind the two can be compared by.
    Among rows that tie on score, one whose kind is the limit's own wins."""
    if lim.value is None or lim.base_value is None:
        return None
    text = _limit_text(lim)
    best: tuple[float, int, Match] | None = None
    for i, ref in enumerate(rows if rows is not None else reference_rows()):
        if ref.base_value is None or ref.dimension != lim.dimension or not _same_service(lim, ref):
            continue
        if not _per_agrees(lim.per, ref):
            continue
        score = subject_score(text, ref.subject, lim.service_id)
        if score < threshold:
            continue
        differs = _compare(lim, ref)
        if differs is None:
            continue
        rank = score + (3.0 if ref.kind == lim.kind else 0.0)
        if best is None or rank > best[0]:
            best = (rank, -i, Match(lim.id, ref, score, tuple(differs)))
    return best[2] if best else None


def _per_agrees(per: str | None, ref: Reference) -> bool:
    """A limit per period (`1,000 per 10 s`) only compares with a row per the same period; a per
    that is not a time (`per function`) does not change what the number counts."""
    a, b = _period(per), _period(ref.per)
    if a is None and b is None:
        return True
    return a is not None and b is not None and abs(a - b) <= _TOLERANCE * max(a, b)


def _period(per: str | None) -> float | None:
    if not per:
        return None
    text = per.strip().split(" per ")[0]
    m = re.match(r"(\d[\d,]*(?:\.\d+)?)?\s*([A-Za-z]+)", text)
    if not m:
        return None
    try:
        base, dim, _ = parse_quantity(f"{m.group(1) or '1'}{m.group(2)}")
    except ValueError:
        return None
    return base if dim == "seconds" else None


def _compare(lim: Limit, ref: Reference) -> list[str] | None:
    """Which of the limit's values differ from the row's (empty: they agree), or None when the two
    state different things (a granularity and a maximum) and cannot be compared."""
    ref_range = ref.kind == "range" and ref.base_value_max is not None
    lo, hi = ref.base_value, ref.base_value_max if ref_range else ref.base_value
    kind = lim.kind
    if kind in ("granularity", "other") or ref.kind in ("granularity", "other"):
        return None if ref.kind != kind else _pairs([("value", lim.base_value, lo)])
    if kind == "range" and lim.base_value_max is not None:
        if ref_range:
            return _pairs([("lower bound", lim.base_value, lo), ("upper bound", lim.base_value_max, hi)])
        if ref.kind == "min":
            return _pairs([("lower bound", lim.base_value, lo)])
        if ref.kind in ("max", "retention"):
            return _pairs([("upper bound", lim.base_value_max, hi)])
        return None
    if kind == "default":
        if ref.base_default is None:
            return None
        return _pairs([("default", lim.base_value, ref.base_default)])
    if kind == "min":
        if ref.kind == "min" or ref_range:
            return _pairs([("value", lim.base_value, lo)])
        return None
    if ref.kind == "min":
        return None
    if not ref_range:
        return _pairs([("value", lim.base_value, lo)])
    # One number in the notes, a configurable range at AWS.
    if kind == "retention":
        # A retention stated as one period is a fixed period; a range means it is now chosen.
        return [] if _same(lim.base_value, lo) and _same(lim.base_value, hi) else ["value"]
    if kind == "max":
        if ref.base_default is not None and _same(lim.base_value, ref.base_default):
            return []  # the notes give AWS's default size as the size ("512MB of /tmp")
        return _pairs([("value", lim.base_value, hi)])
    if ref.base_default is not None:  # a count or rate of what AWS does: its default behaviour
        return _pairs([("value", lim.base_value, ref.base_default)])
    return None


def _pairs(pairs: list[tuple[str, float | None, float | None]]) -> list[str]:
    return [label for label, a, b in pairs if a is not None and b is not None and not _same(a, b)]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) <= _TOLERANCE * max(abs(a), abs(b), 1e-12)


# --------------------------------------------------------------------------- flags


def stale_flags(limits: Iterable[Limit]) -> dict[str, StaleFlag]:
    """limit id -> StaleFlag, for the limits whose value differs from the current AWS value they
    match. Limits that match no row, or match one they agree with, are left out."""
    rows = reference_rows()
    out: dict[str, StaleFlag] = {}
    for lim in limits:
        m = match_limit(lim, rows)
        if m is None or not m.stale:
            continue
        ref = m.reference
        out[lim.id] = StaleFlag(
            limit_id=lim.id,
            reference=ref.to_dict(),
            message=flag_message(lim, ref),
            score=m.score,
            notes_value=lim.display,
            aws_value=ref.display,
            differs=list(m.differs),
        )
    return out


def matches(limits: Iterable[Limit]) -> dict[str, Match]:
    """limit id -> Match for every limit that matches a reference row, stale or not."""
    rows = reference_rows()
    out = {}
    for lim in limits:
        m = match_limit(lim, rows)
        if m is not None:
            out[lim.id] = m
    return out


def flag_message(lim: Limit, ref: Reference) -> str:
    """`your notes: 256 KB; AWS since 2025-08: 1 MiB; source https://...`"""
    when = f"AWS since {ref.as_of}" if ref.as_of and ref.as_of != "unknown" else "AWS today"
    return f"your notes: {lim.display}; {when}: {ref.display}; source {ref.source}"


_BINARY = (("TiB", 1024.0**4), ("GiB", 1024.0**3), ("MiB", 1024.0**2), ("KiB", 1024.0))


def _ref_display(ref: Reference) -> str:
    if ref.value is None:
        return ref.unit or "?"
    if ref.dimension == "bytes" and ref.unit_name.lower() in ("bytes", "byte", "b"):
        # Byte counts read better in the unit AWS announces them in: 1,048,576 bytes is 1 MiB.
        text = _bytes_text(ref.base_value or 0.0)
        if ref.base_value_max is not None:
            text += f"-{_bytes_text(ref.base_value_max)}"
    else:
        hi = f"-{format_number(ref.value_max)}" if ref.value_max is not None else ""
        text = f"{format_number(ref.value)}{hi} {ref.unit.split('(', 1)[0].strip()}".strip()
    if ref.kind == "range" and ref.base_default is not None:
        text += f" (default {_default_display(ref)})"
    return text


def _default_display(ref: Reference) -> str:
    if ref.dimension == "bytes" and ref.unit_name.lower() in ("bytes", "byte", "b"):
        return _bytes_text(ref.base_default or 0.0)
    m = _DEFAULT_RE.search(ref.unit)
    if m:
        number = m.group(1) or m.group(3)
        word = m.group(2) if m.group(1) else m.group(4)
        if word and to_base(1.0, word)[0] == ref.dimension:
            return f"{number} {word}"
        return number
    return format_number(ref.base_default or 0.0)


def _bytes_text(value: float) -> str:
    """`1 MiB` for 1,048,576 bytes: the largest binary unit the value is a whole number of."""
    for unit, scale in _BINARY:
        if value >= scale and abs(value / scale - round(value / scale)) < 1e-9:
            return f"{format_number(round(value / scale))} {unit}"
    return f"{format_number(value)} bytes"
