"""Quiz questions generated from the graph, never written by hand.

Four kinds, each answered by a node (or an edge) of the graph and explained by the note line
behind it:

* limit: "SQS: what is the maximum message size?" -> the limit node's value (`256 KB`);
* definition: "Which Lambda feature is this: ...pre-warmed...?" -> the node whose definition it is;
* comparison: "FIFO Queues or Standard Queues: which one is described as ...?" -> one side of a
  CONTRASTS_WITH pair, by a clause of its definition the other's does not share;
* relation: "Which of these is an event source for Lambda?" -> the other end of a typed relation.

Distractors come from the graph too: other limits of the same dimension and kind (shown in the
answer's unit), sibling features, the other side of a contrast, services the relation does not
join. A question is only asked when it has at least two distractors that are not right answers.
The reference of current AWS quotas never changes an answer: a question whose limit AWS has since
changed, or whose explanation line states such a value, carries the flag beside it
(`Question.stale`, the flag's message: both values and AWS's source).
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from ..errors import UsageError
from ..graph import KnowledgeGraph
from ..model import Limit, Source, format_number
from ..vocabulary import catalog

KINDS = ("limit", "definition", "comparison", "relation")
MAX_CHOICES = 4
MIN_CHOICES = 3
MAX_QUESTIONS = 200
MAX_LIMITS_PER_LINE = 2

LETTERS = "ABCDE"

# What a node type is called in a question ("Which Lambda feature is this").
TYPE_WORDS = {
    "feature": "feature", "api": "API action", "config": "setting", "error": "error",
    "env_var": "environment variable", "metric": "metric", "resource_type": "resource type",
    "permission": "permission", "policy": "policy", "service": "AWS service",
}

# Typed relations a question can be asked about: the end that stays fixed (the hub), and how to ask
# for the other end. Co-occurrence (MENTIONS, RELATED_TO) and vague verbs (USES,
# CONNECTS_TO) say too little.
RELATION_QUESTIONS: dict[str, tuple[str, str]] = {
    "EVENT_SOURCE_FOR": ("target", "Which of these is an event source for {hub}?"),
    "STORES_DATA_IN": ("source", "Where can {hub} store data?"),
    "ENCRYPTED_WITH": ("source", "What is {hub} encrypted with?"),
    "LOGS_TO": ("source", "Where does {hub} send logs?"),
    "SENDS_FAILURES_TO": ("source", "Where can {hub} send events that failed?"),
    "BACKS_UP_TO": ("source", "Where does {hub} back up to?"),
    "BUILT_ON": ("source", "What is {hub} built on?"),
    "CONSUMES_STREAMS_FROM": ("source", "Whose streams does {hub} consume?"),
    "OUTPUTS_TO": ("source", "Where does {hub} write its output?"),
}

_STOP = frozenset(
    "a an the of for to in on at is are be can do does it its with and or that this from by as into if "
    "your you which what when how after before not no all any each one so up out via only also there "
    "their they them than then such".split()
)


@dataclass
class Question:
    """One multiple-choice question; `answer` is `choices[answer_index]`.

    `nodes[0]` is the node that answers (the limit, the defined node, the side of the contrast,
    the other end of the relation); the rest are the nodes the question names. `source` and
    `explanation` are the note line behind the answer; `stale` the outdated flag of a limit."""

    id: str
    kind: str
    prompt: str
    choices: list[str]
    answer: str
    answer_index: int
    explanation: str
    source: dict[str, Any]
    nodes: list[str]
    service: str | None = None
    service_name: str | None = None
    stale: str | None = None

    def is_correct(self, choice: int | str) -> bool:
        """A choice by index (0-based), letter (`B`) or text."""
        return _choice_index(self, choice) == self.answer_index

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "prompt": self.prompt,
            "choices": list(self.choices),
            "answer": self.answer,
            "answer_index": self.answer_index,
            "explanation": self.explanation,
            "source": dict(self.source),
            "nodes": list(self.nodes),
            "service": self.service,
            "service_name": self.service_name,
            "stale": self.stale,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class _Candidate:
    """A question before the seed picks its distractors and the order of its choices."""

    kind: str
    nodes: list[str]
    prompt: str
    answer: str
    tiers: list[list[str]]  # distractors, most plausible tier first
    explanation: str
    source: Source
    service: str | None
    extra: str = ""
    stale: str | None = None
    wrong: set[str] = field(default_factory=set)  # folded texts that are also right: never offered
    ordered: bool = False  # tiers sorted most plausible first (limits by magnitude), else any order

    def distractors(self) -> list[str]:
        seen = {_fold(self.answer)} | self.wrong
        out = []
        for tier in self.tiers:
            for d in tier:
                if _fold(d) not in seen:
                    seen.add(_fold(d))
                    out.append(d)
        return out


# --------------------------------------------------------------------------- the quiz


def make_quiz(
    kg: KnowledgeGraph,
    service: str | None = None,
    n: int = 10,
    seed: int | None = None,
) -> list[Question]:
    """`n` questions (fewer if the notes give fewer) about `service` (or all), mixed across the four
    kinds. The same graph and seed give the same quiz; no seed, a fresh one each time."""
    try:
        n = int(n)
    except (TypeError, ValueError) as err:
        raise UsageError(f"the number of questions must be a whole number, not {n!r}") from err
    if not 1 <= n <= MAX_QUESTIONS:
        raise UsageError(f"the number of questions must be from 1 to {MAX_QUESTIONS}, not {n}")
    sid = None
    if service:
        sid = kg.resolve(service, types=["service"]).split(":", 1)[1]
    pool = candidates(kg)
    if sid:
        pool = [c for c in pool if _about(c.service, sid)]
        if not pool:
            name = catalog().name(sid) or sid
            raise UsageError(f"the notes give no quiz questions about {name}; try another service or none")
    rng = random.Random(seed)
    by_kind: dict[str, list[_Candidate]] = {k: [] for k in KINDS}
    for c in pool:
        by_kind[c.kind].append(c)
    for k in KINDS:
        rng.shuffle(by_kind[k])
    order = list(KINDS)
    rng.shuffle(order)
    picked: list[_Candidate] = []
    asked: set[str] = set()  # a node answers one question of a quiz, not two
    while len(picked) < n and any(by_kind.values()):
        for k in order:
            while by_kind[k] and len(picked) < n:
                c = by_kind[k].pop()
                if c.nodes[0] not in asked:
                    asked.add(c.nodes[0])
                    picked.append(c)
                    break
    return [_realise(c, rng) for c in picked]


def candidates(kg: KnowledgeGraph) -> list[_Candidate]:
    """Every question the graph can ask, in a fixed order (the seed only picks among them).

    Kept per graph while its size is unchanged: the app asks for a quiz on every rerun."""
    key = (kg.graph.number_of_nodes(), kg.graph.number_of_edges())
    cached = _CACHE.get(kg)
    if cached is not None and cached[0] == key:
        return list(cached[1])
    found = _all_candidates(kg)
    _CACHE[kg] = (key, found)
    return list(found)


_CACHE: weakref.WeakKeyDictionary[KnowledgeGraph, tuple[tuple[int, int], list[_Candidate]]] = (
    weakref.WeakKeyDictionary()
)


def _all_candidates(kg: KnowledgeGraph) -> list[_Candidate]:
    defined = _defined_nodes(kg)
    out = [*_limit_candidates(kg), *_definition_candidates(defined), *_comparison_candidates(kg, defined),
           *_relation_candidates(kg)]
    for c in out:
        c.stale = c.stale or _explanation_flag(kg, c)
    return [c for c in out if len(c.distractors()) >= MIN_CHOICES - 1]


def _explanation_flag(kg: KnowledgeGraph, c: _Candidate) -> str | None:
    """The flag of a value AWS has changed since that the explanation's note line states: a
    definition or a comparison explained by `max message size: 256KB` carries it too."""
    from .stale import flags_at

    for flag in flags_at(kg, c.source.file, c.source.line):
        text = str(kg.graph.nodes[flag.limit_id].get("text", ""))
        if text and text.lower() in c.explanation.lower():
            return flag.message
    return None


def _realise(c: _Candidate, rng: random.Random) -> Question:
    wanted = MAX_CHOICES - 1
    if c.ordered:
        # Most plausible first: the seed draws among the first few, so a quiz varies without
        # offering a wrong answer no student would consider.
        pool = c.distractors()
        chosen = rng.sample(pool[: wanted + 3], min(wanted, len(pool)))
    else:
        tiers = [list(t) for t in c.tiers]
        for t in tiers:
            rng.shuffle(t)
        pool = _Candidate(c.kind, c.nodes, c.prompt, c.answer, tiers, c.explanation, c.source,
                          c.service, wrong=c.wrong).distractors()
        chosen = pool[:wanted]
    choices = [c.answer, *chosen]
    rng.shuffle(choices)
    cat = catalog()
    return Question(
        id=question_id(c.kind, c.nodes, c.extra),
        kind=c.kind,
        prompt=c.prompt,
        choices=choices,
        answer=c.answer,
        answer_index=choices.index(c.answer),
        explanation=c.explanation,
        source={"file": c.source.file, "line": c.source.line},
        nodes=list(c.nodes),
        service=c.service,
        service_name=cat.name(c.service) if c.service else None,
        stale=c.stale,
    )


def question_id(kind: str, nodes: Iterable[str], extra: str = "") -> str:
    """Stable: the same nodes asked about the same way give the same id (and Anki guid)."""
    key = "|".join([kind, *nodes, extra])
    return f"{kind}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def _about(service: str | None, sid: str) -> bool:
    if service == sid:
        return True
    rec = catalog().get(service)
    return bool(rec and rec.parent == sid)


# --------------------------------------------------------------------------- scoring


def score_by_service(
    answers: Iterable[tuple[Question | dict[str, Any], int | str]],
) -> dict[str, dict[str, Any]]:
    """Score per service of (question, choice) pairs: `{"SQS": {"asked": 3, "correct": 2,
    "percent": 66.7, "service_id": "sqs"}, ...}`, services in name order. A question is a Question
    or its dict; a choice is an index, a letter or the choice's text."""
    out: dict[str, dict[str, Any]] = {}
    for q, choice in answers:
        question = q if isinstance(q, Question) else Question.from_dict(q)
        key = question.service_name or question.service or "general"
        row = out.setdefault(key, {"asked": 0, "correct": 0, "percent": 0.0, "service_id": question.service})
        row["asked"] += 1
        row["correct"] += int(question.is_correct(choice))
    for row in out.values():
        row["percent"] = round(100.0 * row["correct"] / row["asked"], 1) if row["asked"] else 0.0
    return {k: out[k] for k in sorted(out, key=str.lower)}


