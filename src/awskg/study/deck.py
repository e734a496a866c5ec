"""An Anki deck (.apkg) of quiz questions: front the question and its choices, back the answer, the
note line behind it and, for a limit AWS has since changed, the outdated flag.

Model and deck ids are fixed and each note's guid comes from the question id, so importing a new
deck over an old one updates the same cards instead of adding copies.
"""

from __future__ import annotations

import html
import io
import re

import genanki

from .quiz import LETTERS, Question

MODEL_ID = 1_720_412_001
DECK_ID = 1_720_412_002
DECK_NAME = "awskg quiz"

_CSS = """
.card { font-family: sans-serif; font-size: 18px; text-align: left; }
ol.choices { list-style-type: upper-alpha; }
.note { color: #555; font-size: 15px; margin-top: 8px; }
.source { color: #888; font-size: 13px; }
.stale { color: #a60; font-size: 15px; margin-top: 8px; }
"""

MODEL = genanki.Model(
    MODEL_ID,
    "awskg quiz question",
    fields=[{"name": "Question"}, {"name": "Choices"}, {"name": "Answer"}, {"name": "Note"},
            {"name": "Source"}, {"name": "Outdated"}],
    templates=[{
        "name": "Question",
        "qfmt": "{{Question}}<br>{{Choices}}",
        "afmt": "{{FrontSide}}<hr id=answer><b>{{Answer}}</b>"
                "<div class=note>{{Note}}</div><div class=source>{{Source}}</div>"
                "{{#Outdated}}<div class=stale>⚠ {{Outdated}}</div>{{/Outdated}}",
    }],
    css=_CSS,
)


def anki_deck(questions: list[Question], name: str = DECK_NAME) -> bytes:
    """The questions as an .apkg file's bytes (write them with graph.atomic_write)."""
    deck = genanki.Deck(DECK_ID, name)
    for q in questions:
        deck.add_note(question_note(q))
    buf = io.BytesIO()
    genanki.Package(deck).write_to_file(buf)
    return buf.getvalue()


def question_note(q: Question) -> genanki.Note:
    """One question as an Anki note; every field is HTML-escaped (note text is not markup)."""
    choices = "".join(f"<li>{html.escape(c)}</li>" for c in q.choices)
    return genanki.Note(
        model=MODEL,
        fields=[
            html.escape(q.prompt),
            f"<ol class=choices>{choices}</ol>",
            html.escape(f"{LETTERS[q.answer_index]}) {q.answer}"),
            html.escape(q.explanation),
            html.escape(f"{q.source.get('file', '')}:{q.source.get('line', '')}"),
            html.escape(q.stale or ""),
        ],
        guid=genanki.guid_for(q.id),
        tags=_tags(q),
    )


def _tags(q: Question) -> list[str]:
    # Anki tags are space-separated words: "Step Functions" becomes step-functions.
    tags = ["awskg", f"awskg::{q.kind}"]
    if q.service:
        tags.append(re.sub(r"[^A-Za-z0-9_:-]+", "-", q.service))
    if q.stale:
        tags.append("awskg::outdated")
    return tags
