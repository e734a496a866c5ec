"""Term-definition decks: Quizlet's text export and the like, one card a term.

Quizlet exports a set as term, separator, definition, then a row separator: by default a tab and a
new line; on request a comma, a semicolon between rows, or any custom string (` - `, ` :: `, a blank
line between rows). Nothing is quoted, and a definition keeps its own new lines, so with one row a
line a line that holds no separator goes on with the definition above it.

The separators are read from the content: of the candidates, the pair that splits nearly every row
into a short term and a definition. A tab is never note text, so it is trusted first; the other
separators are taken only when nothing else (an Anki export, Markdown, flashcards, CSV) reads the
file. The term is the card's front and the definition its answer, read like an Anki note's fields
(`anki.note_card`): the service is the one the term opens with, else the first one it or the
definition names. CSV/TSV files with a header row naming their columns (`front,back`,
`Term;Definition;Tags`) are read by the CSV reader (`anki.segment_csv`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Card
from .anki import Field, looks_like_html, mark_cells, note_card

# Term separators, the most telling first; a comma is the last resort (definitions hold commas).
_TAB = "\t"
_CUSTOM = (" :: ", "::", " → ", " -> ", " = ", " | ", " – ", " — ", " - ")
_ROWS = ("\n", ";", "\n\n")
_MAX_TERM_CHARS = 150
_MAX_TERM_WORDS = 14
_SAMPLE_ROWS = 400


@dataclass(frozen=True)
class Layout:
    """How a deck separates a term from its definition, and one row from the next."""

    term: str
    row: str


@dataclass
class _Row:
    term: str
    line: int  # 1-based line the term is on
    definition: list[tuple[int, str]] = field(default_factory=list)  # (line, text) of each line


def sniff(text: str, weak: bool = True) -> Layout | None:
    """The layout that splits nearly every row of `text` into a term and a definition, or None.
    With `weak` False only a tab between term and definition counts."""
    candidates = [_TAB, *(_CUSTOM if weak else ()), *((",",) if weak else ())]
    for term in candidates:
        for row in _ROWS:
            if _fits(text, Layout(term, row)):
                return Layout(term, row)
    return None


def _fits(text: str, layout: Layout) -> bool:
    if layout.row != "\n" and layout.row not in text:
        return False
    rows = _rows(text, layout, limit=_SAMPLE_ROWS)
    if len(rows) < 2:
        return False
    if layout.row == ";" and len(rows) < 3 * max(1, text.count("\n")):
        return False  # `;` separates rows only when the rows share a few lines
    good = sum(1 for r in rows if r.term and r.definition)
    continued = sum(max(0, len(r.definition) - 1) for r in rows)
    strays = sum(1 for r in rows if not r.term)
    need = 0.8 if layout.term == _TAB else 0.9
    if layout.term == ",":
        # Quizlet's comma rows: a term with no comma, and nearly no line going on without one.
        return good >= 3 and good >= 0.95 * len(rows) and continued <= 0.05 * good
    return good >= 2 and good >= need * (good + strays) and continued <= 0.5 * good


def _rows(text: str, layout: Layout, limit: int | None = None) -> list[_Row]:
    """The deck's rows. With one row a line, a line without the separator that follows a row goes
    on with that row's definition; before any row it is a stray (a title)."""
    rows: list[_Row] = []
    pos_line = 1
    if layout.row == "\n":
        chunks = [(i + 1, ln) for i, ln in enumerate(text.split("\n"))]
    else:
        chunks = []
        for chunk in text.split(layout.row):
            lead = len(chunk) - len(chunk.lstrip("\n"))
            chunks.append((pos_line + lead, chunk.strip("\n")))
            pos_line += chunk.count("\n") + layout.row.count("\n")
    for line, chunk in chunks:
        if limit is not None and len(rows) >= limit:
            break
        if not chunk.strip():
            continue
        parts = chunk.split(layout.term, 1) if layout.term in chunk else None
        if parts and "\n" in parts[0]:
            # Lines before the one that holds the separator are no part of the term (a title).
            head, _, parts[0] = parts[0].rpartition("\n")
            rows.append(_Row("", line, [(line + k, p) for k, p in enumerate(head.split("\n"))]))
            line += head.count("\n") + 1
        term = parts[0].strip() if parts else ""
        # A tab never stands in a Quizlet definition: a row with two is some other table.
        extra_tab = bool(parts) and layout.term == _TAB and "\t" in parts[1]
        if parts and term and len(term) <= _MAX_TERM_CHARS and len(term.split()) <= _MAX_TERM_WORDS \
                and parts[1].strip() and not extra_tab:
            row = _Row(term, line)
            for k, piece in enumerate(parts[1].split("\n")):
                row.definition.append((line + k, piece))
            rows.append(row)
        elif rows and rows[-1].term and layout.row == "\n" and not parts:
            rows[-1].definition.append((line, chunk))
        else:
            rows.append(_Row("", line, [(line + k, p) for k, p in enumerate(chunk.split("\n"))]))
    return rows


def segment(text: str, file: str, stem: str) -> list[Card]:
    """One Card per term of a term-definition deck (its layout sniffed; a tab and new lines when
    nothing fits)."""
    layout = sniff(text) or Layout(_TAB, "\n")
    is_html = looks_like_html(text)
    cards: list[Card] = []
    for row in _rows(text, layout):
        if not row.term:
            continue
        back = "\n".join(piece for _line, piece in row.definition)
        fields = [Field(row.term, row.line, "term"), Field(back, row.definition[0][0], "definition")]
        card = note_card(fields, tags=[], deck=None, is_html=is_html, file=file, stem=stem,
                         number=len(cards) + 1, fmt="termdef")
        if card is not None:
            mark_cells(card)
            cards.append(card)
    return cards



def looks_like_termdef(text: str, weak: bool = True) -> bool:
    return sniff(text, weak=weak) is not None
