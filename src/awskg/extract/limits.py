"""Limit nodes: each quantity of a line (quantities.find_quantities) with its subject, kind and the
service it belongs to, hung off the service and the feature that owns the line."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from typing import Any

from ..graph import slug
from ..model import Card, NoteLine, Source
from ..quantities import Quantity, find_quantities, is_counted_unit, is_label_word, kind_named
from ..vocabulary import cues
from . import answers, examples
from .facts import Facts
from .mentions import Mention
from .names import DETERMINERS, PREPOSITIONS, without_symbols
from .subjects import subject_of

_QUESTION = re.compile(r"[^.!?;]*\?")
_URL = re.compile(r"https?://\S+|\bwww\.\S+|<[a-z][^<>]{0,80}>")
_SERVICE_SUBJECT_TOKENS = 3


# The last sentence of a front, when it is a question after one or more sentences.
_SCENARIO = re.compile(r"(?<=[.!])\s+[A-Z][^.!?]*\?\s*$")


# `Lambda timeout (seconds)?`, `... retention in days?`: the unit a question asks its answer in.
_ASKED_UNIT = re.compile(r"\((?:in\s+)?([A-Za-z/]+)\)\s*\??\s*$|\bin\s+([A-Za-z/]+)\s*\??\s*$")


def _in_asked_unit(q: Quantity, front: str) -> Quantity:
    """A bare number answering a question that names its unit (`(seconds)`), in that unit."""
    m = _ASKED_UNIT.search(front)
    if not m:
        return q
    found = find_quantities(f"{q.text} {m.group(1) or m.group(2)}", [], table=True)
    if len(found) != 1 or found[0].dimension == "count" or found[0].value != q.value:
        return q
    # (no longer a bare count: its kind is what the question's words name, below)
    return replace(found[0], start=q.start, end=q.end, text=q.text, kind="other", cue=q.cue)


_LISTED = re.compile(r"\s*(?:,|&|/|\band\b|\bor\b)\s*", re.I)
# Kinds of which a subject has one value: a second one on the same line is for another case.
_ONE_VALUE_KINDS = ("max", "min", "default", "rate")


def _variant(q: Quantity, first: Quantity, subject: str, text: str | None) -> Quantity:
    """`q`, marked unsure when its line gave the same subject another value of the same kind
    before it (`256 KB (bigger -> S3 + client library, up to 2 GB)`, `300 msg/s, 3,000 with
    batching`): the later value most likely holds in a case the line names, which the subject does
    not say. Values listed one after the other (`128 MB and 3 GB`, `50 TB or 80 TB`; `text` is
    the line both are in, if they are) and counts of other things (`3,500 PUT/s, 5,500 GET/s`)
    are no variants."""
    if first is q or q.kind not in _ONE_VALUE_KINDS or q.unsure:
        return q
    if (first.base_value, first.base_value_max) == (q.base_value, q.base_value_max):
        return q
    if (first.noun or q.noun) and (first.unit or "").lower() != (q.unit or "").lower():
        return q
    if text is not None and _LISTED.fullmatch(text[first.end : q.start]):
        return q
    return replace(q, unsure=f"the line also gives {subject} as {first.text}: this value may hold only "
                             "in a case the line names")


class LimitReader:
    """Reads the limits of one line into a file's Facts."""

    def __init__(self, cat: Any, products: dict[str, dict[str, Any]]) -> None:
        self.cat = cat
        self.products = products
        # The values stated so far on the source line being read, by what they bound.
        self._at: tuple[str, int] = ("", 0)
        self._stated: dict[tuple[str | None, str, str, str], tuple[Quantity, str]] = {}

    def read(
        self,
        facts: Facts,
        card: Card,
        ln: NoteLine,
        src: Source,
        mentions: list[Mention],
        sid: str | None,
        owner: str | None,
    ) -> None:
        if ln.role in ("code", "option"):
            return  # code; an exam question's answer choices (readers/anki.py)
        text = ln.plain
        front = ln.role == "front"
        if text.rstrip().endswith("?") and ln.role != "table" and not front:
            return  # a question (an exam premise): its numbers are not limits
        if self._at != (card.id, ln.number):  # (a table row's cells are lines of one source line)
            self._at, self._stated = (card.id, ln.number), {}
        stated = self._stated
        for q in self.quantities(card, ln, mentions):
            lim_sid = self.service_of(text, q, mentions, sid)
            if lim_sid is None:
                continue  # no AWS service in sight (a study plan, exam tips): no AWS limit
            subject = without_symbols(subject_of(text, q, ln, card)) or "limit"
            if q.unit is None and q.dimension == "count":
                # `| gp3 base IOPS | 3,000 |`: a bare number counts the unit its subject ends with.
                last = re.sub(r"\s*\([^)]*\)$", "", subject).split()[-1:]
                if last and is_counted_unit(last[0]):
                    q = replace(q, unit=last[0].lower(), noun=last[0])
                elif card.asks and not front:
                    q = _in_asked_unit(q, card.front)
            if q.kind == "other" or q.kind == "count" and not q.noun:
                # No cue beside the number (`29 seconds` under `max integration timeout?`, a bare
                # `10,000` under `max number of parts?`): the words of what it bounds, or the
                # question it answers, may name the kind.
                named = kind_named(subject) or (kind_named(card.front) if card.asks else None)
                if named:
                    q = replace(q, kind=named)
            first, first_text = stated.setdefault((lim_sid, subject.lower(), q.kind, q.dimension), (q, text))
            q = _variant(q, first, subject, text if first_text is text else None)
            self.node(facts, q, lim_sid, subject, src, owner, text)

    def quantities(self, card: Card, ln: NoteLine, mentions: list[Mention]) -> list[Quantity]:
        """The line's quantities that state limits, with what the card's shape says about them."""
        text = ln.plain
        masks = list(ln.masks)
        if "://" in text or "www." in text or "<" in text:
            masks += [(m.start(), m.end()) for m in _URL.finditer(text)]
        masks += [
            (m.start, m.end) for m in mentions if m.type in ("arn", "resource_type", "permission", "config")
        ]
        # A number in a name is no value: `Route 53`, `EBS io2`.
        masks += [(m.start, m.end) for m in mentions if m.type == "service" and re.search(r"\d", m.text)]
        if ln.role == "front":
            # A question front states only what it bounds outright (`with up to 5 regions`); a
            # scenario before its question (`A company sends 5 MB messages. What should ...?`) is
            # the exam's premise, no limit.
            asked = _SCENARIO.search(text)
            if asked:
                masks.append((0, asked.start()))
            found = find_quantities(text, masks)
            if answers.states(text):
                return found
            return [q for q in found if q.kind not in ("other", "count")]
        if "?" in text:
            masks += [(m.start(), m.end()) for m in _QUESTION.finditer(text)]
        if ln.role == "table" and ln.term and is_label_word(ln.term.split()[-1]):
            # `| Layer | 7 (HTTP) | 4 (TCP) |`: the row's numbers complete its label's name.
            found = [q for q in find_quantities(text, masks, table=True) if q.dimension != "count"]
        elif ln.role == "table" or answers.answers_value(card, ln) or _value_definition(ln):
            found = find_quantities(text, masks, table=True)
        else:
            found = find_quantities(text, masks)
            if card.asks:
                as_values = find_quantities(text, masks, table=True)
                if answers.bare_answer(text, as_values):
                    found = as_values
        if ln.role in ("subtopic", "heading"):
            # A heading or a sub-question (`*valid size for a 15000 IOPS volume`) names a topic: only
            # a value it bounds outright is stated there.
            found = [q for q in found if q.cue]
        if not found:
            return found
        if examples.in_example_section(ln):
            return []
        held = examples.not_stated(text, found, examples.sentence_before(card, ln))
        return [q for q in found if q.start not in held and not enumerates(q, text)]

    def service_of(self, text: str, q: Quantity, mentions: list[Mention], sid: str | None) -> str | None:
        """The card's service, unless the clause holding the value opens with another service
        (`Lambda ...; SQS messages can be up to 256 KB`)."""
        c0 = max((m.end() for m in re.finditer(r"[.;!?](?=\s)|;|\s[–—-]\s", text[: q.start])), default=0)
        head = text[c0 : q.start]
        words = head.split()
        for m in mentions:
            if m.type != "service" or not (c0 <= m.start < q.start):
                continue
            if sid and self.cat.is_generic(m.text):
                continue  # `Auto Scaling: target 70%` in a DynamoDB section is DynamoDB's
            lead = text[c0 : m.start].split()
            # `from S3 up to 1 MB` is about something else coming from S3: a service after a
            # preposition is not what the clause is about.
            if any(w.lower() in PREPOSITIONS for w in lead):
                break
            lead = [w for w in lead if w.lower() not in DETERMINERS]
            if len(lead) > _SERVICE_SUBJECT_TOKENS - 1 or len(words) > 14:
                break
            other = m.key.split(":", 1)[1]
            rec = self.cat.get(other)
            if rec and rec.category == "service" and other != sid and (rec.parent != sid):
                return other
            break
        return sid

    def node(
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
            unsure=q.unsure,
            feature=owner if owner and owner != f"service:{sid}" else None,
        )
        if sid:
            facts.edge(f"service:{sid}", node_id, "HAS_LIMIT", [src])
        if owner and owner != f"service:{sid}":
            facts.edge(owner, node_id, "HAS_LIMIT", [src])


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)


