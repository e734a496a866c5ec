"""Anki "Notes in Plain Text" exports and Quizlet-style CSV/TSV term lists: one card per note.

An Anki export opens with optional `#key:value` header lines (`#separator:tab`, `#html:true`,
`#tags column:3`, `#deck:...`, `#guid column:1`, ...), then one note per record, fields separated by
the separator and quoted by CSV rules where they hold a separator, a quote or a newline. The first
content field is the front, the second the back; a tags column holds space-separated tags.

Line numbers are physical lines of the file: a note's front is on the line its record starts on, and
a back that runs over several physical lines (a quoted newline) gives one NoteLine per line.

The back's `plain` is what a reader sees: HTML tags removed and entities decoded, with line and block
breaks (`<br>`, `</li>`, `</div>`, ...) turned into `; ` so separate lines of a field stay separate
clauses; `<code>` spans and URLs are listed in `masks`. A card's service is the one its front opens
with (`SQS: ...`, `SNS → SQS: ...`), else its tags' (`aws::sqs`, `stepfunctions`), else its deck's,
else the first one its front or back names.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from ..model import Card, NoteLine
from ..vocabulary import catalog
from .markdown import decode_entities, exact_service, merge_masks, service_spans, split_term, url_masks

Masks = tuple[tuple[int, int], ...]

_SEPARATORS = {
    "tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":",
    "\\t": "\t", "tabulator": "\t",
}
_HEADER = re.compile(r"^#([A-Za-z][A-Za-z ]{0,30}):(.*)$")
_MAX_RECORD_LINES = 40
_CELL_WORDS = 8  # a definition this short is a value, not a sentence
_MAX_FIELDS = 12  # an Anki note type rarely has more; a row with thousands of "fields" is not a note
_LONG_FIELD = 20_000  # a quoted field running further than this is an unbalanced quote, not a note
_FRONT_COLUMNS = {"front", "term", "question", "word", "prompt", "side 1", "side a", "q", "concept", "text"}
_BACK_COLUMNS = {"back", "definition", "answer", "meaning", "response", "side 2", "side b", "a"}
_EXTRA_COLUMNS = {"extra", "notes", "note", "explanation", "example", "examples", "details", "comment",
                  "comments", "hint", "back extra", "more"}
_LABEL_COLUMNS = {"service", "feature", "subject", "name", "item", "what", "setting", "resource",
                  "limit name", "quota name", "topic", "category", "component", "parameter"}
_VALUE_COLUMNS = {"limit", "limits", "value", "values", "quota", "max", "maximum", "default", "number",
                  "amount", "size", "quota value"}
_HEADER_WORDS = {
    "front", "back", "term", "definition", "question", "answer", "tags", "tag", "word", "meaning",
    "notes", "note", "extra", "text", "deck", "guid", "notetype", "card", "prompt", "response",
}

# --------------------------------------------------------------------------- HTML to plain text

_HTML_TOKEN = re.compile(
    r"<!--.{0,2000}?-->|<(/?)([A-Za-z][A-Za-z0-9]{0,20})(?:\s[^<>]{0,2000})?/?>"
    r"|&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    re.S,
)
_BREAK_TAGS = {"br", "p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
               "blockquote", "pre", "dd", "dt", "dl", "section", "article"}
_CELL_TAGS = {"td", "th"}
_CODE_TAGS = {"code", "kbd", "samp", "tt", "pre"}
_SKIP_TAGS = {"script", "style"}
# awskg's own flag on an exported card (`<div class="stale">AWS since 2025-08: 1 MiB</div>`) says what
# AWS states today, not what the notes say: a deck read back must not learn it as a note.
_FLAG_CLASS = re.compile(r"""\sclass\s*=\s*["']?[^"'>]{0,200}\bstale\b""", re.I)
# A cloze holding no other cloze: nested ones (Anki 2.1.56+) are read from the inside out.
_CLOZE = re.compile(r"\{\{c\d{1,3}::((?:(?!\{\{c\d).){0,2000}?)(?:::[^}]{0,500})?\}\}", re.S)
_CLOZE_DEPTH = 5
# Fields of practice-exam note types that hold the answer choices, most of them wrong.
# (Not a lone letter: `Q` and `A` name a basic note's question and answer.)
_OPTION_FIELD = re.compile(r"options?|choices?|distractors?|answer choices|(?:option|choice) ?[a-f1-6]")
_SOUND = re.compile(r"\[sound:[^\]\n]{0,500}\]")
_BACKTICK = re.compile(r"`([^`\n]{1,2000})`")


class _Builder:
    """Accumulates plain text with clause breaks and mask spans, in output coordinates."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.last = ""
        self.pending_break = False
        self.masks: list[tuple[int, int]] = []

    def text(self, s: str) -> None:
        s = s.replace("\u00a0", " ").replace("\t", " ").replace("\r", " ")
        s = re.sub(r" {2,}", " ", s)
        if not s:
            return
        if self.length == 0:
            s = s.lstrip()
            if not s:
                return
            self.pending_break = False
        if self.pending_break:
            self.pending_break = False
            if s.strip():
                self._emit_break()
                s = s.lstrip()
        if self.last == " " and s.startswith(" "):
            s = s[1:]
        if s:
            self._add(s)

    def _emit_break(self) -> None:
        tail = "".join(self.parts[-3:]).rstrip()
        self._trim_space()
        # A line that already ends a sentence or leads in (`Valid values:`) needs only a space.
        self._add(" " if tail.endswith((".", ";", "!", "?", ":")) else "; ")

    def _trim_space(self) -> None:
        while self.parts and self.parts[-1].endswith(" "):
            last = self.parts.pop()
            self.length -= len(last)
            kept = last.rstrip(" ")
            if kept:
                self.parts.append(kept)
                self.length += len(kept)
                break
        self.last = self.parts[-1][-1:] if self.parts else ""

    def _add(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)
        self.last = s[-1]

    def flush(self) -> None:
        """Place a pending break now, so a span that starts here starts after it."""
        if self.pending_break and self.length:
            self.pending_break = False
            self._emit_break()

    def brk(self) -> None:
        if self.length:
            self.pending_break = True

    def result(self) -> tuple[str, list[tuple[int, int]]]:
        plain = "".join(self.parts)
        stripped = plain.rstrip()
        masks = [(s, min(e, len(stripped))) for s, e in self.masks if s < len(stripped)]
        return stripped, masks


def html_plain(raw: str, is_html: bool = True) -> tuple[str, Masks]:
    """A field's text as a reader sees it, and the spans of it that are code or URLs."""
    if len(raw) > _LONG_FIELD:
        return raw.strip(), ()  # data, not a note: no limit is read from a line this long anyway
    for _ in range(_CLOZE_DEPTH):
        if "{{c" not in raw:
            break
        raw = _CLOZE.sub(_cloze_text, raw)
    raw = _SOUND.sub("", raw) if "[sound:" in raw else raw
    if not is_html:
        plain = raw.strip()
        masks = [m.span(1) for m in _BACKTICK.finditer(plain)]
        return plain, merge_masks(masks + url_masks(plain))
    b = _Builder()
    code_depth = 0
    code_start = 0
    skipping: list[str] = []  # an element whose text is not note text, open once per nesting level
    pos = 0
    for m in _HTML_TOKEN.finditer(raw):
        if not skipping:
            b.text(raw[pos : m.start()])
        pos = m.end()
        tok = m.group()
        if tok.startswith("&"):
            if not skipping:
                b.text(decode_entities(tok))
            continue
        if tok.startswith("<!--"):
            continue
        closing, name = m.group(1) == "/", m.group(2).lower()
        if skipping:
            if name == skipping[0] and not tok.endswith("/>"):
                skipping.pop() if closing else skipping.append(name)
                if not skipping and name in _BREAK_TAGS:
                    b.brk()
            continue
        if name in _SKIP_TAGS or (not closing and not tok.endswith("/>") and _FLAG_CLASS.search(tok)):
            if not closing:
                skipping.append(name)
            continue
        if name in _CODE_TAGS:
            if not closing:
                if code_depth == 0:
                    b.flush()
                    code_start = b.length
                code_depth += 1
            elif code_depth:
                code_depth -= 1
                if code_depth == 0:
                    b.masks.append((code_start, b.length))
            if name != "pre":
                continue
        if name in _BREAK_TAGS:
            b.brk()
        elif name in _CELL_TAGS and closing:
            b.brk()
    if not skipping:
        b.text(raw[pos:])
    if code_depth:
        b.masks.append((code_start, b.length))  # code that runs on past this physical line
    plain, masks = b.result()
    masks.extend(m.span(1) for m in _BACKTICK.finditer(plain))
    return plain, merge_masks(masks + url_masks(plain))


def _cloze_text(m: re.Match[str]) -> str:
    """A cloze deletion reads as its text; an image occlusion's shape (`image-occlusion:rect:left=.2`)
    is coordinates, not text."""
    text = m.group(1)
    return "" if text.startswith("image-occlusion:") else text


def _strip_html(raw: str, is_html: bool) -> str:
    return html_plain(raw, is_html)[0]


_HTML_HINT = re.compile(
    r"<(?:br|b|i|u|div|p|span|code|ul|ol|li|img|sub|sup|font|a)\b[^>]{0,500}>|&(?:nbsp|amp|lt|gt);", re.I
)


def looks_like_html(text: str) -> bool:
    """Whether a deck's fields are HTML (Anki's are; a Quizlet export's are plain text)."""
    return bool(_HTML_HINT.search(text[:200_000]))


# --------------------------------------------------------------------------- services from tags


@cache
def _folded_spellings() -> dict[str, str]:
    """Catalog spellings with every non-alphanumeric dropped (`stepfunctions`, `kinesisdatastreams`)."""
    out: dict[str, str] = {}
    cat = catalog()
    for spelling, sid in cat.spelling_map().items():
        key = re.sub(r"[^a-z0-9]", "", spelling.lower())
        if len(key) >= 2:
            out.setdefault(key, sid)
            for pre in ("amazon", "aws"):
                if key.startswith(pre) and len(key) > len(pre) + 1:
                    out.setdefault(key[len(pre) :], sid)
    for abbrev, sid in cat.abbreviation_map().items():
        out.setdefault(abbrev.lower(), sid)
    return out


def tag_service(tag: str) -> str | None:
    """The service a tag names: `aws::sqs`, `AWS::Lambda`, `aws_step_functions`, `stepfunctions`."""
    segments = [s for s in re.split(r"::|/", tag.strip().lstrip("#")) if s]
    for seg in reversed(segments):
        spaced = re.sub(r"[_\-.]+", " ", seg).strip()
        camel = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", spaced)
        for cand in (seg, spaced, camel):
            sid = catalog().lookup(cand)
            if sid:
                return sid
        key = re.sub(r"[^a-z0-9]", "", seg.lower())
        for pre in ("", "aws", "amazon"):
            if pre and not key.startswith(pre):
                continue
            sid = _folded_spellings().get(key[len(pre) :])
            if sid:
                return sid
    return None


def front_services(front: str) -> tuple[list[str], str]:
    """(services the front opens with, the rest of the front): `SNS → SQS: permission?` ->
    (["sns", "sqs"], "permission?"). The part before the first `:` decides; without a colon the
    front's first words do (`Kinesis Data Firehose vs Data Streams?`)."""
    head, sep, rest = front.partition(":")
    if sep and len(head) <= 80 and rest.strip() and not rest.startswith("/"):
        sid = exact_service(head)
        if sid:
            return [sid], rest.strip()
        spans = service_spans(head, strict_case=False)
        if spans:
            return [s[2] for s in spans], rest.strip()
        return [], front
    spans = service_spans(front)
    lead = re.sub(r"^(?:amazon|aws)\s+", "", front.strip(), flags=re.I)
    offset = len(front) - len(front.lstrip()) + (len(front.strip()) - len(lead))
    if spans and spans[0][0] <= offset:
        return [spans[0][2]], front
    return [], front


# --------------------------------------------------------------------------- records


@dataclass
class _Header:
    separator: str | None = None
    html: bool | None = None
    tags_col: int | None = None  # 0-based
    guid_col: int | None = None
    deck_col: int | None = None
    notetype_col: int | None = None
    deck: str | None = None
    columns: list[str] = field(default_factory=list)
    lines: int = 0  # how many leading lines are header lines


def _parse_header(lines: list[str]) -> _Header:
    h = _Header()
    for idx, line in enumerate(lines[:50]):
        if not line.startswith("#"):
            break
        h.lines = idx + 1
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1).strip().lower(), m.group(2).strip()
        if key == "separator":
            h.separator = _SEPARATORS.get(value.lower(), value[:1] if len(value) == 1 else None)
        elif key == "html":
            h.html = value.lower() in ("true", "yes", "1")
        elif key == "columns":
            h.columns = [c.strip().lower() for c in value.split(h.separator or "\t")]
        elif key == "deck":
            h.deck = value
        elif key.endswith(" column"):
            col = _int(value)
            if col is None:
                continue
            name = key[: -len(" column")].strip()
            if name == "tags":
                h.tags_col = col
            elif name == "guid":
                h.guid_col = col
            elif name == "deck":
                h.deck_col = col
            elif name == "notetype":
                h.notetype_col = col
    if h.columns and h.tags_col is None and "tags" in h.columns:
        h.tags_col = h.columns.index("tags")
    return h


