"""Readers turn a notes file into Cards. One module per format; this one finds the files and tells
the formats apart by their content (the extension is only a tie-breaker).

Text formats: flashcards, markdown, anki (Anki's "Notes in Plain Text"), csv, termdef (Quizlet's
export) and obsidian (a Markdown note in an Obsidian vault). Anki packages (`.apkg`, `.colpkg`) are
zip archives and are told apart by their bytes: `apkg`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError
from ..model import Card
from .text import decode, display_path, read_bytes

NOTE_SUFFIXES = {".txt", ".md", ".markdown", ".csv", ".tsv", ".anki", ".text", ".notes", ".apkg", ".colpkg",
                 ".org"}
FORMATS = ("flashcards", "markdown", "anki", "csv", "termdef", "obsidian", "org")
PACKAGE = "apkg"
ALL_FORMATS = (*FORMATS, PACKAGE)


def note_files(paths: Iterable[str | Path]) -> list[Path]:
    """The notes files named by `paths` (files as given; folders searched for note-like files),
    sorted within each folder so a build does not depend on directory order. A folder holding
    `.obsidian/` is a vault: its Markdown notes are its notes, its attachments are left alone."""
    from . import obsidian

    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{raw}: no such file or folder")
        if p.is_dir():
            vault = obsidian.is_vault(p)
            suffixes = obsidian.NOTE_SUFFIXES if vault else NOTE_SUFFIXES
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in suffixes and not any(
                    part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not found and vault:
                raise InputError(f"{raw}: Obsidian vault holds no notes (no .md files outside .obsidian/)")
            if not found:
                raise InputError(f"{raw}: folder holds no notes files ({', '.join(sorted(NOTE_SUFFIXES))})")
            out.extend(found)
        elif not p.is_file():
            # Reading a pipe with no writer, or a device, would block or never end.
            raise InputError(f"{raw}: is not a regular file (a pipe, socket or device); give a notes file")
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    if not unique:
        raise InputError("no notes files given")
    return unique


def detect_format(text: str, suffix: str = "") -> str:
    """Which reader a file needs, from what it holds: Anki header lines or tab-separated notes,
    Markdown headings, a CSV header naming its columns, term-tab-definition rows, flashcard fronts,
    term-definition rows with another separator; the extension breaks ties. (An Obsidian note is
    told by its vault, not its text: see `file_format`.)"""
    from . import anki, markdown, org, termdef
    from .flashcards import looks_like_flashcards

    if anki.has_anki_header(text):
        return "anki"
    if org.looks_like_org(text, suffix):
        return "org"
    if markdown.looks_like_markdown(text):
        return "markdown"
    if anki.has_column_header(text):
        return "csv"
    if termdef.looks_like_termdef(text, weak=False):
        return "termdef"
    if anki.looks_like_anki(text):
        return "anki"
    if anki.looks_like_csv(text):
        return "csv"
    if looks_like_flashcards(text):
        return "flashcards"
    if termdef.looks_like_termdef(text):
        return "termdef"
    if _looks_like_outline(text):
        return "markdown"
    suffix = suffix.lower()
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix in (".csv", ".tsv", ".anki"):
        return "anki"
    return "flashcards"


def _looks_like_outline(text: str) -> bool:
    """Plain-text notes written as an outline (`Lambda` then `- timeout 15 min` lines): bullets make
    up a good part of the lines, so they read as Markdown lists under their lead-in lines."""
    lines = [ln for ln in text.split("\n")[:2000] if ln.strip()]
    bullets = sum(1 for ln in lines if re.match(r"\s*(?:[-*+•]|\d{1,3}[.)])\s+\S", ln))
    return bullets >= 3 and bullets >= 0.3 * len(lines)
def check_format(fmt: str | None) -> str | None:
    """`fmt` when it names a format (or is None); otherwise a one-line InputError."""
    if fmt is not None and fmt not in ALL_FORMATS:
        raise InputError(f"unknown notes format {fmt!r} (choose from {', '.join(ALL_FORMATS)})")
    return fmt


def reader_for(fmt: str) -> Callable[[str, str, str], list[Card]]:
    """The reader of a text format: (text, file name, card id stem) -> Cards."""
    if fmt not in FORMATS:
        check_format(fmt)
        raise InputError(f"{fmt} is not a text format: an Anki package is read from its bytes")
    if fmt == "flashcards":
        from .flashcards import segment

        return segment
    if fmt == "markdown":
        from .markdown import segment as md_segment

        return md_segment
    if fmt == "termdef":
        from .termdef import segment as td_segment

        return td_segment
    if fmt == "obsidian":
        from .obsidian import segment as ob_segment

        return ob_segment
    if fmt == "org":
        from .org import segment as org_segment

        return org_segment
    from . import anki

    return anki.segment if fmt == "anki" else anki.segment_csv


def is_package(data: bytes) -> bool:
    """Whether a file's bytes are a zip archive, which only an Anki package may be among notes."""
    from .apkg import is_zip

    return is_zip(data)


