"""Markdown study notes: one card per section.

A heading of level 2 or deeper that has lines of its own starts a card; its answer is everything up
to the next heading. A level-1 heading is the document's title (a card only when the document has no
deeper headings, or when it names a service and has lines of its own). The card's service is read
from the headings: the section's own, else the nearest ancestor that names a service, so
`## API Gateway` > `### Quotas` is about API Gateway and `## Secrets Manager vs SSM Parameter Store`
> `### SSM Parameter Store` about Parameter Store.

The block structure (headings, lists and their nesting, tables, quotes, fenced code, definition
lists, comments) is markdown-it-py's (`markdown_blocks.py`). Each answer line becomes a NoteLine
whose `plain` is what a reader sees once the markup is gone (emphasis, links, bullet markers), with
inline code and URLs kept as text but listed in `masks` so no limit is ever read from them
(`inline.py`). Table rows keep their cells as `; `-separated clauses and carry the row and column
headers as `subject_hint`; fenced code is kept with role "code" and masked whole.

The helpers for inline text and service names live in `inline.py` and `service_names.py`; they are
imported from here too, as the Anki and Obsidian readers always have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..model import Card, NoteLine
from ..vocabulary import catalog, cues
from .inline import Masks, decode_entities, inline_plain, merge_masks, url_masks
from .markdown_blocks import Blocks, Item, Table, parse
from .service_names import (
    HeadingServices,
    clean_label,
    exact_service,
    heading_services,
    only_service,
    opening_service,
    resolve_services,
    service_spans,
)

__all__ = [
    "HeadingServices", "Masks", "decode_entities", "exact_service", "heading_services", "inline_plain",
    "looks_like_markdown", "merge_masks", "opening_service", "resolve_services", "segment",
    "service_spans", "split_term", "url_masks",
]

_TASK = re.compile(r"^\[[ xX]\]\s+")
_TERM_COLON = re.compile(r"^([^:?]{1,100}?)\s*::?\s+(\S.*)$")  # (`key:: value`: Logseq, Dataview)
_TERM_EQ = re.compile(r"^([^=?:]{1,80}?)\s+=\s+(\S.*)$")
_BOLD_LEAD = re.compile(r"^\s*(\*\*|__)(?=\S)(.{1,200}?)(?<=\S)\1\s*([:=–—-])\s")
_GENERIC_COLUMNS = {
    "value", "values", "limit", "limits", "quota", "quotas", "amount", "number", "setting", "settings",
    "default value", "limit value", "quota value", "", "number / size", "size / number",
}
_NOTE_COLUMNS = {"note", "notes", "comment", "comments", "details", "remarks", "description", "why", "tip"}
_SERVICE_COLUMNS = {"service", "services", "aws service", "product"}
_KIND_COLUMNS = {"default": "default", "max": "max", "maximum": "max", "min": "min", "minimum": "min"}


# --------------------------------------------------------------------------- answer lines


def split_term(plain: str, masks: Masks) -> tuple[str | None, str | None]:
    """`Presigned URL lifetime: max 7 days` -> (term, definition); also `Query = one partition`."""
    for rx in (_TERM_COLON, _TERM_EQ):
        m = rx.match(plain)
        if not m:
            continue
        term, definition = m.group(1).strip(), m.group(2).strip()
        sep = m.end(1)
        if any(s <= sep < e for s, e in masks):
            continue  # `DeletionPolicy: Retain` in code is not a term
        words = term.split()
        if not words or len(words) > (8 if rx is _TERM_COLON else 6):
            continue
        if term.count("(") != term.count(")") or re.search(r"(?:https?|ftp|arn|s3)$", term, re.I):
            continue
        if re.fullmatch(r"[\d\s.,:]+", term) or re.search(r"[.;!?]\s", term):
            continue  # `12:30`, `1: ...`; or a sentence before the colon, not a name
        if _callout_label(term):
            continue  # `💡 Tip: timeout max is 15 min`: a remark, not a term
        return term, definition
    return None, None


@cache
def _callout_words() -> frozenset[str]:
    return frozenset(cues()["callout_labels"]["words"])


def _callout_label(term: str) -> bool:
    """`💡 Tip`, `**Exam trap**`, `NOTE`: a word that opens a remark, emoji and marks aside."""
    return " ".join(re.findall(r"[a-z][a-z;.]*", term.lower())).strip(".") in _callout_words()


@dataclass
class _ListItem:
    label: str | None  # what the item names for the lines nested under it
    service: str | None


def _item_label(plain: str, term: str | None) -> str | None:
    """What a list item heads for the items nested in it: its term, or itself when short."""
    if term:
        return term
    s = plain.rstrip()
    if s.endswith(":"):
        return s.rstrip(":").strip() or None
    if len(s.split()) <= 8:
        return s or None
    return None


class _SectionReader:
    """Turns the body lines of one section into NoteLines, tracking sub-headings and list items."""

    def __init__(self, blocks: Blocks, heading: str, services: list[str]):
        self.blocks = blocks
        self.lines = blocks.lines
        self.section = heading
        self.services = services
        self.sub: str | None = None  # a pseudo-heading inside the section (`**Limits**`, `Limits:`)
        self.sub_service: str | None = None
        self.items: dict[int, _ListItem] = {}  # the section's list items read so far, by line

    def read(self, body: list[int]) -> list[NoteLine]:
        out: list[NoteLine] = []
        k = 0
        while k < len(body):
            i = body[k]
            line = self.lines[i]
            if not line.strip():
                k += 1
                continue
            if i in self.blocks.code:
                out.append(self._code(i, line))
                k += 1
                continue
            table = self.blocks.tables.get(i)
            if table is not None:
                self.items.clear()
                self._table(i, table, out)
                while k < len(body) and body[k] < table.end:
                    k += 1
                continue
            out.extend(self._line(i, line))
            k += 1
        return out

    def _defined_term(self, line: int) -> str | None:
        """The term a definition (`: a function that ...`) defines, when it is a short name."""
        term = inline_plain(self.blocks.body(line).strip())[0]
        return term if 0 < len(term.split()) <= 8 else None

    def _lead_in(self, i: int, plain: str) -> bool:
        """`When to use EBS` over a list: a short line with no full stop that the list below
        continues heads it, as `When to use EBS:` would."""
        if len(plain.split()) > 8 or re.search(r"[\d.;!?]$|\d", plain):
            return False
        for j in range(i + 1, min(i + 3, len(self.lines))):
            if self.lines[j].strip():
                return j in self.blocks.items
        return False

    def _code(self, i: int, line: str) -> NoteLine:
        plain = line.strip()
        return NoteLine(i + 1, line, plain, role="code", heading=self._heading(),
                        masks=((0, len(plain)),) if plain else ())

    def _heading(self) -> str:
        return self.sub or self.section

    def _line(self, i: int, raw: str) -> list[NoteLine]:
        blocks = self.blocks
        if i in blocks.rules:
            return []
        if i in blocks.loose:
            # A reference definition (`[quotas]: https://...`): text, its URL masked.
            plain, masks = inline_plain(raw.strip())
            return [NoteLine(i + 1, raw, plain, role="text", heading=self._heading(), masks=masks)]
        item = blocks.items.get(i)
        if item is not None:
            return [self._item(i, raw, item)]
        body = blocks.body(i)
        term_line = blocks.defines.get(i)
        term = self._defined_term(term_line) if term_line is not None else None
        if term:
            # A definition list (`Lambda authorizer` / `: a function that ...`): a term line.
            plain, masks = inline_plain(body.lstrip()[1:].lstrip())
            line = f"{term}: {plain}"
            shift = len(term) + 2
            return [self._note(i, raw, line, tuple((s + shift, e + shift) for s, e in masks), term, plain,
                               self._heading(), self.sub_service)]
        body = blocks.inner_heads.get(i, body)
        if not body.strip():
            return []
        owner = blocks.owner.get(i)
        parent = self.items.get(owner) if owner is not None else None
        # A line of the list item above shares the item's context. One that continues the item
        # without its indent (CommonMark's lazy continuation) is read as a line of its own: notes
        # put a lead-in (`Limits:`) or a bold sub-heading right under a list far more often than they
        # wrap a bullet unindented.
        if parent is not None and body.startswith(("  ", "\t")):
            plain, masks = inline_plain(body)
            term, definition = split_term(plain, masks)
            return [self._note(i, raw, plain, masks, term, definition, parent.label or self._heading(),
                               parent.service)]
        self.items.clear()  # the lists above are over
        content = body.strip()
        plain, masks = inline_plain(content)
        if not plain:
            return []
        # `**Limits**` alone on a line, a short `Limits:` lead-in, or a heading inside a list item or
        # a quote heads the lines below it.
        if i in blocks.inner_heads or re.fullmatch(r"(\*\*|__)[^*_]{1,120}\1:?", content) or (
            plain.endswith(":") and len(plain.split()) <= 8 and not re.search(r"\d", plain)
        ) or self._lead_in(i, plain):
            self.sub = plain.rstrip(":").strip() or self.sub
            self.sub_service = (exact_service(self.sub) or only_service(self.sub)) if self.sub else None
            return [NoteLine(i + 1, raw, plain, role="heading", heading=self.section, masks=masks,
                             service_hint=self._hint(self.sub_service))]
        term, definition = split_term(plain, masks)
        return [self._note(i, raw, plain, masks, term, definition, self._heading(), self.sub_service)]

    def _item(self, i: int, raw: str, item: Item) -> NoteLine:
        parent = self.items.get(item.parent) if item.parent is not None else None
        content = _TASK.sub("", item.content)
        plain, masks = inline_plain(content)
        term, definition = split_term(plain, masks)
        bold = _BOLD_LEAD.match(content)
        if bold and not term:
            bt, _ = inline_plain(bold.group(2))
            rest = plain[len(bt):].lstrip(" :=–—-")
            if bt and rest and len(bt.split()) <= 8:
                term, definition = bt, rest
        heading = (parent.label if parent and parent.label else None) or self._heading()
        inherited = parent.service if parent else self.sub_service
        note = self._note(i, raw, plain, masks, term, definition, heading, inherited)
        own = exact_service(term) if term else exact_service(plain.rstrip(":")) if len(plain) <= 60 else None
        self.items[i] = _ListItem(_item_label(plain, term), own or inherited)
        return note

    def _note(self, i: int, raw: str, plain: str, masks: Masks, term: str | None, definition: str | None,
              heading: str, inherited: str | None) -> NoteLine:
        hint = None
        if term:
            hint = exact_service(term)
            around = inherited or (self.services[0] if self.services else None)
            if hint and around and hint != around and catalog().is_generic(clean_label(term)):
                hint = around  # `**Auto Scaling**: ...` under DynamoDB is DynamoDB's
        if not hint and len(self.services) > 1:
            # In a section about several services, a line that opens with one of them is about it.
            spans = service_spans(plain)
            if spans and spans[0][0] <= 6 and spans[0][2] in self.services:
                hint = spans[0][2]
        hint = hint or inherited
        if plain.endswith("?") and not term:
            role = "question"
        elif term:
            role = "term"
        else:
            role = "text"
        return NoteLine(i + 1, raw, plain, role=role, term=term, definition=definition, heading=heading,
                        masks=masks, service_hint=self._hint(hint))

    def _hint(self, sid: str | None) -> str | None:
        """A line's own service, kept only when it says more than the card's."""
        if not sid or (self.services and sid == self.services[0]):
            return None
        return sid

    def _table(self, i: int, table: Table, out: list[NoteLine]) -> None:
        """A table: its header row heads the rows below it, each row a line of `; `-joined cells."""
        headers = [inline_plain(c)[0] for c in self.blocks.cells(i)]
        hplain = "; ".join(h for h in headers if h)
        out.append(NoteLine(i + 1, self.lines[i], hplain, role="heading", heading=self._heading(),
                            cells=tuple(headers)))
        rows = [(r, self.lines[r], [inline_plain(c) for c in self.blocks.cells(r)]) for r in table.rows]
        layout = _TableLayout(headers, rows)
        for r, line, cells in rows:
            out.append(self._row(r, line, cells, layout))

    def _row(self, i: int, line: str, cells: list[tuple[str, Masks]], layout: _TableLayout) -> NoteLine:
        parts: list[str] = []
        masks: list[tuple[int, int]] = []
        length = 0
        for j, (p, ms) in enumerate(cells):
            if not p:
                continue
            col = layout.header(j)
            prefix = ""
            kind = _KIND_COLUMNS.get(col.lower())
            if j > 0 and kind and not re.search(r"\b" + kind, p, re.I):
                # A `Default` / `Max` column says what kind of value its cells hold.
                prefix = f"{col} "
            elif layout.several and j in layout.named:
                # Several value columns: each cell needs its column's name to say what it counts.
                prefix = f"{col} "
            if parts:
                length += 2
            cell = prefix + p
            masks.extend((s + length + len(prefix), e + length + len(prefix)) for s, e in ms)
            parts.append(cell)
            length += len(cell)
        plain = "; ".join(parts)
        row_head = cells[0][0] if cells else ""
        row_service = exact_service(row_head) if row_head else None
        # `| API Gateway RPS | 10,000 |`: a row label that opens with a service gives the row to it,
        # and the label still says what the value is.
        opened = None if row_service or not row_head else opening_service(row_head)
        if layout.several:
            # Each value names its own column in `plain`; one column's name would mislabel the others.
            subject = "" if row_service else row_head
        else:
            here = [j for j in layout.value_cols if j < len(cells) and re.search(r"\d", cells[j][0])]
            j = (here or layout.value_cols or [1])[0]
            col_head = layout.header(j)
            generic = col_head.lower() in _GENERIC_COLUMNS or col_head.lower() in _KIND_COLUMNS
            if row_service and generic:
                # `| Lambda | Function timeout | 900 seconds |`: the text column names the subject.
                names = [cells[c][0] for c in range(1, len(cells))
                         if c not in layout.value_cols and cells[c][0]
                         and layout.header(c).lower() not in _NOTE_COLUMNS]
                subject = names[0] if names else row_head
            elif row_service and (layout.first_is_service or not generic):
                subject = col_head
            elif generic or not row_head:
                subject = row_head or col_head
            else:
                subject = f"{row_head} {col_head}"
        # The row header names what the row is about (`Cache TTL`), unless it is a service of its own.
        term = row_head if row_head and not row_service and len(parts) > 1 else None
        definition = "; ".join(parts[1:]) if term else None
        return NoteLine(i + 1, line, plain, role="table", term=term, definition=definition,
                        heading=self._heading(), masks=merge_masks(masks + url_masks(plain)),
                        subject_hint=subject.strip() or None,
                        service_hint=self._hint(row_service or opened or self.sub_service),
                        cells=tuple(c for c, _m in cells))


class _TableLayout:
    """What a table's columns hold: which carry values, and whether each value needs its column name."""

    def __init__(self, headers: list[str], rows: list[tuple[int, str, list[tuple[str, Masks]]]]):
        self.headers = [h.strip() for h in headers]
        self.first_is_service = self.header(0).lower() in _SERVICE_COLUMNS
        cols: set[int] = set()
        for _i, _line, cells in rows:
            for j, (p, _m) in enumerate(cells):
                if j > 0 and re.search(r"\d", p) and self.header(j).lower() not in _NOTE_COLUMNS:
                    cols.add(j)
        self.value_cols = sorted(cols)
        self.named = {j for j in self.value_cols
                      if self.header(j) and self.header(j).lower() not in _GENERIC_COLUMNS
                      and self.header(j).lower() not in _KIND_COLUMNS}
        self.several = len(self.named) > 1

    def header(self, j: int) -> str:
        return self.headers[j] if 0 <= j < len(self.headers) else ""