def _int(value: str) -> int | None:
    m = re.match(r"\s*(\d{1,4})", value)
    return int(m.group(1)) - 1 if m and int(m.group(1)) >= 1 else None


@dataclass
class _Record:
    start: int  # 0-based index of its first physical line
    fields: list[str]
    span: int  # physical lines it covers


def _split_plain(line: str, sep: str) -> list[str]:
    return line.split(sep) if sep != " " else line.split()


def _read_one(lines: list[str], i: int, sep: str, quoting: int) -> tuple[list[str], int] | None:
    """One CSV record from line i on: (fields, physical lines used), or None when csv refuses it."""
    window = lines[i : i + _MAX_RECORD_LINES]
    try:
        reader = csv.reader((ln + "\n" for ln in window), delimiter=sep, quotechar='"', doublequote=True,
                            skipinitialspace=False, strict=False, quoting=quoting)
        row = next(reader)
        used = reader.line_num
    except (csv.Error, StopIteration, ValueError):
        return None
    if row and row[-1].endswith("\n"):
        row[-1] = row[-1].rstrip("\n")
    return row, max(1, used)


def _records(lines: list[str], start: int, sep: str, expected: int | None) -> list[_Record]:
    """Records from line `start` on. A quoted field may run over several lines; a record that would
    swallow more than `_MAX_RECORD_LINES`, or comes out with the wrong number of fields, is read as
    its one line with quotes taken literally (an unbalanced `"` in a note is a character, not CSV)."""
    out: list[_Record] = []
    i = start
    n = len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if len(line) > 100_000:
            # csv refuses fields this long; a line like this is data, split it plainly.
            out.append(_Record(i, _split_plain(line, sep), 1))
            i += 1
            continue
        got = _read_one(lines, i, sep, csv.QUOTE_MINIMAL) if '"' in line else None
        if got is not None:
            row, used = got
            ends_inside = used >= len(lines[i : i + _MAX_RECORD_LINES]) and used > 1 and i + used < n
            if used > 1 and (ends_inside or (expected and len(row) != expected) or len(row) < 2):
                got = None
        if got is None:
            got = _read_one(lines, i, sep, csv.QUOTE_NONE) or (_split_plain(line, sep), 1)
            row, used = got[0], 1
        else:
            row, used = got
        out.append(_Record(i, row, used))
        i += used
    return out