def _choice_index(q: Question, choice: int | str) -> int | None:
    if isinstance(choice, bool):
        return None
    if isinstance(choice, int):
        return choice if 0 <= choice < len(q.choices) else None
    text = str(choice).strip()
    if len(text) == 1 and text.upper() in LETTERS[: len(q.choices)]:
        return LETTERS.index(text.upper())
    if text.isdigit() and 1 <= int(text) <= len(q.choices):
        return int(text) - 1
    for i, c in enumerate(q.choices):
        if _fold(c) == _fold(text):
            return i
    return None


# --------------------------------------------------------------------------- limits


def _limit_candidates(kg: KnowledgeGraph) -> list[_Candidate]:
    limits = [lim for lim in kg.limits(numeric_only=True) if lim.base_value is not None]
    same_subject: dict[tuple[str | None, str], list[Limit]] = {}
    per_line: dict[tuple[str, int], int] = {}
    for lim in limits:
        same_subject.setdefault((lim.service_id, _fold(lim.subject)), []).append(lim)
        per_line[(lim.source.file, lim.source.line)] = per_line.get((lim.source.file, lim.source.line), 0) + 1
    out = []
    for lim in limits:
        if lim.conflict or lim.kind == "other":
            continue
        if per_line[(lim.source.file, lim.source.line)] > MAX_LIMITS_PER_LINE:
            continue  # a line of many numbers explains none of them on its own
        siblings = [s for s in same_subject[(lim.service_id, _fold(lim.subject))] if s.id != lim.id]
        if _ambiguous(lim, siblings):
            continue
        prompt = _limit_prompt(kg, lim)
        if not prompt or _leaks(prompt, lim):
            continue
        answer = lim.display
        # Values the notes give for the same thing are right too, whatever unit they are in.
        right = {_base_key(s) for s in siblings if s.kind == lim.kind} | {_base_key(lim)}
        tiers: list[list[tuple[float, str]]] = [[], [], []]
        shown: set[str] = {_fold(answer)}
        for other in limits:
            if other.id == lim.id or other.dimension != lim.dimension or _base_key(other) in right:
                continue
            if (other.value_max is None) != (lim.value_max is None) or other.kind == "other":
                continue
            text = _in_answer_terms(lim, other)
            if _fold(text) in shown:
                continue
            shown.add(_fold(text))
            if other.kind == lim.kind:
                tier = 0 if other.unit == lim.unit else 1
            else:
                tier = 2
            tiers[tier].append((_distance(lim, other), text))
        out.append(_Candidate(
            kind="limit", nodes=[lim.id], prompt=prompt, answer=answer,
            # Nearest values first: 256 KB is asked beside 8 KB and 3 MB, not beside 10 GB.
            tiers=[[t for _, t in sorted(tier)] for tier in tiers],
            explanation=lim.line_text, source=lim.source, service=lim.service_id,
            stale=lim.stale["message"] if lim.stale else None, ordered=True,
        ))
    return out


