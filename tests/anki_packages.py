"""Genuine Anki packages for the tests, written by Anki's own library (the `anki` package, a test
dependency) in every form a student may hold:

  * `apkg`          a deck as Anki exports it today: `meta` version 3, `collection.anki21b` (zstd),
                    the stub `collection.anki2`, the media map as zstd protobuf;
  * `apkg-legacy`   "Support older Anki versions": `meta` version 2, `collection.anki21`, JSON media;
  * `colpkg`        a whole collection, today's form;
  * `colpkg-legacy` a whole collection for older Anki;
  * `apkg-anki2`    the collection downgraded by Anki to schema 11 and packaged the way Anki before
                    2.1.50 did (and genanki does): `collection.anki2`, JSON media map, no `meta`.

`write_packages(notes, folder)` adds the notes in order (so their ids rise in that order), with any
media files they name, and returns the packages by form.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

FORMS = ("apkg", "apkg-legacy", "colpkg", "colpkg-legacy", "apkg-anki2")
FACT_TYPE = "AWS fact"  # a note type of three fields, as students make them
EXAM_TYPE = "Exam question"  # a practice-exam note type: Question, Options, Explanation


@dataclass
class Note:
    note_type: str  # "Basic", "Basic (and reversed card)", "Cloze", or FACT_TYPE
    fields: list[str]
    tags: list[str] = field(default_factory=list)
    deck: str = "Default"


def write_packages(notes: list[Note], folder: Path, media: dict[str, bytes] | None = None) -> dict[str, Path]:
    from anki.collection import Collection, ExportAnkiPackageOptions

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "collection.anki2"
    col = Collection(str(path))
    _add_fact_type(col)
    _add_type(col, EXAM_TYPE, ("Question", "Options", "Explanation"))
    for name, data in (media or {}).items():
        src = folder / name
        src.write_bytes(data)
        col.media.add_file(str(src))
    for spec in notes:
        note = col.new_note(col.models.by_name(spec.note_type))
        for i, value in enumerate(spec.fields):
            note.fields[i] = value
        note.tags = list(spec.tags)
        col.add_note(note, col.decks.id(spec.deck))
    out: dict[str, Path] = {}
    for form, legacy in (("apkg", False), ("apkg-legacy", True)):
        out[form] = folder / f"deck-{form}.apkg"
        options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True,
                                           legacy=legacy)
        col.export_anki_package(out_path=str(out[form]), options=options, limit=None)
    for form, legacy in (("colpkg", False), ("colpkg-legacy", True)):
        out[form] = folder / f"collection-{form}.colpkg"
        col.export_collection_package(str(out[form]), include_media=True, legacy=legacy)
        col = Collection(str(path))  # exporting a collection package closes it
    media_names = sorted(os.listdir(folder / "collection.media")) if media else []
    col.close(downgrade=True)  # schema 11, as Anki before 2.1.50 wrote it
    out["apkg-anki2"] = folder / "deck-anki2.apkg"
    with zipfile.ZipFile(out["apkg-anki2"], "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, "collection.anki2")
        for i, name in enumerate(media_names):
            zf.write(folder / "collection.media" / name, str(i))
        zf.writestr("media", json.dumps({str(i): name for i, name in enumerate(media_names)}))
    return out


def _add_fact_type(col) -> None:  # noqa: ANN001 - anki.collection.Collection, imported lazily
    _add_type(col, FACT_TYPE, ("Front", "Back", "Extra"))


def _add_type(col, name: str, fields: tuple[str, ...]) -> None:  # noqa: ANN001 - as above
    mm = col.models
    model = mm.new(name)
    for field_name in fields:
        mm.add_field(model, mm.new_field(field_name))
    template = mm.new_template("Card 1")
    template["qfmt"] = "{{" + fields[0] + "}}"
    template["afmt"] = "{{FrontSide}}<hr id=answer>" + "<br>".join("{{" + f + "}}" for f in fields[1:])
    mm.add_template(model, template)
    mm.add(model)
