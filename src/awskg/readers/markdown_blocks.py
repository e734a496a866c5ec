"""The block structure of Markdown notes, read from markdown-it-py's token stream.

markdown-it parses the document once (CommonMark, GFM tables, definition lists) and each block
token's `.map` says which physical lines it spans, so every line gets its place: a heading (ATX, or
setext with its underline), fenced code, an HTML comment, a thematic break, a table's header,
delimiter row and rows with their cells, the first line of a list item and the item it is nested in,
a line that continues a list item, a definition (`: ...`) and the line of the term it defines, a
reference definition. Only the block rules run: inline markup is read by `inline.py`.

Two settings differ from CommonMark's defaults, both for notes as people type them:
  * indented code blocks are off: a line indented four columns is text (wrapped bullets and pasted
    outlines are indented that way far more often than code is; fenced code is still code). Such a
    line is still never a heading, a rule, an HTML block or a reference definition, as in CommonMark
    (`    # install it` in an indented shell snippet is no section);
  * YAML (`---`) and TOML (`+++`) front matter is found here and blanked before parsing, so its
    lines are never read as a setext heading or a rule, and line numbers stay the file's.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from .inline import html_cells

if TYPE_CHECKING:  # markdown-it is imported by the first parse: other formats never need it
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.token import Token

_FRONT_MATTER_LINES = 200
# List items and quotes nest two token levels each: 100 allows some 50 levels. markdown-it skips
# what lies deeper, and those lines are read as plain text (see `Blocks.loose`).
_MAX_NESTING = 100
_LEAVES = {"paragraph_open", "heading_open", "fence", "html_block", "hr", "table_open"}
_Rule = Callable[["StateBlock", int, int, bool], bool]
# HTML blocks in Markdown notes: a toggle's title, and tables written a row a line.
_SUMMARY = re.compile(r"<summary[^>]*>(.*?)</summary>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_HTML_TABLE_START = re.compile(r"<table\b", re.I)
_HTML_TABLE_END = re.compile(r"</table>", re.I)
_HTML_ROW = re.compile(r"<tr\b", re.I)
_NEVER_INDENTED = ("heading", "lheading", "hr", "html_block", "reference")


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin

    md = MarkdownIt("commonmark", {"maxNesting": _MAX_NESTING}).enable("table").disable("code")
    md.use(deflist_plugin)
    md.core.ruler.disable(["inline", "text_join"], ignoreInvalid=True)  # inline markup is inline.py's
    ruler = md.block.ruler
    for rule in list(ruler.__rules__):
        if rule.name in _NEVER_INDENTED:
            ruler.at(rule.name, _not_indented(rule.fn), {"alt": list(rule.alt)})
    return md


def _not_indented(rule: _Rule) -> _Rule:
    """`rule`, refusing a line indented four columns past its container, as CommonMark's
    indented-code rule would (with that rule off, markdown-it no longer checks it)."""

    def wrapped(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if state.sCount[start] - state.blkIndent >= 4:
            return False
        return rule(state, start, end, silent)

    return wrapped


@dataclass(frozen=True)
class Heading:
    index: int  # its (first) line
    level: int
    text: str  # as written, markers and setext underline gone; lines joined by a space
    underlined: bool = False  # a setext heading


@dataclass(frozen=True)
class Item:
    content: str  # the item's first line after its marker
    parent: int | None  # the line of the item it is nested in
    marker: str = "-"  # `-`, `*`, `+`, `1.`, `1)`, or `•` for a bullet typed as a character


@dataclass(frozen=True)
class Table:
    end: int  # the line after its last row
    rows: list[int]  # the lines of its body rows (the header is its first line, the delimiter row next)


@dataclass
class Blocks:
    """Where each kind of block is, by 0-based line index."""

    lines: list[str]
    start: int = 0  # the first line after front matter
    heads: list[Heading] = field(default_factory=list)  # section headings (not inside a list or quote)
    hidden: set[int] = field(default_factory=set)  # heading lines, setext underlines, HTML comments
    code: set[int] = field(default_factory=set)  # fenced code, fences included
    rules: set[int] = field(default_factory=set)  # thematic breaks
    tables: dict[int, Table] = field(default_factory=dict)  # by header line
    html_rows: set[int] = field(default_factory=set)  # rows of those tables written in HTML
    items: dict[int, Item] = field(default_factory=dict)  # by the line the item opens on
    owner: dict[int, int] = field(default_factory=dict)  # a line inside an item -> the item's line
    quoted: dict[int, int] = field(default_factory=dict)  # a line inside block quotes -> their depth
    defines: dict[int, int] = field(default_factory=dict)  # a definition's line -> its term's line
    inner_heads: dict[int, str] = field(default_factory=dict)  # a heading inside a list item or quote
    loose: set[int] = field(default_factory=set)  # lines no block holds: reference definitions

    def cells(self, i: int) -> list[str]:
        """The cells of table row `i` as typed (`\\|` is a pipe inside a cell). A row with more cells
        than its header keeps them all, where GFM would drop the extra ones: they are note text."""
        if i in self.html_rows:
            return html_cells(self.body(i))
        s = self.body(i).strip()
        if s.startswith("|"):
            s = s[1:]
        if s.endswith("|") and not s.endswith("\\|"):
            s = s[:-1]
        return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s)]

    def body(self, i: int) -> str:
        """Line `i` without the block-quote markers around it."""
        text = self.lines[i]
        for _ in range(self.quoted.get(i, 0)):
            s = text.lstrip(" \t")
            if not s.startswith(">"):
                break  # a lazy continuation line of the quote
            text = s[2:] if s[1:2] in (" ", "\t") else s[1:]
        return text


def front_matter_end(lines: list[str]) -> int:
    """Index of the first line after a YAML (`---`) or TOML (`+++`) front matter block, else 0."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return 0
    close = ("---", "...") if lines[0].strip() == "---" else ("+++",)
    for j in range(1, min(len(lines), _FRONT_MATTER_LINES)):
        if lines[j].strip() in close:
            return j + 1
    return 0


