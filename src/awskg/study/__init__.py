"""Study mode: quizzes generated from the graph, and flags on limits AWS has changed since.

    from awskg.study import make_quiz, stale_flags, anki_deck
    questions = make_quiz(kg, "sqs", n=10, seed=1)   # Question records, answers from the graph
    flags = stale_flags(kg.limits())                 # limit id -> StaleFlag (notes vs AWS today)
    data = anki_deck(questions)                      # an .apkg of the questions

`quiz` makes the questions and scores answers, `stale` matches limits to the shipped reference of
current AWS quotas, `terminal` asks a quiz in a terminal, `deck` writes one for Anki.
"""

from .deck import anki_deck
from .quiz import Question, make_quiz, score_by_service
from .stale import StaleFlag, reference_rows, stale_flags
from .terminal import run_terminal_quiz

__all__ = [
    "Question",
    "StaleFlag",
    "anki_deck",
    "make_quiz",
    "reference_rows",
    "run_terminal_quiz",
    "score_by_service",
    "stale_flags",
]
