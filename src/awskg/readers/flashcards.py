"""The plain-text flashcard export: one card after another, no separators.

A card's front is
  * a question or topic line that opens with a service name and a colon
    (`SQS: what is it? ...`, `Lambda: layers`), sometimes continued on a second question line; or
  * a bare title that the next line repeats, in other case or with a typo
    (`kinesis video steams` / `Kinesis Video Streams`); or
  * a `Q:` / `Question:` line, its answer opening with `A:` / `Answer:` (decks written that way);
    the service is the one the question names.
Everything up to the next front is the answer: `term: definition` lines, `*` sub-topics, lines
ending in `:` that head the lines below them, and long paragraph lines. Line 1 is the deck's title.
The shapes are recognised from the lines themselves, never from their position in a known file, so
cards in another order, or another student's deck in the same export format, segment the same way.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..model import Card, NoteLine
from ..vocabulary import catalog, fold

_QUESTION_WORDS = re.compile(r"\b(what|how|why|when|which|where|who|can|does|do|is|are|should|will)\b", re.I)
_WH = re.compile(r"\b(what|how|why|which|where|when|who)\b", re.I)
_FRONT_PREFIX = re.compile(r"^\s*([^:?*()]{1,60}?)\s*:\s+(\S.*)$")
_TERM = re.compile(r"^\s*([^:?]{1,80}?)\s*:\s+(\S.*)$")
_DASH_TERM = re.compile(r"^\s*([^–—:?]{1,50}?)\s+[–—-]\s+(\S.*)$")
# `Q: ...`, `Question 3: ...`, and decks that number each card on both lines (`12 Q: ...` / `12 A: ...`).
_QA_FRONT = re.compile(r"^\s*(?:\d+[.)]?\s+)?(?:Q|Question)\s*\d*\s*[:.)]\s*(\S.*)$", re.I)
_QA_ANSWER = re.compile(r"^\s*(?:\d+[.)]?\s+)?(?:A|Answer)\s*[:.)]\s*(?=\S)", re.I)
_LONG_LINE_WORDS = 60
_TITLE_MAX_WORDS = 7


def is_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_WORDS.match(text.strip()))


def front_service(line: str, next_line: str | None = None) -> tuple[str, str] | None:
    """(service id, rest) when `line` opens with a service name and a colon, e.g. `Lambda: layers`."""
    m = _FRONT_PREFIX.match(line)
    if not m:
        return None
    prefix, rest = m.group(1).strip(), m.group(2).strip()
    sid = catalog().lookup(prefix) or catalog().lookup_fuzzy(prefix, cutoff=90)
    if not sid and len(prefix) <= 5 and prefix.isalnum():
        sid = catalog().lookup(prefix.upper())  # `ddb:` on a front is the abbreviation, in any case
    if not sid:
        # `SQS FIFO: throughput?`: a service and a qualifier, when the rest is a question.
        words = prefix.split()
        if 1 < len(words) <= 4 and ("?" in rest or _WH.match(rest)):
            for k in range(len(words) - 1, 0, -1):
                sid = catalog().lookup(" ".join(words[:k]))
                if sid:
                    break
    if not sid:
        return None
    # An answer line such as `SQS: fully managed ...` would also open with a service; a front asks
    # something, or names a topic in a few words.
    if "?" in rest or _WH.match(rest) or re.search(r"\b(what|how|why)\b", rest, re.I):
        return sid, rest
    rec = catalog().get(sid)
    if rec is None or rec.category != "service":
        return None
    if len(rest.split()) <= 12:
        return sid, rest
    # A long list of topics (`Lambda: troubleshooting: general, ...`) is a front when the next line
    # is the answer's title repeating its first topic.
    first = re.split(r"[:,(]", rest)[0]
    if next_line is not None and _is_title_shape(next_line) and _similar_titles(first, next_line):
        return sid, rest
    return None


def _similar_titles(a: str, b: str) -> bool:
    fa, fb = fold(a).rstrip(":"), fold(b).rstrip(":")
    if not fa or not fb:
        return False
    return fa == fb or fuzz.ratio(fa, fb) >= 85


def _is_title_shape(line: str) -> bool:
    s = line.strip()
    if not s or len(s.split()) > _TITLE_MAX_WORDS or "?" in s or s.startswith("*"):
        return False
    return ":" not in s.rstrip(":")


def _bare_title_front(lines: list[str], i: int) -> bool:
    """Line i is a bare title that the next line repeats (`Glue` / `Glue`, `amplify` / `Amplify`)."""
    if i + 1 >= len(lines):
        return False
    a, b = lines[i].strip(), lines[i + 1].strip()
    return _is_title_shape(a) and _is_title_shape(b) and not a.endswith(":") and _similar_titles(a, b)


def _names_service(text: str, sid: str | None) -> bool:
    cat = catalog()
    found = cat.lookup(text.strip().rstrip(":")) or cat.lookup_fuzzy(text.strip().rstrip(":"))
    if not found:
        return False
    if sid is None or found == sid:
        return True
    rec = cat.get(found)
    return bool(rec and rec.parent == sid)


def segment(text: str, file: str, stem: str) -> list[Card]:
    """Split a flashcard export into Cards, each with its front, answer lines, service and topic."""
    lines = text.split("\n")
    n = len(lines)
    # (index, front idx, service, rest of the front, a Q:/A: card?)
    starts: list[tuple[int, tuple[int, ...], str | None, str, bool]] = []
    i = 0
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        qa = _QA_FRONT.match(line)
        if qa:
            question = qa.group(1).strip()
            own = front_service(question)
            if own:
                sid, rest = own
            else:
                from .markdown import service_spans

                spans = service_spans(question)
                sid, rest = (spans[0][2] if spans else _misspelt_service(question)), question
            starts.append((i, (i,), sid, rest, True))
            i += 1
            continue
        fs = front_service(line, lines[i + 1] if i + 1 < n else None)
        if fs:
            front_idx = [i]
            # A front continued on a second question line, when the answer's title follows it.
            if (
                i + 2 < n
                and "?" in lines[i + 1]
                and front_service(lines[i + 1]) is None
                and _is_title_shape(lines[i + 2])
                and _names_service(lines[i + 2], fs[0])
            ):
                front_idx.append(i + 1)
            starts.append((i, tuple(front_idx), fs[0], fs[1], False))
            i = front_idx[-1] + 1
            continue
        if i > 0 and _bare_title_front(lines, i):
            sid = catalog().lookup_fuzzy(lines[i + 1].strip()) or catalog().lookup_fuzzy(lines[i].strip())
            starts.append((i, (i,), sid, "", False))
            i += 1
            continue
        i += 1

    cards: list[Card] = []
    for k, (_start, front_idx, sid, rest, qa) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else n
        body = list(range(front_idx[-1] + 1, end))
        while body and not lines[body[-1]].strip():
            body.pop()
        number = k + 1
        card_id = f"card:{stem}:{number}"
        front = " ".join(_QA_FRONT.sub(r"\1", lines[j]).strip() for j in front_idx)
        note_lines = _answer_lines(lines, body, sid)
        # A Q:/A: card is about what its question asks (`maximum execution time of a Lambda
        # function`), the way an Anki card's front is.
        topic = _question_topic(rest) if qa else _topic(rest, note_lines, sid, bare=not rest)
        first = body[0] + 1 if body else front_idx[-1] + 1
        last = body[-1] + 1 if body else front_idx[-1] + 1
        cards.append(
            Card(
                id=card_id,
                file=file,
                number=number,
                front=front,
                front_lines=tuple(j + 1 for j in front_idx),
                first_line=first,
                last_line=last,
                lines=note_lines,
                services=[sid] if sid else [],
                topic=topic,
                fmt="flashcards",
                asks=qa,
            )
        )
    return cards


def _answer_lines(lines: list[str], body: list[int], sid: str | None) -> list[NoteLine]:
    out: list[NoteLine] = []
    heading: str | None = None
    for pos, j in enumerate(body):
        raw = lines[j]
        s = _QA_ANSWER.sub("", raw.strip())
        if not s:
            continue
        number = j + 1
        if pos == 0 and _is_title_shape(s) and not s.endswith(":"):
            out.append(NoteLine(number, raw, s, role="title", heading=None))
            heading = None if _names_service(s, sid) else s.rstrip(":").strip()
            continue
        if s.startswith("*"):
            heading = s.lstrip("*").strip().rstrip(":") or heading
            out.append(NoteLine(number, raw, s.lstrip("*").strip(), role="subtopic", heading=heading))
            continue
        if s.endswith(":") and len(s.split()) <= 12:
            out.append(NoteLine(number, raw, s, role="heading", heading=heading))
            heading = s.rstrip(":").strip()
            continue
        term, definition = split_term(s)
        if len(s.split()) > _LONG_LINE_WORDS:
            role = "paragraph"
        elif term:
            role = "term"
        elif s.rstrip().endswith("?"):
            role = "question"
        else:
            role = "text"
        out.append(NoteLine(number, raw, s, role=role, term=term, definition=definition, heading=heading))
    return out


def split_term(s: str) -> tuple[str | None, str | None]:
    """`reserved concurrency: upper limit ...` -> (term, definition); also `Rolling – Deploy ...`."""
    for rx in (_TERM, _DASH_TERM):
        m = rx.match(s)
        if not m:
            continue
        term, definition = m.group(1).strip(), m.group(2).strip()
        words = term.split()
        if not words or len(words) > 8 or term.count("(") != term.count(")"):
            continue
        if rx is _DASH_TERM and len(words) > 5:
            continue
        if re.search(r"https?$|\barn$", term, re.I):
            continue
        if is_question(term) and "?" in term:
            continue
        return term.lstrip("*").strip(), definition
    return None, None


def _topic(rest: str, lines: list[NoteLine], sid: str | None, bare: bool) -> str:
    """What the card is about, in the note's words: the front's topic, else the answer's title."""
    if not rest:
        return "overview"
    if "?" not in rest and not _QUESTION_WORDS.match(rest):
        topic = re.split(r"[:,(]", rest)[0].strip()
        if topic:
            return topic
    m = re.match(r"([^:?]{1,40}):\s", rest)
    if m and not _QUESTION_WORDS.match(m.group(1)):
        return m.group(1).strip()
    if re.match(r"(what|how)\s+(is|are|does|do)\s+(it|this|they|these)\b", rest, re.I):
        return "overview"
    asked = re.match(r"(?:how|what|why|when|where)\s+(?:does|do|is|are|can)\s+(?:a\s+|an\s+|the\s+)?(.+?)"
                     r"\s+(?:work|mean|do|happen)\s*\?", rest, re.I)
    if asked and len(asked.group(1).split()) <= 5:
        return asked.group(1).strip()  # `how does function monitoring work?` is about function monitoring
    title = next((ln for ln in lines if ln.role == "title"), None)
    if title and not _names_service(title.plain, sid):
        name = catalog().name(sid) or ""
        if not (name and fold(title.plain).startswith(fold(name))):
            return title.plain.rstrip(":").strip()
    return "overview"


def _question_topic(question: str) -> str:
    """`What is the maximum execution time of a Lambda function?` -> `maximum execution time of a
    Lambda function`; a question of another shape keeps its words."""
    t = re.sub(r"\s+", " ", question.strip().rstrip("?").strip())
    return re.sub(r"^(?:what|which)(?:'s|\s+(?:is|are|was|were))\s+(?:the\s+)?", "", t, flags=re.I) or t


def looks_like_flashcards(text: str) -> bool:
    """Content sniffing: several lines open with a service name and a colon."""
    hits = 0
    for line in text.split("\n")[:400]:
        if front_service(line) or _QA_FRONT.match(line):
            hits += 1
            if hits >= 3:
                return True
    return False


def _misspelt_service(question: str) -> str | None:
    """The service a question names with a typo (`a Lamba function`): a capitalised word of five
    letters or more one slip away from a catalog name."""
    for word in re.findall(r"\b[A-Z][A-Za-z]{4,}\b", question):
        sid = catalog().lookup_fuzzy(word, cutoff=88)
        if sid:
            return sid
    return None