def _expected_fields(lines: list[str], start: int, sep: str, header: _Header) -> int | None:
    """The usual number of fields per note: the most common count over single-line records."""
    counts: Counter[int] = Counter()
    for line in lines[start : start + 400]:
        if not line.strip() or len(line) > 100_000 or line.count('"') % 2:
            continue  # an odd number of quotes: the record goes on past this line
        got = _read_one([line], 0, sep, csv.QUOTE_MINIMAL)
        if got and got[1] == 1:
            counts[len(got[0])] += 1
    if counts:
        return counts.most_common(1)[0][0]
    if header.tags_col is not None:
        return header.tags_col + 1
    return None


# --------------------------------------------------------------------------- cards


def segment(text: str, file: str, stem: str) -> list[Card]:
    """Split an Anki plain-text export into one Card per note."""
    return _segment(text, file, stem, "anki")


def segment_csv(text: str, file: str, stem: str) -> list[Card]:
    """Split a CSV/TSV term list (`term,definition` per line) into one Card per row."""
    return _segment(text, file, stem, "csv")


def _sniff_separator(lines: list[str]) -> str:
    sample = [ln for ln in lines[:400] if ln.strip() and not ln.startswith("#")]
    if not sample:
        return "\t"
    best, best_score = "\t", -1.0
    for sep in ("\t", ",", ";", "|"):
        have = [ln for ln in sample if sep in ln]
        # Tabs almost never occur in note text; a comma or semicolon must be on nearly every line.
        score = len(have) / len(sample) * (1.5 if sep == "\t" else 1.0)
        if score > best_score:
            best, best_score = sep, score
    return best