# --------------------------------------------------------------------------- cards


def segment(text: str, file: str, stem: str) -> list[Card]:
    """Split Markdown notes into one Card per section that has lines of its own."""
    blocks = parse(text)
    lines = blocks.lines
    heads = blocks.heads
    has_deep = any(h.level >= 2 for h in heads)
    n = len(lines)
    cards: list[Card] = []
    # Lines that are never answer text: headings, setext underlines, HTML comments.
    hidden = blocks.hidden

    # Lines before the first heading belong to no section; a file with no heading at all is one card.
    if not heads:
        body = [i for i in range(blocks.start, n) if lines[i].strip() and i not in hidden]
        if body:
            title = next((inline_plain(lines[i].strip())[0] for i in body if lines[i].strip()), "")
            cards.append(_make_card(blocks, file, stem, 1, None, title[:120], body, []))
        return cards

    titles = [inline_plain(h.text)[0] for h in heads]
    stack: list[tuple[int, str]] = []  # (level, title) of the headings above
    for k, h in enumerate(heads):
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        chain = [titles[k]] + [t for _lvl, t in reversed(stack)]
        stack.append((h.level, titles[k]))
        end = heads[k + 1].index if k + 1 < len(heads) else n
        body = [i for i in range(h.index + 1, end) if i not in hidden]
        if not any(lines[i].strip() for i in body):
            continue
        if h.level == 1 and has_deep:
            info = heading_services(titles[k])
            if info.kind not in ("exact", "list", "prefix"):
                continue  # the document's title and its introduction
        services = resolve_services(chain)
        cards.append(_make_card(blocks, file, stem, len(cards) + 1, h.index, titles[k], body, services))
    return cards


