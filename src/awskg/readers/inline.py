"""Markdown inline markup to the text a reader sees: emphasis, links, tags and escapes gone, entities
decoded, with the spans that are code or URLs listed as masks (no limit is ever read from them).

The rules are regexes over one line rather than markdown-it's inline parser, on purpose: notes use
`**` and `_` and `~` loosely (`a_b_c`, `**Term:**`, `~5 min`), and the plain text here must be what
a reader sees in the line as typed, character for character, with the code spans' places known.
Shared by the Markdown, Anki and Obsidian readers.
"""

from __future__ import annotations

import html
import re

Masks = tuple[tuple[int, int], ...]

# Quantifiers are bounded throughout: a reader may be handed a 1 MB line, and an unbounded lazy
# match with a back-reference would turn that into minutes of backtracking.
_CODE_SPAN = re.compile(r"(`{1,3})(?!`)(.{1,2000}?)(?<!`)\1(?!`)")
_IMAGE = re.compile(r"!\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)")
_LINK = re.compile(
    r"\[([^\]\n]{1,300})\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}(?:\s+\"[^\"\n]{0,300}\")?\s*\)"
)
_REF_LINK = re.compile(r"\[([^\]\n]{1,300})\]\[[^\]\n]{0,100}\]")
_FOOTNOTE = re.compile(r"\[\^[^\]\n]{1,50}\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]{1,2000}|[\w.+-]{1,100}@[\w.-]{1,200})>")
_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>]{0,500})?/?>")
_STRONG = re.compile(r"(\*\*|__)(?=[^\s*_])(.{1,500}?)(?<=[^\s*_])\1")
_EM_STAR = re.compile(r"(?<![*\w])\*(?=[^\s*])(.{1,500}?)(?<=[^\s*])\*(?![*\w])")
_EM_UNDER = re.compile(r"(?<![_\w])_(?=[^\s_])(.{1,500}?)(?<=[^\s_])_(?![_\w])")
_STRIKE = re.compile(r"(~~|==)(?=\S)(.{1,500}?)(?<=\S)\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>=])")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]\"'`]{1,2000}|\bwww\.[^\s<>()\[\]\"'`]{2,2000}|"
                  r"\barn:aws[\w-]{0,20}:[^\s<>\"'`]{1,2000}|\bs3://[^\s<>\"'`]{1,2000}")
_LONG_LINE = 20_000
# Private-use characters: the note's own are replaced, so those left are the code-span placeholders.
_PUA = re.compile("[\ue000-\uf8ff]")