def _segment(text: str, file: str, stem: str, fmt: str) -> list[Card]:
    lines = text.split("\n")
    header = _parse_header(lines) if fmt == "anki" else _Header()
    start = header.lines
    sep = header.separator or _sniff_separator(lines[start:])
    expected = _expected_fields(lines, start, sep, header)
    records = _records(lines, start, sep, expected)
    is_html = header.html
    if is_html is None:
        is_html = bool(_HTML_HINT.search("\n".join(lines[start : start + 2000])[:200_000]))
    # Columns named by a `#columns:` header line, or by a CSV header row: `Definition,Term,Tags`.
    named = column_roles(header.columns) if header.columns else None
    if named is None and records and fmt == "csv":
        named = column_roles(records[0].fields)
    meta = {c for c in (header.guid_col, header.deck_col, header.notetype_col) if c is not None}
    tags_col = header.tags_col if named is None or named.tags is None else named.tags
    if tags_col is None and named is None:
        tags_col = _guess_tags_col(records, meta)
    if tags_col is not None:
        meta.add(tags_col)
    cards: list[Card] = []
    for r_idx, rec in enumerate(records):
        if named is not None:
            content = [j for j in named.content if j < len(rec.fields)]
        else:
            content = [j for j in range(len(rec.fields)) if j not in meta]
        if len(content) < 2:
            continue
        if r_idx == 0 and (_is_header_row([rec.fields[j] for j in content]) or
                           (named is not None and not header.columns)):
            continue
        label = [j for j in named.label if j < len(rec.fields)] if named is not None else []
        card = _card(rec, content, lines, header, tags_col, is_html, file, stem, len(cards) + 1, fmt, label)
        if card is not None:
            if fmt == "csv":
                mark_cells(card)
            cards.append(card)
    return cards


