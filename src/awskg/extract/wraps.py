"""Values and words that a hard wrap cut in two.

Notes wrapped at a fixed width (course notes, text copied out of a PDF, a bullet continued on the
next line) break a line wherever the width runs out, now and then between a number and its unit
(`... is 256` / `KB for SQS`) or inside a word the layout hyphenated (`The de-` / `ployment package
limit is 50 MB`). Each line stays a line of its own (a source line is what the student sees), but
the line that ends with the number is read with the unit the next line opens with, and a word cut
by a hyphen is read whole on the line it starts on, its tail gone from the next.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import NoteLine
from ..quantities import is_counted_unit, is_unit

# A number closing the line (`256`, `10,240`, `1.5`, `3k`), not part of a name (`EC2`, `v2`).
_ENDS_WITH_NUMBER = re.compile(r"(?<![\w.,/-])\d[\d,]*(?:\.\d+)?[kK]?\s*$")
_FIRST_WORD = re.compile(r"\s*([A-Za-z][A-Za-z/]*)(?![\w-])")
# A line that opens an item of its own (a bullet, a numbered item, a quote, a heading): no wrap.
_OPENS_ITEM = re.compile(r"\s*(?:[-*+•>#]|\d{1,3}[.)])\s")
_NOT_CONTINUED = ("table", "code", "title", "heading")
# A word the layout cut with a hyphen at the line's end (`Cli-`, `de-`; not `- ` or `gp3-`), and
# the lower-case rest of it opening the next line, with the space after it.
_HYPHENATED = re.compile(r"(?<![\w-])([A-Za-z]*[a-z])-\s*$")
_WORD_TAIL = re.compile(r"\s*([a-z]+)(?![\w-])[ \t]*")


def mend_wraps(lines: list[NoteLine]) -> list[NoteLine]:
    """`lines` with each number the wrap left at a line's end given the unit that opens the next,
    and each word it hyphenated read whole."""
    out = list(lines)
    for i in range(len(out) - 1):
        this, after = out[i], out[i + 1]
        if after.number != this.number + 1 or this.role in _NOT_CONTINUED or after.role != this.role:
            continue
        if _OPENS_ITEM.match(after.text):
            continue
        cut = _HYPHENATED.search(this.plain)
        tail = _WORD_TAIL.match(after.plain) if cut else None
        if cut and tail and not after.term:
            out[i] = replace(this, plain=this.plain[: cut.end(1)] + tail.group(1))
            out[i + 1] = after = _without_head(after, tail.end())
            continue
        if not _ENDS_WITH_NUMBER.search(this.plain):
            continue
        word = _FIRST_WORD.match(after.plain)
        if word and (is_unit(word.group(1)) or is_counted_unit(word.group(1))):
            out[i] = replace(this, plain=f"{this.plain.rstrip()} {word.group(1)}")
    return out


def _without_head(ln: NoteLine, n: int) -> NoteLine:
    """`ln` without the first `n` characters of what matching sees (its spans moved with it)."""
    masks = tuple((max(0, s - n), e - n) for s, e in ln.masks if e > n)
    return replace(ln, plain=ln.plain[n:], masks=masks)
