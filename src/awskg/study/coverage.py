"""What the notes leave out: the services an exam guide puts in scope, each covered, thin or missing.

`data/exams/<CODE>.json` holds one exam guide's in-scope services (and its out-of-scope list where
the guide gives one) in the catalog's canonical names, grouped as the guide groups them, with the
guide's URL and how the list was read. `coverage_report(kg, "DVA-C02")` sets each in-scope service beside
what the notes hold on it:

- covered: the notes explain it: a definition, a card of its own, features or limits. Its catalog
  parts count (a card on Lambda Layers is notes on Lambda), and are named in `via`;
- thin: the notes name it but never explain it: mention lines only;
- missing: the notes never name it (nor any part of it).

Like the stale flags, the guide never changes what the notes say: it is a lens on them, read from
the stored graph through the public KnowledgeGraph API.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ..errors import UsageError
from ..graph import KnowledgeGraph
from ..model import Source
from ..vocabulary import catalog

STATUSES = ("covered", "thin", "missing")
DEFAULT_EXAM = "DVA-C02"
EXAM_FOLDER = "exams"

# Relations that put names side by side (a line naming both, a catalog part) rather than state what
# a service does; `relations` counts the others (USES, STORES_DATA_IN, CONTRASTS_WITH, ...).
_NAMING = frozenset({"MENTIONS", "RELATED_TO", "PART_OF", "HAS_FEATURE", "HAS_LIMIT", "TYPE_OF"})
NEARBY = 3


# --------------------------------------------------------------------------- the exam guides


@dataclass(frozen=True)
class GuideEntry:
    """One service as an exam guide lists it: the catalog's id and name, the guide's own words."""

    service_id: str | None  # None: a name the catalog does not know (out-of-scope lists only)
    name: str
    guide: str
    group: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {"service_id": self.service_id, "name": self.name, "guide": self.guide, "group": self.group}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class ExamGuide:
    """An exam guide's services, each once, in the order and groups the guide lists them."""

    code: str
    title: str
    url: str
    version: str | None
    date: str | None
    verified: str
    read_from: tuple[dict[str, Any], ...]
    domains: tuple[tuple[str, int], ...]
    groups: tuple[str, ...]
    in_scope: tuple[GuideEntry, ...]
    out_of_scope: tuple[GuideEntry, ...]
    out_of_scope_given: bool
    out_of_scope_note: str
    unmapped: tuple[dict[str, Any], ...] = ()
    in_use: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam": self.code,
            "title": self.title,
            "url": self.url,
            "version": self.version,
            "date": self.date,
            "in_use": dict(self.in_use),
            "verified": self.verified,
            "read_from": [dict(r) for r in self.read_from],
            "domains": [{"name": n, "weight": w} for n, w in self.domains],
            "groups": list(self.groups),
            "out_of_scope_given": self.out_of_scope_given,
            "out_of_scope_note": self.out_of_scope_note,
            "out_of_scope": [e.to_dict() for e in self.out_of_scope],
            "unmapped": [dict(u) for u in self.unmapped],
        }


def _exam_files() -> dict[str, Any]:
    folder = resources.files("awskg").joinpath("data").joinpath(EXAM_FOLDER)
    return {p.name[: -len(".json")]: p for p in folder.iterdir() if p.name.endswith(".json")}


@cache
def known_exams() -> tuple[str, ...]:
    """The exam codes shipped as package data: `('CLF-C02', 'DVA-C02', ...)`."""
    return tuple(sorted(_exam_files()))


def exam_guide(code: str = DEFAULT_EXAM) -> ExamGuide:
    """The shipped guide of an exam (`dva-c02` is DVA-C02); an unknown code is a UsageError that
    lists the known ones."""
    wanted = re.sub(r"\s+", "", str(code or "")).upper()
    if wanted not in known_exams():
        raise UsageError(f"unknown exam {str(code)[:40]!r}; known exams: {', '.join(known_exams())}")
    return _load_guide(wanted)


