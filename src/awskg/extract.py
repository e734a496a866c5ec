"""From Cards to facts: entities, limits and relations, each with the lines it was read from.

`extract_cards(cards)` runs the spaCy pipeline over a file's cards and returns `Facts`, plain JSON
(nodes and edges to add), so a build can cache them per file and merge files into one graph.
The rules read the language of notes, never a particular line of them:

  * services: catalog spellings and abbreviations (EntityRuler), ambiguous short forms (EBS)
    decided by the card they stand in;
  * features: card topics, defined terms, headings, sub-topics, with their definitions;
  * typed entities: API operations, errors, config files and paths, environment variables,
    metrics, ARN formats, IAM actions and managed policies (data/entities.json);
  * limits: quantities.find_quantities on each answer line, outside questions, with a subject
    (the words before the value, else the term, heading or topic) and a service (the card's, or
    the service a clause opens with);
  * relations: typed relations from relation cues (data/relations.json), CONTRASTS_WITH for the
    comparisons notes make, TYPE_OF by head noun, MENTIONS and RELATED_TO by co-occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from .graph import slug
from .model import Card, NoteLine, Source
from .quantities import Quantity, find_quantities, kind_named
from .vocabulary import catalog, entity_patterns, load_data

FACTS_VERSION = 1

_STOP = set(load_data("synonyms.json")["stopwords"]) | {
    "each",
    "every",
    "all",
    "any",
    "some",
    "this",
    "these",
    "those",
    "its",
    "their",
    "which",
    "if",
    "only",
    "also",
    "just",
    "must",
    "cannot",
    "can't",
    "can’t",
    "not",
    "no",
    "than",
    "so",
    "such",
    "we",
    "they",
    "them",
    "our",
    "us",
    "he",
    "she",
    "one",
    "fixed",
    "allowed",
    "valid",
}
_CUT_WORDS = {
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "can",
    "cannot",
    "can't",
    "can’t",
    "could",
    "must",
    "may",
    "might",
    "will",
    "would",
    "should",
    "shall",
    "has",
    "have",
    "had",
    "does",
    "do",
    "did",
    "up",
    "max",
    "maximum",
    "min",
    "minimum",
    "at",
    "least",
    "most",
    "less",
    "more",
    "than",
    "under",
    "over",
    "default",
    "defaults",
    "retained",
    "kept",
    "limited",
    "exceed",
    "exceeds",
    "tops",
    "ranges",
    "range",
    "from",
    "between",
    "configurable",
    "of",
    "to",
    "for",
    "by",
    "in",
    "lasts",
    "takes",
    "take",
    "results",
    "involve",
    "involves",
    "contains",
    "contain",
    "holds",
    "reserve",
    "allocate",
    "with",
    "after",
    "within",
    "no",
    "not",
    "only",
    "about",
    "around",
    "stores",
    "stored",
    "live",
    "lives",
    "expire",
    "expires",
    "set",
    "go",
    "goes",
    "get",
    "gets",
    "need",
    "needs",
    "pay",
    "charged",
    "billed",
    "runs",
    "run",
    "cost",
    "costs",
    "equal",
    "larger",
    "bigger",
    "smaller",
    "longer",
    "shorter",
    "greater",
    "fewer",
    "applied",
    "partitioned",
}
_TERM_SKIP = {"note", "notes", "example", "e.g", "eg", "tip", "important", "i.e", "ie", "see", "ps", "nb"}
_PLURAL_TOPIC = re.compile(
    r"\b(types|kinds|methods|strategies|policies|states|options|modes|styles|environments|"
    r"deployment methods|tiers|classes|models|patterns|approaches|phases|stages|calls|operations|apis|"
    r"actions|commands)\b",
    re.I,
)
_VS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.I)
_DIFF = re.compile(r"\bdifferences?\s+between\s+(.+?)(?:\?|$|\.)", re.I)
_QUESTION = re.compile(r"[^.!?;]*\?")
_URL = re.compile(r"https?://\S+|\bwww\.\S+|<[a-z][^<>]{0,80}>")
_PAREN_ABBR = re.compile(r"\s*\(([A-Za-z][A-Za-z0-9/-]{1,10})\)\s*")
_SERVICE_SUBJECT_TOKENS = 3
_PREPOSITIONS = {
    "from",
    "to",
    "into",
    "in",
    "on",
    "via",
    "through",
    "with",
    "by",
    "for",
    "of",
    "at",
    "onto",
    "across",
    "behind",
    "inside",
    "within",
    "using",
}
# What may stand between two items of one list: punctuation, a conjunction, and up to two words
# of the item before (`SNS topic or SQS queue`).
_LIST_GAP = re.compile(
    r"[\s,;/&()-]*(?:[a-z]+[\s,;/&()-]+){0,2}(?:\b(?:and|or|and/or)\b)?[\s,;/&()-]*(?:(?:apache|amazon|aws)\s+)?",
    re.I,
)


@dataclass
class Facts:
    """What one file says, as graph operations: nodes and edges with their sources.

    Repeats are merged as they come (sources as an ordered set, the first non-empty value of each
    attribute, lists unioned), so memory grows with what the file says, not with how often it says
    it, and each id reaches the graph once per file."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)

    def node(self, node_id: str, type: str, name: str, sources: Iterable[Source], **attrs: Any) -> str:
        acc = self.nodes.get(node_id)
        if acc is None:
            acc = self.nodes[node_id] = {"type": type, "name": name, "sources": {}, "attrs": {}}
        for src in sources:
            acc["sources"][(src.file, src.line, src.card or "")] = None
        _merge_attrs(acc["attrs"], attrs)
        return node_id

    def attrs(self, node_id: str, **attrs: Any) -> None:
        """More attributes for a node this file already added (lists merge)."""
        if node_id in self.nodes:
            _merge_attrs(self.nodes[node_id]["attrs"], attrs)

    def edge(self, u: str, v: str, relation: str, sources: Iterable[Source], **attrs: Any) -> None:
        if u == v:
            return
        acc = self.edges.get((u, v, relation))
        if acc is None:
            acc = self.edges[(u, v, relation)] = {"sources": {}, "attrs": {}}
        for src in sources:
            acc["sources"][(src.file, src.line, src.card or "")] = None
        _merge_attrs(acc["attrs"], attrs)

    def name(self, node_id: str) -> str:
        return self.nodes[node_id]["name"]

    def attr(self, node_id: str, key: str) -> Any:
        value = self.nodes[node_id]["attrs"].get(key)
        return value.value() if isinstance(value, _Union) else value

    def to_dict(self) -> dict[str, Any]:
        def srcs(keys: dict) -> list[dict[str, Any]]:
            return [{"file": f, "line": ln, **({"card": c} if c else {})} for f, ln, c in keys]

        return {
            "version": FACTS_VERSION,
            "nodes": [
                {
                    "id": i,
                    "type": n["type"],
                    "name": n["name"],
                    "sources": srcs(n["sources"]),
                    "attrs": _final_attrs(n["attrs"]),
                }
                for i, n in self.nodes.items()
            ],
            "edges": [
                {
                    "u": u,
                    "v": v,
                    "relation": r,
                    "sources": srcs(e["sources"]),
                    "attrs": _final_attrs(e["attrs"]),
                }
                for (u, v, r), e in self.edges.items()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Facts:
        facts = cls()
        for n in data.get("nodes", []):
            facts.node(
                n["id"], n["type"], n["name"], [Source.from_dict(x) for x in n["sources"]], **n["attrs"]
            )
        for e in data.get("edges", []):
            facts.edge(
                e["u"], e["v"], e["relation"], [Source.from_dict(x) for x in e["sources"]], **e["attrs"]
            )
        return facts


@dataclass
class _Mention:
    start: int
    end: int
    type: str  # service | api | error | config | env_var | metric | arn | permission | policy | resource_type
    key: str  # node id
    text: str


@dataclass
class _LineCtx:
    line: NoteLine
    src: Source
    doc: Any
    mentions: list[_Mention]
    owner: str  # the node this line's facts hang off: a feature, else the card's service
    service: str | None  # catalog id


class Extractor:
    """Holds the pipeline; `extract_cards` is called once per file."""

    def __init__(self) -> None:
        from .pipeline import build_nlp, relation_matcher

        self.nlp = build_nlp()
        self.rel_matcher, self.rel_specs = relation_matcher()
        self.cat = catalog()
        self.products = {p["id"]: p for p in load_data("external.json")["products"]}
        pats = entity_patterns()
        self.text_patterns = [(p["type"], re.compile(p["pattern"])) for p in pats["text_patterns"]]
        self.env_re = re.compile(pats["env_var"]["pattern"])
        self.env_ctx = [c.lower() for c in pats["env_var"]["context"]]
        self.metric_re = re.compile(pats["metric"]["pattern"])
        self.metric_ctx = [c.lower() for c in pats["metric"]["context"]]
        self.api_ctx_re = re.compile(pats["api_context"]["pattern"])
        self.api_ctx = [c.lower() for c in pats["api_context"]["context"]]
        self.metric_ctx_re = _words_re(self.metric_ctx)
        self.api_ctx_words_re = _words_re(self.api_ctx)

    # ------------------------------------------------------------------ per file

    def extract_cards(self, cards: list[Card], progress: Callable[[int], None] | None = None) -> Facts:
        facts = Facts()
        texts: list[str] = []
        for card in cards:
            texts.append(card.front)
            texts.extend(ln.plain for ln in card.lines)
        docs = iter(self.nlp.pipe(texts, batch_size=512))
        for card in cards:
            front_doc = next(docs)
            line_docs = [next(docs) for _ in card.lines]
            self._card(card, front_doc, line_docs, facts)
            if progress:
                progress(1)
        return facts

    # ------------------------------------------------------------------ per card

    def _card(self, card: Card, front_doc: Any, line_docs: list[Any], facts: Facts) -> None:
        front_src = [Source(card.file, n, card.id) for n in card.front_lines]
        card_text = " ".join([card.front] + [ln.plain for ln in card.lines])
        front_mentions = self._mentions(card.front, front_doc, card, card_text)
        services = list(card.services)
        for m in front_mentions:
            sid = m.key.split(":", 1)[1]
            if m.type == "service" and sid in self.cat and sid not in services:
                services.append(sid)
        if not services:
            counts: dict[str, int] = {}
            for ln, doc in zip(card.lines, line_docs, strict=True):
                for m in self._mentions(ln.plain, doc, card, card_text):
                    if m.type == "service" and m.key.split(":", 1)[1] in self.cat:
                        counts[m.key] = counts.get(m.key, 0) + 1
            if counts:
                services.append(max(sorted(counts), key=lambda k: counts[k]).split(":", 1)[1])
        main = services[0] if services else None
        main_node = self._service_node(facts, main, front_src) if main else None

        facts.node(
            card.id,
            "card",
            card.front[:120],
            front_src,
            file=card.file,
            number=card.number,
            front=card.front,
            front_lines=list(card.front_lines),
            first_line=card.first_line,
            last_line=card.last_line,
            topic=card.topic,
            services=services,
            format=card.fmt,
            tags=list(card.tags),
            lines=[[n, "front", t] for n, t in zip(card.front_lines, _front_texts(card), strict=True)]
            + [[ln.number, ln.role, ln.text] for ln in card.lines],
        )
        for m in front_mentions:
            self._entity_node(facts, m, front_src, main)

        # Features: the card's topic, then defined terms, headings and sub-topics.
        topic_id = None
        if card.topic and card.topic.lower() not in ("overview", "what is it", "what is it?"):
            topic_def = _first_definition(card.lines)
            tsid = self._component(card.topic, main)
            if tsid and tsid != main:
                # The topic is a catalog entry itself (`Lambda: lambda insights`, `RDS proxy`).
                topic_id = self._service_node(facts, tsid, front_src)
                facts.attrs(topic_id, definition=topic_def)
                rec = self.cat.get(tsid)
                if main_node:
                    facts.edge(
                        main_node,
                        topic_id,
                        "HAS_FEATURE" if rec and rec.parent == main else "MENTIONS",
                        front_src,
                    )
            else:
                topic_id = self._feature(facts, main, card.topic, topic_def, front_src, kind="topic")
                if main_node and topic_id:
                    facts.edge(main_node, topic_id, "HAS_FEATURE", front_src)
        elif main_node and card.lines:
            rec = self.cat.get(main)
            if rec and card.topic.lower() in ("overview", "what is it", "what is it?", ""):
                facts.node(main_node, "service", rec.name, [], definition=_first_definition(card.lines))

        heading_features: dict[str, str] = {}
        line_ctx: list[_LineCtx] = []
        for idx, (ln, doc) in enumerate(zip(card.lines, line_docs, strict=True)):
            src = Source(card.file, ln.number, card.id)
            mentions = self._mentions(ln.plain, doc, card, card_text)
            line_service = ln.service_hint if ln.service_hint in self.cat else main
            if line_service and line_service != main:
                self._service_node(facts, line_service, [src])
            owner = None
            if ln.role in ("heading", "subtopic", "title") and ln.role != "title":
                name = ln.plain.lstrip("*").strip().rstrip(":").strip()
                if _feature_like(name):
                    definition = _definition_below(card.lines, idx)
                    owner = self._feature(facts, line_service, name, definition, [src], kind=ln.role)
                    if owner:
                        heading_features[name.lower()] = owner
            elif ln.role in ("term", "table") and ln.term and ln.term.lower() not in _TERM_SKIP:
                owner = self._term(facts, ln, src, mentions, line_service, card)
            if owner is None and ln.heading:
                owner = heading_features.get(ln.heading.lower())
            if owner is None:
                owner = topic_id or (f"service:{line_service}" if line_service else None)
            if (
                owner
                and line_service
                and owner != f"service:{line_service}"
                and (owner.startswith("feature:") or self._is_part(owner, line_service))
            ):
                sn = self._service_node(facts, line_service, [src])
                facts.edge(sn, owner, "HAS_FEATURE", [src])
            for m in mentions:
                node = self._entity_node(facts, m, [src], line_service)
                if owner and node != owner:
                    facts.edge(owner, node, "MENTIONS", [src])
            if owner:
                facts.attrs(owner, lines=[f"{card.file}:{ln.number}"])
            line_ctx.append(_LineCtx(ln, src, doc, mentions, owner or "", line_service))
            self._limits(facts, card, ln, src, mentions, line_service, owner)

        self._relations(facts, card, line_ctx, main)
        self._co_mentions(facts, line_ctx)
        self._contrasts(facts, card, line_ctx, main, front_src)

    # ------------------------------------------------------------------ nodes

    def _is_part(self, node: str, sid: str) -> bool:
        rec = self.cat.get(node.split(":", 1)[1]) if node.startswith("service:") else None
        return bool(rec and rec.parent == sid)

    def _service_node(self, facts: Facts, sid: str, sources: Iterable[Source]) -> str:
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

    def _component(self, name: str, sid: str | None) -> str | None:
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

    def _feature(
        self, facts: Facts, sid: str | None, name: str, definition: str, sources: list[Source], kind: str
    ) -> str | None:
        name, aliases = _split_aliases(name)
        if not name or len(name) > 80:
            return None
        part = self._component(name, sid) if kind != "topic" else None
        if part and part != sid and self.cat.get(part) and self.cat.get(part).parent == sid:
            node = self._service_node(facts, part, sources)
            facts.attrs(node, definition=definition)
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
            aliases=aliases,
            kind=kind,
        )
        return node_id

    def _term(
        self, facts: Facts, ln: NoteLine, src: Source, mentions: list[_Mention], sid: str | None, card: Card
    ) -> str | None:
        term = (ln.term or "").strip()
        definition = (ln.definition or "").strip()
        # A term that is itself a typed entity (`PutRecord:`, `CODEBUILD_KMS_KEY_ID:`) defines it.
        for m in mentions:
            if m.start <= 2 and m.end >= len(term) - 1 and m.type != "service":
                facts.node(m.key, m.type, m.text, [src], definition=definition)
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
        if not _feature_like(term, loose=True):
            return None
        return self._feature(facts, sid, term, definition, [src], kind="term")

    def _entity_node(self, facts: Facts, m: _Mention, sources: list[Source], sid: str | None) -> str:
        if m.type == "service":
            return self._service_node(facts, m.key.split(":", 1)[1], sources)
        attrs: dict[str, Any] = {"services": [sid] if sid else []}
        name = m.text
        if m.type == "arn":
            attrs["example"] = m.text
            name = _arn_name(m.text)
        facts.node(m.key, m.type, name, sources, **attrs)
        return m.key

    # ------------------------------------------------------------------ mentions

    def _mentions(self, text: str, doc: Any, card: Card, card_text: str) -> list[_Mention]:
        out: list[_Mention] = []
        taken: list[tuple[int, int]] = []

        def free(s: int, e: int) -> bool:
            return all(e <= a or s >= b for a, b in taken)

        for typ, rx in self.text_patterns:
            for m in rx.finditer(text):
                s, e = m.start(), m.end()
                value = m.group().rstrip(".,:;")
                e = s + len(value)
                if not free(s, e) or len(value) < 3:
                    continue
                if (
                    typ == "config"
                    and re.fullmatch(r"\.[a-z]+", value)
                    and value[1:] in ("net", "js", "com", "io")
                ):
                    continue
                out.append(_Mention(s, e, typ, self._key(typ, value), value))
                taken.append((s, e))
        for ent in doc.ents:
            s, e = ent.start_char, ent.end_char
            if not free(s, e):
                continue
            label = ent.label_
            if label == "SERVICE":
                key = f"service:{ent.ent_id_}"
                typ = "service"
            elif label == "AMBIGUOUS":
                sid = self.cat.resolve_ambiguous(ent.ent_id_, card_text, prefer=card.services)
                if not sid:
                    continue
                key, typ = f"service:{sid}", "service"
            elif label == "PRODUCT":
                key, typ = f"service:{ent.ent_id_}", "service"
            else:
                typ = label.lower()
                value = ent.text
                if typ == "error":
                    code = re.search(r"\b([45]\d\d)\b", value)
                    if code:
                        value = f"HTTP {code.group(1)}"
                key = self._key(typ, value)
                out.append(_Mention(s, e, typ, key, value))
                taken.append((s, e))
                continue
            out.append(_Mention(s, e, typ, key, ent.text))
            taken.append((s, e))
        low = (text + " " + card.front).lower()
        if any(c in low for c in self.env_ctx):
            for m in self.env_re.finditer(text):
                if free(m.start(), m.end()):
                    out.append(_Mention(m.start(), m.end(), "env_var", f"env_var:{m.group()}", m.group()))
                    taken.append((m.start(), m.end()))
        if self.metric_ctx_re.search(low):
            for m in self.metric_re.finditer(text):
                if free(m.start(), m.end()) and not self.cat.lookup(m.group()):
                    out.append(
                        _Mention(m.start(), m.end(), "metric", f"metric:{m.group().lower()}", m.group())
                    )
                    taken.append((m.start(), m.end()))
        if self.api_ctx_words_re.search(low):
            for m in self.api_ctx_re.finditer(text):
                if free(m.start(), m.end()) and not self.cat.lookup(m.group()):
                    out.append(_Mention(m.start(), m.end(), "api", f"api:{m.group().lower()}", m.group()))
                    taken.append((m.start(), m.end()))
        out.sort(key=lambda m: m.start)
        return out

    @staticmethod
    def _key(typ: str, value: str) -> str:
        if typ == "arn":
            return f"arn:{slug(_arn_shape(value))}"
        if typ in ("config", "env_var"):
            return f"{typ}:{value}"
        return f"{typ}:{value.lower()}"

    # ------------------------------------------------------------------ limits

    def _limits(
        self,
        facts: Facts,
        card: Card,
        ln: NoteLine,
        src: Source,
        mentions: list[_Mention],
        sid: str | None,
        owner: str | None,
    ) -> None:
        if ln.role == "code":
            return
        text = ln.plain
        if text.rstrip().endswith("?") and ln.role != "table":
            return  # a question (an exam premise): its numbers are not limits
        masks = list(ln.masks)
        if "://" in text or "www." in text or "<" in text:
            masks += [(m.start(), m.end()) for m in _URL.finditer(text)]
        masks += [
            (m.start, m.end) for m in mentions if m.type in ("arn", "resource_type", "permission", "config")
        ]
        if "?" in text:
            masks += [(m.start(), m.end()) for m in _QUESTION.finditer(text)]
        table = ln.role == "table"
        for q in find_quantities(text, masks, table=table):
            lim_sid = self._limit_service(text, q, mentions, sid)
            subject = _subject(text, q, ln, card)
            if q.kind == "other":
                # No cue beside the number (`29 seconds` under `max integration timeout?`): the
                # words of what it bounds may name the kind.
                named = kind_named(subject)
                if named:
                    q = replace(q, kind=named)
            self._limit_node(facts, q, lim_sid, subject, src, owner, text)

    def _limit_service(self, text: str, q: Quantity, mentions: list[_Mention], sid: str | None) -> str | None:
        """The card's service, unless the clause holding the value opens with another service
        (`Lambda ...; SQS messages can be up to 256 KB`)."""
        c0 = max((m.end() for m in re.finditer(r"[.;!?](?=\s)|;|\s[–—-]\s", text[: q.start])), default=0)
        head = text[c0 : q.start]
        words = head.split()
        for m in mentions:
            if m.type != "service" or not (c0 <= m.start < q.start):
                continue
            lead = text[c0 : m.start].split()
            # `from S3 up to 1 MB` is about something else coming from S3: a service after a
            # preposition is not what the clause is about.
            if any(w.lower() in _PREPOSITIONS for w in lead):
                break
            lead = [w for w in lead if w.lower() not in _DETERMINERS]
            if len(lead) > _SERVICE_SUBJECT_TOKENS - 1 or len(words) > 14:
                break
            other = m.key.split(":", 1)[1]
            rec = self.cat.get(other)
            if rec and rec.category == "service" and other != sid and (rec.parent != sid):
                return other
            break
        return sid

    def _limit_node(
        self,
        facts: Facts,
        q: Quantity,
        sid: str | None,
        subject: str,
        src: Source,
        owner: str | None,
        text: str,
    ) -> None:
        svc_name = self.cat.name(sid) if sid in self.cat else (self.products.get(sid or "", {}).get("name"))
        if q.value is None:
            vslug = slug(q.bound or "bound")
        else:
            v = _num(q.value) + (f"-{_num(q.value_max)}" if q.value_max is not None else "")
            vslug = slug(f"{v}{q.unit or ''}{'-per-' + q.per if q.per else ''}")
        node_id = f"limit:{sid or 'general'}/{slug(subject)}/{q.kind}-{vslug}"
        facts.node(
            node_id,
            "limit",
            f"{svc_name + ': ' if svc_name else ''}{subject}",
            [src],
            service=svc_name,
            service_id=sid,
            subject=subject,
            kind=q.kind,
            value=q.value,
            value_max=q.value_max,
            unit=q.unit,
            text=q.text,
            dimension=q.dimension,
            base_value=q.base_value,
            base_value_max=q.base_value_max,
            per=q.per,
            bound=q.bound,
            feature=owner if owner and owner != f"service:{sid}" else None,
        )
        if sid:
            facts.edge(f"service:{sid}", node_id, "HAS_LIMIT", [src])
        if owner and owner != f"service:{sid}":
            facts.edge(owner, node_id, "HAS_LIMIT", [src])

    # ------------------------------------------------------------------ relations

    def _relations(self, facts: Facts, card: Card, lines: list[_LineCtx], main: str | None) -> None:
        card_low = " ".join([card.front, card.topic] + [c.line.plain for c in lines]).lower()
        for ctx in lines:
            svc_mentions = [m for m in ctx.mentions if m.type == "service"]
            if not svc_mentions:
                continue  # a relation needs a service to point at: skip the Matcher
            doc = ctx.doc
            matches = self.rel_matcher(doc)
            if not matches:
                continue
            for match_id, start, end in sorted(matches, key=lambda m: (m[1], m[2])):
                label = self.nlp.vocab.strings[match_id]
                spec = self.rel_specs[label]
                cue_s, cue_e = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
                if any(m.start <= cue_s < m.end for m in svc_mentions):
                    continue  # the cue word is part of a name ("CloudWatch Logs")
                if spec.get("context") and not any(c in card_low for c in spec["context"]):
                    continue
                sent_s, sent_e = _sentence_span(ctx.line.plain, cue_s)
                objects = self._objects(spec, svc_mentions, cue_s, cue_e, sent_s, sent_e, ctx.line.plain)
                if not objects:
                    continue
                subject_pool = [
                    m
                    for m in svc_mentions
                    if m.key.split(":", 1)[1] in self.cat
                    and m.key.split(":", 1)[1] not in set(spec.get("object_ids", []))
                ]
                subject = self._subject_service(subject_pool, cue_s, sent_s, ctx.service, objects)
                if not subject:
                    continue
                for obj in objects:
                    if obj == subject:
                        continue
                    # The object may be a part the text implies (`streams from DynamoDB`).
                    self._service_node(facts, obj.split(":", 1)[1], [ctx.src])
                    u, v = (obj, subject) if spec.get("direction") == "reverse" else (subject, obj)
                    facts.edge(
                        u, v, label, [ctx.src], via=ctx.owner if ctx.owner.startswith("feature:") else None
                    )

    def _objects(
        self,
        spec: dict,
        mentions: list[_Mention],
        cue_s: int,
        cue_e: int,
        sent_s: int,
        sent_e: int,
        text: str,
    ) -> list[str]:
        allowed = set(spec.get("object_ids", []))
        where = spec.get("objects", "after")
        max_gap = spec.get("max_gap")
        out: list[str] = []
        last_end = None
        for m in mentions:
            if not (sent_s <= m.start < sent_e):
                continue
            if where == "after":
                if m.start < cue_e:
                    continue
                if max_gap is not None and not out and len(text[cue_e : m.start].split()) > max_gap:
                    continue
                # After the first object, only a list continues it: `S3, RedShift, or Splunk`.
                if out and last_end is not None and not _LIST_GAP.fullmatch(text[last_end : m.start]):
                    break
            sid = m.key.split(":", 1)[1]
            if allowed and sid not in allowed:
                continue
            if spec.get("object_child"):
                child = self._child(sid, spec["object_child"])
                if child:
                    sid = child
            node = f"service:{sid}"
            if node not in out:
                out.append(node)
            last_end = m.end
        return out

    def _child(self, sid: str, word: str) -> str | None:
        for rec in self.cat.services.values():
            if rec.parent == sid and word in rec.name.lower():
                return rec.id
        return None

    @staticmethod
    def _subject_service(
        mentions: list[_Mention], cue_s: int, sent_s: int, line_service: str | None, objects: list[str]
    ) -> str | None:
        before = [m for m in mentions if sent_s <= m.start < cue_s and m.key not in objects]
        if before:
            return before[-1].key
        return f"service:{line_service}" if line_service else None

    def _co_mentions(self, facts: Facts, lines: list[_LineCtx]) -> None:
        for ctx in lines:
            keys = sorted({m.key for m in ctx.mentions if m.type == "service"})
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    facts.edge(a, b, "RELATED_TO", [ctx.src])

    # ------------------------------------------------------------------ comparisons

    def _contrasts(
        self,
        facts: Facts,
        card: Card,
        lines: list[_LineCtx],
        main: str | None,
        front_src: list[Source],
    ) -> None:
        defined = [
            (c.owner, c)
            for c in lines
            if c.owner.startswith("feature:")
            or c.owner.split(":")[0] in ("api", "env_var", "error", "config")
        ]
        # Entities the card defines, in order, once each: the candidates a comparison can name.
        names: dict[str, tuple[str, _LineCtx]] = {}
        for owner, c in defined:
            if c.line.role in ("term", "heading", "subtopic", "table") and owner not in names:
                names[owner] = (owner, c)
        node_names = {nid: facts.name(nid) for nid in names}
        node_alias: dict[str, list[str]] = {nid: list(facts.attr(nid, "aliases") or []) for nid in names}

        def resolve(phrase: str, context_head: str | None) -> str | None:
            phrase = re.sub(r"\(.*?\)", "", phrase).strip(" *:,.?").lower()
            phrase = re.sub(r"^(the|a|an|choosing|using)\s+", "", phrase)
            if not phrase:
                return None
            best, best_score = None, 0.0
            for nid, nm in node_names.items():
                cands = [nm.lower()] + [a.lower() for a in node_alias.get(nid, [])]
                for cand in cands:
                    score = fuzz.token_set_ratio(phrase, cand)
                    if context_head and context_head not in phrase:
                        score = max(score, fuzz.token_set_ratio(f"{phrase} {context_head}", cand))
                    if phrase == cand:
                        score = 101
                    if score > best_score:
                        best, best_score = nid, score
            return best if best_score >= 80 else None

        pairs: list[tuple[str, str, Source]] = []
        texts = [(card.front, front_src[0]), (card.topic, front_src[0])]
        texts += [
            (c.line.plain, c.src)
            for c in lines
            if c.line.role in ("subtopic", "heading", "title", "text") and len(c.line.plain.split()) <= 25
        ]
        # `internal vs external` under the topic `extensions`: the topic's head completes the phrases
        # (not when the topic is itself the comparison, `Memcached vs Redis`).
        head = _head(card.topic) if card.topic and not _VS.search(card.topic) else None
        for text, src in texts:
            for a_txt, b_txt in _compared_phrases(text):
                a, b = resolve(a_txt, head), resolve(b_txt, head)
                if a and b and a != b:
                    pairs.append((a, b, src))
            m = _DIFF.search(text)
            if m:
                items = [x for x in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1)) if x.strip()]
                ids = [x for x in (resolve(i, head) for i in items) if x]
                for i, a in enumerate(ids):
                    for b in ids[i + 1 :]:
                        if a != b:
                            pairs.append((a, b, src))
        # Siblings: features the card defines that share a head noun (reserved / provisioned
        # concurrency, long / short polling, GSI / LSI).
        feats = [(nid, node_names[nid]) for nid in names if nid.startswith("feature:")]
        by_head: dict[str, list[str]] = {}
        for nid, nm in feats:
            base, _ = _split_aliases(nm)
            words = base.split()
            if len(words) >= 2:
                by_head.setdefault(_singular(words[-1].lower()), []).append(nid)
        for group in by_head.values():
            if 2 <= len(group) <= 8:
                for i, a in enumerate(group):
                    for b in group[i + 1 :]:
                        pairs.append((a, b, names[a][1].src))
        # Alternatives: the items under a heading or topic that announces a set (strategies,
        # deployment methods, states): each is an alternative to the others.
        for ctx_text in [card.topic, card.front] + [
            c.line.plain for c in lines if c.line.role in ("subtopic", "heading")
        ]:
            if not ctx_text or not _PLURAL_TOPIC.search(ctx_text):
                continue
            scope = _items_under(lines, ctx_text, card)
            items = [nid for nid in scope if nid in names]
            if 2 <= len(items) <= 10:
                for i, a in enumerate(items):
                    for b in items[i + 1 :]:
                        pairs.append((a, b, names[a][1].src))
            break
        seen = set()
        for a, b, src in pairs:
            key = tuple(sorted((a, b)))
            if key in seen:
                continue
            seen.add(key)
            srcs = [src] + [names[x][1].src for x in key if x in names]
            facts.edge(key[0], key[1], "CONTRASTS_WITH", srcs)


