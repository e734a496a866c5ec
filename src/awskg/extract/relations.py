"""Relations read from the text: typed relations from relation cues (data/relations.json, a spaCy
Matcher over lemmas) and RELATED_TO between services named in one line."""

from __future__ import annotations

import re
from typing import Any

from ..model import Card
from .entities import EntityWriter
from .facts import Facts
from .mentions import LineCtx, Mention

# What may stand between two items of one list: punctuation, a conjunction, and up to two words
# of the item before (`SNS topic or SQS queue`).
_LIST_GAP = re.compile(
    r"[\s,;/&()-]*(?:[a-z]+[\s,;/&()-]+){0,2}(?:\b(?:and|or|and/or)\b)?[\s,;/&()-]*(?:(?:apache|amazon|aws)\s+)?",
    re.I,
)


class RelationReader:
    """Typed relations of a card's lines; holds the relation Matcher."""

    def __init__(self, nlp: Any, cat: Any, entities: EntityWriter) -> None:
        from ..pipeline import relation_matcher

        self.nlp = nlp
        self.cat = cat
        self.entities = entities
        self.rel_matcher, self.rel_specs = relation_matcher()

    def read(self, facts: Facts, card: Card, lines: list[LineCtx], main: str | None) -> None:
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
                sent_s, sent_e = sentence_span(ctx.line.plain, cue_s)
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
                    self.entities.service_node(facts, obj.split(":", 1)[1], [ctx.src])
                    u, v = (obj, subject) if spec.get("direction") == "reverse" else (subject, obj)
                    facts.edge(
                        u, v, label, [ctx.src], via=ctx.owner if ctx.owner.startswith("feature:") else None
                    )

    def _objects(
        self,
        spec: dict,
        mentions: list[Mention],
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
        mentions: list[Mention], cue_s: int, sent_s: int, line_service: str | None, objects: list[str]
    ) -> str | None:
        before = [m for m in mentions if sent_s <= m.start < cue_s and m.key not in objects]
        if before:
            return before[-1].key
        return f"service:{line_service}" if line_service else None


def co_mentions(facts: Facts, lines: list[LineCtx]) -> None:
    for ctx in lines:
        keys = sorted({m.key for m in ctx.mentions if m.type == "service"})
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                facts.edge(a, b, "RELATED_TO", [ctx.src])


def sentence_span(text: str, pos: int) -> tuple[int, int]:
    s = 0
    for m in re.finditer(r"[.!?;](?=\s|$)", text):
        if m.end() <= pos:
            s = m.end()
        else:
            return s, m.end()
    return s, len(text)
