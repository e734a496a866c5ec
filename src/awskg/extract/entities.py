"""Entity nodes: services and their components, features (card topics, defined terms, headings,
sub-topics) with their definitions, and the typed entities a line names or a term defines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..graph import slug
from ..model import Card, NoteLine, Source
from ..quantities import find_quantities
from ..vocabulary import catalog
from .facts import Facts
from .mentions import Mention, arn_name
from .names import feature_like, split_aliases, without_symbols

TERM_SKIP = {"note", "notes", "example", "e.g", "eg", "tip", "important", "i.e", "ie", "see", "ps", "nb"}


class EntityWriter:
    """Writes entity nodes into a file's Facts, merging what the catalog knows of a service."""

    def __init__(self, cat: Any, products: dict[str, dict[str, Any]]) -> None:
        self.cat = cat
        self.products = products

    def is_part(self, node: str, sid: str) -> bool:
        rec = self.cat.get(node.split(":", 1)[1]) if node.startswith("service:") else None
        return bool(rec and rec.parent == sid)

    def service_node(self, facts: Facts, sid: str, sources: Iterable[Source]) -> str:
        node_id = f"service:{sid}"
        if node_id in facts.nodes:
            facts.node(node_id, "service", facts.name(node_id), sources)  # attributes given once
            return node_id
        rec = self.cat.get(sid)
        if rec:
            aliases = sorted({*rec.spellings, *rec.abbreviations} - {rec.name}, key=str.lower)
            facts.node(
                node_id,
                "service",
                rec.name,
                sources,
                category=rec.category,
                group=rec.group,
                full_name=rec.full_name,
                aliases=aliases,
                parent=rec.parent,
            )
        else:
            prod = self.products.get(sid, {"name": sid, "aliases": []})
            facts.node(
                node_id,
                "service",
                prod["name"],
                sources,
                category="external",
                aliases=list(prod.get("aliases", [])),
            )
        return node_id

    def component(self, name: str, sid: str | None) -> str | None:
        """The catalog entry a topic names, if any: itself (`RDS proxy`), or a part of the card's
        service written without the service's name (`layers` in a Lambda card: Lambda Layers)."""
        found = self.cat.lookup(name)
        if found:
            return found
        rec = self.cat.get(sid)
        if not rec:
            return None
        for variant in (f"{rec.name} {name}", f"{rec.name} {name}s", f"{rec.name} {name.rstrip('s')}"):
            part = self.cat.lookup(variant)
            if part and self.cat.get(part) and self.cat.get(part).parent == sid:
                return part
        return None

    def feature(
        self,
        facts: Facts,
        sid: str | None,
        name: str,
        definition: str,
        sources: list[Source],
        kind: str,
        defined_at: dict[str, Any] | None = None,
    ) -> str | None:
        """A feature node (or the catalog part it names); `defined_at` is the {file, line} its
        definition is read from, so `show` can say which line defines it."""
        name, aliases = split_aliases(name)
        if not name or len(name) > 80:
            return None
        where = defined_at if definition else None
        if kind in ("heading", "subtopic") and sid and self.names_service(name) == sid:
            # `## SQS - Simple Queue Service` heads the service's own section: no feature of it.
            return self.service_node(facts, sid, sources)
        part = self.component(name, sid) if kind != "topic" else None
        if part and part != sid and self.cat.get(part) and self.cat.get(part).parent == sid:
            node = self.service_node(facts, part, sources)
            if definition and not facts.attr(node, "definition"):
                facts.attrs(node, definition=definition, definition_source=where)
            return node
        node_id = f"feature:{sid or 'general'}/{slug(name)}"
        svc = self.cat.name(sid) if sid in self.cat else (self.products.get(sid or "", {}).get("name"))
        facts.node(
            node_id,
            "feature",
            name,
            sources,
            service=svc,
            service_id=sid,
            definition=definition,
            definition_source=None if node_id in facts.nodes and facts.attr(node_id, "definition") else where,
            aliases=aliases,
            kind=kind,
        )
        return node_id

    def names_service(self, text: str) -> str | None:
        """The service a heading or topic names as a whole, or on one side of a dash (`S3 – Simple
        Storage Service`, `SQS - Simple Queue Service`)."""
        name, aliases = split_aliases(text)
        sides = [name, *aliases, *(s.strip() for s in re.split(r"\s+[–—-]\s+", without_symbols(text)))]
        return next((sid for sid in map(self.cat.lookup, sides) if sid), None)

    def term(
        self,
        facts: Facts,
        ln: NoteLine,
        src: Source,
        mentions: list[Mention],
        sid: str | None,
        card: Card,
        name: str | None = None,
    ) -> str | None:
        """The entity a `term: definition` line defines; `name` is the full name a short term
        stands for (`standard` under `Standard Workflows vs Express Workflows`)."""
        term = (ln.term or "").strip()
        definition = (ln.definition or "").strip()
        # A term that is itself a typed entity (`PutRecord:`, `CODEBUILD_KMS_KEY_ID:`) defines it.
        for m in mentions:
            if m.start <= 2 and m.end >= len(term) - 1 and m.type != "service":
                facts.node(m.key, m.type, m.text, [src], definition=definition,
                           definition_source={"file": src.file, "line": src.line} if definition else None)
                return m.key
        # A definition that is one entity (`Function version – arn:aws:lambda:...`) names it.
        d0 = ln.plain.find(definition) if definition else -1
        for m in mentions:
            if (
                d0 >= 0
                and m.type not in ("service",)
                and m.start <= d0 + 1
                and m.end >= d0 + len(definition) - 2
            ):
                label = f"{term} ARN" if m.type == "arn" and "arn" not in term.lower() else term
                facts.node(m.key, m.type, label, [src], aliases=[term])
                return m.key
        if re.fullmatch(r"_?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", term):
            key = f"env_var:{term}"
            facts.node(key, "env_var", term, [src], definition=definition, services=[sid] if sid else [])
            return key
        if re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+", term) and not self.cat.lookup(term):
            key = f"api:{term.lower()}"
            facts.node(key, "api", term, [src], definition=definition, services=[sid] if sid else [])
            return key
        # A definition that is only a value (`max message size: 256KB`) names a limit, not a feature.
        rest = re.sub(r"[\d.,\s]+|\b[A-Za-z]{1,3}\b", "", definition)
        if len(rest) < 3 and re.search(r"\d", definition):
            return None
        at = {"file": src.file, "line": src.line}
        if name:
            node = self.feature(facts, sid, name, definition, [src], kind="term", defined_at=at)
            if node:
                facts.attrs(node, aliases=[split_aliases(term)[0]])
            return node
        if not feature_like(term, loose=True):
            return None
        return self.feature(facts, sid, term, definition, [src], kind="term", defined_at=at)

    def entity_node(self, facts: Facts, m: Mention, sources: list[Source], sid: str | None) -> str:
        if m.type == "service":
            return self.service_node(facts, m.key.split(":", 1)[1], sources)
        attrs: dict[str, Any] = {"services": [sid] if sid else []}
        name = m.text
        if m.type == "arn":
            attrs["example"] = m.text
            name = arn_name(m.text)
        facts.node(m.key, m.type, name, sources, **attrs)
        return m.key