@cache
def _enumeration_nouns() -> frozenset[str]:
    return frozenset(w.lower() for w in cues()["enumeration_nouns"]["words"])


def enumerates(q: Quantity, text: str) -> bool:
    """`3 main options`, `4 methods of encryption`, `only 2 types`: a count of the items of a list,
    not a limit, unless a bound cue other than `only` stands before it (`up to 5 types`)."""
    if q.dimension != "count" or q.per or q.cue not in (None, "only"):
        return False
    # The counted noun, past any adjectives the quantity grammar stops at (`4 shared characteristics`).
    after = re.match(r"[ \t]+((?:[A-Za-z][\w-]*[ \t]*){1,4})", text[q.end : q.end + 40])
    if q.unit and not q.noun:
        return False
    words = re.findall(r"[a-z][a-z-]*", (q.noun or (after.group(1) if after else "")).lower())[:4]
    nouns = _enumeration_nouns()
    return any(w in nouns or " ".join(words[k : k + 2]) in nouns for k, w in enumerate(words))


def _value_definition(ln: NoteLine) -> bool:
    """`**Concurrent executions**: 1000 (can be increased)`: a term whose definition is a value and
    little else states that value, as a table cell does."""
    if ln.role != "term" or not ln.definition:
        return False
    rest = re.sub(r"\([^)]*\)", " ", ln.definition)
    if not re.match(r"\s*(?:up to\s+|max\.?\s+|min\.?\s+)?\d", rest, re.I):
        return False
    return len(re.findall(r"[A-Za-z]{2,}", rest)) <= 2