def _is_header_row(fields: list[str]) -> bool:
    words = [f.strip().strip('"').lower() for f in fields if f.strip()]
    return bool(words) and all(w in _HEADER_WORDS for w in words[:3]) and words[0] in _HEADER_WORDS


@dataclass(frozen=True)
class Columns:
    """What a deck's named columns hold: content (front, back, then extra text) and tags."""

    content: tuple[int, ...]
    tags: int | None
    # A cheat sheet's label columns (`service,feature,limit,notes`): the front is them all, joined.
    label: tuple[int, ...] = ()


def column_roles(names: list[str]) -> Columns | None:
    """The roles of columns from their names (`Term`, `Definition`, `Tags`, `Notes`, any order), or
    None unless they name a front and a back. A column of another name (`Deck`, `Chapter`) is left
    out of the cards."""
    cells = [re.sub(r"\s+", " ", str(n).strip().strip('"').lower()) for n in names]
    if not cells or any(len(c) > 40 or re.search(r"\d{2}", c) for c in cells):
        return None
    front = next((j for j, c in enumerate(cells) if c in _FRONT_COLUMNS), None)
    label: list[int] = []
    if front is None:
        # A cheat sheet: what a row is about in one or more columns, its value in another.
        label = [j for j, c in enumerate(cells) if c in _LABEL_COLUMNS]
        front = label[0] if label else None
    back = next((j for j, c in enumerate(cells) if c in _BACK_COLUMNS and j != front), None)
    if back is None and label:
        back = next((j for j, c in enumerate(cells) if c in _VALUE_COLUMNS and j not in label), None)
    if front is None or back is None:
        return None
    extras = [j for j, c in enumerate(cells) if c in _EXTRA_COLUMNS and j not in (front, back)]
    tags = next((j for j, c in enumerate(cells) if c in ("tags", "tag")), None)
    return Columns((front, back, *extras), tags, tuple(label) if len(label) > 1 else ())


