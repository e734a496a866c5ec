"""Study mode: quizzes generated from the graph, and flags on limits AWS has changed since.

    from awskg.study import make_quiz, stale_flags, anki_deck
    questions = make_quiz(kg, "sqs", n=10, seed=1)   # Question records, answers from the graph
    flags = stale_flags(kg.limits())                 # limit id -> StaleFlag (notes vs AWS today)
    report = coverage_report(kg, "DVA-C02")          # exam guide's services: covered, thin, missing
    data = anki_deck(questions)                      # an .apkg of the questions

`quiz` makes the questions and scores answers, `stale` matches limits to the shipped reference of
current AWS quotas, `coverage` sets the notes beside an exam guide's in-scope services, `terminal`
asks a quiz in a terminal, `deck` writes one for Anki.
"""

from importlib import import_module
from typing import Any

# Each name is imported from its module on first use: `awskg limits` needs only the stale flags,
# and importing the quiz and genanki for it would cost every such command ~0.1 s.
_HOME = {
    "anki_deck": "deck",
    "CoverageReport": "coverage",
    "ExamGuide": "coverage",
    "coverage_report": "coverage",
    "exam_guide": "coverage",
    "known_exams": "coverage",
    "Question": "quiz",
    "make_quiz": "quiz",
    "score_by_service": "quiz",
    "StaleFlag": "stale",
    "reference_rows": "reference",
    "stale_flags": "stale",
    "run_terminal_quiz": "terminal",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CoverageReport",
    "ExamGuide",
    "Question",
    "StaleFlag",
    "anki_deck",
    "coverage_report",
    "exam_guide",
    "known_exams",
    "make_quiz",
    "reference_rows",
    "run_terminal_quiz",
    "score_by_service",
    "stale_flags",
]
