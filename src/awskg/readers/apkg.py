"""Anki packages, `.apkg` (a deck) and `.colpkg` (a whole collection): the notes of Anki's own
SQLite collection, one Card per note.

A package is a zip. Its `meta` entry (a protobuf `PackageMetadata`, written since Anki 2.1.50) says
which collection it holds: version 1 `collection.anki2`, 2 `collection.anki21`, 3
`collection.anki21b` (the SQLite file compressed with zstd). Packages without it (older Anki,
genanki, awskg's own export) hold `collection.anki21` or `collection.anki2`, the newer preferred.
Packages written since 2.1.50 also carry a stub `collection.anki2` whose one note asks to update
Anki; it is never read when the newer collection is there. The numbered media files and the `media`
map (JSON, or zstd-compressed protobuf in version 3) are not read: images and sounds are not notes,
and an `<img>` or `[sound:...]` in a field is dropped from its text.

Collections of schema 11 keep note types and decks as JSON in the `col` row; schema 18 (every
`.anki21b`) has `notetypes`, `fields` and `decks` tables, deck names split by `\\x1f`. Both are read
with the standard library's sqlite3, read-only, from a temporary copy that is removed afterwards.

A package has no lines, so awskg numbers them: line 1 is the first line of the first note's first
field, notes in the order of their ids (the time each was created), fields in their note type's
order, each line of a field in turn (Anki breaks lines with `<br>` inside one line, so a field is
nearly always one line); empty fields take no line. Each card records its note id, note type, deck
and the lines of each field (`fields`: [first line, last line, field name]), so a source line can
always be named as a note and field (`KnowledgeGraph.line_origin`) and shown.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO

from ..errors import InputError
from ..model import Card
from .anki import Field, note_card

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
# A collection bigger than this is not a study deck; refuse it rather than fill the disk (a zip or
# zstd bomb would otherwise expand without end).
MAX_COLLECTION_BYTES = 2 * 1024**3
_CHUNK = 1 << 20


def is_zip(data: bytes) -> bool:
    return data[:4] in ZIP_MAGIC


def is_anki_package(data: bytes) -> bool:
    """A zip holding an Anki collection, or a damaged zip (which `read_package` names as such)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            return any(n in COLLECTIONS.values() for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return True


@dataclass
class _Note:
    id: int
    note_type: str
    field_names: list[str]
    fields: list[str]
    tags: list[str]
    deck: str


def read_package(data: bytes, file: str, stem: str) -> list[Card]:
    """The Cards of an Anki package's notes; a package that cannot be read is an InputError."""
    with tempfile.TemporaryDirectory(prefix="awskg-apkg-") as tmp:
        db = Path(tmp) / "collection.sqlite"
        _extract_collection(data, file, db)
        notes = _read_notes(db, file)
    return _cards(notes, file, stem)


# --------------------------------------------------------------------------- the zip


def _extract_collection(data: bytes, file: str, dest: Path) -> None:
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputError(f"{file}: is not a readable Anki package (a damaged zip archive)") from err
    with zf:
        names = set(zf.namelist())
        version = _meta_version(zf, file) if "meta" in names else None
        if version is not None:
            if version not in COLLECTIONS:
                raise InputError(f"{file}: is an Anki package of a newer format (version {version}) "
                                 "than awskg reads; export it again with 'Support older Anki versions'")
            entry = COLLECTIONS[version]
            if entry not in names:
                raise InputError(f"{file}: is a damaged Anki package (its meta names {entry}, "
                                 "which it does not hold)")
        else:
            entry = next((COLLECTIONS[v] for v in (3, 2, 1) if COLLECTIONS[v] in names), "")
            if not entry:
                raise InputError(f"{file}: is a zip archive but not an Anki package (no collection.anki2, "
                                 "collection.anki21 or collection.anki21b in it; a zipped Obsidian vault: "
                                 "unzip it and build the folder)")
        info = zf.getinfo(entry)
        if info.file_size > MAX_COLLECTION_BYTES:
            raise InputError(f"{file}: its collection is {info.file_size // 1024**2} MB; awskg reads up to "
                             f"{MAX_COLLECTION_BYTES // 1024**2} MB")
        try:
            with zf.open(info) as src, open(dest, "wb") as out:
                if entry.endswith("b"):
                    _unzstd(src, out, file)
                else:
                    _copy(src, out, file)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as err:
            # BadZipFile: a bad CRC; zlib.error: a damaged deflate stream.
            raise InputError(f"{file}: is a damaged Anki package ({entry} cannot be unpacked)") from err


def _meta_version(zf: zipfile.ZipFile, file: str) -> int | None:
    """Field 1 (a varint) of the protobuf `PackageMetadata` in the `meta` entry."""
    try:
        raw = zf.read("meta")
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputError(f"{file}: is a damaged Anki package (its meta entry cannot be read)") from err
    pos = 0
    while pos < len(raw):
        key, pos = _varint(raw, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(raw, pos)
            if field == 1:
                return value
        elif wire == 2:
            size, pos = _varint(raw, pos)
            pos += size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            break
    return None


def _varint(raw: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(raw) and shift < 64:
        byte = raw[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    return value, len(raw) + 1  # ran off the end: stops the caller's loop


def _copy(src: IO[bytes], out: IO[bytes], file: str) -> None:
    written = 0
    while chunk := src.read(_CHUNK):
        written += len(chunk)
        if written > MAX_COLLECTION_BYTES:
            raise InputError(f"{file}: its collection is larger than {MAX_COLLECTION_BYTES // 1024**2} MB")
        out.write(chunk)


def _unzstd(src: IO[bytes], out: IO[bytes], file: str) -> None:
    """Decompress a zstd stream. Anki writes frames without a content size, so it is streamed, and
    stopped at MAX_COLLECTION_BYTES."""
    import zstandard

    try:
        with zstandard.ZstdDecompressor().stream_reader(src) as reader:
            _copy(reader, out, file)
    except zstandard.ZstdError as err:
        raise InputError(f"{file}: is a damaged Anki package (its collection is not valid zstd)") from err


# --------------------------------------------------------------------------- the collection


def _read_notes(db: Path, file: str) -> list[_Note]:
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as err:
        raise InputError(f"{file}: is a damaged Anki package (its collection cannot be opened)") from err
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "notes" not in tables or "cards" not in tables:
            raise InputError(f"{file}: is a damaged Anki package (its collection has no notes table)")
        note_types, decks = _schema18(conn) if "notetypes" in tables else _schema11(conn, file)
        note_decks: dict[int, int] = {}
        for nid, did in conn.execute(
            "SELECT nid, CASE WHEN odid != 0 THEN odid ELSE did END FROM cards ORDER BY nid, ord"
        ):
            note_decks.setdefault(nid, did)
        notes = []
        for nid, mid, tags, flds in conn.execute("SELECT id, mid, tags, flds FROM notes ORDER BY id"):
            name, field_names = note_types.get(mid, ("", []))
            notes.append(_Note(int(nid), name, field_names, str(flds or "").split("\x1f"),
                               str(tags or "").split(), decks.get(note_decks.get(nid, 0), "")))
        return notes
    except sqlite3.Error as err:
        raise InputError(f"{file}: is a damaged Anki package (its collection is not a readable "
                         "Anki database)") from err
    finally:
        conn.close()


NoteTypes = dict[int, tuple[str, list[str]]]


def _schema18(conn: sqlite3.Connection) -> tuple[NoteTypes, dict[int, str]]:
    types: NoteTypes = {int(i): (str(n), []) for i, n in conn.execute("SELECT id, name FROM notetypes")}
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        if ntid in types:
            types[ntid][1].append(str(name))
    # Deck names store their `::` levels as \x1f.
    decks = {int(i): str(n).replace("\x1f", "::") for i, n in conn.execute("SELECT id, name FROM decks")}
    return types, decks


def _schema11(conn: sqlite3.Connection, file: str) -> tuple[NoteTypes, dict[int, str]]:
    row = conn.execute("SELECT models, decks FROM col").fetchone()
    try:
        models = json.loads(row[0]) if row and row[0] else {}
        deck_data = json.loads(row[1]) if row and row[1] else {}
    except (ValueError, TypeError) as err:
        raise InputError(f"{file}: is a damaged Anki package (its note types are not valid JSON)") from err
    types: NoteTypes = {}
    for mid, model in (models.items() if isinstance(models, dict) else []):
        if not isinstance(model, dict):
            continue
        flds = [f for f in model.get("flds", []) if isinstance(f, dict)]
        names = [str(f.get("name", "")) for f in sorted(flds, key=lambda f: _int(f.get("ord", 0)))]
        types[_int(mid)] = (str(model.get("name", "")), names)
    decks = {_int(did): str(d.get("name", "")) for did, d in (deck_data.items() if isinstance(deck_data, dict)
                                                              else []) if isinstance(d, dict)}
    return types, decks


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


# --------------------------------------------------------------------------- notes to cards


def _cards(notes: list[_Note], file: str, stem: str) -> list[Card]:
    cards: list[Card] = []
    line = 1
    for note in notes:
        fields: list[Field] = []
        spans: list[list[int | str]] = []
        for i, raw in enumerate(note.fields):
            name = note.field_names[i] if i < len(note.field_names) else f"field {i + 1}"
            fields.append(Field(raw, line, name))
            if raw.strip():
                height = raw.count("\n") + 1
                spans.append([line, line + height - 1, name])
                line += height
        card = note_card(fields, tags=note.tags, deck=note.deck or None, is_html=True, file=file, stem=stem,
                         number=len(cards) + 1, fmt="apkg")
        if card is None:
            continue
        card.attrs = {"note_id": note.id, "note_type": note.note_type, "deck": note.deck, "fields": spans}
        cards.append(card)
    return cards

