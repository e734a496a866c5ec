"""The command line's tables: rich's Table, drawn line for line, without rich's cost of drawing it.

A cold `awskg limits` or `awskg show` prints a table of about fifty rows whose last column is a
whole note line. rich's Table measures every cell to size the columns, measures them all again
when the table is wider than the terminal (a table of note lines is), then renders each cell
through three layers (the cell, its padding, the table), each splitting and padding the cell's
lines anew: at 100x the notes, that was a quarter of the command. `Table` here holds Text cells
and draws them as rich's Table draws them with its defaults (heavy head box, a bold header, one
space of padding, columns sized to their longest line and narrowed widest first), byte for byte,
colours included: each column sized from its cells' longest lines, each cell wrapped once (rich's
Text.wrap; for unstyled text, the same lines worked out on the string with rich's divide_line),
each run of unstyled text in a line written as one segment. A table this does not cover (a
terminal too narrow for its columns) is handed to rich's Table as it is. tests/test_tables.py
holds the two to the same output.

Cells are Text, not markup: what the notes say prints as typed, with nothing to parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

from rich.box import HEAVY_HEAD
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text

try:  # rich's line breaking, for the lines of plain text (_wrap_plain)
    from rich._wrap import divide_line as _divide_line
except ImportError:  # pragma: no cover - another rich: its Text.wrap does it all
    _divide_line = None

from .control_chars import visible

PADDING = 1  # one space each side of a cell, as rich's Table pads


def text(value: Any, style: str = "") -> Text:
    """Text of the notes for a table: control characters shown as escapes (control_chars), and a
    Text rather than markup, so `[red]` and `:fire:` print as typed."""
    return Text(visible(value if value is not None else "", one_line=True), style=style)


class Table:
    """A table of Text cells with a title, printed like rich's `Table(title=..., show_header=True,
    show_lines=...)` whose columns fold what does not fit (`add_column(header, justify=...,
    overflow="fold")`)."""

    def __init__(self, *headers: str, title: str | None = None, show_lines: bool = False,
                 justify: dict[str, str] | None = None) -> None:
        justify = justify or {}
        self.title = text(title, style="table.title") if title is not None else None
        self.headers = [text(h) for h in headers]
        self.justify = [justify.get(h, "left") for h in headers]
        self.show_lines = show_lines
        self.rows: list[tuple[Text, ...]] = []

    def add_row(self, *cells: Text) -> None:
        if len(cells) != len(self.headers):
            raise ValueError(f"a row of {len(cells)} cells in a table of {len(self.headers)} columns")
        self.rows.append(cells)

    def rich_table(self):
        """The same table as rich's Table."""
        from rich.table import Table as RichTable

        table = RichTable(title=self.title, show_header=True, show_lines=self.show_lines)
        for header, justify in zip(self.headers, self.justify, strict=True):
            table.add_column(header, justify=justify, overflow="fold")
        for row in self.rows:
            table.add_row(*row)
        return table

    def __rich_console__(self, console, options) -> Iterator[Any]:
        columns = [[header] for header in self.headers]
        for row in self.rows:
            for column, cell in zip(columns, row, strict=True):
                column.append(cell)
        widths = column_widths(columns, options.max_width)
        if widths is None:
            yield self.rich_table()
            return
        yield from self._render(console, options, widths)

    def _render(self, console, options, widths: list[int]) -> Iterator[Any]:
        table_width = sum(widths) + len(widths) + 1
        render_options = options.update(width=table_width, highlight=False, height=None)
        if self.title:
            yield from console.render(self.title, render_options.update(justify="center"))
        border = console.get_style("") + console.get_style("")
        box = HEAVY_HEAD.substitute(options, safe=console.safe_box)
        new_line = Segment.line()
        yield Segment(box.get_top(widths), border)
        yield new_line
        null = console.get_style("none")
        header_style = console.get_style("table.header") + console.get_style("")
        body_style = console.get_style("")

        def edge(chars: str) -> str | list[Segment]:
            return [Segment(chars, border)] if border else chars

        edges = [(edge(box.head_left), edge(box.head_right), edge(box.head_vertical)),
                 (edge(box.mid_left), edge(box.mid_right), edge(box.mid_vertical)),
                 (edge(box.foot_left), edge(box.foot_right), edge(box.foot_vertical))]
        rows = [(self.headers, header_style + null)]
        rows += [(row, body_style + null) for row in self.rows]
        last_index = len(rows) - 1
        for index, (cells, style) in enumerate(rows):
            header = index == 0
            shaped = [_cell_lines(console, cell, width, justify, style, null)
                      for cell, width, justify in zip(cells, widths, self.justify, strict=True)]
            height = max(len(lines) for lines in shaped)
            for width, lines in zip(widths, shaped, strict=True):
                if len(lines) < height:  # the header sits on its bottom line, a row's cells on top
                    blank = [[Segment(" " * width, style)] if style else " " * width] * (height - len(lines))
                    lines[:] = blank + lines if header else lines + blank
            left, right, divider = edges[0 if header else (2 if index == last_index else 1)]
            for line_no in range(height):
                parts = [left]
                for i, lines in enumerate(shaped):
                    if i:
                        parts.append(divider)
                    parts.append(lines[line_no])
                parts.append(right)
                yield from _segments(parts)
                yield new_line
            if header:
                yield Segment(box.get_row(widths, "head", edge=True), border)
                yield new_line
            elif self.show_lines and index != last_index:
                yield Segment(box.get_row(widths, "row", edge=True), border)
                yield new_line
        yield Segment(box.get_bottom(widths), border)
        yield new_line


def _segments(parts: list[str | list[Segment]]) -> list[Segment]:
    """A line's segments: each run of unstyled text (a plain str) as one segment, styled segments
    as they are. Fewer pieces than rich's Table makes of the line; the same output."""
    if all(isinstance(part, str) for part in parts):
        return [Segment("".join(parts))]  # type: ignore[arg-type]
    out: list[Segment] = []
    run: list[str] = []
    for part in parts:
        if isinstance(part, str):
            run.append(part)
            continue
        if run:
            out.append(Segment("".join(run)))
            run = []
        out.extend(part)
    if run:
        out.append(Segment("".join(run)))
    return out


def _cell_lines(console, cell: Text, width: int, justify: str, style, null) -> list[str | list[Segment]]:
    """One cell's lines, each `width` wide with its padding, as rich's Table renders them: the Text
    wrapped by rich (Text.wrap, folding what does not fit), padded, then the cell's style. A line
    with no style at all is a plain str."""
    inner = width - 2 * PADDING
    pad = " " * PADDING
    plain = cell.plain
    if (justify == "left" and not cell.justify and not cell.overflow and not cell.style and not cell.spans
            and "\n" not in plain and "\t" not in plain):
        # Unstyled text, left to right: Text.wrap's lines, worked out on the string.
        lines = _wrap_plain(console, plain, inner)
        if style:  # (the padding its own segment, as rich writes it)
            return [[Segment(pad, style), Segment(line, style), Segment(pad, style)] for line in lines]
        return [pad + line + pad for line in lines]
    tab_size = (console.tab_size if cell.tab_size is None else cell.tab_size) or 8
    wrapped = cell.wrap(console, inner, justify=cell.justify or justify, overflow=cell.overflow or "fold",
                        tab_size=tab_size, no_wrap=bool(cell.no_wrap))
    pad_segment = Segment(pad, null)
    out: list[str | list[Segment]] = []
    for line in wrapped:
        segments = list(line.render(console, end=""))
        if cell_len(line.plain) != inner:
            segments = Segment.adjust_line_length(segments, inner, style=null)
        segments = [pad_segment, *segments, pad_segment]
        if style:
            segments = [Segment(t, None if c else style + s, c) for t, s, c in segments]
        out.append(segments)
    return out or [[Segment(" " * width, style)]]


_TRAILING_SPACE = re.compile(r"\s+$")


def _wrap_plain(console, plain: str, width: int) -> list[str]:
    """`Text(plain).wrap(console, width, justify="left", overflow="fold")` as strings: rich's own
    line breaks (divide_line), each line's overhanging trailing space cut (rstrip_end), the line
    cropped or padded to the width (truncate)."""
    if len(plain) <= width and (length := cell_len(plain)) <= width:  # one line, as it is
        return [plain + " " * (width - length)]
    if _divide_line is None:
        return [line.plain for line in Text(plain).wrap(console, width, justify="left", overflow="fold")]
    bounds = [0, *_divide_line(plain, width, fold=True), len(plain)]
    lines = []
    for start, end in pairwise(bounds):
        line = plain[start:end]
        if len(line) > width and (space := _TRAILING_SPACE.search(line)):
            line = line[: len(line) - min(len(space.group()), len(line) - width)]
        length = cell_len(line)
        if length > width:
            line = set_cell_size(line, width)
        elif length < width:
            line += " " * (width - length)
        lines.append(line)
    return lines


def column_widths(columns: Iterable[list[Text]], room: int) -> list[int] | None:
    """Each column's width with its padding, as rich's Table sizes a table that does not expand:
    a column as wide as its widest line (at most the room there is), a table too wide narrowed by
    taking from the widest columns first, then from all evenly. None for a terminal too narrow for
    the columns (rich's Table then sizes and draws them)."""
    columns = list(columns)
    room -= len(columns) + 1  # the borders
    if room < 3 * len(columns):
        return None
    widths = []
    for cells in columns:
        longest = 0
        for cell in cells:
            for line in cell.plain.splitlines():
                longest = max(longest, cell_len(line))
        widths.append(min(longest + 2 * PADDING, room))
    excess, rounds = sum(widths) - room, 0
    while excess > 0:  # the widest columns narrowed to the next widest, and so on
        rounds += 1
        if rounds > 1000:  # (each round narrows: never)
            return None
        widest = max(widths)
        next_widest = max((w for w in widths if w != widest), default=0)
        ratios = [1 if w == widest else 0 for w in widths]
        widths = _ratio_reduce(excess, ratios, [min(excess, widest - next_widest)] * len(widths), widths)
        excess = sum(widths) - room
    if min(widths) < 3:
        return None
    return widths


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """`values` less `total` in all, shared by `ratios`, each at most its maximum (rich's sum)."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining, result = total, []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result
