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
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from . import __version__
from .conflicts import mark_conflicts
from .errors import InputError
from .extract import (
    FACTS_VERSION,
    Facts,
    assemble_facts,
    link_parts,
    link_types,
    merge_equal_limits,
    merge_typos,
)
from .graph import KnowledgeGraph, atomic_write, paused_gc
from .links import link_notes
from .model import Card
from .readers import (
    ALL_FORMATS,
    card_stem,
    check_format,
    default_stem,
    is_package,
    note_files,
    note_text,
    read_cards,
)
from .readers.text import display_path

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


# Below this many bytes to parse, a second process costs more than it saves: each worker loads
# spaCy and builds the pipeline (~1.5 s) before its first card.
PARALLEL_MIN_BYTES = 256 * 1024
# A notes file is read whole, and text costs about 36 bytes of memory a byte to build (50 MB: 1.8 GB
# peak): past these it is refused with its size, not read. An Anki package may hold media.
MAX_NOTES_BYTES = 128 * 2**20
MAX_PACKAGE_BYTES = 1024 * 2**20


@dataclass
class _File:
    path: Path
    name: str
    digest: str
    key: str
    text: str
    cached: bool  # the cache holds an entry for it (read when its turn comes: one file's facts at a time)
    data: bytes | None = None  # an Anki package's bytes (it has no text)
    stem: str | None = None  # card ids' stem when another file of the build has the same name

    @property
    def size(self) -> int:
        """What there is to parse: the text, or a package's bytes."""
        return len(self.data) if self.data is not None else len(self.text)