def _distance(a: Limit, b: Limit) -> float:
    """How far apart two values are, in orders of magnitude (both ends of a range)."""
    def mag(v: float | None) -> float:
        return math.log10(abs(v) + 1e-9) if v else -9.0

    d = abs(mag(a.base_value) - mag(b.base_value))
    if a.base_value_max is not None and b.base_value_max is not None:
        d += abs(mag(a.base_value_max) - mag(b.base_value_max))
    return round(d, 6)


def _base_key(lim: Limit) -> tuple[str, float, float | None]:
    def r(v: float | None) -> float | None:
        return None if v is None else float(f"{v:.9g}")

    return (lim.dimension, r(lim.base_value) or 0.0, r(lim.base_value_max))


def _in_answer_terms(answer: Limit, other: Limit) -> str:
    """Another limit's value, as the answer would be written: a count keeps the answer's noun
    (`15 layers`), a size or a time its own unit (`10 GB`), the answer's `per` either way."""
    if answer.dimension == "count":
        return replace(answer, value=other.value, value_max=other.value_max,
                       unit=_number_agreement(answer.unit, other.value_max or other.value)).display
    return replace(answer, value=other.value, value_max=other.value_max, unit=other.unit).display


def _number_agreement(noun: str | None, value: float | None) -> str | None:
    """`shard` for 1, `shards` for 5: a count noun agrees with the number it is shown with."""
    if not noun or not noun.isalpha() or noun.lower() in ("times",):
        return "time" if noun == "times" and value == 1 else noun
    if value == 1 and noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    if value != 1 and not noun.endswith("s"):
        return noun + "s"
    return noun