# ---------------------------------------------------------------------- helpers


def _words_re(words: list[str]) -> re.Pattern[str]:
    return re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"
    )


def _front_texts(card: Card) -> list[str]:
    parts = [card.front]
    if len(card.front_lines) > 1:
        # The reader joined a two-line front with a space; the lines are kept whole in `front`.
        parts = [card.front] + [""] * (len(card.front_lines) - 1)
    return parts


def _first_definition(lines: list[NoteLine]) -> str:
    for ln in lines:
        if ln.role in ("title", "heading", "subtopic", "code"):
            continue
        text = (ln.definition or ln.plain).strip()
        if not re.search(r"[A-Za-z]{3,}.*[A-Za-z]{3,}", text):
            continue  # `max uncompressed size: 10GB` is a limit, not what the topic is
        return text[:400]
    return ""


def _definition_below(lines: list[NoteLine], idx: int) -> str:
    parts = []
    for ln in lines[idx + 1 : idx + 3]:
        if ln.role in ("heading", "subtopic", "title"):
            break
        parts.append(ln.plain.strip())
    return " ".join(parts)[:400]


def _feature_like(name: str, loose: bool = False) -> bool:
    words = name.split()
    if not words or len(words) > (8 if loose else 6):
        return False
    low = name.lower()
    if low.startswith(("know ", "what ", "how ", "why ", "when ", "where ", "if ", "you ", "it ")):
        return False
    if "?" in name or name.count("(") != name.count(")"):
        return False
    if not re.search(r"[A-Za-z]{2}", name) or re.search(r"\d", name):
        return False
    return not (len(words) > 3 and "," in name)


