"""An Anki deck (.apkg, built with genanki): a card per limit and a card per definition.

A limit asks `SQS: max message size?` and answers `256 KB` with the note line it came from (and
AWS's current value when it has changed since); a definition asks what a feature, service or API
is. The model and deck ids are constants and each note's guid is `genanki.guid_for(entity id)`, so
importing a newer export updates the cards already in Anki instead of adding duplicates. Every
field is HTML-escaped: Anki renders fields as HTML, and note text must show as typed.
"""

from __future__ import annotations

import html
import io
import itertools
import os
import sqlite3
import tempfile
import time
import zipfile

import genanki
import networkx as nx

from ..graph import KnowledgeGraph
from ..model import Limit
from . import facts
from .facts import concept_nodes, limits_of, line_stale, note_lines, one_line, ref, sources_of

MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110
DECK_NAME = "AWS notes (awskg)"

MODEL = genanki.Model(
    MODEL_ID,
    "awskg note",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Note"}, {"name": "Source"}],
    templates=[{
        "name": "Card 1",
        "qfmt": "{{Front}}",
        "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'
                '<div class="note">{{Note}}</div><div class="source">{{Source}}</div>',
    }],
    css=".card { font-family: sans-serif; font-size: 20px; text-align: center; }\n"
        ".note { margin-top: 1em; font-size: 16px; color: #444; }\n"
        ".source { margin-top: .5em; font-size: 12px; color: #888; }\n"
        ".stale { margin-top: .5em; font-size: 14px; color: #b00; }\n",
)


def _h(text: object) -> str:
    return html.escape(one_line(text))


def _tags(*values: object) -> list[str]:
    # Anki splits tags on spaces; keep each value one tag.
    return sorted({"".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(v)) for v in values if v})


def notes(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> list[genanki.Note]:
    """The deck's notes: limits first (in source order), then definitions (by name)."""
    limits = limits_of(kg, sub)
    out = [_limit_note(lim, facts.stale_message(lim)) for lim in limits]
    for n in concept_nodes(sub):
        d = sub.nodes[n]
        if d.get("type") == "limit" or not str(d.get("definition") or "").strip():
            continue
        out.append(_definition_note(kg, n, d))
    return out


def _limit_note(lim: Limit, stale: str | None) -> genanki.Note:
    service = f"{lim.service}: " if lim.service else ""
    back = f"<b>{_h(lim.display)}</b>"
    if lim.kind not in ("max", "other"):
        back += f" <i>({_h(lim.kind)})</i>"
    if stale:
        back += f'<div class="stale">⚠ {_h(stale)}</div>'
    return genanki.Note(
        model=MODEL,
        fields=[f"{_h(service + lim.subject)}?", back, _h(lim.line_text), _h(ref(lim.source))],
        guid=genanki.guid_for(lim.id),
        tags=_tags("awskg", "limit", lim.service_id),
    )


def _definition_note(kg: KnowledgeGraph, node_id: str, d: dict) -> genanki.Note:
    kind = str(d.get("type", ""))
    name = str(d.get("name", node_id))
    service = d.get("service") if kind != "service" else None
    front = f"{service}: what is {name}?" if service else f"What is {name}?"
    lines = note_lines(kg, sources_of(d))
    service_id = d.get("service_id") or (node_id.split(":", 1)[-1] if kind == "service" else "")
    back = _h(d.get("definition"))
    marker = line_stale(kg, lines[0][0], lines[0][1]) if lines else ""
    if marker:  # the note line shown on the back states a value AWS has changed since
        back += f'<div class="stale">{_h(marker)}</div>'
    return genanki.Note(
        model=MODEL,
        fields=[
            _h(front),
            back,
            _h(lines[0][1]) if lines else "",
            _h(ref(lines[0][0])) if lines else "",
        ],
        guid=genanki.guid_for(node_id),
        tags=_tags("awskg", kind, service_id),
    )


def apkg(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> bytes:
    """The .apkg bytes: a zip holding Anki's SQLite collection (`collection.anki2`)."""
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    for note in notes(kg, sub):
        deck.add_note(note)
    package = genanki.Package(deck)
    # Package.write_to_file leaves its temporary database behind in /tmp; write the database in a
    # folder that is removed afterwards, and zip it the way write_to_file does.
    with tempfile.TemporaryDirectory(prefix="awskg-anki-") as tmp:
        db_path = os.path.join(tmp, "collection.anki2")
        conn = sqlite3.connect(db_path)
        # A scratch database that is zipped and deleted: waiting for the disk buys nothing.
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA journal_mode = MEMORY")
        try:
            timestamp = time.time()
            package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(db_path, "collection.anki2")
            zf.writestr("media", "{}")
    return buf.getvalue()