def _card(rec: _Record, content: list[int], lines: list[str], header: _Header, tags_col: int | None,
          is_html: bool, file: str, stem: str, number: int, fmt: str, label: list[int] | None = None
          ) -> Card | None:
    fields = rec.fields
    tags = fields[tags_col].split() if tags_col is not None and tags_col < len(fields) else []
    deck = fields[header.deck_col] if header.deck_col is not None and header.deck_col < len(fields) \
        else header.deck
    # Where each field starts: its record's first line plus the newlines of the fields before it.
    offsets: dict[int, int] = {}
    acc = 0
    for j, f in enumerate(fields):
        offsets[j] = acc
        acc += f.count("\n")
    note = [Field(fields[j], rec.start + offsets[j] + 1) for j in content[:_MAX_FIELDS]]
    if label and note:
        # `Lambda,timeout,...`: the front names the service and what of it the row bounds.
        note[0] = Field(" ".join(fields[j].strip() for j in label if fields[j].strip()), note[0].line)
    return note_card(note, tags=tags, deck=deck, is_html=is_html, file=file, stem=stem, number=number,
                     fmt=fmt)


@dataclass
class Field:
    """One field of a note: its raw text (HTML or plain), the line its text starts on, its name."""

    raw: str
    line: int
    name: str = ""


def note_card(fields: list[Field], *, tags: list[str], deck: str | None, is_html: bool, file: str, stem: str,
              number: int, fmt: str) -> Card | None:
    """The Card of one note: the first field is the front (or the one its name says is the
    question, see _by_role), the second and any further non-empty ones the answer, a physical
    line of a field one NoteLine on `field.line` + its index. A cloze
    note states its facts in its first field, which is then read as answer text too. Used by every
    reader of notes made of fields: Anki text exports, Anki packages, term-definition decks."""
    if len(fields) < 2:
        return None
    fields, label = _by_role(fields, is_html)
    front_raw = fields[0].raw
    front = _one_line(_strip_html(front_raw, is_html))
    if label and front:
        front = f"{label}: {front}"  # (`Service` `S3`, `Question` `max parts?`: `S3: max parts?`)
    backs = [fields[1]] + [f for f in fields[2:] if f.raw.strip()]
    cloze = "{{c" in front_raw and bool(_CLOZE.search(front_raw))
    if cloze:
        # A cloze note states its facts in the first field; the second only adds extras.
        backs = [fields[0]] + backs
    if not front and not fields[1].raw.strip():
        return None
    services, topic = _services(front, tags, deck, [f.raw for f in fields[1:]], is_html)
    hint = services[0] if services else None
    note_lines: list[NoteLine] = []
    for fld in backs:
        in_code = False
        for k, part in enumerate(fld.raw.split("\n")):
            # A <code> span opened on an earlier physical line of the field still covers this one.
            source = "<code>" + part if in_code and is_html else part
            if is_html and "<" in part:
                in_code = _code_open_after(part, in_code)
            if not part.strip():
                continue
            plain, masks = html_plain(source, is_html)
            if not plain:
                continue
            question = plain.endswith("?") and "?" not in plain[:-1] and len(plain) < 200
            # `<b>Pricing</b>: ...`: a one-clause back that opens by naming what it describes. A back of
            # several clauses (`Standard: ...; Express: max 5 minutes`) gets no term, which would
            # otherwise lend the first clause's name to values of the others.
            term, definition = split_term(plain, masks)
            if definition and re.search(r"[.;!?](?:\s|$)", definition.rstrip(".!")):
                term = definition = None
            role = "question" if question else "term" if term else "text"
            if _OPTION_FIELD.fullmatch(fld.name.strip().lower()):
                role = "option"  # an exam question's choices: three of four are wrong
            # Shown as Anki shows the field (its HTML rendered, clozes filled), not as its markup.
            shown = plain if is_html else part
            note_lines.append(NoteLine(fld.line + k, shown, plain, role=role, term=term,
                                       definition=definition, heading=topic or None, masks=masks,
                                       service_hint=hint))
    front_line = fields[0].line
    if note_lines:
        first, last = note_lines[0].number, note_lines[-1].number
    else:
        first = last = fields[1].line
    return Card(
        id=f"card:{stem}:{number}",
        file=file,
        number=number,
        front=front,
        front_lines=(front_line,),
        first_line=first,
        last_line=last,
        lines=note_lines,
        services=services,
        topic=topic,
        tags=list(tags),
        fmt=fmt,
        # A basic note is a question and its answer; a cloze note states its facts in its text.
        asks=not cloze and bool(front),
    )


