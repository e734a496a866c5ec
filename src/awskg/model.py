"""The core records: what a reader makes of a notes file and what the graph hands back.

Readers produce Cards of NoteLines; extraction turns them into Entities, Limits and Relations, each
carrying the Sources (file, line, card) it came from. Query results are Hits. Every record has a
`to_dict()` that is plain JSON, because the CLI's `--json`, the app and the exports all print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Source:
    """Where a fact was read: a file (as given to the build, POSIX style) and a 1-based line."""

    file: str
    line: int
    card: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line}
        if self.card:
            out["card"] = self.card
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(str(data.get("file", "")), int(data.get("line", 0)), data.get("card"))


@dataclass
class NoteLine:
    """One physical line of a card's answer, as the reader understood it.

    `text` is the line as written (for display); `plain` is what matching sees (markup and HTML
    stripped, entities decoded). `term`/`definition` split a `term: definition` line; `heading` is the
    nearest line above, in the same card, that heads the lines below it (`timeout:`, `* sub-topic`,
    a Markdown heading). `masks` are character spans of `plain` that are never sources of limits
    (inline code, URLs); `subject_hint` is set where the format itself says what a value bounds (a
    table cell's row and column headers).
    """

    number: int
    text: str
    plain: str
    role: str = "text"  # title | term | subtopic | heading | text | code | table | question
    term: str | None = None
    definition: str | None = None
    heading: str | None = None
    masks: tuple[tuple[int, int], ...] = ()
    subject_hint: str | None = None
    service_hint: str | None = None
    cells: tuple[str, ...] = ()  # a table row's (or header's) cells, as plain text, in column order


@dataclass
class Card:
    """A flashcard (or a Markdown section, or an Anki note): a front and the answer lines below it."""

    id: str
    file: str
    number: int
    front: str
    front_lines: tuple[int, ...]
    first_line: int
    last_line: int
    lines: list[NoteLine] = field(default_factory=list)
    services: list[str] = field(default_factory=list)  # catalog ids, the card's own service first
    topic: str = ""
    tags: list[str] = field(default_factory=list)
    fmt: str = "flashcards"
    # The front is one question, statement to judge or blank to fill, and the lines answer it (Q/A
    # decks, Anki notes): a bare `90 days` below it is the answer, and a stated front is a fact.
    asks: bool = False
    # What the format says of the card beyond its lines, kept on its graph node: an Anki package
    # note's id, note type, deck and field lines; an Obsidian note's title, aliases and links.
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def service(self) -> str | None:
        return self.services[0] if self.services else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "card": self.number,
            "front": self.front,
            "front_lines": list(self.front_lines),
            "answer_first_line": self.first_line,
            "answer_last_line": self.last_line,
            "services": list(self.services),
            "topic": self.topic,
            "format": self.fmt,
            "asks": self.asks,
        }


@dataclass
class Limit:
    """A stated limit: numbers (or a non-numeric bound such as `unlimited`), unit, kind, subject.

    `unit` is kept as written (normalised spelling: `MB`, `s`, `layers`); `base_value` and
    `base_value_max` are in base units of `dimension` (bytes, seconds, percent, count) so limits
    compare across units. `bound` holds a non-numeric bound (`unlimited`, `forever`, `no limit`).
    `stale` is set when AWS states the limit otherwise today: the flag's dict (`notes_value`,
    `aws_value`, `as_of`, `source`, `message`; see study/stale.py), else None.
    """

    id: str
    service: str | None
    subject: str
    kind: str
    value: float | None
    value_max: float | None
    unit: str | None
    text: str
    source: Source
    sources: list[Source] = field(default_factory=list)
    dimension: str = "count"
    base_value: float | None = None
    base_value_max: float | None = None
    per: str | None = None
    bound: str | None = None
    feature: str | None = None
    service_id: str | None = None
    line_text: str = ""
    conflict: bool = False
    unsure: str | None = None  # why the number may not be what the note meant (`12,500,00`)
    stale: dict[str, Any] | None = None

    @property
    def display(self) -> str:
        """The value as a student reads it: `256 KB`, `0-15 min`, `unlimited`."""
        if self.value is None:
            return self.bound or self.text
        num = format_number(self.value)
        if self.value_max is not None:
            sep = " or " if self.kind == "other" else "-"
            num = f"{num}{sep}{format_number(self.value_max)}"
        unit = self.unit or ""
        if self.per:
            unit = f"{unit} per {self.per}".strip()
        return f"{num} {unit}".strip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "service": self.service,
            "subject": self.subject,
            "kind": self.kind,
            "value": self.value,
            "value_max": self.value_max,
            "unit": self.unit,
            "text": self.text,
            "display": self.display,
            "source": self.source.to_dict(),
            "sources": [s.to_dict() for s in self.sources],
            "dimension": self.dimension,
            "base_value": self.base_value,
            "base_value_max": self.base_value_max,
            "per": self.per,
            "bound": self.bound,
            "feature": self.feature,
            "line_text": self.line_text,
            "conflict": self.conflict,
            "unsure": self.unsure,
            "stale": self.stale,
        }


@dataclass
class Neighbour:
    """One ranked neighbour of an entity: the relation that joins them and the lines that say so."""

    id: str
    name: str
    type: str
    relation: str
    direction: str  # "out" (entity -> neighbour) or "in"
    score: float
    evidence: list[Source] = field(default_factory=list)
    evidence_text: list[str] = field(default_factory=list)
    depth: int = 1
    via: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "relation": self.relation,
            "direction": self.direction,
            "score": round(self.score, 4),
            "depth": self.depth,
            "via": self.via,
            "evidence": [s.to_dict() for s in self.evidence],
            "evidence_text": list(self.evidence_text),
        }


@dataclass
class Entity:
    """A node of the graph as the API hands it out: its type, definition (and the line it is read
    from), sources, limits, neighbours."""

    id: str
    type: str
    name: str
    definition: str = ""
    service: str | None = None
    sources: list[Source] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    limits: list[Limit] = field(default_factory=list)
    neighbours: list[Neighbour] = field(default_factory=list)
    source_text: list[tuple[Source, str]] = field(default_factory=list)
    definition_source: Source | None = None  # the line the definition is read from

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "definition": self.definition,
            "definition_source": self.definition_source.to_dict() if self.definition_source else None,
            "service": self.service,
            "aliases": list(self.aliases),
            "sources": [s.to_dict() for s in self.sources],
            "attrs": dict(self.attrs),
            "limits": [lim.to_dict() for lim in self.limits],
            "neighbours": [n.to_dict() for n in self.neighbours],
            "source_text": [{**s.to_dict(), "text": t} for s, t in self.source_text],
        }


@dataclass
class Hit:
    """A search result: the entity (or note line) that answers, with the note text behind it.

    `stale` is the flag of a value AWS states otherwise today (see Limit.stale), else None."""

    id: str
    type: str
    name: str
    snippet: str
    score: float
    service: str | None = None
    source: Source | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    stale: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "snippet": self.snippet[:240],
            "score": round(self.score, 4),
            "service": self.service,
            "source": self.source.to_dict() if self.source else None,
            "stale": self.stale,
        }
        for key, value in self.fields.items():
            out.setdefault(key, value)
        return out


def format_number(value: float) -> str:
    """`256.0` -> `256`, `10240.0` -> `10,240`, `0.5` -> `0.5`."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.6g}"