def _split_aliases(name: str) -> tuple[str, list[str]]:
    """`point in time recovery (PITR)` -> ("point in time recovery", ["PITR"])."""
    aliases = []
    m = _PAREN_ABBR.search(name)
    if m and (m.group(1).isupper() or re.fullmatch(r"[A-Z]{2,}s", m.group(1))):
        aliases.append(m.group(1))
        if m.group(1).endswith("s") and m.group(1)[:-1].isupper():
            aliases.append(m.group(1)[:-1])
        name = (name[: m.start()] + " " + name[m.end() :]).strip()
    name = re.sub(r"\s*\((default|optional|recommended)\)\s*", " ", name, flags=re.I).strip()
    return re.sub(r"\s+", " ", name).strip(" :-–"), aliases


def _singular(word: str) -> str:
    irregular = {
        "indices": "index",
        "indexes": "index",
        "policies": "policy",
        "queries": "query",
        "entries": "entry",
        "strategies": "strategy",
        "libraries": "library",
    }
    if word in irregular:
        return irregular[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _singular_phrase(text: str) -> str:
    words = text.split()
    if not words:
        return text
    return " ".join(words[:-1] + [_singular(words[-1])])


def _head(text: str) -> str | None:
    words = re.findall(r"[a-z][a-z-]+", text.lower())
    return words[-1] if words else None


def _compared_phrases(text: str) -> list[tuple[str, str]]:
    """`A vs B` (also inside a longer line) as two phrases, each trimmed to a few words."""
    out = []
    for m in _VS.finditer(text):
        left = re.split(r"[:,;?*(]|\band\b|\bfor\b|\bwhat\b|\bhow\b", text[: m.start()])[-1].strip()
        right = re.split(r"[:,;?*)]|\band\b|\bfor\b|\bwhat\b|\bhow\b", text[m.end() :])[0].strip()
        left_words, right_words = left.split()[-4:], right.split()[:4]
        if left_words and right_words:
            out.append((" ".join(left_words), " ".join(right_words)))
            # "internal vs external" under the topic `extensions`: the head is shared.
    return out


def _items_under(lines: list[_LineCtx], heading_text: str, card: Card) -> list[str]:
    """Owners of the term/heading lines that follow `heading_text` (or the whole card when it is
    the card's own topic or front)."""
    out: list[str] = []
    started = heading_text in (card.topic, card.front)
    for c in lines:
        if not started:
            if c.line.plain == heading_text:
                started = True
            continue
        if c.line.role in ("term", "heading") and c.owner and c.owner not in out:
            out.append(c.owner)
    return out


def _sentence_span(text: str, pos: int) -> tuple[int, int]:
    s = 0
    for m in re.finditer(r"[.!?;](?=\s|$)", text):
        if m.end() <= pos:
            s = m.end()
        else:
            return s, m.end()
    return s, len(text)


def _subject(text: str, q: Quantity, ln: NoteLine, card: Card) -> str:
    """What a value bounds, in the note's words.

    The term the line defines when the value is in its first sentence (`savings plans: ... 1 or 3
    year`); else the noun phrase that opens the value's clause (`each layer can be up to 250MB`,
    `a concurrency limit of 1,000`), or the noun it counts (`5 filters`); else the line's term,
    its heading, the card topic. A generic phrase (`total size`) takes the term or heading first.
    """
    if ln.subject_hint:
        return _dimensioned(ln.subject_hint, q)
    context = next(
        (c for c in (ln.term, ln.heading, card.topic) if c and c.lower() not in ("overview", "what is it")),
        None,
    )
    context = _split_aliases(context)[0] if context else None
    if ln.term and ln.definition:
        d0 = text.find(ln.definition)
        first_end = len(text)
        m = re.search(r"[.;!?](?=\s)", text[d0:]) if d0 >= 0 else None
        if m:
            first_end = d0 + m.start()
        if 0 <= d0 <= q.start < first_end:
            return _with_noun(_split_aliases(ln.term)[0], q)
    c0 = 0
    for m in re.finditer(r"[.;!?,()](?=\s|\w|$)|\s[–—-]\s|:\s", text[: q.start]):
        c0 = m.end()
    left = text[c0 : q.start]
    phrase = _clause_subject(left)
    if not phrase and c0 and text[c0 - 1] in "(,":
        # `waiting period 7 to 30 days (default 30 days)`, `Timeout defaults to 3 sec, max is 15 min`:
        # an elliptical clause speaks of the subject of the clause before it.
        p0 = 0
        for m in re.finditer(r"[.;!?,)](?=\s|\w|$)|\s[–—-]\s|:\s", text[: c0 - 1]):
            p0 = m.end()
        prev = text[p0 : c0 - 1]
        if not re.search(r"[.;!?]\s*$", prev):
            phrase = _clause_subject(re.split(r"\d", prev)[0])
    if q.dimension == "count" and q.noun:
        noun = re.sub(r"^(additional|more|of|extra)\s+", "", q.noun)
        base = f"{phrase} {noun}" if phrase and len(phrase.split()) <= 3 else noun
        if q.per:
            base = f"{base} per {q.per}"
        elif not phrase and context and _singular_phrase(context.lower()) != _singular_phrase(noun.lower()):
            base = f"{base} ({context})"
        return base[:80]
    if q.bound and context:
        after = re.match(r"\s*([a-z]+)", text[q.end :])
        noun = after.group(1) if after and after.group(1) not in _STOP | _CUT_WORDS else ""
        return f"{context} {noun}".strip()[:80]
    if phrase:
        if _generic(phrase) and context and context.lower() not in phrase.lower():
            phrase = f"{context} {phrase}"
        return _dimensioned(phrase, q)
    if context:
        return _dimensioned(context, q)
    rec = catalog().get(card.service)
    return _dimensioned(rec.name if rec else "limit", q)


_PRONOUNS = {
    "you",
    "it",
    "they",
    "we",
    "this",
    "these",
    "there",
    "i",
    "he",
    "she",
    "that",
    "which",
    "who",
    "if",
    "when",
    "once",
    "after",
    "before",
    "while",
}
_DETERMINERS = {
    "a",
    "an",
    "the",
    "this",
    "these",
    "those",
    "all",
    "your",
    "its",
    "their",
    "each",
    "any",
    "our",
}
_GENERIC = {
    "size",
    "total",
    "amount",
    "limit",
    "value",
    "number",
    "count",
    "max",
    "maximum",
    "min",
    "minimum",
}


def _clause_subject(left: str) -> str:
    """The noun phrase a clause opens with, when it opens with one: `each layer` in `each layer
    can be up to`; `concurrency limit` in `... has a concurrency limit of`. Empty when the clause
    opens with a pronoun or a verb (`you can use ...`, `captures a ...`)."""
    of = re.search(r"(?:^|\s)(?:a|an|the)?\s*([A-Za-z][\w/.-]*(?:\s+[A-Za-z][\w/.-]*){0,2})\s+of\s*$", left)
    if of:
        words = [w for w in of.group(1).split() if w.lower() not in _STOP]
        if words and not all(w.lower() in _CUT_WORDS | _GENERIC for w in words):
            return " ".join(words)
    words = re.findall(r"[A-Za-z/][\w/'’.-]*", left)
    if not words:
        return ""
    if words[0].lower() in _PRONOUNS:
        return ""
    phrase_words: list[str] = []
    for i, w in enumerate(words):
        lw = w.lower().strip(".")
        if lw in _CUT_WORDS and any(x.lower() not in _STOP for x in phrase_words):
            break
        if phrase_words and lw in _DETERMINERS and not any(x.lower() in _DETERMINERS for x in phrase_words):
            # `captures a time-ordered sequence`: a word followed by a determiner was a verb.
            if len([x for x in phrase_words if x.lower() not in _STOP]) == 1 and i == len(phrase_words):
                return ""
        phrase_words.append(w.strip("."))
    while phrase_words and (phrase_words[0].lower() in _STOP or phrase_words[0].lower() in _CUT_WORDS):
        if (
            phrase_words[0].lower() in ("max", "min", "maximum", "minimum", "default", "total")
            and len(phrase_words) > 1
        ):
            break
        phrase_words.pop(0)
    while phrase_words and phrase_words[-1].lower() in (_STOP | _CUT_WORDS):
        phrase_words.pop()
    cat = catalog()
    phrase_words = [w for w in phrase_words if not cat.lookup(w)]
    if not phrase_words or len(phrase_words) > 5:
        return ""
    return " ".join(phrase_words)


def _generic(phrase: str) -> bool:
    return all(w.lower() in _GENERIC for w in phrase.split())


def _with_noun(subject: str, q: Quantity) -> str:
    if q.dimension == "count" and q.noun:
        noun = re.sub(r"^(additional|more|of|extra)\s+", "", q.noun)
        return f"{noun} ({subject})"[:80]
    return _dimensioned(subject, q)


def _dimensioned(subject: str, q: Quantity) -> str:
    s = subject.strip().rstrip(":")
    low = s.lower()
    if q.dimension == "bytes" and not re.search(r"size|space|storage|capacity|memory|limit|payload", low):
        s += " size"
    elif q.kind == "retention" and "retention" not in low and "retain" not in low:
        s += " retention"
    elif q.kind == "granularity" and not re.search(r"increment|resolution|granular|interval|billing", low):
        s += " granularity"
    elif (
        q.dimension == "seconds"
        and q.kind in ("max", "min", "range", "default")
        and not re.search(
            r"time|duration|period|delay|ttl|age|window|life|term|interval|wait|retention|expir|hour|day", low
        )
    ):
        s += " duration"
    return s[:80]


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)


