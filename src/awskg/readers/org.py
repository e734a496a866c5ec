"""Emacs Org-mode notes, read as the Markdown they would be.

Org marks the same things Markdown does in other characters: `* Heading` / `** Sub-heading`,
`- term :: definition` lists, `#+BEGIN_SRC` ... `#+END_SRC` code blocks, `=code=` and `~code~`,
`[[url][description]]` links, tables whose rule lines join columns with `+`, and lines Markdown
has no use for (`#+TITLE:`-style keywords, `# comments`, `:PROPERTIES:` drawers, `SCHEDULED:`).
Each Org line becomes one Markdown line (a line Markdown has no use for, an empty one), so the
Markdown reader (`markdown.segment`) reads the notes with their own line numbers; each card line
then shows the Org line as the student wrote it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import Card

_HEADING = re.compile(r"^(\*+)\s+(?:(?:TODO|DONE|NEXT|WAITING|CANCELLED)\s+)?(?:\[#[A-C]\]\s+)?(.*?)"
                      r"(?:\s+:[\w@#%:]+:)?\s*$")
_BLOCK = re.compile(r"^\s*#\+(begin|end)_(\w+)", re.I)
_KEYWORD = re.compile(r"^\s*#\+(\w+):\s*(.*)$")
_COMMENT = re.compile(r"^\s*#(?:\s|$)")
_DRAWER = re.compile(r"^\s*:(?:[A-Z_]+):\s*$")
_PLANNING = re.compile(r"^\s*(?:SCHEDULED|DEADLINE|CLOSED):")
_DESCRIPTION = re.compile(r"^(\s*(?:[-+]|\d+[.)])\s+)(.+?)\s+::(?:\s+(.*))?$")
_TABLE_RULE = re.compile(r"^\s*\|[-+]+\|?\s*$")
_CODE = re.compile(r"(?<![\w=~])([=~])(\S(?:.*?\S)?)\1(?![\w=~])")
_LINK = re.compile(r"\[\[([^\]]+)\](?:\[([^\]]+)\])?\]")
_BOLD = re.compile(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])")
_FENCED = ("src", "example")

# Org's own signs, none of which Markdown notes hold: keyword and block lines, and `**` headings.
_ORG_LINE = re.compile(r"^(?:#\+(?:title|author|begin_|end_|options|startup|filetags)|\*{2,}\s+\S)",
                       re.I | re.M)


def looks_like_org(text: str, suffix: str = "") -> bool:
    """An `.org` file, or text with Org's keyword lines or `**` headings and no Markdown heading."""
    if suffix.lower() == ".org":
        return True
    head = text[:200_000]
    return bool(_ORG_LINE.search(head)) and not re.search(r"^#{1,6}\s", head, re.M)


def as_markdown(text: str) -> list[str]:
    """The Markdown of each line of Org notes, line for line."""
    out: list[str] = []
    in_block: str | None = None
    in_drawer = False
    for line in text.split("\n"):
        block = _BLOCK.match(line)
        if block:
            begin, kind = block.group(1).lower() == "begin", block.group(2).lower()
            in_block = kind if begin else None
            out.append("```" if kind in _FENCED else "")
            continue
        if in_block in _FENCED:
            out.append(line)
            continue
        if in_drawer or _DRAWER.match(line):
            in_drawer = line.strip().upper() != ":END:"
            out.append("")
            continue
        out.append(_line(line))
    return out


def _line(line: str) -> str:
    heading = _HEADING.match(line)
    if heading:
        return "#" * min(len(heading.group(1)), 6) + " " + _inline(heading.group(2))
    keyword = _KEYWORD.match(line)
    if keyword:
        return f"# {_inline(keyword.group(2))}" if keyword.group(1).lower() == "title" else ""
    if _COMMENT.match(line) or _PLANNING.match(line):
        return ""
    if _TABLE_RULE.match(line):
        return line.replace("+", "|")
    item = _DESCRIPTION.match(line)
    if item:
        return f"{item.group(1)}{_inline(item.group(2))}: {_inline(item.group(3) or '')}".rstrip()
    return _inline(line)


def _inline(text: str) -> str:
    text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _CODE.sub(lambda m: f"`{m.group(2)}`", text)
    return _BOLD.sub(r"**\1**", text)


def segment(text: str, file: str, stem: str) -> list[Card]:
    """Org notes as Markdown reads them, each line shown as the Org file has it."""
    from .markdown import segment as md_segment

    original = text.split("\n")
    translated = as_markdown(text)
    cards = md_segment("\n".join(translated), file, stem)
    for card in cards:
        card.fmt = "org"
        card.lines = [
            replace(ln, text=original[ln.number - 1])
            if 0 < ln.number <= len(original) and translated[ln.number - 1] != original[ln.number - 1]
            and ln.text == translated[ln.number - 1]
            else ln
            for ln in card.lines
        ]
    return cards
