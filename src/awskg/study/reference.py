"""The shipped reference of current AWS quotas (`data/aws-quotas.jsonl`), read into base units.

Each row is one quota as AWS states it today, with the page it was read from, a quote and the
date it took effect. `parse_row` reads the row's unit text (`"seconds (default 30; max 12 h)"`,
`"transactions per second per API action"`, `"messages (unlimited)"`) into what the row bounds:
the measure its values are in (bytes, seconds, count, percent, or a rate: bytes/s, count/s), the
values in base units, the default the text states, and a non-numeric bound. Nothing here matches
notes; `stale.py` does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..model import format_number
from ..quantities import parse_quantity, to_base
from ..vocabulary import catalog, cues

REFERENCE_FILE = "aws-quotas.jsonl"


@dataclass(frozen=True)
class Reference:
    """One row of the reference, with its values read into base units.

    `dimension` is the measure the values are in: a dimension of the unit table, or `bytes/s` /
    `count/s` for a rate (values then per second: `1,000 per 10 seconds` is 100/s). `bound` is a
    non-numeric bound the row states instead of a value (`unlimited`)."""

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
    bound: str | None = None

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
        """`1 MiB`, `1-900 seconds`, `1-35 days (default 35)`, `unlimited`."""
        return _ref_display(self)

    @property
    def since(self) -> str:
        """`AWS since 2025-08`, or `AWS today` when the row has no date."""
        return f"AWS since {self.as_of}" if self.as_of and self.as_of != "unknown" else "AWS today"


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
        bound=bound_named(unit_text) if value is None else None,
    )


def bound_named(text: str) -> str | None:
    """The non-numeric bound a text names (`unlimited`, `forever`), by the cue words of bounds."""
    low = text.lower()
    for name, phrases in cues()["bounds"].items():
        if any(re.search(rf"(?<![a-z]){re.escape(p.lower())}(?![a-z])", low) for p in phrases):
            return str(name)
    return None


def _read_unit(main: str) -> tuple[str, str, float, str | None]:
    """(unit as written, measure, factor to base, per) of a unit phrase: `MB/s per shard`,
    `execution environments per 10 seconds`, `transactions per second per API action`, `KB`."""
    head, _, per = main.partition(" per ")
    first = head.split()[0] if head.split() else ""
    rate = re.fullmatch(r"([A-Za-z]+)/s(?:ec)?", first)
    if rate:
        dim, base = to_base(1.0, rate.group(1))
        if dim == "bytes":
            return first, "bytes/s", float(base or 1.0), per or None
    dim, base = to_base(1.0, first)
    if dim != "count":
        return first, dim, float(base or 1.0), per or None
    period = period_seconds(per)
    if period:  # `requests per second`, `environments per 10 seconds`: a count over a period
        return head.strip(), "count/s", 1.0 / period, per or None
    return head.strip(), "count", 1.0, per or None


def period_seconds(per: str | None) -> float | None:
    """The seconds of the period a `per` phrase opens with (`10 s`, `second per API action`,
    `1 min`), or None when it is not a time (`function`, `clock hour`)."""
    if not per:
        return None
    m = re.match(r"\s*(\d[\d,]*(?:\.\d+)?)?\s*([A-Za-z]+)", per)
    if not m:
        return None
    try:
        base, dim, _ = parse_quantity(f"{m.group(1) or '1'}{m.group(2)}")
    except ValueError:
        return None
    return base if dim == "seconds" and base > 0 else None


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
    """The catalog id of a reference row's service: `ElastiCache (Valkey/Redis OSS)`, `EBS`; None
    for what the catalog does not hold (`AWS Free Tier`, a programme across services)."""
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


# --------------------------------------------------------------------------- display


_BINARY = (("TiB", 1024.0**4), ("GiB", 1024.0**3), ("MiB", 1024.0**2), ("KiB", 1024.0))


def _ref_display(ref: Reference) -> str:
    if ref.value is None:
        return ref.bound or ref.unit or "?"
    if ref.dimension == "bytes" and ref.unit_name.lower() in ("bytes", "byte", "b"):
        # Byte counts read better in the unit AWS announces them in: 1,048,576 bytes is 1 MiB.
        text = _bytes_text(ref.base_value or 0.0)
        if ref.base_value_max is not None:
            text += f"-{_bytes_text(ref.base_value_max)}"
    else:
        hi = f"-{format_number(ref.value_max)}" if ref.value_max is not None else ""
        text = f"{format_number(ref.value)}{hi} {ref.unit.split('(', 1)[0].strip()}".strip()
    if ref.kind in ("range", "max") and ref.base_default is not None:
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