# One document: format detection and then the reader parse the same text, one after the other.
@lru_cache(maxsize=1)
def parse(text: str) -> Blocks:
    """The blocks of a document; line indices are of `text.split("\\n")`. Read, never change, them:
    the last document's are shared."""
    # markdown-it makes an object per token and none is part of a cycle: the cyclic collector would
    # only walk them (and, once they pushed it to a full collection, everything a build holds).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _blocks(text)
    finally:
        if paused:
            gc.enable()


def _blocks(text: str) -> Blocks:
    lines = text.split("\n")
    blocks = Blocks(lines, front_matter_end(lines))
    covered = bytearray(len(lines))
    regions = [(blocks.start, len(lines))]
    budget = 2 * len(text)  # read again after overflows: at most twice the document
    while regions:
        lo, hi = regions.pop()
        # markdown-it also breaks lines at a lone `\r`; a space in its place keeps its lines ours.
        src = "\n".join(lines[lo:hi]).replace("\r", " ")
        for deepest in _Walk(blocks, lo, covered).run(_parser().parse(src)):
            # markdown-it leaves what lies deeper than its nesting limit unread, and with it the rest
            # of the list or quote: read that part again, as a document of its own.
            end = next((i for i in range(deepest + 1, hi) if covered[i]), hi)
            size = sum(len(line) + 1 for line in lines[deepest + 1 : end])
            if size <= budget:
                budget -= size
                regions.append((deepest + 1, end))
    blocks.loose = {i for i in range(blocks.start, len(lines)) if not covered[i] and lines[i].strip()}
    _page_furniture(blocks)
    if not blocks.heads:
        _numbered_heads(blocks)
    if not blocks.heads:
        _banner_heads(blocks)
    return blocks


# `AWS Developer Guide    Page 12`, `- 13 -`: a running header or footer of text copied out of a
# PDF, the same line on every page but for its number.
_PAGE_MARK = re.compile(r"\bpage\s+\d+\b|^\W*\d{1,4}\W*$|\b\d{1,4}\s*(?:/|of)\s*\d{1,4}\s*$", re.I)


def _page_furniture(blocks: Blocks) -> None:
    """Hide the running headers and footers of pages: lines with a page number that recur, their
    numbers aside."""
    seen: dict[str, list[int]] = {}
    for i in range(blocks.start, len(blocks.lines)):
        line = blocks.lines[i]
        if len(line) <= 120 and _PAGE_MARK.search(line) and i not in blocks.code:
            seen.setdefault(re.sub(r"\d+", "#", " ".join(line.split())).lower(), []).append(i)
    for found in seen.values():
        if len(found) >= 2:
            blocks.hidden.update(found)