def build(
    paths: Iterable[str | Path] | str | Path,
    *,
    fmt: str | None = None,
    progress: Progress | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
) -> KnowledgeGraph:
    """Build the graph of the notes at `paths` (files and/or folders).

    `jobs`: processes that parse files at once. None picks one per CPU when more than one file
    needs parsing and they hold at least PARALLEL_MIN_BYTES; 1 parses in this process. Files are
    independent and their facts are merged in file order, so the graph is the same either way."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    check_format(fmt)
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    files = note_files(list(paths))
    stems = _stems(files)
    entries = [_read(path, fmt, cache if use_cache else None, stems.get(path)) for path in files]
    report = BuildReport()
    kg = KnowledgeGraph()
    file_rows = []
    parts = _facts_in_order(entries, fmt, cache, use_cache, progress, _workers(jobs, entries))
    # The graph grows by the million objects, none of them garbage: with the cyclic collector on
    # between files, each of its full passes walked the whole graph so far (4.5 s of a 24 s build
    # at 100x the notes). Reference counting frees each file's facts once they are merged.
    with paused_gc():
        for entry, (file_fmt, card_count, facts, parsed) in zip(entries, parts, strict=True):
            if parsed:
                report.parsed.append(entry.name)
            else:
                report.cached.append(entry.name)
            assemble_facts(kg, facts)
            report.files.append(entry.name)
            report.cards += card_count
            file_rows.append(
                {"file": entry.name, "format": file_fmt, "sha256": entry.digest, "cards": card_count}
            )
        if report.cards == 0:
            raise InputError(f"{', '.join(report.files)[:200]}: no notes found (every note is empty)")
        merge_typos(kg)
        merge_equal_limits(kg)
        link_notes(kg)
        link_types(kg)
        link_parts(kg)
        mark_conflicts(kg)
    kg.graph.graph["files"] = file_rows
    kg.graph.graph["generator"] = f"awskg {__version__}"
    kg.build_report = report  # type: ignore[attr-defined]
    return kg


def _read(path: Path, fmt: str | None, cache: Path | None, stem: str | None = None) -> _File:
    name = display_path(path)
    try:
        _check_notes_size(path.stat(), name)
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{name}: cannot be read ({err.strerror or err})") from err
    if not is_package(data) and len(data) > MAX_NOTES_BYTES:
        raise InputError(f"{name}: is {_mb(len(data))}, over the {_mb(MAX_NOTES_BYTES)} awskg reads in one "
                         "notes file; split it")
    package = None
    if is_package(data) or fmt == "apkg":
        text, package = "", data  # read from its bytes (a zip that is not a package is refused then)
    else:
        text = note_text(path, data, fmt)
    digest = hashlib.sha256(data).hexdigest()
    key = _cache_key(digest, name, fmt, stem)
    return _File(path, name, digest, key, text, bool(cache) and (cache / f"{key}.json").is_file(),
                 data=package, stem=stem)


def _check_notes_size(st: os.stat_result, name: str) -> None:
    """Only a regular file is read, and none past MAX_PACKAGE_BYTES (a file changed into a pipe or
    device since it was listed, or an endless one, would block or fill memory)."""
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{name}: is not a regular file (a pipe, socket or device); give a notes file")
    if st.st_size > MAX_PACKAGE_BYTES:
        raise InputError(f"{name}: is {_mb(st.st_size)}, over the {_mb(MAX_PACKAGE_BYTES)} awskg reads "
                         "in one notes file")


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def _stems(files: list[Path]) -> dict[Path, str]:
    """Card-id stems for files whose stem another file of the build shares (`a/notes.md` and
    `b/notes.md`, `x.txt` and `x.md`, `Lambda.txt` and `lambda.TXT`): the stem of their path, then
    of their path with its suffix, then that and a hash of the path, until no two files share one.
    Other files keep their name's stem, so their ids do not depend on what else is built; each
    step depends only on the files given, so the same files get the same ids in every build."""
    stems = {f: default_stem(f) for f in files}
    for rename in (_path_stem, _suffixed_stem, _hashed_stem):
        shared = _sharing(stems)
        if not shared:
            break
        for f in shared:
            stems[f] = rename(f)
    return {f: stem for f, stem in stems.items() if stem != default_stem(f)}


def _sharing(stems: dict[Path, str]) -> list[Path]:
    by_stem: dict[str, list[Path]] = {}
    for f, stem in stems.items():
        by_stem.setdefault(stem, []).append(f)
    return [f for same in by_stem.values() if len(same) > 1 for f in same]


def _path_stem(f: Path) -> str:
    return card_stem(Path(display_path(f)), whole_path=True)


def _suffixed_stem(f: Path) -> str:
    return card_stem(Path(display_path(f) + ".x"), whole_path=True)  # `.x` goes, the suffix stays


def _hashed_stem(f: Path) -> str:
    return f"{_suffixed_stem(f)}-{hashlib.sha256(display_path(f).encode()).hexdigest()[:8]}"


def _workers(jobs: int | None, entries: list[_File]) -> int:
    todo = [e for e in entries if not e.cached]
    if jobs is not None:
        return max(1, min(jobs, len(todo)))
    if len(todo) < 2 or sum(e.size for e in todo) < PARALLEL_MIN_BYTES:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, len(todo)))


def _facts_in_order(
    entries: list[_File],
    fmt: str | None,
    cache: Path,
    use_cache: bool,
    progress: Progress | None,
    workers: int,
) -> Iterator[tuple[str, int, Facts, bool]]:
    """(format, cards, facts, parsed now?) of each file, in the files' order. Files the cache
    lacks are parsed (and cached) by `workers` processes, or here when workers is 1; a cache
    entry found damaged is parsed here."""
    cache_to = cache if use_cache else None
    results = None
    pool = None
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_worker_context(),
                                   initializer=_exit_with_parent, initargs=(os.getpid(),))
        jobs = [(e.path, e.name, e.text, fmt, cache_to, e.key, e.data, e.stem)
                for e in entries if not e.cached]
        results = pool.map(_parse_in_worker, jobs)
    try:
        for entry in entries:
            facts = _cache_get(cache, entry.key) if entry.cached else None
            if facts is not None:
                count = facts.card_count  # type: ignore[attr-defined]
                if progress:
                    progress(entry.name, count, count)
                yield facts.file_format, count, facts, False  # type: ignore[attr-defined]
            elif results is not None and not entry.cached:
                fmt_read, count, parsed = next(results)
                if progress:
                    progress(entry.name, count, count)
                yield fmt_read, count, parsed, True
            else:
                yield (*_parse(entry.path, entry.name, entry.text, fmt, cache_to, entry.key, entry.data,
                               entry.stem, progress), True)
            entry.text, entry.data = "", None  # merged: its text is no longer needed
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _worker_context() -> Any:
    """Workers forked from a fresh single-threaded server process: a caller's threads (the CLI's
    progress bar, an app's server) hold locks that a plain fork would copy held. Where there is no
    fork server (Windows), the platform's default."""
    import multiprocessing

    try:
        return multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context()


def _exit_with_parent(pid: int) -> None:
    """In a worker: end this process as soon as the build process `pid` is gone. A build killed
    (SIGKILL, the OOM killer) cannot stop its workers, and nothing else would: a worker waiting for
    work holds both ends of the pool's pipes itself, so it waits forever, and one parsing goes on to
    the end of its file. A thread watches the build process (a pidfd, else a poll every second)."""
    import threading

    threading.Thread(target=_watch, args=(pid,), name="awskg-watch-build", daemon=True).start()


