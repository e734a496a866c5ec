"""Readers turn a notes file into Cards. One module per format; this one finds the files and tells
the formats apart by their content (the extension is only a tie-breaker)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError
from ..model import Card
from .text import display_path, read_text

NOTE_SUFFIXES = {".txt", ".md", ".markdown", ".csv", ".tsv", ".anki", ".text", ".notes"}
FORMATS = ("flashcards", "markdown", "anki", "csv")


def note_files(paths: Iterable[str | Path]) -> list[Path]:
    """The notes files named by `paths` (files as given; folders searched for note-like files),
    sorted within each folder so a build does not depend on directory order."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{raw}: no such file or folder")
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in NOTE_SUFFIXES and not any(
                    part.startswith(".") for part in f.relative_to(p).parts)
            )
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
    Markdown headings, or flashcard fronts; the extension breaks ties."""
    from . import anki, markdown
    from .flashcards import looks_like_flashcards

    if anki.looks_like_anki(text):
        return "anki"
    if markdown.looks_like_markdown(text):
        return "markdown"
    if anki.looks_like_csv(text):
        return "csv"
    if looks_like_flashcards(text):
        return "flashcards"
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


def reader_for(fmt: str) -> Callable[[str, str, str], list[Card]]:
    if fmt not in FORMATS:
        raise InputError(f"unknown notes format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "flashcards":
        from .flashcards import segment

        return segment
    if fmt == "markdown":
        from .markdown import segment as md_segment

        return md_segment
    from . import anki

    return anki.segment if fmt == "anki" else anki.segment_csv


def read_cards(path: Path, fmt: str | None = None, text: str | None = None) -> tuple[str, list[Card]]:
    """(format, cards) of one notes file. A file that yields no card is an InputError."""
    name = display_path(path)
    if text is None:
        text = read_text(path)
    fmt = fmt or detect_format(text, path.suffix)
    stem = _stem(name)
    cards = reader_for(fmt)(text, name, stem)
    if not cards:
        raise InputError(f"{name}: no notes found in it (read as {fmt})")
    return fmt, cards


def _stem(name: str) -> str:
    stem = Path(name).stem.lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "notes"