# Fields that hold no fact of the note: memory aids and where it came from.
_NO_FACT_FIELDS = re.compile(r"mnemonics?|memory aid|sources?|references?|refs?|links?|urls?|audio|sound|"
                             r"images?|pictures?|media|screenshot")


def _by_role(fields: list[Field], is_html: bool) -> tuple[list[Field], str]:
    """A note's fields in the order note_card reads them, by what their names say where a note
    type names them (a student's own type: `Service`, `Question`, `Answer`, `Extra`, `Mnemonic`):
    the question first, then the answer, then the rest; a leading label field (`Service`,
    `Topic`) returned as text to open the front with; memory aids and sources dropped. Unnamed
    or stock fields (`Front`, `Back`, `Text`) keep their order."""
    names = [f.name.strip().lower() for f in fields]
    if not any(names):
        return fields, ""
    ask = next((j for j, n in enumerate(names) if n in _FRONT_COLUMNS), 0)
    labels = [j for j in range(ask) if names[j] in _LABEL_COLUMNS] if ask else []
    label = " ".join(t for t in (_one_line(_strip_html(fields[j].raw, is_html)) for j in labels) if t)
    rest = [j for j in range(len(fields)) if j != ask and j not in labels
            and not _NO_FACT_FIELDS.fullmatch(names[j])]
    answers = [j for j in rest if names[j] in _BACK_COLUMNS]
    order = [ask, *answers, *(j for j in rest if j not in answers)]
    if len(order) < 2:
        return fields, ""
    return [fields[j] for j in order], label


def mark_cells(card: Card) -> None:
    """A term list is a two-column table, term against definition: a definition that is only a
    short value (`1,000 data nodes`, `3,000 RCU and 1,000 WCU per partition`) is a cell of it, its
    value bounding what the term names, as in a Markdown table. Longer definitions stay sentences."""
    for ln in card.lines:
        short = len(ln.plain.split()) <= _CELL_WORDS and not re.search(r"[;.!?]\s", ln.plain)
        if ln.role == "text" and short:
            ln.role = "table"
            ln.subject_hint = ln.subject_hint or card.topic or None


def _code_open_after(part: str, open_before: bool) -> bool:
    """Whether a <code> span is still open at the end of this piece of HTML."""
    depth = 1 if open_before else 0
    for m in re.finditer(r"<(/?)code\b[^>]{0,200}>", part, re.I):
        depth = max(0, depth + (-1 if m.group(1) else 1))
    return depth > 0


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


_TAG_TOKEN = re.compile(r"[^\W\d][\w:.\-/#]{0,80}|\d[\w.\-]*[^\W\d][\w:.\-/#]{0,80}")


def _guess_tags_col(records: list[_Record], meta: set[int]) -> int | None:
    """The last column, when an export without a `#tags column:` header still ends in tags: every
    value is space-separated tag words (no sentence, no bare number) and either some are hierarchical
    (`aws::sqs`) or one tag recurs over most notes (`dva-c02`)."""
    widths = Counter(len(r.fields) for r in records)
    if not widths:
        return None
    width = widths.most_common(1)[0][0]
    col = width - 1
    if width < 3 or col in meta or len([j for j in range(width) if j not in meta]) < 3:
        return None
    values = [r.fields[col].strip() for r in records if len(r.fields) == width]
    values = [v for v in values if v]
    if not values or not all(all(_TAG_TOKEN.fullmatch(t) for t in v.split()) for v in values):
        return None
    counts = Counter(t.lower() for v in values for t in set(v.split()))
    if any("::" in t for t in counts):
        return col
    if len(values) >= 3 and counts.most_common(1)[0][1] >= 0.5 * len(values):
        return col
    return None