def _make_card(blocks: Blocks, file: str, stem: str, number: int, head: int | None, front: str,
               body: list[int], services: list[str]) -> Card:
    lines = blocks.lines
    reader = _SectionReader(blocks, front.rstrip(":").strip(), services)
    note_lines = reader.read(body)
    filled = [i for i in body if lines[i].strip()]
    front_line = head + 1 if head is not None else (filled[0] + 1 if filled else 1)
    first = filled[0] + 1 if filled else front_line
    last = filled[-1] + 1 if filled else front_line
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
        topic=front.rstrip(":").strip(),
        fmt="markdown",
    )


# --------------------------------------------------------------------------- detection

_SNIFF_LINES = 2000


def looks_like_markdown(text: str) -> bool:
    """Content sniffing over the first lines: ATX headings on several lines, a table, or bullets
    under a heading.

    A flashcard export (`Lambda: layers` fronts, `*` sub-topics, no `#` headings) and an Anki export
    (`#separator:tab`, tab-separated notes) are not Markdown."""
    from .flashcards import front_service

    lines = text.split("\n", _SNIFF_LINES)[:_SNIFF_LINES]
    if not _may_have_heading_or_table(lines):
        return False  # what follows could not say yes: spare a flashcard deck the parse
    blocks = parse(text if len(lines) < _SNIFF_LINES else "\n".join(lines))
    # `# of shards: 4` in a flashcard deck is a count, not a heading.
    atx = {h.index for h in blocks.heads if not h.underlined and h.text.strip()
           and not re.match(r"(?:of|\d)\b", h.text.strip(), re.I)}
    headings = tables = bullets_after_heading = fronts = 0
    seen_heading = False
    for idx, line in enumerate(lines):
        item = blocks.items.get(idx)
        if idx in atx:
            headings += 1
            seen_heading = True
        elif seen_heading and item is not None and item.marker in ("-", "*", "+") and item.content.strip():
            bullets_after_heading += 1
        elif idx - 1 in blocks.tables:
            tables += 1
        elif len(line) < 300 and front_service(line):
            fronts += 1
    if fronts >= 3 and fronts > 2 * (headings + tables):
        return False  # a flashcard deck with a stray `#` line
    return headings >= 2 or tables >= 1 or (headings >= 1 and bullets_after_heading >= 1)


def _may_have_heading_or_table(lines: list[str]) -> bool:
    """Whether a line could open an ATX heading (`#` to `######`, then a space or nothing) or be a
    table's delimiter row under a line with a pipe: without one, the text is no Markdown here."""
    prev = ""
    for line in lines:
        s = line.lstrip(" ")
        if s[:1] == "#" and len(line) - len(s) <= 3:
            hashes = len(s) - len(s.lstrip("#"))
            if hashes <= 6 and s[hashes : hashes + 1] in ("", " ", "\t"):
                return True
        if "|" in prev and "-" in line and not line.strip(" \t|:->"):
            return True
        prev = line
    return False