def first_definition(lines: list[NoteLine], values: bool = True) -> tuple[str, int | None]:
    """The line that says what a card's topic is, and its number: the first answer line with words
    in it (`max uncompressed size: 10GB` is a limit, not what the topic is). A title-shaped first
    line counts (`cloud function invokation service`) unless it only names a service again. With
    `values` False, a line that states a value (`visibility timeout is 30 seconds`) is a fact
    about the topic, not what it is: a service is defined by words alone."""
    cat = catalog()
    for ln in lines:
        if ln.role in ("heading", "subtopic", "code"):
            continue
        text = (ln.definition or ln.plain).strip()
        if ln.role == "title":
            named = re.match(r"(.{2,60}?)\s+[–—-]\s+(\S.*)$", text)
            if named and cat.lookup(named.group(1)):
                text = named.group(2)  # `Kinesis - stream data operations`
            elif cat.lookup(text) or cat.lookup_fuzzy(text):
                continue
        if not re.search(r"[A-Za-z]{3,}.*[A-Za-z]{3,}", text) or (not values and find_quantities(text)):
            continue
        return text[:400], ln.number
    return "", None


def definition_below(lines: list[NoteLine], idx: int) -> str:
    parts = []
    for ln in lines[idx + 1 : idx + 3]:
        if ln.role in ("heading", "subtopic", "title"):
            break
        parts.append(ln.plain.strip())
    return " ".join(parts)[:400]
