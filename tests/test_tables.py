"""The CLI's tables (awskg.tables) print what rich's Table prints, byte for byte, colours included."""

from __future__ import annotations

import io
import random

import pytest
from rich.console import Console
from rich.text import Text

from awskg.tables import Table, column_widths, text

WORDS = [
    "max", "message", "size", "256", "KB", "SQS", "visibility", "timeout", "12", "hours", "a",
    "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html", "–", "(conflict)",
    "数据库", "表格", "café", "e\u0301", "🙂", "x" * 70, "  ", "[red]", ":fire:", "1,000", "/tmp",
]


def _cell(rng: random.Random) -> Text:
    kind = rng.random()
    if kind < 0.1:
        return text("")
    words = [rng.choice(WORDS) for _ in range(rng.choice([1, 1, 2, 3, 8, 30]))]
    cell = text((" " if rng.random() < 0.1 else "") + " ".join(words) + (" " if rng.random() < 0.1 else ""))
    if kind > 0.85:  # a value with its flag, as the limits table has it
        cell.append(" ")
        cell.append(rng.choice(["(conflict)", "(unsure: a range)", "⚠ AWS since 2024: 1 MB"]),
                    style=rng.choice(["yellow", "red"]))
    return cell


def _tables(seed: int) -> list[Table]:
    rng = random.Random(seed)
    out = []
    for _ in range(6):
        headers = rng.choice([("service", "feature", "subject", "value", "kind", "line"),
                              ("subject", "value", "unit", "kind", "line"), ("what", "count")])
        table = Table(*headers, title=rng.choice([None, "limits", "Limits of sqs", "a title " * 12]),
                      show_lines=rng.random() < 0.5, justify={"count": "right"})
        for _ in range(rng.choice([0, 1, 3, 12])):
            table.add_row(*(_cell(rng) for _ in headers))
        out.append(table)
    return out


def _printed(renderable, width: int, colour: bool) -> str:
    console = Console(file=io.StringIO(), width=width, force_terminal=colour,
                      color_system="truecolor" if colour else None, highlight=False, soft_wrap=False,
                      emoji=False)
    console.print(renderable)
    return console.file.getvalue()


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("width", [12, 30, 47, 60, 80, 120, 200])
@pytest.mark.parametrize("colour", [False, True])
def test_a_table_prints_as_rich_prints_it(seed, width, colour):
    for table in _tables(seed):
        assert _printed(table, width, colour) == _printed(table.rich_table(), width, colour)


def test_narrow_terminals_are_left_to_rich():
    table = Table("service", "feature", "subject", "value", "kind", "line")
    table.add_row(*(text("x") for _ in range(6)))
    assert column_widths([[cell] for cell in table.headers], 20) is None
    assert _printed(table, 20, False) == _printed(table.rich_table(), 20, False)


def test_note_text_prints_as_typed():
    table = Table("line")
    table.add_row(text("[bold red]message[/] :fire: size\x1b[2J"))
    out = _printed(table, 80, False)
    assert "[bold red]message[/] :fire: size\\x1b[2J" in out


def test_a_row_must_fill_the_columns():
    with pytest.raises(ValueError):
        Table("a", "b").add_row(text("x"))
