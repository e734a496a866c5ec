"""The vocabulary awskg reads notes with, loaded from package data files (`awskg/data/*.json`).

Nothing here is a fact of anyone's notes: the AWS service catalog with its aliases, the unit table,
the cue words of limit kinds, query synonyms and relation phrases. Loading it never imports spaCy, so
the query side can use the catalog (abbreviations, service names) and stay light.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_data(name: str) -> Any:
    """One data file of the package, parsed (cached: the files are read once per process)."""
    with resources.files("awskg").joinpath("data").joinpath(name).open("r", encoding="utf-8") as fh:
        return json.load(fh)


def fold(text: str) -> str:
    """The key aliases are compared by: lower case, curly quotes straightened, spaces squeezed."""
    text = text.replace("’", "'").replace("‘", "'").lower()
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class ServiceRecord:
    id: str
    name: str
    full_name: str
    category: str
    group: str
    parent: str | None
    aliases: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    # Spellings other services use for a feature of their own (`Auto Scaling` under DynamoDB): they
    # name this service only where no other service is in context.
    generic_aliases: list[str] = field(default_factory=list)

    @property
    def spellings(self) -> list[str]:
        """Every case-insensitive spelling: name, full name, aliases."""
        seen: dict[str, str] = {}
        for s in [self.name, self.full_name, *self.aliases]:
            if s and fold(s) not in seen:
                seen[fold(s)] = s
        return list(seen.values())


class Catalog:
    """The AWS service catalog: lookups by id, by spelling, by abbreviation, and fuzzy by title."""

    def __init__(self, data: dict[str, Any]):
        self.services: dict[str, ServiceRecord] = {}
        for raw in data.get("services", []):
            rec = ServiceRecord(
                id=raw["id"],
                name=raw["name"],
                full_name=raw.get("full_name") or raw["name"],
                category=raw.get("category", "service"),
                group=raw.get("group", "other"),
                parent=raw.get("parent"),
                aliases=list(raw.get("aliases", [])),
                abbreviations=list(raw.get("abbreviations", [])),
                generic_aliases=list(raw.get("generic_aliases", [])),
            )
            self.services[rec.id] = rec
        self.ambiguous: dict[str, dict[str, Any]] = dict(data.get("ambiguous", {}))
        self._generic = {fold(s) for raw in data.get("services", []) for s in raw.get("generic_aliases", [])}
        self._by_spelling: dict[str, str] = {}
        self._by_abbrev: dict[str, str] = {}
        for rec in self.services.values():
            for s in rec.spellings:
                self._by_spelling.setdefault(fold(s), rec.id)
            for a in rec.abbreviations:
                self._by_abbrev.setdefault(a, rec.id)
        # Fuzzy matching of titles with typos ("kinesis video steams") runs over full spellings only;
        # abbreviations are too short to correct.
        self._fuzzy_keys = sorted(self._by_spelling)

    def __contains__(self, service_id: str) -> bool:
        return service_id in self.services

    def get(self, service_id: str | None) -> ServiceRecord | None:
        return self.services.get(service_id or "")

    def name(self, service_id: str | None) -> str | None:
        rec = self.get(service_id)
        return rec.name if rec else None

    def lookup(self, text: str) -> str | None:
        """Exact lookup of a spelling (case-insensitive) or abbreviation (case-sensitive, then upper)."""
        text = text.strip()
        if not text:
            return None
        if text in self._by_abbrev:
            return self._by_abbrev[text]
        hit = self._by_spelling.get(fold(text))
        return hit

    def lookup_fuzzy(self, text: str, cutoff: float = 88.0) -> str | None:
        """A title with a typo (`CodArtifact`, `kinesis video steams`) to its service, or None."""
        exact = self.lookup(text)
        if exact:
            return exact
        key = fold(text)
        if len(key) < 5:
            return None
        from rapidfuzz import fuzz, process  # (only titles with a typo get here: cold queries skip it)

        best = process.extractOne(key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        return self._by_spelling[best[0]] if best else None

    def resolve_ambiguous(self, abbrev: str, context: str, prefer: list[str] | None = None) -> str | None:
        """Decide an ambiguous short form (EBS) by its context: a candidate that is the card's own
        service (or named in it) wins; else the candidate whose context words occur most; else the
        default."""
        entry = self.ambiguous.get(abbrev)
        if not entry:
            return None
        candidates = list(entry.get("candidates", []))
        for pid in prefer or []:
            if pid in candidates:
                return pid
        ctx = fold(context)
        best, best_score = entry.get("default"), 0
        for cid in candidates:
            words = entry.get("context", {}).get(cid, [])
            score = sum(1 for w in words if re.search(r"\b" + re.escape(fold(w)) + r"\b", ctx))
            if score > best_score:
                best, best_score = cid, score
        return best

    def is_generic(self, text: str) -> bool:
        """Whether `text` is a spelling several services use for a feature (`Auto Scaling`)."""
        return fold(text) in self._generic

    def abbreviation_map(self) -> dict[str, str]:
        """abbreviation (as written) -> service id, ambiguous ones excluded."""
        return dict(self._by_abbrev)

    def spelling_map(self) -> dict[str, str]:
        """folded spelling -> service id."""
        return dict(self._by_spelling)


@cache
def catalog() -> Catalog:
    return Catalog(load_data("services.json"))


@cache
def units() -> dict[str, Any]:
    return load_data("units.json")


@cache
def count_unit_words() -> frozenset[str]:
    """Lower-case nouns that are units by themselves (`iops`, `rcu`, `rcus`; units.json)."""
    return frozenset(w.lower() for w in units().get("count_units", {}).get("words", []))


@cache
def rate_nouns() -> dict[str, str]:
    """Lower-case nouns that are rates by themselves, to their unit: `rps` -> `requests/s`."""
    return {k.lower(): v for k, v in units().get("rate_nouns", {}).items() if k != "comment"}


@cache
def cues() -> dict[str, Any]:
    return load_data("cues.json")


@cache
def synonyms() -> dict[str, Any]:
    return load_data("synonyms.json")


@cache
def relations() -> dict[str, Any]:
    return load_data("relations.json")


@cache
def entity_patterns() -> dict[str, Any]:
    return load_data("entities.json")