# `3.2 Amazon SQS`, `3.2.1 Message size`: a numbered section of a study guide (text out of a PDF or a
# word processor), its depth in its number; a title, not a sentence.
_NUMBERED_HEAD = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+([A-Z][^.!?;:]{0,80})$")


@cache
def _unit_spellings() -> frozenset[str]:
    from ..vocabulary import units

    return frozenset(sp.lower() for dim in units()["dimensions"].values() for unit in dim.values()
                     for sp in unit["spellings"])


def _unit_spelling(word: str) -> bool:
    return word.lower().strip(",") in _unit_spellings()


def _numbered_heads(blocks: Blocks) -> None:
    lines = blocks.lines
    taken = blocks.code | blocks.rules | set(blocks.items) | set(blocks.quoted) | blocks.hidden
    for i in range(blocks.start, len(lines)):
        m = _NUMBERED_HEAD.match(lines[i].strip())
        if i in taken or not m or len(m.group(2).split()) > 10 or _unit_spelling(m.group(2).split()[0]):
            continue  # (`2.5 GB Max volume` is a value)
        blocks.heads.append(Heading(i, min(6, m.group(1).count(".") + 1), m.group(2).strip()))
        blocks.hidden.add(i)
    if len(blocks.heads) < 2:
        for h in blocks.heads:
            blocks.hidden.discard(h.index)
        blocks.heads.clear()  # one numbered line is a sentence that opens with a number


# `🔥 LAMBDA`, `=== CRAM SHEET ===`: a short line in capitals, alone above the lines it heads, is
# the heading of plain-text notes that have no Markdown heading.
_DECOR = re.compile(r"[^\w\s&/+.-]|_|(?<!\w)[-=+.]+|[-=+.]+(?!\w)")


def _banner_heads(blocks: Blocks) -> None:
    lines = blocks.lines
    taken = blocks.code | blocks.rules | set(blocks.items) | set(blocks.owner) | set(blocks.quoted)
    for table in blocks.tables.values():
        taken.update(range(min(table.rows, default=0) - 2, table.end))
    for i in range(blocks.start, len(lines) - 1):
        if i in taken or not lines[i + 1].strip() or (i > blocks.start and lines[i - 1].strip()):
            continue
        words = _DECOR.sub(" ", lines[i]).split()
        letters = "".join(ch for w in words for ch in w if ch.isalpha())
        if 1 <= len(words) <= 6 and len(letters) >= 2 and letters.isupper():
            blocks.heads.append(Heading(i, 2, " ".join(words)))
            blocks.hidden.add(i)


