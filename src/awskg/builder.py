"""`awskg.build(paths)`: notes files and folders in, one KnowledgeGraph out.

Each file is read by the reader its content calls for, its cards are extracted into Facts, and the
facts of every file are merged: one node per entity with the sources of every file, one limit per
(service, subject, value) with every line that states it, conflicting values flagged.

Facts are cached per file, keyed by the file's bytes, its format and the version of the
vocabulary and code that read it, so rebuilding a folder where one file changed re-parses only that
file. `kg.build_report` says which files were parsed and which came from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import __version__
from .errors import InputError
from .extract import FACTS_VERSION, Facts, assemble_facts, link_parts, link_types, mark_conflicts, merge_typos
from .graph import KnowledgeGraph, atomic_write, paused_gc
from .readers import note_files, read_cards
from .readers.text import decode, display_path

Progress = Callable[[str, int, int], None]  # (file, cards done, cards in file)


@dataclass
class BuildReport:
    files: list[str] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    cards: int = 0


def default_cache_dir() -> Path:
    env = os.environ.get("AWSKG_CACHE")
    return Path(env) if env else Path(".awskg-cache")


def build(
    paths: Iterable[str | Path] | str | Path,
    *,
    fmt: str | None = None,
    progress: Progress | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
) -> KnowledgeGraph:
    """Build the graph of the notes at `paths` (files and/or folders)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = note_files(list(paths))
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    report = BuildReport()
    kg = KnowledgeGraph()
    file_rows = []
    extractor = None
    for path in files:
        name = display_path(path)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise InputError(f"{name}: cannot be read ({err.strerror or err})") from err
        text = decode(data, name)
        digest = hashlib.sha256(data).hexdigest()
        key = _cache_key(digest, name, fmt)
        facts = _cache_get(cache, key) if use_cache else None
        if facts is None:
            file_fmt, cards = read_cards(path, fmt, text=text)
            if extractor is None:
                from .extract import Extractor

                extractor = Extractor()
            total = len(cards)
            done = 0

            def tick(n: int, _name: str = name, _total: int = total) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(_name, done, _total)

            # Extraction makes objects by the million and frees few: the cyclic collector would
            # walk them over and over (as in loading, see graph.paused_gc).
            with paused_gc():
                facts = extractor.extract_cards(cards, progress=tick)
            facts_card_count = total
            if use_cache:
                _cache_put(cache, key, facts, file_fmt, facts_card_count)
            report.parsed.append(name)
        else:
            file_fmt, facts_card_count = facts.file_format, facts.card_count  # type: ignore[attr-defined]
            report.cached.append(name)
            if progress:
                progress(name, facts_card_count, facts_card_count)
        with paused_gc():
            assemble_facts(kg, facts)
        report.files.append(name)
        report.cards += facts_card_count
        file_rows.append({"file": name, "format": file_fmt, "sha256": digest, "cards": facts_card_count})
    merge_typos(kg)
    link_types(kg)
    link_parts(kg)
    mark_conflicts(kg)
    kg.graph.graph["files"] = file_rows
    kg.graph.graph["generator"] = f"awskg {__version__}"
    kg.build_report = report  # type: ignore[attr-defined]
    return kg


def _vocabulary_digest() -> str:
    h = hashlib.sha256()
    data_dir = resources.files("awskg").joinpath("data")
    for entry in sorted(data_dir.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    return h.hexdigest()[:16]


def _code_digest() -> str:
    h = hashlib.sha256()
    pkg = resources.files("awskg")
    for rel in ("extract.py", "quantities.py", "pipeline.py", "model.py", "graph.py"):
        h.update(pkg.joinpath(rel).read_bytes())
    readers = pkg.joinpath("readers")
    for entry in sorted(readers.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".py"):
            h.update(entry.read_bytes())
    return h.hexdigest()[:16]


def _cache_key(digest: str, name: str, fmt: str | None) -> str:
    raw = f"{FACTS_VERSION}|{__version__}|{_vocabulary_digest()}|{_code_digest()}|{digest}|{name}|{fmt or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _cache_get(cache: Path, key: str) -> Facts | None:
    path = cache / f"{key}.json"
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        facts = Facts.from_dict(data["facts"])
        facts.file_format = data["format"]  # type: ignore[attr-defined]
        facts.card_count = int(data["cards"])  # type: ignore[attr-defined]
        return facts
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no entry, or a damaged one: parse again


def _cache_put(cache: Path, key: str, facts: Facts, fmt: str, cards: int) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"format": fmt, "cards": cards, "facts": facts.to_dict()}, ensure_ascii=False)
        atomic_write(cache / f"{key}.json", payload)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs the next build time
        pass