def _watch(pid: int) -> None:
    import select
    import time

    try:
        fd = os.pidfd_open(pid)  # Linux 5.3+: readable once the process has ended
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    else:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except OSError:
                pass
            time.sleep(1.0)
    os._exit(1)


_extractor = None


def _parse(
    path: Path,
    name: str,
    text: str,
    fmt: str | None,
    cache_to: Path | None,
    key: str,
    data: bytes | None = None,
    stem: str | None = None,
    progress: Progress | None = None,
) -> tuple[str, int, Facts]:
    """Read and extract one file (from its `data` when it is a package), and cache its facts (under
    `key`) if `cache_to` is given."""
    global _extractor
    if data is not None:
        file_fmt, cards = read_cards(path, fmt, data=data, stem=stem)
    else:
        file_fmt, cards = read_cards(path, fmt, text=text, stem=stem)
    if _extractor is None:
        from .extract import Extractor

        _extractor = Extractor()
    total = len(cards)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(name, done, total)

    # Extraction makes objects by the million and frees few: the cyclic collector would
    # walk them over and over (as in loading, see graph.paused_gc).
    with paused_gc():
        facts = _extractor.extract_cards(cards, progress=tick)
    _keep_card_attrs(facts, cards)
    if cache_to is not None:
        _cache_put(cache_to, key, facts, file_fmt, total)
    return file_fmt, total, facts


def _keep_card_attrs(facts: Facts, cards: list[Card]) -> None:
    """What a reader says of a card beyond its lines (an Anki note's id and fields, an Obsidian
    note's title, aliases and links) goes on the card's node."""
    for card in cards:
        if card.attrs:
            facts.attrs(card.id, **card.attrs)


def _parse_in_worker(
    args: tuple[Path, str, str, str | None, Path | None, str, bytes | None, str | None],
) -> tuple[str, int, Facts]:
    # The worker writes the cache entry too: encoding it is work the merging process is spared.
    return _parse(*args)


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
    for rel in ("quantities.py", "pipeline.py", "model.py", "graph.py", "builder.py"):
        h.update(pkg.joinpath(rel).read_bytes())
    for folder in ("extract", "readers"):
        for entry in sorted(pkg.joinpath(folder).iterdir(), key=lambda p: p.name):
            if entry.name.endswith(".py"):
                h.update(entry.read_bytes())
    return h.hexdigest()[:16]


def _cache_key(digest: str, name: str, fmt: str | None, stem: str | None = None) -> str:
    raw = f"{FACTS_VERSION}|{__version__}|{_vocabulary_digest()}|{_code_digest()}|{digest}|{name}|{fmt or ''}"
    if stem:
        raw += f"|{stem}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# A cache entry is JSON that carries the SHA-256 of its own body: `{"sha256": "<hex>", "entry": BODY}`.
# The digest is checked on the bytes before anything is parsed, so an entry edited by hand (a value
# changed), cut short or overwritten is parsed again, never trusted.
_ENTRY_HEAD = re.compile(rb'\{"sha256": "([0-9a-f]{64})", "entry": ')
_ENTRY_TAIL = b"}\n"


def _cache_get(cache: Path, key: str) -> Facts | None:
    """The facts of a cache entry, or None (the file is parsed again) when there is no entry or it
    is not one this code wrote: its digest does not match, or its body is not facts."""
    try:
        raw = (cache / f"{key}.json").read_bytes()
    except OSError:
        return None
    head = _ENTRY_HEAD.match(raw)
    if head is None or not raw.endswith(_ENTRY_TAIL):
        return None
    body = raw[head.end() : len(raw) - len(_ENTRY_TAIL)]
    if hashlib.sha256(body).hexdigest() != head.group(1).decode():
        return None
    try:
        data = json.loads(body)
        fmt, cards = data["format"], data["cards"]
        if fmt not in ALL_FORMATS or type(cards) is not int or cards < 0:
            return None
        facts = Facts.from_dict(data["facts"])
    except Exception:  # noqa: BLE001 - whatever is wrong with an entry, the file is parsed again
        return None
    facts.file_format = fmt  # type: ignore[attr-defined]
    facts.card_count = cards  # type: ignore[attr-defined]
    return facts


def _cache_put(cache: Path, key: str, facts: Facts, fmt: str, cards: int) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"format": fmt, "cards": cards, "facts": facts.to_dict()},
                          ensure_ascii=False, allow_nan=False).encode("utf-8")
        head = b'{"sha256": "' + hashlib.sha256(body).hexdigest().encode() + b'", "entry": '
        atomic_write(cache / f"{key}.json", [head, body, _ENTRY_TAIL])
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs the next build time
        pass
