"""What a value bounds, in the note's words: the subject of a limit."""

from __future__ import annotations

import re

from ..model import Card, NoteLine
from ..quantities import Quantity, is_counted_unit, is_unit, kind_cue_only, kind_named, states_bound
from ..vocabulary import catalog
from .names import CUT_WORDS, DETERMINERS, STOP, singular_phrase, split_aliases

_PRONOUNS = {
    "now",
    "you're",
    "you’re",
    "we're",
    "we’re",
    "they're",
    "they’re",
    "it's",
    "it’s",
    "there's",
    "there’s",
    "i'm",
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

# A clause of a line that opens with its own `Label:` (after a comma, semicolon or full stop that
# ends a value: `LSI: max 5. GSI: max 20`).
_LABEL = r"([A-Za-z/][\w /.-]{0,40}?):"
_CLAUSE_CUT = r"(?:[,;]|[.!?](?=\s))\s*"
_LABELLED_CLAUSE = re.compile(_CLAUSE_CUT + _LABEL + r"\s*(?:(?:up to|max|min|default)\s+)?$", re.I)
# ... and the first clause of such a line (`Timeout: 15 minutes; /tmp: up to 10 GB`, a field whose
# lines `<br>` joined), when a later clause has a label of its own.
_LEADING_LABEL = re.compile(r"^\W*" + _LABEL + r"\s*(?:(?:up to|max|min|default)\s+)?$", re.I)
_LATER_LABEL = re.compile(_CLAUSE_CUT + _LABEL + r"\s")

# Verbs that open advice (`Use the ... for up to 2 GB`): the thing they name is the subject.
_IMPERATIVES = {"use", "enable", "set", "configure", "choose", "pick", "consider", "request", "try", "add"}

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


# Words in parentheses beside a value that say which case of the subject it is: `300 msg/s
# (3,000 batched)`, `8 TB (HDD) / 14 TB (SSD)`. Up to three words, no digits.
_QUALIFIER_IN = re.compile(r"\s*([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2})\s*\)")
_NOT_QUALIFIERS = {"not", "no", "never", "can", "may", "might", "must", "e", "i", "eg", "ie", "see", "vs",
                   "approx", "about", "around", "roughly", "so", "which", "that", "and", "or"}
_QUALIFIER_AFTER = re.compile(r"\s*\(([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2})\)")
# `50 MB zipped and 250 MB unzipped`, `1MB/s in, 2MB/s out`: a participle or a direction closing
# the value's clause names its case too.
_PARTICIPLE_AFTER = re.compile(r"[ \t]+([a-z]{3,}ed|in|out|reads?|writes?|inbound|outbound|ingress|egress)"
                               r"(?=\s*(?:[,;.)|]|\band\b|\bor\b|$))")
_NOT_CASES = {"allowed", "supported", "required", "needed", "used", "included", "recommended", "guaranteed",
              "charged", "billed", "stored", "retained", "based", "limited", "increased", "decreased",
              "reached", "exceeded", "reserved", "provided", "added", "enabled", "configured", "specified"}


def subject_of(text: str, q: Quantity, ln: NoteLine, card: Card) -> str:
    """What a value bounds (see _subject), with the case of it the value is of, when the note
    names one in parentheses: two values on one line for one subject then read apart."""
    subject = _subject(text, q, ln, card)
    inside = text.rfind("(", 0, q.start) > text.rfind(")", 0, q.start)
    m = (_QUALIFIER_IN if inside else _QUALIFIER_AFTER).match(text, q.end)
    if not m and not inside:
        m = _PARTICIPLE_AFTER.match(text, q.end)
        if m and m.group(1) in _NOT_CASES:
            m = None
    if not m:
        return subject
    words = m.group(1)
    first = words.split()[0].lower()
    if (first in _NOT_QUALIFIERS or kind_cue_only(words) or kind_named(words) or is_unit(first)
            or words.lower() in subject.lower()):
        return subject
    return f"{subject} ({words})"[:80]


def _subject(text: str, q: Quantity, ln: NoteLine, card: Card) -> str:
    """What a value bounds, in the note's words.

    The term the line defines when the value is in its first sentence (`savings plans: ... 1 or 3
    year`); else the noun phrase that opens the value's clause (`each layer can be up to 250MB`,
    `a concurrency limit of 1,000`), or the noun it counts (`5 filters`); else the line's term,
    its heading, the card topic. A generic phrase (`total size`) takes the term or heading first.
    """
    if ln.subject_hint:
        return dimensioned(ln.subject_hint, q)
    context = next(
        (c for c in (ln.term, ln.heading, card.topic) if c and c.lower() not in ("overview", "what is it")),
        None,
    )
    context = split_aliases(context)[0] if context else None
    c_open = text.rfind("(", 0, q.start)
    if c_open >= 0 and ")" not in text[c_open : q.start]:
        named = _named_before_parenthesis(text, c_open + 1, text[c_open + 1 : q.start])
        if named:
            # `API: BatchGetItem (max 100), BatchWriteItem (max 25)`: the name the parenthesis follows.
            return with_noun(named, q) if q.noun else dimensioned(named, q)
    own_label = _LABELLED_CLAUSE.search(text[: q.start])
    if own_label and (re.search(r"\d", text[: own_label.start()]) or states_bound(text[: own_label.start()])):
        # `GSI: 20 per table, LSI: 5 per table`: a later clause names its own subject.
        label = own_label.group(1).strip()
        return with_noun(label, q) if q.noun else dimensioned(label, q)
    lead = _LEADING_LABEL.match(text[: q.start])
    if lead and _LATER_LABEL.search(text, q.end):
        label = lead.group(1).strip()
        return with_noun(label, q) if q.noun else dimensioned(label, q)
    if ln.term and ln.definition:
        d0 = text.find(ln.definition)
        first_end = len(text)
        m = re.search(r"[.;!?](?=\s)", text[d0:]) if d0 >= 0 else None
        if m:
            first_end = d0 + m.start()
        if 0 <= d0 <= q.start < first_end:
            return with_noun(split_aliases(ln.term)[0], q)
    c0 = 0
    for m in re.finditer(r"[.;!?,()](?=\s|\w|$)|\s[–—|-]\s|:\s", text[: q.start]):
        c0 = m.end()
    left = text[c0 : q.start]
    phrase = clause_subject(left)
    if not phrase and c0 and text[c0 - 1] in "(,":
        # `waiting period 7 to 30 days (default 30 days)`, `Timeout defaults to 3 sec, max is 15 min`:
        # an elliptical clause speaks of the subject of the clause before it.
        p0 = 0
        for m in re.finditer(r"[.;!?,)](?=\s|\w|$)|\s[–—|-]\s|:\s", text[: c0 - 1]):
            p0 = m.end()
        prev = text[p0 : c0 - 1]
        if not re.search(r"[.;!?]\s*$", prev):
            phrase = clause_subject(re.split(r"\d", prev)[0])
    if q.dimension in ("count", "rate") and q.noun:
        noun = re.sub(r"^(additional|more|of|extra)\s+", "", q.noun)
        base = f"{phrase} {noun}" if phrase and len(phrase.split()) <= 3 else noun
        if q.per:
            base = f"{base} per {q.per}"
        elif not phrase and context and singular_phrase(context.lower()) != singular_phrase(noun.lower()):
            base = f"{base} ({context})"
        return base[:80]
    if q.bound:
        # `unlimited number of messages in queue`: what the bound is of, up to the clause's end.
        after = re.match(r"\s*([a-z][\w/-]*(?:\s+[a-z][\w/-]*){0,4})", text[q.end :])
        words = after.group(1).split() if after else []
        while words and words[-1] in STOP | CUT_WORDS:
            words.pop()
        noun = " ".join(words) if words and words[0] not in STOP | CUT_WORDS else ""
        if noun and (not context or len(words) > 1):
            return noun[:80]
        if context:
            return f"{context} {noun}".strip()[:80]
    if phrase:
        if generic(phrase) and context and context.lower() not in phrase.lower():
            phrase = f"{context} {phrase}"
        return dimensioned(phrase, q)
    topic = _offered(text[: q.start])
    if topic:
        return dimensioned(topic, q)
    if context:
        return dimensioned(context, q)
    rec = catalog().get(card.service)
    return dimensioned(rec.name if rec else "limit", q)


# `DynamoDB has TTL available, ... within 48 hours of expiration`: what a sentence says a service
# has is what its later clauses speak of, when they name nothing themselves.
_OFFERS = re.compile(
    r"(?:^|[.;!?]\s+)\W*([A-Z][\w-]*(?:\s+[A-Z0-9][\w-]*){0,3})\s+"
    r"(?:has|supports|offers|provides|comes with)\s+(?:an?\s+|the\s+)?"
    r"([A-Za-z][\w-]*(?:\s+[a-z][\w-]*){0,2}?)(?:\s+(?:available|enabled|built[ -]in))?\s*[,;:(]"
)


def _offered(before: str) -> str:
    found = list(_OFFERS.finditer(before))
    if not found or not catalog().lookup(found[-1].group(1)):
        return ""
    topic = found[-1].group(2)
    if any(w.lower() in STOP or w.lower() in CUT_WORDS for w in topic.split()):
        return ""
    return topic


def _named_before_parenthesis(text: str, c0: int, left: str) -> str:
    """The name a parenthesis holding only the value (and its cue) follows: `BatchGetItem` in
    `BatchGetItem (max 100)`; empty when the parenthesis follows a value (`1 day (max 365)`)."""
    if not c0 or text[c0 - 1] != "(" or re.search(r"[A-Za-z]{3,}", left) and not kind_cue_only(left):
        return ""
    m = re.search(r"([A-Za-z][\w/.@-]*(?:\s+[A-Za-z][\w/.@-]*){0,2})\s*\($", text[:c0])
    if not m:
        return ""
    words = [w for w in m.group(1).split() if w.lower() not in STOP and w.lower() not in CUT_WORDS]
    if not words or is_unit(words[-1]):
        return ""
    return " ".join(words)


_VALUE_BEFORE = re.compile(r"(?<![\w.])\d[\d,.]*[kKmM]?\s*([A-Za-z][\w/]*)?")


def _unit_of_value(m: re.Match[str]) -> str:
    """A number goes, and with it the unit it is counted in (`40k RCU`); another word stays."""
    word = m.group(1) or ""
    return " " if is_unit(word) or is_counted_unit(word) else f" {word}"


def clause_subject(left: str) -> str:
    """The noun phrase a clause opens with, when it opens with one: `each layer` in `each layer
    can be up to`; `concurrency limit` in `... has a concurrency limit of`. Empty when the clause
    opens with a pronoun or a verb (`you can use ...`, `captures a ...`)."""
    of = re.search(r"(?:^|\s)(?:a|an|the)?\s*([A-Za-z][\w/.-]*(?:\s+[A-Za-z][\w/.-]*){0,2})\s+of\s*$", left)
    if of:
        words = [w for w in of.group(1).split() if w.lower() not in STOP]
        if words and not all(w.lower() in CUT_WORDS | _GENERIC for w in words):
            return " ".join(words)
    # A value before this one (`40k RCU and ...`) is not what this one bounds.
    left = _VALUE_BEFORE.sub(_unit_of_value, left)
    # A letter glued to digits is a value's own suffix (the `k` of `40k`), not a word.
    words = re.findall(r"(?<![\w.])[A-Za-z/][\w/'’.-]*", left)
    if not words:
        return ""
    if words[0].lower() in _PRONOUNS:
        return ""
    phrase_words: list[str] = []
    for i, w in enumerate(words):
        lw = w.lower().strip(".")
        if lw in CUT_WORDS and any(x.lower() not in STOP for x in phrase_words):
            break
        if phrase_words and lw in DETERMINERS and not any(x.lower() in DETERMINERS for x in phrase_words):
            # `captures a time-ordered sequence`: a word followed by a determiner was a verb.
            if len([x for x in phrase_words if x.lower() not in STOP]) == 1 and i == len(phrase_words):
                if i == 1 and phrase_words[0].lower() in _IMPERATIVES:
                    # `Use the Extended Client Library for up to 2 GB`: advice; what it names
                    # is what the value bounds, not the card's question.
                    phrase_words = []
                    continue
                return ""
        phrase_words.append(w.strip("."))
    while phrase_words and (phrase_words[0].lower() in STOP or phrase_words[0].lower() in CUT_WORDS):
        if (
            phrase_words[0].lower() in ("max", "min", "maximum", "minimum", "default", "total")
            and len(phrase_words) > 1
        ):
            break
        phrase_words.pop(0)
    while phrase_words and phrase_words[-1].lower() in (STOP | CUT_WORDS):
        phrase_words.pop()
    cat = catalog()
    phrase_words = [w for w in phrase_words if not cat.lookup(w) and w not in cat.ambiguous]
    if all(is_unit(w) or w.replace(",", "").replace(".", "").isdigit() for w in phrase_words):
        return ""  # `0 seconds minimum and ...`: a value before, not what the next one bounds
    if not phrase_words or len(phrase_words) > 5 or kind_cue_only(" ".join(phrase_words)):
        return ""  # (`(dflt 30s)`: a cue's shorthand names no subject either)
    return " ".join(phrase_words)


def generic(phrase: str) -> bool:
    return all(w.lower() in _GENERIC for w in phrase.split())


def with_noun(subject: str, q: Quantity) -> str:
    if q.dimension in ("count", "rate") and q.noun:
        noun = re.sub(r"^(additional|more|of|extra)\s+", "", q.noun)
        return f"{noun} ({subject})"[:80]
    return dimensioned(subject, q)


def dimensioned(subject: str, q: Quantity) -> str:
    s = subject.strip().rstrip(":")
    low = s.lower()
    if q.dimension == "bytes" and not re.search(r"size|space|storage|capacity|memory|limit|payload", low):
        s += " size"
    elif q.dimension == "rate" and (q.unit or "").endswith("/s") and not re.search(
        r"throughput|rate|speed|bandwidth|t-put|per second|/s", low
    ):
        s += " throughput"
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