@cache
def _load_guide(code: str) -> ExamGuide:
    path = _exam_files()[code]
    raw = json.loads(path.read_text(encoding="utf-8"))
    guide = raw.get("guide", {})
    in_scope, groups = _entries(raw.get("in_scope", []), f"{code}.json", strict=True)
    out = raw.get("out_of_scope", {})
    out_scope, _ = _entries(out.get("groups", []), f"{code}.json", strict=False)
    return ExamGuide(
        code=str(raw["exam"]),
        title=str(raw.get("title", "")),
        url=str(guide.get("url", "")),
        version=guide.get("version"),
        date=guide.get("date"),
        verified=str(guide.get("verified", "")),
        read_from=tuple(guide.get("read_from", [])),
        domains=tuple((str(d["name"]), int(d["weight"])) for d in raw.get("domains", [])),
        groups=groups,
        in_scope=in_scope,
        out_of_scope=out_scope,
        out_of_scope_given=bool(out.get("given")),
        out_of_scope_note=str(out.get("note", "")),
        unmapped=tuple(raw.get("unmapped", [])),
        in_use={k.removeprefix("in_use_"): str(v) for k, v in guide.items() if k.startswith("in_use_")},
    )


def _entries(
    groups: list[dict[str, Any]], where: str, strict: bool
) -> tuple[tuple[GuideEntry, ...], tuple[str, ...]]:
    """The entries of a guide's groups, each service once (a guide may list one under two groups:
    AppSync under Application Integration and Serverless); it stays in the first."""
    cat = catalog()
    seen: set[str] = set()
    out: list[GuideEntry] = []
    names: list[str] = []
    for group in groups:
        names.append(str(group["name"]))
        for item in group.get("services", []):
            name = item.get("service")
            sid = cat.lookup(name) if name else None
            if name and (sid is None or cat.name(sid) != name):
                # A package data error, not a user's: the test of the data files names it first.
                raise ValueError(f"{where}: {name!r} is not a canonical catalog name")
            if strict and sid is None:
                raise ValueError(f"{where}: in-scope {item.get('guide')!r} names no catalog service")
            key = sid or str(item.get("guide"))
            if key in seen:
                continue
            seen.add(key)
            out.append(GuideEntry(sid, name or str(item.get("guide")), str(item.get("guide", name)),
                                  str(group["name"]), str(item.get("note", ""))))
    return tuple(out), tuple(names)


# --------------------------------------------------------------------------- the notes' side


@dataclass
class ServiceCoverage:
    """One in-scope service beside the notes: its status, and how much the notes hold on it."""

    service_id: str
    name: str
    group: str
    guide: str
    status: str
    node: str | None = None  # its entity page, when the notes name it
    defined: bool = False  # the notes define the service itself (not only a part of it)
    cards: int = 0
    lines: int = 0
    limits: int = 0
    features: int = 0
    relations: int = 0
    via: list[str] = field(default_factory=list)  # catalog parts whose notes count toward it
    first: Source | None = None  # the first note line that names it
    nearby: list[tuple[str, str]] = field(default_factory=list)  # (node, name) in the notes near it

    @property
    def how(self) -> str:
        """`2 cards, 16 lines, 3 limits, 2 relations, defined` (what makes it covered or thin)."""
        if self.status == "missing":
            return "never named"
        parts = [_count(self.cards, "card"), _count(self.lines, "line"), _count(self.limits, "limit"),
                 _count(self.features, "feature"), _count(self.relations, "relation")]
        text = ", ".join([p for p in parts if p] + (["defined"] if self.defined else []))
        if self.via:
            text += "; explained with its parts " + ", ".join(self.via)
        if self.status == "thin":
            text += "; named, never explained"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "name": self.name,
            "group": self.group,
            "guide": self.guide,
            "status": self.status,
            "node": self.node,
            "defined": self.defined,
            "cards": self.cards,
            "lines": self.lines,
            "limits": self.limits,
            "features": self.features,
            "relations": self.relations,
            "via": list(self.via),
            "first": self.first.to_dict() if self.first else None,
            "nearby": [{"node": n, "name": name} for n, name in self.nearby],
            "how": self.how,
        }