def file_format(path: Path, text: str, fmt: str | None = None) -> str:
    """The format of a text notes file: `fmt` when given, an Obsidian note when it is Markdown in a
    vault, else what its content says."""
    if fmt:
        return fmt
    from . import obsidian

    if obsidian.is_note(path):
        return "obsidian"
    return detect_format(text, path.suffix)


def note_text(path: Path, data: bytes, fmt: str | None = None) -> str:
    """The text of a notes file's bytes (`text.decode`'s errors), but "" for an empty note of a
    vault: vaults have them (a link's target not yet written), and they are no error."""
    from .obsidian import is_note

    if not data.strip() and fmt in (None, "obsidian") and is_note(path):
        return ""
    return decode(data, display_path(path))


def read_cards(
    path: Path,
    fmt: str | None = None,
    text: str | None = None,
    data: bytes | None = None,
    stem: str | None = None,
) -> tuple[str, list[Card]]:
    """(format, cards) of one notes file, from its `text`, its `data` (bytes), or the file itself.
    Card ids are `card:<stem>:<n>`, the stem the file's name unless given. A file that yields no
    card is an InputError, except an empty note of a vault."""
    check_format(fmt)
    name = display_path(path)
    if text is None:
        if data is None:
            data = read_bytes(path)
        if is_package(data) or fmt == PACKAGE:
            from .apkg import read_package

            if not is_package(data):
                raise InputError(f"{name}: is not an Anki package (not a zip archive)")
            cards = read_package(data, name, stem or default_stem(path, PACKAGE))
            if not cards:
                raise InputError(f"{name}: Anki package holds no notes")
            return PACKAGE, cards
        text = note_text(path, data, fmt)
    if fmt == PACKAGE:
        raise InputError(f"{name}: is not an Anki package (not a zip archive)")
    asked = fmt
    fmt = file_format(path, text, fmt)
    stem = stem or default_stem(path, fmt)
    cards = reader_for(fmt)(text, name, stem)
    if asked is None and fmt not in ("markdown", "obsidian", "org") and _covered(cards) < 0.5 * _filled(text):
        # What the text looked like read little of it (a plain-text cheat sheet, or text copied
        # out of a PDF with one line that looks like a flashcard front, is no flashcard deck): its
        # lines are read as Markdown reads plain lines, under the headings it has, when that
        # reads more of them.
        plain = reader_for("markdown")(text, name, stem)
        if _covered(plain) > _covered(cards):
            cards, fmt = plain, "markdown"
    if not cards and fmt != "obsidian":
        raise InputError(f"{name}: no notes found in it (read as {fmt})")
    return fmt, cards


def _covered(cards: list[Card]) -> int:
    """How many lines of a file its cards read (fronts and answers)."""
    return sum(len(c.front_lines) + len(c.lines) for c in cards)


def _filled(text: str) -> int:
    return sum(1 for line in text.split("\n") if line.strip())


def card_stem(path: Path, whole_path: bool = False) -> str:
    """The stem of a file's card ids: its name (`card:aws-notes:3`), or with `whole_path` its path
    without the suffix, for files that share a name."""
    rel = path.with_suffix("").as_posix() if whole_path else path.stem
    return re.sub(r"[^a-z0-9]+", "-", rel.lower()).strip("-") or "notes"


def default_stem(path: Path, fmt: str | None = None) -> str:
    """The stem of a file's card ids: its name's, or for a note of a vault its path in the vault
    (a vault often has notes of one name in several folders)."""
    from .obsidian import is_note, vault_root

    root = vault_root(path) if fmt == "obsidian" or (fmt is None and is_note(path)) else None
    if root is not None:
        try:
            return card_stem(Path(path).resolve().relative_to(root), whole_path=True)
        except ValueError:
            pass
    return card_stem(Path(display_path(path)))