def _arn_shape(arn: str) -> str:
    """`arn:aws:lambda:us-west-2:123456789012:function:my-function:1` ->
    `arn:aws:lambda:{region}:{account}:function:{name}:{qualifier}`."""
    parts = arn.split(":")
    if len(parts) < 6:
        return arn
    shape = parts[:3] + ["{region}", "{account}"]
    rest = parts[5:]
    if rest:
        shape.append(rest[0])
        if len(rest) > 1:
            shape.append("{name}")
        if len(rest) > 2:
            shape.append("{qualifier}")
    return ":".join(shape)


def _arn_name(arn: str) -> str:
    parts = arn.split(":")
    if len(parts) >= 6:
        service = parts[2]
        kind = parts[5]
        qual = " version or alias" if len(parts) > 7 else ""
        return f"{service} {kind}{qual} ARN"
    return arn


def assemble_facts(kg: Any, facts: Facts) -> None:
    """Apply one file's facts to a KnowledgeGraph, nodes first so every edge finds both ends."""
    for node_id, acc in facts.nodes.items():
        kg.add_entity(
            node_id,
            acc["type"],
            acc["name"],
            [Source(f, ln, c or None) for f, ln, c in acc["sources"]],
            **_final_attrs(acc["attrs"]),
        )
    for (u, v, rel), acc in facts.edges.items():
        kg.add_relation(
            u, v, rel, [Source(f, ln, c or None) for f, ln, c in acc["sources"]], **_final_attrs(acc["attrs"])
        )