def decode_entities(text: str) -> str:
    """`&nbsp;` -> space, `&amp;` -> `&`: entities as a reader sees them (a no-break space is a space)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: html.unescape(m.group()), text).replace("\u00a0", " ")


def url_masks(plain: str) -> list[tuple[int, int]]:
    """Spans of URLs and ARNs: the numbers in them (account ids, versions, ports) are never limits."""
    out = []
    for m in _URL.finditer(plain):
        end = m.end()
        while end > m.start() and plain[end - 1] in ".,;:!?":
            end -= 1  # sentence punctuation after a URL is not part of it
        out.append((m.start(), end))
    return out


def merge_masks(spans: list[tuple[int, int]]) -> Masks:
    """Sorted, overlapping spans merged, empty ones dropped."""
    out: list[list[int]] = []
    for s, e in sorted(sp for sp in spans if sp[1] > sp[0]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return tuple((s, e) for s, e in out)


# A code span that holds only a value (`128 MB`, `3 seconds`, `128 MB → 10,240 MB`): notes typed in
# Notion and the like set numbers in code to make them stand out; they are still values.
_PLAIN_VALUE = re.compile(
    r"[~<>≤≥=]*\s*\d[\d,.]*\s*[A-Za-z%]{0,12}(?:/[A-Za-z]{1,6})?"
    r"(?:\s*(?:-|–|to|→|->)\s*\d[\d,.]*\s*[A-Za-z%]{0,12}(?:/[A-Za-z]{1,6})?)?"
)


# `[[Page]]`, `[[Page|alias]]`, `[[Page#Heading]]`: a wiki link (Logseq, Roam, Obsidian) reads as its text.
_WIKI_LINK = re.compile(r"\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|([^\[\]]+))?\]\]")
# A row of an HTML table written on one line with others (`<tr><td>Timeout</td><td>15 min</td></tr>`).
_HTML_ROW = re.compile(r"<tr\b[^>]*>(.*?)(?:</tr>|(?=<tr\b)|$)", re.I | re.S)
_HTML_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)(?=</t[dh]>|<t[dh]\b|</tr>|$)", re.I | re.S)


def html_cells(text: str) -> list[str]:
    """The cells of HTML table markup (`<td>a</td><td>b</td>`), as written, stripped."""
    return [c.strip() for c in _HTML_CELL.findall(text)]


def _row_clause(m: re.Match[str]) -> str:
    """A table row as a clause of the line: `Timeout: 15 min; `, the first cell naming the rest."""
    cells = [c for c in html_cells(m.group(1)) if c]
    if len(cells) < 2:
        return " ".join(cells) + " "
    return f"{cells[0]}: {', '.join(cells[1:])}; "


def inline_plain(raw: str) -> tuple[str, Masks]:
    """Markdown inline markup to the text a reader sees, and the spans of it that are code or URLs.

    Code spans are swapped for placeholder characters first, so emphasis and link rules never reach
    inside them (`a_b_c` in backticks stays as written) and their place in the result is known."""
    if len(raw) > _LONG_LINE:
        # Not a note line but data: the extractor reads no limits from it, so spare the markup rules.
        return raw.strip(), ()
    text = _PUA.sub("\ufffd", raw)
    codes: list[str] = []

    def _stash(m: re.Match[str]) -> str:
        if len(codes) >= 6000:
            return m.group(2)
        codes.append(m.group(2).strip() or m.group(2))
        return chr(0xE000 + len(codes) - 1)

    if "`" in text:
        text = _CODE_SPAN.sub(_stash, text)
    if "[" in text:
        if "[[" in text:
            text = _WIKI_LINK.sub(lambda m: m.group(2) or m.group(1), text)
        text = _IMAGE.sub(lambda m: m.group(1), text)
        text = _LINK.sub(lambda m: m.group(1), text)
        text = _REF_LINK.sub(lambda m: m.group(1), text)
        text = _FOOTNOTE.sub("", text)
    if "<" in text:
        text = _AUTOLINK.sub(lambda m: m.group(1), text)
        text = _BR.sub("; ", text)
        if "<t" in text or "<T" in text:
            text = _HTML_ROW.sub(_row_clause, text)
        text = _TAG.sub("", text)
    if "*" in text or "_" in text or "~" in text or "=" in text:
        for _ in range(3):  # nested emphasis: ***x***, **_x_**
            before = text
            text = _STRONG.sub(lambda m: m.group(2), text)
            text = _EM_STAR.sub(lambda m: m.group(1), text)
            text = _EM_UNDER.sub(lambda m: m.group(1), text)
            text = _STRIKE.sub(lambda m: m.group(2), text)
            if text == before:
                break
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: m.group(1), text)
    text = decode_entities(text)
    # Expand the code placeholders, noting where each lands in the final text.
    masks: list[tuple[int, int]] = []
    if codes:
        parts: list[str] = []
        length = 0
        pos = 0
        for m in _PUA.finditer(text):
            chunk = text[pos : m.start()]
            parts.append(chunk)
            length += len(chunk)
            code = codes[ord(m.group()) - 0xE000]
            parts.append(code)
            if not _PLAIN_VALUE.fullmatch(code):
                masks.append((length, length + len(code)))
            length += len(code)
            pos = m.end()
        parts.append(text[pos:])
        text = "".join(parts)
    stripped = text.strip()
    if stripped != text:
        lead = len(text) - len(text.lstrip())
        text = stripped
        masks = [(max(0, s - lead), min(len(text), e - lead)) for s, e in masks]
    masks.extend(url_masks(text))
    return text, merge_masks(masks)
