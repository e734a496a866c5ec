"""What a line names: services (catalog spellings, abbreviations, ambiguous short forms decided by
the card), products, and typed entities (API operations, errors, config files, environment
variables, metrics, ARN formats; data/entities.json)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..graph import slug
from ..model import Card, NoteLine, Source
from ..vocabulary import entity_patterns


@dataclass
class Mention:
    start: int
    end: int
    type: str  # service | api | error | config | env_var | metric | arn | permission | policy | resource_type
    key: str  # node id
    text: str


@dataclass
class LineCtx:
    line: NoteLine
    src: Source
    doc: Any
    mentions: list[Mention]
    owner: str  # the node this line's facts hang off: a feature, else the card's service
    service: str | None  # catalog id


class MentionFinder:
    """Finds the mentions of one line; built once per extractor (it compiles the patterns)."""

    def __init__(self, cat: Any) -> None:
        self.cat = cat
        pats = entity_patterns()
        self.text_patterns = [(p["type"], re.compile(p["pattern"])) for p in pats["text_patterns"]]
        self.env_re = re.compile(pats["env_var"]["pattern"])
        self.env_ctx = [c.lower() for c in pats["env_var"]["context"]]
        self.metric_re = re.compile(pats["metric"]["pattern"])
        self.metric_ctx = [c.lower() for c in pats["metric"]["context"]]
        self.api_ctx_re = re.compile(pats["api_context"]["pattern"])
        self.api_ctx = [c.lower() for c in pats["api_context"]["context"]]
        self.metric_ctx_re = words_re(self.metric_ctx)
        self.api_ctx_words_re = words_re(self.api_ctx)

    def find(self, text: str, doc: Any, card: Card, card_text: str) -> list[Mention]:
        out: list[Mention] = []
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
                out.append(Mention(s, e, typ, self.key(typ, value), value))
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
                key = self.key(typ, value)
                out.append(Mention(s, e, typ, key, value))
                taken.append((s, e))
                continue
            out.append(Mention(s, e, typ, key, ent.text))
            taken.append((s, e))
        low = (text + " " + card.front).lower()
        if any(c in low for c in self.env_ctx):
            for m in self.env_re.finditer(text):
                if free(m.start(), m.end()):
                    out.append(Mention(m.start(), m.end(), "env_var", f"env_var:{m.group()}", m.group()))
                    taken.append((m.start(), m.end()))
        if self.metric_ctx_re.search(low):
            for m in self.metric_re.finditer(text):
                if free(m.start(), m.end()) and not self.cat.lookup(m.group()):
                    out.append(
                        Mention(m.start(), m.end(), "metric", f"metric:{m.group().lower()}", m.group())
                    )
                    taken.append((m.start(), m.end()))
        if self.api_ctx_words_re.search(low):
            for m in self.api_ctx_re.finditer(text):
                if free(m.start(), m.end()) and not self.cat.lookup(m.group()):
                    out.append(Mention(m.start(), m.end(), "api", f"api:{m.group().lower()}", m.group()))
                    taken.append((m.start(), m.end()))
        out.sort(key=lambda m: m.start)
        return out

    @staticmethod
    def key(typ: str, value: str) -> str:
        if typ == "arn":
            return f"arn:{slug(arn_shape(value))}"
        if typ in ("config", "env_var"):
            return f"{typ}:{value}"
        return f"{typ}:{value.lower()}"


def words_re(words: list[str]) -> re.Pattern[str]:
    return re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"
    )


def arn_shape(arn: str) -> str:
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


def arn_name(arn: str) -> str:
    parts = arn.split(":")
    if len(parts) >= 6:
        service = parts[2]
        kind = parts[5]
        qual = " version or alias" if len(parts) > 7 else ""
        return f"{service} {kind}{qual} ARN"
    return arn