def _merge_attrs(into: dict[str, Any], new: dict[str, Any]) -> None:
    """First non-empty scalar wins; lists given more than once are unioned and sorted (the way
    KnowledgeGraph.add_entity merges them), a list given once keeps its order."""
    for key, value in new.items():
        if value is None or value == "":
            continue
        old = into.get(key)
        if isinstance(value, list):
            if isinstance(old, _Union):
                old.add(value)
            elif old is None or old == "":
                into[key] = _Union(value)
        elif old is None or old == "" or old == [] or old == {}:
            into[key] = value


class _Union:
    """A list attribute being merged: its items once each, and whether a second list came in."""

    def __init__(self, first: list[Any]):
        self.first = list(first)
        self.items: dict[Any, Any] = {_hashable(v): v for v in first}
        self.merged = False

    def add(self, more: list[Any]) -> None:
        if more:
            self.merged = True
            for v in more:
                self.items.setdefault(_hashable(v), v)

    def value(self) -> list[Any]:
        return sorted(self.items.values(), key=str) if self.merged else self.first


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _final_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v.value() if isinstance(v, _Union) else v for k, v in attrs.items()}


def link_types(kg: Any) -> int:
    """TYPE_OF by head noun: `reserved concurrency` is a kind of the same service's `concurrency`,
    `zonal reserved instances` of `reserved instances`. Run once on the merged graph."""
    g = kg.graph
    feats = {n: d["name"] for n, d in g.nodes(data=True) if d.get("type") == "feature"}
    by_name: dict[tuple[str, str], str] = {}
    for nid, nm in sorted(feats.items()):
        by_name.setdefault((nid.split("/")[0], _singular_phrase(_split_aliases(nm)[0].lower())), nid)
    count = 0
    for nid, nm in sorted(feats.items()):
        low = nm.lower()
        words = _split_aliases(nm)[0].lower().split()
        if len(words) > 4 or " vs " in f" {low} " or " of " in f" {low} ":
            continue
        for k in range(1, len(words)):
            other = by_name.get((nid.split("/")[0], _singular_phrase(" ".join(words[k:]))))
            if other and other != nid:
                kg.add_relation(
                    nid, other, "TYPE_OF", [Source.from_dict(s) for s in g.nodes[nid].get("sources", [])[:1]]
                )
                count += 1
                break
    return count