def _where(src: Source) -> tuple[str, int]:
    return (src.file, src.line)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}" if n else ""


@dataclass
class CoverageReport:
    """An exam guide's in-scope services, each with its coverage in the notes, in the guide's order."""

    exam: ExamGuide
    services: list[ServiceCoverage]
    out_of_scope_in_notes: list[ServiceCoverage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.services)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for x in self.services if x.status == s) for s in STATUSES}

    @property
    def percent(self) -> float:
        """The coverage figure: the share of in-scope services the notes cover, in percent."""
        return round(100.0 * self.counts["covered"] / self.total, 1) if self.total else 0.0

    def by_group(self) -> list[tuple[str, list[ServiceCoverage]]]:
        """The services grouped as the guide groups them, groups in the guide's order."""
        return [(g, [s for s in self.services if s.group == g]) for g in self.exam.groups
                if any(s.group == g for s in self.services)]

    def to_study(self) -> list[ServiceCoverage]:
        """The missing and thin services, missing first, each group in the guide's order."""
        order = {g: i for i, g in enumerate(self.exam.groups)}
        todo = [s for s in self.services if s.status != "covered"]
        return sorted(todo, key=lambda s: (s.status != "missing", order.get(s.group, 0)))

    @property
    def summary(self) -> str:
        """`DVA-C02: 27 of 58 in-scope services covered (46.6 %), 7 thin, 24 missing`"""
        c = self.counts
        return (f"{self.exam.code}: {c['covered']} of {self.total} in-scope services covered "
                f"({self.percent:g} %), {c['thin']} thin, {c['missing']} missing")

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam": self.exam.to_dict(),
            "total": self.total,
            "counts": self.counts,
            "percent": self.percent,
            "summary": self.summary,
            "groups": [{"name": g, "services": [s.to_dict() for s in items]} for g, items in self.by_group()],
            "out_of_scope_in_notes": [s.to_dict() for s in self.out_of_scope_in_notes],
        }


# --------------------------------------------------------------------------- coverage


def coverage_report(kg: KnowledgeGraph, exam: str = DEFAULT_EXAM) -> CoverageReport:
    """Each in-scope service of the exam's guide, covered, thin or missing in the notes of `kg`."""
    guide = exam_guide(exam)
    reader = _Reader(kg)
    services = [reader.service(e) for e in guide.in_scope]
    present = {s.service_id: s for s in services if s.status != "missing"}
    for s in services:
        if s.status == "missing":
            s.nearby = reader.nearby(s, services, present)
    out = [reader.service(e) for e in guide.out_of_scope if e.service_id]
    return CoverageReport(guide, services, [s for s in out if s.status != "missing"])


