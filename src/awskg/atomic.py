"""Files written whole or not at all: a temp file beside the target, fsynced, then renamed over it.

A write killed before its rename leaves its temp file (`.NAME.<pid>-<random>.tmp`) behind, and
the target as it was; the next write to that target removes such leftovers (those whose process is
gone, and untagged ones an hour old). A set of files (the CSV pair) is written all or none:
every temp file first, then the renames, undone if one fails.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError

Data = bytes | str | Iterable[str | bytes]

# What a temp file's name holds between `.NAME.` and `.tmp`: the writer's pid and a random part;
# or, as awskg first named them, mkstemp's eight random characters alone.
_TAGGED = re.compile(r"(\d+)-\w+")
_UNTAGGED = re.compile(r"\w{8}")
_UNTAGGED_STALE_SECONDS = 3600


def atomic_write(path: Path, data: Data, *, force: bool = True) -> None:
    """Write to a temp file beside `path`, fsync, then rename over it: a crash mid-write leaves the
    old file as it was. With force=False an existing file is refused rather than replaced. `data`
    may also be an iterable of pieces (str, written as UTF-8, or bytes), written as they come: a
    large file then never stands in memory whole."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path}: exists; pass --force to overwrite it")
    check_writable(path)
    tmp = write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException as err:
        discard(tmp)
        if isinstance(err, OSError):
            raise OutputError(f"{path}: cannot write ({err.strerror or err})") from err
        raise


def check_writable(path: Path) -> None:
    """Refuse a target that is a folder or whose folder does not exist."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder")
    parent = _parent(path)
    if not parent.is_dir():
        raise OutputError(f"{parent}: no such folder (create it first)")


def write_temp(path: Path, data: Data) -> Path:
    """`data` in a new temp file beside `path`, fsynced, with the mode a plain open() gives; the
    caller renames it over `path`. Leftovers of killed writes to `path` are removed first."""
    path = Path(path)
    parent = _parent(path)
    remove_stale_temps(path)
    pieces: Iterable[bytes | str]
    if isinstance(data, (bytes, bytearray, memoryview)):
        pieces = [bytes(data)]
    elif isinstance(data, str):
        pieces = [data]
    else:
        pieces = data
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=parent)
    except OSError as err:
        raise OutputError(f"{path}: cannot write here ({err.strerror or err})") from err
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in pieces:
                fh.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException as err:
        discard(Path(tmp))
        if isinstance(err, OSError):
            raise OutputError(f"{path}: cannot write ({err.strerror or err})") from err
        raise
    return Path(tmp)


def replace_all(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each temp file over its target, all or none: a target replaced before a rename that
    fails gets its old content back (from a hard link, or a copy, made beside it first)."""
    done: list[tuple[Path, Path | None]] = []
    backups: list[Path] = []
    try:
        for tmp, target in pairs:
            backup = _keep_aside(target) if target.exists() else None
            if backup is not None:
                backups.append(backup)
            os.replace(tmp, target)
            done.append((target, backup))
    except OSError as err:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                discard(target)
        failed = pairs[len(done)][1]
        raise OutputError(f"{failed}: cannot write ({err.strerror or err}); no file was written") from err
    finally:
        for backup in backups:
            discard(backup)


def _keep_aside(target: Path) -> Path:
    """A second name for `target`'s content, beside it, named like a temp file (so a killed run's
    leftover is cleaned like one)."""
    for _ in range(100):
        aside = target.with_name(f"{temp_prefix(target)}{secrets.token_hex(4)}.tmp")
        try:
            os.link(target, aside)
            return aside
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system
            shutil.copy2(target, aside)
            return aside
    raise OutputError(f"{target}: cannot write here (no free temp name)")


def temp_prefix(path: Path) -> str:
    return f".{Path(path).name}.{os.getpid()}-"


def remove_stale_temps(path: Path) -> None:
    """Remove what killed writes to `path` left beside it: temp files (or folders) whose writer is
    no longer running, and untagged ones not touched for an hour. A running writer's are kept."""
    head = f".{Path(path).name}."
    try:
        entries = [e for e in os.scandir(_parent(path))
                   if e.name.startswith(head) and e.name.endswith(".tmp")]
    except OSError:
        return
    for entry in entries:
        middle = entry.name[len(head) : -len(".tmp")]
        tagged = _TAGGED.fullmatch(middle)
        try:
            if tagged:
                stale = not _running(int(tagged.group(1)))
            elif _UNTAGGED.fullmatch(middle):
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > _UNTAGGED_STALE_SECONDS
            else:
                continue
            if not stale:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            continue  # gone meanwhile, or not ours to remove: never a reason to fail a write


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or no pid at all: leave it
    return True


def discard(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _parent(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