def link_parts(kg: Any) -> int:
    """A catalog component (Lambda Layers, DynamoDB Streams) is PART_OF its parent service when
    both stand in the graph; the evidence is the component's first line."""
    g = kg.graph
    cat = catalog()
    count = 0
    for n, d in list(g.nodes(data=True)):
        if d.get("type") != "service":
            continue
        rec = cat.get(n.split(":", 1)[1])
        if rec and rec.parent and f"service:{rec.parent}" in g:
            kg.add_relation(
                n, f"service:{rec.parent}", "PART_OF", [Source.from_dict(s) for s in d.get("sources", [])[:1]]
            )
            count += 1
    return count


def merge_typos(kg: Any) -> int:
    """`ProvitionedThroughputExceeded` and `ProvisionedThroughputExceeded` are one error: merge
    same-type entities whose long names differ by a typo, keeping the better-attested name."""
    g = kg.graph
    merged = 0
    for typ in ("api", "error", "metric", "env_var"):
        ids = sorted(n for n, d in g.nodes(data=True) if d.get("type") == typ)
        for i, a in enumerate(ids):
            if a not in g:
                continue
            for b in ids[i + 1 :]:
                if b not in g or a not in g:
                    continue
                na, nb = g.nodes[a]["name"], g.nodes[b]["name"]
                if min(len(na), len(nb)) < 12 or na.lower() == nb.lower():
                    continue
                if abs(len(na) - len(nb)) > 2 or fuzz.ratio(na.lower(), nb.lower()) < 94:
                    continue
                # Plural / singular operation names (PutRecord vs PutRecords) are different calls.
                if na.lower().rstrip("s") == nb.lower().rstrip("s"):
                    continue
                keep, drop = (a, b) if len(g.nodes[a]["sources"]) >= len(g.nodes[b]["sources"]) else (b, a)
                _merge_node(kg, keep, drop)
                merged += 1
    return merged


def _merge_node(kg: Any, keep: str, drop: str) -> None:
    g = kg.graph
    d = g.nodes[drop]
    aliases = sorted(set(g.nodes[keep].get("aliases", [])) | {d["name"]} | set(d.get("aliases", [])))
    kg.add_entity(
        keep,
        g.nodes[keep]["type"],
        g.nodes[keep]["name"],
        [Source.from_dict(s) for s in d.get("sources", [])],
        aliases=aliases,
        definition=d.get("definition"),
    )
    for u, _, k, data in list(g.in_edges(drop, keys=True, data=True)):
        kg.add_relation(u, keep, k, [Source.from_dict(s) for s in data.get("sources", [])])
    for _, v, k, data in list(g.out_edges(drop, keys=True, data=True)):
        kg.add_relation(keep, v, k, [Source.from_dict(s) for s in data.get("sources", [])])
    g.remove_node(drop)