def _ambiguous(lim: Limit, siblings: list[Limit]) -> bool:
    """The notes give the same subject another value that would also answer the question (a
    `512 MB` maximum beside a `512-10,240 MB` range of the same /tmp size)."""
    for s in siblings:
        if s.kind == lim.kind and _base_key(s) != _base_key(lim):
            return True
        if lim.kind == "max" and s.kind == "range" and (s.base_value_max or 0) > (lim.base_value or 0):
            return True
    return False


_KIND_LEAD = re.compile(r"^(?:max(?:imum)?|min(?:imum)?|default)\s+", re.I)

# A subject with these words is a clause the extractor took whole ("activates when the following
# factors apply"), not a name a question can use.
_CLAUSE_WORDS = frozenset({"when", "the", "if", "than", "following", "that", "which", "whose", "while"})


def _limit_prompt(kg: KnowledgeGraph, lim: Limit) -> str | None:
    svc = catalog().name(lim.service_id) or lim.service or "AWS"
    subject = _KIND_LEAD.sub("", lim.subject.strip()).strip()
    if not subject or len(subject.split()) > 7 or _CLAUSE_WORDS & set(subject.lower().split()):
        return None
    feature = _feature_name(kg, lim)
    if feature and _fold(feature) != _fold(svc) and not _words_in(feature, subject) and len(feature) <= 40:
        subject = f"{subject} ({feature})"
    kind = lim.kind
    if kind == "max":
        if lim.dimension == "count" and lim.unit:
            return f"{svc}: what is the maximum number of {subject}?"
        return f"{svc}: what is the maximum {subject}?"
    if kind == "min":
        return f"{svc}: what is the minimum {subject}?"
    if kind == "default":
        return f"{svc}: what is the default {subject}?"
    if kind == "range":
        return f"{svc}: what is the allowed range of the {subject}?"
    if kind == "retention":
        what = re.sub(r"\s*\bretention\b\s*", " ", subject).strip() or subject
        return f"{svc}: for how long are {what} retained?"
    if kind == "granularity":
        what = re.sub(r"\s*\bgranularity\b\s*", " ", subject).strip() or subject
        return f"{svc}: in what increments is {what} measured?"
    if kind == "rate":
        return f"{svc}: what is the rate of {subject}?"
    if kind == "count":
        noun = (lim.unit or "").strip()
        return f"{svc}: {subject} — how many{' ' + noun if noun else ''}?"
    return None