class _Reader:
    """The notes' evidence on catalog services, read once per service from the graph."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg
        self.cat = catalog()
        self.children: dict[str, list[str]] = {}
        for rec in self.cat.services.values():
            if rec.parent:
                self.children.setdefault(rec.parent, []).append(rec.id)
        self.own_cards: dict[str, list[dict[str, Any]]] = {}
        for card in kg.cards():
            owners = card.get("services") or []
            if owners:
                self.own_cards.setdefault(owners[0], []).append(card)
        self._evidence: dict[str, _Evidence | None] = {}

    def service(self, entry: GuideEntry) -> ServiceCoverage:
        sid = entry.service_id or ""
        own = self.evidence(sid)
        parts = [(p, ev) for p in self._descendants(sid) if (ev := self.evidence(p)) is not None]
        found = ([own] if own else []) + [ev for _, ev in parts]
        cov = ServiceCoverage(sid, entry.name, entry.group, entry.guide, "missing",
                              node=own.node if own else (parts[0][1].node if parts else None))
        if not found:
            return cov
        cov.defined = bool(own and own.defined)
        cov.cards = len({c for ev in found for c in ev.cards})
        cov.lines = len({ln for ev in found for ln in ev.lines})
        cov.limits = len({x for ev in found for x in ev.limits})
        cov.features = len({x for ev in found for x in ev.features})
        cov.relations = len({x for ev in found for x in ev.relations})
        cov.via = [self.cat.name(p) or p for p, ev in parts if ev.explained]
        cov.first = min((ev.first for ev in found if ev.first), key=_where, default=None)
        cov.status = "covered" if any(ev.explained for ev in found) else "thin"
        return cov

    def evidence(self, sid: str) -> _Evidence | None:
        """What the notes hold on one catalog service itself (not its parts), or None if unnamed."""
        if sid not in self._evidence:
            self._evidence[sid] = self._read(sid)
        return self._evidence[sid]

    def _read(self, sid: str) -> _Evidence | None:
        node = f"service:{sid}"
        if not sid or node not in self.kg:
            return None
        e = self.kg.entity(node)
        cards = self.own_cards.get(sid, [])
        lines = {(s.file, s.line) for s in e.sources}
        lines |= {(c.get("file", ""), int(n)) for c in cards for n, _role, _text in c.get("lines", [])}
        return _Evidence(
            node=node,
            defined=bool(e.definition),
            cards=frozenset(c["id"] for c in cards),
            lines=frozenset(lines),
            limits=frozenset(lim.id for lim in e.limits),
            features=frozenset(
                n.id for n in e.neighbours if n.relation == "HAS_FEATURE" and n.direction == "out"
            ),
            relations=frozenset(n.id for n in e.neighbours if n.relation not in _NAMING),
            first=min(e.sources, key=_where, default=None),
        )

    def name_of(self, node: str) -> str:
        return str(self.kg.node(node).get("name", node))

    def _descendants(self, sid: str) -> list[str]:
        out: list[str] = []
        stack = sorted(self.children.get(sid, []), reverse=True)
        while stack:
            child = stack.pop()
            out.append(child)
            stack.extend(sorted(self.children.get(child, []), reverse=True))
        return out

    def nearby(self, missing: ServiceCoverage, services: list[ServiceCoverage],
               present: dict[str, ServiceCoverage]) -> list[tuple[str, str]]:
        """What the notes say near a service they never name: its catalog relatives they name
        (parent, siblings), then the services of its guide group they cover, then those they name."""
        rec = self.cat.get(missing.service_id)
        relatives: list[str] = []
        if rec and rec.parent:
            relatives = [rec.parent, *sorted(self.children.get(rec.parent, []))]
        found: list[tuple[str, str]] = []
        for sid in relatives:
            ev = self.evidence(sid)
            if ev and sid != missing.service_id:
                found.append((ev.node, self.name_of(ev.node)))
        same_group = [s for s in services if s.group == missing.group and s.service_id in present]
        same_group.sort(key=lambda s: (s.status != "covered", -s.lines, s.name))
        found += [(s.node, self.name_of(s.node)) for s in same_group if s.node]
        unique: list[tuple[str, str]] = []
        for item in found:
            if item not in unique:
                unique.append(item)
        return unique[:NEARBY]


@dataclass(frozen=True)
class _Evidence:
    node: str
    defined: bool
    cards: frozenset[str]
    lines: frozenset[tuple[str, int]]
    limits: frozenset[str]
    features: frozenset[str]
    relations: frozenset[str]
    first: Source | None

    @property
    def explained(self) -> bool:
        """The notes say what it is or what it does: not only that it exists."""
        return bool(self.defined or self.cards or self.features or self.limits)
