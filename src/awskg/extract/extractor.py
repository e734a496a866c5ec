"""The extractor: runs the spaCy pipeline over a file's cards and hands each line to the rules of
each kind of fact (mentions, entities, limits, relations, contrasts)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from spacy.tokens import Doc

from ..model import Card, NoteLine, Source
from ..readers.text import pieces
from ..vocabulary import catalog, load_data
from . import answers
from .contrasts import compared_phrases, contrasts
from .entities import TERM_SKIP, EntityWriter, definition_below, first_definition
from .facts import Facts
from .limits import LimitReader
from .mentions import LineCtx, MentionFinder
from .names import feature_like, split_aliases
from .relations import RelationReader, co_mentions
from .tables import TableReader
from .wraps import mend_wraps

# spaCy reads at most nlp.max_length (1,000,000) characters at once; a line is read in pieces of this
# many, well under it.
_PIECE = 100_000
# Card topics that mean "the service itself".
_OVERVIEW = ("overview", "what is it", "what is it?")


class Extractor:
    """Holds the pipeline and the rules; `extract_cards` is called once per file."""

    def __init__(self) -> None:
        from ..pipeline import build_nlp

        self.nlp = build_nlp()
        self.cat = catalog()
        self.products = {p["id"]: p for p in load_data("external.json")["products"]}
        self.mentions = MentionFinder(self.cat)
        self.entities = EntityWriter(self.cat, self.products)
        self.limits = LimitReader(self.cat, self.products)
        self.relations = RelationReader(self.nlp, self.cat, self.entities)
        self.tables = TableReader(self.cat, self.entities)

    def extract_cards(self, cards: list[Card], progress: Callable[[int], None] | None = None) -> Facts:
        facts = Facts()
        texts: list[str] = []
        for card in cards:
            card.lines = mend_wraps(card.lines)
            texts.append(card.front)
            texts.extend(ln.plain for ln in card.lines)
        docs = self._docs(texts)
        for card in cards:
            front_doc = next(docs)
            line_docs = [next(docs) for _ in card.lines]
            self._card(card, front_doc, line_docs, facts)
            if progress:
                progress(1)
        return facts

    def _docs(self, texts: list[str]) -> Iterator[Any]:
        """spaCy Docs of `texts`, in order. A text longer than spaCy takes at once (a pasted data
        dump on one line) is read in pieces cut at whitespace and joined back into one Doc, so its
        character offsets are those of the whole text."""
        long = {i for i, text in enumerate(texts) if len(text) > _PIECE}
        if not long:
            yield from self.nlp.pipe(texts, batch_size=512)
            return
        short = iter(self.nlp.pipe((t for i, t in enumerate(texts) if i not in long), batch_size=512))
        for i, text in enumerate(texts):
            if i in long:
                cut = [text[s:e] for s, e in pieces(text, _PIECE)]
                yield Doc.from_docs(list(self.nlp.pipe(cut)), ensure_whitespace=False)
            else:
                yield next(short)

    def _card(self, card: Card, front_doc: Any, line_docs: list[Any], facts: Facts) -> None:
        """One card's facts: its node and services, its topic, each line's owner, entities and
        limits, then what reads the card whole (a stated front, tables, relations, contrasts)."""
        front_src = [Source(card.file, n, card.id) for n in card.front_lines]
        card_text = " ".join([card.front] + [ln.plain for ln in card.lines])
        front_mentions = self.mentions.find(card.front, front_doc, card, card_text)
        services = self._services(card, front_mentions, line_docs, card_text)
        main = services[0] if services else None
        main_node = self.entities.service_node(facts, main, front_src) if main else None
        self._card_node(facts, card, services, front_src)
        for m in front_mentions:
            self.entities.entity_node(facts, m, front_src, main)
        topic_id = self._topic(facts, card, main, main_node, front_src)
        line_ctx = self._lines(facts, card, line_docs, card_text, main, topic_id)
        if card.asks and answers.answer_verdict(card) is not False:
            # The front of a question card can state facts (`T or F: ... up to 7 days`, a blank).
            front_line = NoteLine(card.front_lines[0], card.front, card.front, role="front")
            self.limits.read(facts, card, front_line, front_src[0], front_mentions, main, topic_id)
        self.tables.read(facts, card, card.lines, main)
        self.relations.read(facts, card, line_ctx, main)
        co_mentions(facts, line_ctx)
        contrasts(facts, card, line_ctx, main, front_src)

    def _services(
        self, card: Card, front_mentions: list[Any], line_docs: list[Any], card_text: str
    ) -> list[str]:
        """The card's services: the reader's, then those its front names; with none, the one its
        lines name most."""
        services = list(card.services)
        for m in front_mentions:
            sid = m.key.split(":", 1)[1]
            if m.type == "service" and sid in self.cat and sid not in services:
                services.append(sid)
        if services:
            return services
        counts: dict[str, int] = {}
        for ln, doc in zip(card.lines, line_docs, strict=True):
            for m in self.mentions.find(ln.plain, doc, card, card_text):
                if m.type == "service" and m.key.split(":", 1)[1] in self.cat:
                    counts[m.key] = counts.get(m.key, 0) + 1
        if counts:
            services.append(max(sorted(counts), key=lambda k: counts[k]).split(":", 1)[1])
        return services

    @staticmethod
    def _card_node(facts: Facts, card: Card, services: list[str], front_src: list[Source]) -> None:
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
            asks=card.asks or None,
            tags=list(card.tags),
            lines=[[n, "front", t] for n, t in zip(card.front_lines, front_texts(card), strict=True)]
            + [[ln.number, ln.role, ln.text] for ln in card.lines],
        )

    def _topic(
        self, facts: Facts, card: Card, main: str | None, main_node: str | None, front_src: list[Source]
    ) -> str | None:
        """The feature (or catalog part) the card's topic names, defined by its first line; an
        overview card (`what is it?`) defines the service itself."""
        own = bool(main and card.topic and self.entities.names_service(card.topic) == main)
        if card.topic and card.topic.lower() not in _OVERVIEW and not own:
            topic_def, def_no = first_definition(card.lines)
            defined_at = {"file": card.file, "line": def_no} if def_no else None
            tsid = self.entities.component(card.topic, main)
            if tsid and tsid != main:
                # The topic is a catalog entry itself (`Lambda: lambda insights`, `RDS proxy`).
                topic_id = self.entities.service_node(facts, tsid, front_src)
                if topic_def and not facts.attr(topic_id, "definition"):
                    facts.attrs(topic_id, definition=topic_def, definition_source=defined_at)
                rec = self.cat.get(tsid)
                if main_node:
                    relation = "HAS_FEATURE" if rec and rec.parent == main else "MENTIONS"
                    facts.edge(main_node, topic_id, relation, front_src)
                return topic_id
            feature = self.entities.feature(
                facts, main, card.topic, topic_def, front_src, kind="topic", defined_at=defined_at
            )
            if main_node and feature:
                facts.edge(main_node, feature, "HAS_FEATURE", front_src)
            return feature
        if main_node and card.lines and (own or card.topic.lower() in (*_OVERVIEW, "")):
            # The service's own "what is it" card defines it; a card on one of its features
            # (`how does function monitoring work?`) has a topic of its own and never gets here.
            text, def_no = first_definition(card.lines, values=False)
            if text and not facts.attr(main_node, "definition"):
                facts.attrs(main_node, definition=text, definition_source={"file": card.file, "line": def_no})
        return None

    def _lines(
        self,
        facts: Facts,
        card: Card,
        line_docs: list[Any],
        card_text: str,
        main: str | None,
        topic_id: str | None,
    ) -> list[LineCtx]:
        """Each answer line: the entity that owns it (a heading's feature, a term, the topic, the
        service), the entities it names, its limits."""
        heading_features: dict[str, str] = {}
        compared: list[str] = []  # the two sides of the last `A vs B` line
        out: list[LineCtx] = []
        for idx, (ln, doc) in enumerate(zip(card.lines, line_docs, strict=True)):
            src = Source(card.file, ln.number, card.id)
            mentions = self.mentions.find(ln.plain, doc, card, card_text)
            line_service = ln.service_hint if ln.service_hint in self.cat else main
            if line_service and line_service != main:
                self.entities.service_node(facts, line_service, [src])
            if ln.role != "term" and len(ln.plain.split()) <= 16:
                # `Standard Workflows vs Express Workflows` heads `standard: ...` / `express: ...`.
                sides = [side for pair in compared_phrases(ln.plain.lstrip("*").strip()) for side in pair]
                compared = sides or compared
            owner = self._defined_here(facts, card, idx, src, mentions, line_service, compared)
            if owner and ln.role in ("heading", "subtopic"):
                heading_features[ln.plain.lstrip("*").strip().rstrip(":").strip().lower()] = owner
            if owner is None and ln.heading:
                owner = heading_features.get(ln.heading.lower())
            if owner is None:
                owner = topic_id or (f"service:{line_service}" if line_service else None)
            self._hang(facts, src, mentions, line_service, owner)
            out.append(LineCtx(ln, src, doc, mentions, owner or "", line_service))
            self.limits.read(facts, card, ln, src, mentions, line_service, owner)
        return out

    def _defined_here(
        self,
        facts: Facts,
        card: Card,
        idx: int,
        src: Source,
        mentions: list[Any],
        sid: str | None,
        compared: list[str],
    ) -> str | None:
        """The entity line `idx` defines: a heading's or sub-topic's feature (defined by the line
        below it), or a `term: definition` line's; None for other lines."""
        ln = card.lines[idx]
        if ln.role in ("heading", "subtopic") and not ln.cells:  # a table's header row heads no feature
            name = ln.plain.lstrip("*").strip().rstrip(":").strip()
            if not feature_like(name):
                return None
            below = card.lines[idx + 1].number if idx + 1 < len(card.lines) else None
            return self.entities.feature(
                facts, sid, name, definition_below(card.lines, idx), [src], kind=ln.role,
                defined_at={"file": card.file, "line": below} if below else None,
            )
        if ln.role in ("term", "table") and ln.term and ln.term.lower() not in TERM_SKIP:
            full = _side_named(ln.term, compared)
            return self.entities.term(facts, ln, src, mentions, sid, card, name=full)
        return None

    def _hang(
        self, facts: Facts, src: Source, mentions: list[Any], sid: str | None, owner: str | None
    ) -> None:
        """A line's owner is a feature of the line's service, and mentions what the line names."""
        if owner and sid and owner != f"service:{sid}" and (
            owner.startswith("feature:") or self.entities.is_part(owner, sid)
        ):
            facts.edge(self.entities.service_node(facts, sid, [src]), owner, "HAS_FEATURE", [src])
        for m in mentions:
            node = self.entities.entity_node(facts, m, [src], sid)
            if owner and node != owner:
                facts.edge(owner, node, "MENTIONS", [src])
        if owner:
            facts.attrs(owner, lines=[f"{src.file}:{src.line}"])


def front_texts(card: Card) -> list[str]:
    parts = [card.front]
    if len(card.front_lines) > 1:
        # The reader joined a two-line front with a space; the lines are kept whole in `front`.
        parts = [card.front] + [""] * (len(card.front_lines) - 1)
    return parts


def _side_named(term: str, sides: list[str]) -> str | None:
    """The side of an `A vs B` heading that a short term below it names (`standard` ->
    `Standard Workflows`), or None."""
    short = split_aliases(term)[0].lower()
    if not short:
        return None
    for side in sides:
        low = side.lower()
        if low != short and (low.startswith(short + " ") or low.endswith(" " + short)):
            return side.strip(" *:")
    return None