def _feature_name(kg: KnowledgeGraph, lim: Limit) -> str:
    if lim.feature and lim.feature in kg.graph:
        return str(kg.graph.nodes[lim.feature].get("name", ""))
    return ""


def _leaks(prompt: str, lim: Limit) -> bool:
    """The prompt states the answer's number ("sending a message larger than 256kb")."""
    numbers = {format_number(v).replace(",", "") for v in (lim.value, lim.value_max) if v is not None}
    found = {m.replace(",", "") for m in re.findall(r"\d[\d,]*(?:\.\d+)?", prompt)}
    return bool(numbers & found)


# --------------------------------------------------------------------------- definitions


def _definition_candidates(defined: dict[str, dict[str, Any]]) -> list[_Candidate]:
    out = []
    for node_id, info in defined.items():
        twins = [defined[t] for t in sorted(info["twins"])]
        if any(_preferred(o, info) for o in twins):
            continue  # one question for a thing the notes name twice (`transactions`, `transations`)
        masked = _mask(info["definition"], [info["name"], *info["aliases"], *[t["name"] for t in twins]])
        if masked is None:
            continue
        svc = info["service"]
        svc_name = catalog().name(svc) if svc else None
        typeword = TYPE_WORDS.get(info["type"], info["type"])
        if info["type"] == "service":
            prompt = f"Which AWS service is this: “{masked}”?"
        elif svc_name:
            prompt = f"Which {svc_name} {typeword} is this: “{masked}”?"
        else:
            prompt = f"Which {typeword} is this: “{masked}”?"
        # Features of the same service first; for a service, services of the same group.
        near_key = _near_key(info)
        same_service, same_type = [], []
        for other_id, o in defined.items():
            if other_id == node_id or o["type"] != info["type"]:
                continue
            if other_id in info["twins"] or _names_in(o, masked):
                continue
            (same_service if near_key and _near_key(o) == near_key else same_type).append(o["name"])
        out.append(_Candidate(
            kind="definition", nodes=[node_id], prompt=prompt, answer=info["name"],
            tiers=[same_service, same_type], explanation=info["line_text"], source=info["source"],
            service=svc if info["type"] != "service" else _sid(node_id),
            wrong={_fold(t["name"]) for t in twins},
        ))
    return out


def _near_key(info: dict[str, Any]) -> str | None:
    if info["type"] == "service":
        rec = catalog().get(_sid(info["id"]))
        return f"group:{rec.group}" if rec else None
    return info["service"]


