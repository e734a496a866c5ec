"""The quiz in a terminal: ask each question with rich, keep score per service, sum up at the end.

With `show_answers` (or when stdin is not a terminal: a pipe, a test) nothing is asked: each question
is printed with its answer and the note line behind it, which is also how a student reviews.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ..control_chars import for_rich as escape
from .quiz import LETTERS, Question, score_by_service

QUIT_WORDS = ("q", "quit", "exit")
MAX_TRIES = 5  # an answer that is not a letter is asked again, this many times at most


def run_terminal_quiz(
    questions: list[Question], console: Console, show_answers: bool = False,
) -> dict[str, Any]:
    """Ask (or, with show_answers, print) the questions; return the score per service (empty when
    nothing was answered)."""
    if not questions:
        console.print("no questions")
        return {}
    answers: list[tuple[Question, int]] = []
    total = len(questions)
    for number, q in enumerate(questions, 1):
        _print_question(console, q, number, total)
        if show_answers:
            _print_answer(console, q)
            continue
        choice = _ask(console, q)
        if choice is None:
            console.print("[dim]quiz stopped[/]")
            break
        answers.append((q, choice))
        if q.is_correct(choice):
            console.print("[green]✓ right[/]")
        else:
            console.print(f"[red]✗ wrong[/]: {LETTERS[q.answer_index]}) {escape(q.answer)}")
        _print_note(console, q)
    if show_answers:
        console.print(f"[dim]{total} question{'s' if total != 1 else ''} with answers[/]")
        return {}
    score = score_by_service(answers)
    if score:
        _print_summary(console, score)
    return score


def _print_question(console: Console, q: Question, number: int, total: int) -> None:
    about = f" · {escape(q.service_name)}" if q.service_name else ""
    console.print(f"\n[bold]{number}/{total}[/] [dim]{q.kind}{about}[/]")
    console.print(escape(q.prompt))
    for i, choice in enumerate(q.choices):
        console.print(f"  {LETTERS[i]}) {escape(choice)}")


def _print_answer(console: Console, q: Question) -> None:
    console.print(f"  [bold]answer:[/] {LETTERS[q.answer_index]}) {escape(q.answer)}")
    _print_note(console, q)


def _print_note(console: Console, q: Question) -> None:
    where = f"{q.source.get('file', '')}:{q.source.get('line', '')}"
    console.print(f"  [dim]notes {escape(where)}:[/] {escape(q.explanation[:240])}")
    if q.stale:
        console.print(f"  [yellow]⚠ outdated:[/] {escape(q.stale)}")


def _ask(console: Console, q: Question) -> int | None:
    letters = LETTERS[: len(q.choices)]
    for _ in range(MAX_TRIES):
        try:
            text = console.input(f"your answer ({'/'.join(letters)}, q to stop): ").strip()
        except EOFError:
            return None
        if text.lower() in QUIT_WORDS:
            return None
        if len(text) == 1 and text.upper() in letters:
            return letters.index(text.upper())
        if text.isdigit() and 1 <= int(text) <= len(q.choices):
            return int(text) - 1
        console.print(f"[dim]answer with one of {', '.join(letters)}[/]")
    return None


def _print_summary(console: Console, score: dict[str, dict[str, Any]]) -> None:
    table = Table(title="score", show_header=True)
    table.add_column("service")
    table.add_column("right", justify="right")
    table.add_column("%", justify="right")
    asked = right = 0
    for service, row in score.items():
        table.add_row(escape(service), f"{row['correct']}/{row['asked']}", f"{row['percent']:g}")
        asked += row["asked"]
        right += row["correct"]
    percent = round(100.0 * right / asked, 1) if asked else 0.0
    table.add_row("[bold]all[/]", f"{right}/{asked}", f"{percent:g}")
    console.print(table)