class _Walk:
    """One pass over the tokens of the lines from `offset` on, keeping the list items and quotes that
    are open."""

    def __init__(self, blocks: Blocks, offset: int, covered: bytearray) -> None:
        self.b = blocks
        self.offset = offset
        self.covered = covered
        self.items: list[int] = []  # lines of the open list items, innermost last
        self.quotes = 0
        self.term: int | None = None  # the line of the last definition term

    def run(self, tokens: list[Token]) -> list[int]:
        """Walk the tokens; the lines where markdown-it stopped at its nesting limit."""
        deepest: list[int] = []
        k = 0
        while k < len(tokens):
            tok = tokens[k]
            if tok.nesting == 1 and tok.level >= _MAX_NESTING - 1 and tok.map:
                deepest.append(tok.map[0] + self.offset)
            k = self.token(tokens, k)
        return deepest

    def token(self, tokens: list[Token], k: int) -> int:
        """Handle tokens[k]; the index of the next token to handle."""
        tok = tokens[k]
        kind = tok.type
        if kind == "list_item_open":
            self.open_item(tok)
        elif kind == "list_item_close":
            self.items.pop()
        elif kind == "blockquote_open":
            self.quotes += 1
        elif kind == "blockquote_close":
            self.quotes -= 1
        elif kind == "dt_open" and tok.map:
            self.term = tok.map[0] + self.offset
            self.cover(self.term, self.term + 1)  # its map is empty: [line, line]
        elif kind == "dd_open" and tok.map and self.term is not None:
            self.b.defines[tok.map[0] + self.offset] = self.term
        if kind not in _LEAVES or not tok.map:
            return k + 1
        start, end = tok.map[0] + self.offset, tok.map[1] + self.offset
        self.cover(start, end)
        if kind == "heading_open":
            return self.heading(tokens, k, start, end)
        if kind == "fence":
            self.b.code.update(range(start, end))
        elif kind == "hr":
            self.b.rules.update(range(start, end))
        elif kind == "html_block" and tok.content.lstrip().startswith("<!--"):
            self.b.hidden.update(range(start, end))
        elif kind == "html_block":
            self.html(start, end)
        elif kind == "table_open":
            return self.table(tokens, k, start, end)
        elif kind == "paragraph_open":
            self.typed_bullets(start, end)
        return k + 1

    def cover(self, start: int, end: int) -> None:
        owner = self.items[-1] if self.items else None
        for i in range(start, min(end, len(self.covered))):
            self.covered[i] = 1
            if self.quotes:
                self.b.quoted[i] = self.quotes
            if owner is not None and i not in self.b.items:
                self.b.owner[i] = owner

    def open_item(self, tok: Token) -> None:
        line = (tok.map[0] if tok.map else 0) + self.offset
        self.cover(line, line + 1)
        marker = (tok.info or "") + tok.markup
        # The item's text: the line after any quote markers, its indent and its marker.
        text = self.b.lines[line]
        while True:
            text = text.lstrip(" \t")
            if not text.startswith(">") or text.startswith(marker):
                break
            text = text[1:]
        text = text[len(marker) :] if text.startswith(marker) else text
        self.b.items[line] = Item(text.lstrip(" \t"), self.items[-1] if self.items else None, marker)
        self.b.owner.pop(line, None)
        self.items.append(line)

    def typed_bullets(self, start: int, end: int) -> None:
        """`• item` lines (pasted from slides or a word processor) are a list to a reader, though
        not to CommonMark, for which they are lines of a paragraph: each is an item, nested in the
        one above it that is less indented, else (when indented) in the list item around them."""
        around: list[tuple[int, int]] = []  # (indent, line) of the typed items above, innermost last
        for i in range(start, end):
            body = self.b.body(i)
            text = body.lstrip(" \t")
            if text[:1] != "•" or text[1:2] not in ("", " ", "\t") or i in self.b.items:
                continue
            indent = len(body.expandtabs(4)) - len(text.expandtabs(4))
            while around and around[-1][0] >= indent:
                around.pop()
            owner = self.b.owner.pop(i, None)
            parent = around[-1][1] if around else owner if indent >= 2 else None
            self.b.items[i] = Item(text[1:].lstrip(" \t"), parent, "•")
            around.append((indent, i))

    def heading(self, tokens: list[Token], k: int, start: int, end: int) -> int:
        tok = tokens[k]
        text = tokens[k + 1].content if k + 1 < len(tokens) and tokens[k + 1].type == "inline" else ""
        setext = tok.markup in ("=", "-")
        if setext:
            self.b.hidden.add(end - 1)  # the underline
        if self.items or self.quotes:
            # Inside a list item or a quote: part of it, not a section of the document.
            if not setext:
                self.b.inner_heads[start] = text
            return k + 1
        self.b.heads.append(Heading(start, int(tok.tag[1:]), " ".join(text.split("\n")), setext))
        self.b.hidden.update(range(start, end))
        return k + 1

    def html(self, start: int, end: int) -> None:
        """An HTML block: a toggle's `<summary>` heads what the toggle holds, as a heading one level
        below the section it is in would (GitHub READMEs, exported notes); a `<table>` written a row
        a line is a table, its first row the header."""
        rows: list[int] = []
        for i in range(start, end):
            line = self.b.lines[i]
            summary = _SUMMARY.search(line)
            if summary and not self.items and not self.quotes:
                level = min(6, self.b.heads[-1].level + 1) if self.b.heads else 2
                self.b.heads.append(Heading(i, level, _TAGS.sub("", summary.group(1)).strip()))
                self.b.hidden.add(i)
            if _HTML_TABLE_START.search(line):
                rows = []
            if len(html_cells(line)) >= 2 and len(_HTML_ROW.findall(line)) <= 1:
                rows.append(i)
            if _HTML_TABLE_END.search(line) and len(rows) >= 2:
                self.b.tables[rows[0]] = Table(rows[-1] + 1, rows[1:])
                self.b.html_rows.update(rows)
                rows = []

    def table(self, tokens: list[Token], k: int, start: int, end: int) -> int:
        rows: list[int] = []
        k += 1
        while k < len(tokens) and tokens[k].type != "table_close":
            tok = tokens[k]
            if tok.type == "tr_open" and tok.map and tok.map[0] + self.offset > start:
                rows.append(tok.map[0] + self.offset)
            k += 1
        self.b.tables[start] = Table(end, rows)
        return k + 1