def _preferred(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Of two names for one thing, the longer (more specific, or spelt right) is asked about."""
    return (len(a["name"]), a["id"]) > (len(b["name"]), b["id"])


def _defined_nodes(kg: KnowledgeGraph) -> dict[str, dict[str, Any]]:
    """Nodes whose definition the notes give as `name: definition` (or as the answer of a card
    whose front is the name): the only definitions precise enough to quiz on."""
    g = kg.graph
    out: dict[str, dict[str, Any]] = {}
    for node_id in sorted(g.nodes):
        d = g.nodes[node_id]
        if d.get("type") not in TYPE_WORDS:
            continue
        definition = str(d.get("definition") or "").strip()
        name = str(d.get("name") or "").strip()
        if len(definition.split()) < 4 or len(name) < 2 or definition.lower().startswith("arn:"):
            continue
        where = _defining_line(kg, node_id, name, definition)
        if where is None:
            continue
        src, text = where
        out[node_id] = {
            "id": node_id, "type": d["type"], "name": name, "aliases": list(d.get("aliases", [])),
            "definition": definition, "service": _service_of(kg, node_id), "source": src,
            "line_text": text, "fname": _fold(name), "fdef": _fold(definition), "twins": set(),
        }
    ids = sorted(out)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if _same_thing(out[a], out[b]):
                out[a]["twins"].add(b)
                out[b]["twins"].add(a)
    return out


def _defining_line(kg: KnowledgeGraph, node_id: str, name: str, definition: str) -> tuple[Source, str] | None:
    head = _fold(definition)[:30]
    for src, text in kg.source_text(kg.graph.nodes[node_id].get("sources", [])):
        line = _fold(text).lstrip("*-• ")
        if line.startswith(_fold(name)) and re.match(r"\s*(?::|–|—|-\s)", line[len(_fold(name)):]) \
                and head[:15] in line:
            return src, text
    card = kg.card_of(node_id)
    if card and _fold(str(card.get("front", ""))).rstrip("?:. ").endswith(_fold(name)):
        for number, _role, text in card.get("lines", []):
            if _role != "front" and _fold(text).startswith(head[:15]):
                return Source(card.get("file", ""), int(number), card.get("id")), text
    return None


def _service_of(kg: KnowledgeGraph, node_id: str) -> str | None:
    g = kg.graph
    for u, _, k in g.in_edges(node_id, keys=True):
        if k == "HAS_FEATURE" and g.nodes[u].get("type") == "service":
            return u.split(":", 1)[1]
    card = kg.card_of(node_id)
    services = (card or {}).get("services") or []
    return services[0] if services else None


def _mask(definition: str, names: list[str]) -> str | None:
    """The definition's first sentence or two (about 180 characters), with the names blanked."""
    text = re.sub(r"\s+", " ", definition).strip()
    sentences = re.split(r"(?<=[.!?])\s+", text)
    short = sentences[0]
    if len(short.split()) < 6 and len(sentences) > 1:
        short = f"{short} {sentences[1]}"
    if len(short) > 180:
        cut = short[:180].rsplit(" ", 1)[0]
        short = cut.rstrip(",;:") + "…"
    for n in sorted({n for n in names if len(n) >= 3}, key=len, reverse=True):
        # The name and its plural ("rolling deployments" gives away "rolling deployment"); a
        # one-word name also in a longer word ("successful" gives away "success").
        tail = r"\w*" if " " not in n and len(n) >= 4 else r"(?:e?s)?(?![\w])"
        short = re.sub(r"(?<![\w])" + re.escape(n) + tail, "___", short, flags=re.I)
    if len(re.findall(r"[A-Za-z]{2,}", short.replace("___", ""))) < 4:
        return None
    return short


def _same_thing(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two nodes the notes use for one thing: the same definition, or names a typo apart."""
    if a is b or b["id"] in a["twins"]:
        return True
    if fuzz.ratio(a["fname"], b["fname"]) >= 85:
        return True
    return fuzz.token_set_ratio(a["fdef"], b["fdef"]) >= 90


def _names_in(o: dict[str, Any], text: str) -> bool:
    return o["fname"] in _fold(text) and bool(
        re.search(r"(?<![\w])" + re.escape(o["fname"]) + r"(?![\w])", _fold(text)))


# --------------------------------------------------------------------------- comparisons


def _comparison_candidates(kg: KnowledgeGraph, defined: dict[str, dict[str, Any]]) -> list[_Candidate]:
    partners: dict[str, set[str]] = {}
    for a, b in kg.comparisons():
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    out = []
    asked: set[tuple[str, str]] = set()
    for a, b in kg.comparisons():
        if a not in defined or b not in defined:
            continue
        for this, that in ((a, b), (b, a)):
            A, B = defined[this], defined[that]
            if that in A["twins"]:
                continue
            others = sorted((partners[this] | partners[that]) - {this, that})
            thirds = [defined[o] for o in others if o in defined]
            if not thirds:  # another feature of the same service, when the pair is all there is
                thirds = [o for oid, o in defined.items() if oid not in (this, that)
                          and o["service"] == A["service"] and o["type"] == A["type"]]
            clause = _distinct_clause(A, B)
            if not clause or (this, clause) in asked:
                continue  # one question per clause: "ideal for high-volume" tells express from any state
            asked.add((this, clause))
            thirds = [o for o in thirds if not _shares_clause(clause, o) and o["id"] not in A["twins"]]
            first, second = sorted((A["name"], B["name"]), key=_fold)  # the order never gives it away
            prompt = f"{first} or {second}: which is described as “{clause}”?"
            out.append(_Candidate(
                kind="comparison", nodes=[this, that], prompt=prompt, answer=A["name"],
                tiers=[[B["name"]], [o["name"] for o in thirds]], explanation=A["line_text"],
                source=A["source"], service=A["service"], extra=clause,
            ))
    return out


def _distinct_clause(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """The clause of a's definition that names the most that b's definition does not (and that
    names neither side): what tells the two apart."""
    name_words = _content(a["name"]) | _content(b["name"])
    b_words = _content(b["definition"])
    best, best_score = None, 0.0
    for clause in re.split(r"[.;,]\s|\s+but\s+", a["definition"]):
        clause = clause.strip(" -–:*.,;")
        words = _content(clause)
        if not 2 <= len(clause.split()) <= 12 or not words or clause.count("(") != clause.count(")"):
            continue
        folded = _fold(clause)
        if words & name_words or any(len(w) >= 4 and w in folded for w in name_words):
            continue  # "DelaySeconds parameter" names the delay queue it describes
        new = len(words - b_words) / len(words)
        if new >= 0.5 and new > best_score:
            best, best_score = clause, new
    return best


def _shares_clause(clause: str, other: dict[str, Any]) -> bool:
    words = _content(clause)
    return bool(words) and len(words & _content(other["definition"])) / len(words) >= 0.5


def _content(text: str) -> set[str]:
    from ..search import stem

    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOP}


# --------------------------------------------------------------------------- relations


def _relation_candidates(kg: KnowledgeGraph) -> list[_Candidate]:
    g = kg.graph
    cat = catalog()
    services = sorted(n for n, d in g.nodes(data=True) if d.get("type") == "service")
    groups: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[2], e[0], e[1])):
        if k not in RELATION_QUESTIONS:
            continue
        hub_side, _ = RELATION_QUESTIONS[k]
        hub, other = (v, u) if hub_side == "target" else (u, v)
        if g.nodes[hub].get("type") != "service" or g.nodes[other].get("type") != "service":
            continue
        groups.setdefault((k, hub), []).append((other, d))
    out = []
    for (rel, hub), answers in sorted(groups.items()):
        right = {a for a, _ in answers}
        # Whatever the notes put beside the hub, or is part of (or the whole of) a right answer,
        # may be right too: never a distractor.
        near = set(g.successors(hub)) | set(g.predecessors(hub)) | {hub}
        family = {_sid(x) for x in right | {hub}}
        family |= {rec.parent for x in right | {hub} if (rec := cat.get(_sid(x))) and rec.parent}
        hub_name = g.nodes[hub].get("name", hub)
        template = RELATION_QUESTIONS[rel][1]
        for answer, data in answers:
            rec = cat.get(_sid(answer))
            if rec is None:
                continue  # a product outside AWS among AWS services would give itself away
            same_group, rest = [], []
            for s in services:
                orec = cat.get(_sid(s))
                if s in right or s in near or orec is None or orec.category != "service":
                    continue
                if _sid(s) in family or (orec.parent and orec.parent in family):
                    continue
                (same_group if orec.group == rec.group else rest).append(g.nodes[s].get("name", s))
            evidence = kg.source_text(data.get("sources", []))
            if not evidence:
                continue
            src, text = evidence[0]
            out.append(_Candidate(
                kind="relation", nodes=[answer, hub], prompt=template.format(hub=hub_name),
                answer=g.nodes[answer].get("name", answer), tiers=[same_group, rest],
                explanation=text, source=src, service=_sid(hub), extra=rel,
                wrong={_fold(g.nodes[a].get("name", a)) for a in right},
            ))
    return out


def _sid(node_id: str) -> str:
    return node_id.split(":", 1)[1]


# --------------------------------------------------------------------------- text


def _fold(text: str) -> str:
    return " ".join(str(text).replace("’", "'").lower().split())


def _words_in(needle: str, haystack: str) -> bool:
    words = _content(needle)
    return bool(words) and words <= _content(haystack)
