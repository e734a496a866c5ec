"""Control characters made visible for a terminal.

Note text, names and file names are the notes' author's: printed raw, `\\x1b]0;TITLE\\x07` would
retitle the window, `\\x1b[2J` clear the screen, a `\\r` or a bidi override hide what a line says, and
a newline split a one-line error in two. The CLI shows each such character as its escape (`\\x1b`,
`\\u202e`), the way Python writes it in a string; JSON output carries them as JSON escapes. The graph
itself keeps the text as the notes hold it.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline are layout), DEL, C1 controls, the bidi embeddings, overrides and
# isolates, and lone surrogates (a file name that is not UTF-8, as Python decodes it).
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_IN_TEXT = re.compile(f"[{_CONTROL}]")
_IN_LINE = re.compile(f"[\n{_CONTROL}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: object, one_line: bool = False) -> str:
    """`text` with every control character shown as its escape; with `one_line`, newlines too (an
    error message or a table row is one line, whatever the name in it holds)."""
    return (_IN_LINE if one_line else _IN_TEXT).sub(_escape, str(text))


def for_rich(text: object) -> str:
    """Text of the notes as rich is to print it: control characters (and newlines: no name or line
    of the notes holds one) shown as escapes, then markup (`[red]`) escaped, so it prints as typed."""
    from rich.markup import escape

    return escape(visible(text, one_line=True))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_visible(text: str) -> str:
    """JSON text (json.dumps escapes C0 itself) with the other control characters as `\\uXXXX`
    escapes: the same JSON value, nothing a terminal would act on."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