def _services(front: str, tags: list[str], deck: str | None, backs: list[str],
              is_html: bool) -> tuple[list[str], str]:
    """The card's services (its own first) and its topic (the front after its service prefix)."""
    own, rest = front_services(front)
    tag_ids = [t for t in (tag_service(tag) for tag in tags) if t]
    out = list(own)
    if not out:
        out = tag_ids[:1]
    if not out and deck:
        sid = tag_service(deck)
        out = [sid] if sid else []
    mentions = [s[2] for s in service_spans(front)]
    if not out:
        out = mentions[:1]
    if not out:
        for back in backs:
            spans = service_spans(_strip_html(back, is_html))
            if spans:
                out = [spans[0][2]]
                break
    ids: dict[str, None] = {}
    for sid in out + tag_ids + mentions:
        ids.setdefault(sid, None)
    topic = _topic(rest if own else front)
    return list(ids), topic


def _topic(text: str) -> str:
    t = text.strip().rstrip("?").strip()
    t = re.sub(r"\s+", " ", t)
    return t[:200]


# --------------------------------------------------------------------------- detection


def has_anki_header(text: str) -> bool:
    """The file opens with Anki's export header lines (`#separator:tab`, `#html:true`, ...)."""
    for line in text.split("\n", 20)[:20]:
        if not line.startswith("#"):
            break
        if re.match(r"#(separator|html|tags column|notetype|deck|guid column|columns|notetype column|"
                    r"deck column):", line, re.I):
            return True
    return False


def has_column_header(text: str) -> bool:
    """The first row names a front and a back column (`Term,Definition`, `question\tanswer\ttags`)
    and a row follows it."""
    lines = [ln for ln in text.split("\n", 50)[:50] if ln.strip()]
    if len(lines) < 2:
        return False
    first = _read_one(lines, 0, _sniff_separator(lines), csv.QUOTE_MINIMAL)
    return bool(first) and len(first[0]) >= 2 and column_roles(first[0]) is not None


def looks_like_anki(text: str) -> bool:
    """Anki header lines (`#separator:`, `#html:`), or most lines are 2-4 tab-separated fields."""
    if has_anki_header(text):
        return True
    lines = text.split("\n")
    sample = [ln for ln in lines[:500] if ln.strip()]
    if len(sample) < 2:
        return bool(sample) and _tab_note(sample[0]) and sample[0].count("\t") >= 2
    hits = sum(1 for ln in sample if _tab_note(ln))
    return hits >= 0.6 * len(sample)


def _tab_note(line: str) -> bool:
    if "\t" not in line or line.startswith(("\t", " ")):
        return False
    parts = line.split("\t")
    return 2 <= len(parts) <= 4 and bool(parts[0].strip()) and bool(parts[1].strip())


def looks_like_csv(text: str) -> bool:
    """A term list: a `term,definition` header, or nearly every line two (or three) CSV fields."""
    lines = [ln for ln in text.split("\n")[:500] if ln.strip()]
    if not lines:
        return False
    sep = _sniff_separator(lines)
    first = _read_one(lines, 0, sep, csv.QUOTE_MINIMAL)
    if first and _is_header_row(first[0]) and len(first[0]) >= 2 and len(lines) >= 2:
        return True
    if len(lines) < 3:
        return False
    good = 0
    i = 0
    quoted = 0
    total = 0
    while i < len(lines) and total < 300:
        got = _read_one(lines, i, sep, csv.QUOTE_MINIMAL)
        total += 1
        if got is None:
            i += 1
            continue
        row, used = got
        if 2 <= len(row) <= 3 and row[0].strip() and row[1].strip() and len(row[0]) <= 200 and used <= 10:
            good += 1
            quoted += lines[i].lstrip().startswith('"')
        i += max(1, used if used <= 10 else 1)
    return good >= 0.8 * total and (quoted >= 0.5 * total or sep in ("\t", ";", "|") or good == total)
