"""Writing exports: never over a file that exists without force, never half a file or half a folder.

Files go through `awskg.atomic` (temp file beside the target, then rename). A set of files (the
two CSV tables) is checked as a whole, then written to temp files, then renamed, so a refusal or a
failure leaves nothing behind and no old file replaced. A folder (an Obsidian vault) is written
into a temp folder beside the target and renamed into place; with force, the old folder is renamed
aside first and removed only once the new one is in place. A folder is replaced only if an awskg
export made it (it holds the marker file) or it is empty: `--force` must not delete a folder of the
student's own notes. What a killed write left beside a target is cleaned by the next write to it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..atomic import atomic_write, discard, remove_stale_temps, replace_all, temp_prefix, write_temp
from ..errors import OutputError

FOLDER_MARKER = ".awskg-export"


def check_target(path: Path, force: bool) -> None:
    """Refuse, before anything is written, a target that exists (without force) or has no folder."""
    if (path.exists() or path.is_symlink()) and not force:
        raise OutputError(f"{path}: exists; pass --force to overwrite it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{parent}: no such folder (create it first)")


def write_file(path: Path, data: str | bytes, force: bool) -> None:
    path = Path(path)
    check_target(path, force)
    atomic_write(path, data, force=force)


def write_files(files: dict[Path, str | bytes], force: bool) -> None:
    """Write several files, all or none: each is refused, or written to a temp file, before any is
    renamed into place; a rename that fails puts back the files renamed before it."""
    targets = [Path(p) for p in files]
    for path in targets:
        check_target(path, force)
        if path.is_dir():
            raise OutputError(f"{path}: is a folder")
    for i, a in enumerate(targets):
        for b in targets[i + 1 :]:
            if same_file(a, b):
                raise OutputError(f"{a}, {b}: are one file; name two different files")
    temps: list[Path] = []
    try:
        for path, data in zip(targets, files.values(), strict=True):
            temps.append(write_temp(path, data))
        replace_all(list(zip(temps, targets, strict=True)))
    finally:
        for tmp in temps:
            discard(tmp)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same path once resolved (`sub/../n.csv` is `n.csv`,
    a link is what it points to), or two names of one existing file (a hard link)."""
    if Path(a).resolve() == Path(b).resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_folder(path: Path, files: dict[str, str | bytes], force: bool) -> None:
    """Write `files` (name -> content) as the folder `path`, replacing it only with force."""
    path = Path(path)
    if not path.name or path.name in (".", ".."):
        raise OutputError(f"{path}: name a new folder to write into")
    check_target(path, force)
    if path.is_dir() and not path.is_symlink():
        entries = [p.name for p in path.iterdir()]
        if entries and FOLDER_MARKER not in entries:
            raise OutputError(f"{path}: is a folder awskg did not write; choose a new folder")
    parent = path.parent if str(path.parent) else Path(".")
    remove_stale_temps(path)  # a killed export's half-written folder
    try:
        tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(path), suffix=".tmp", dir=parent))
    except OSError as err:
        raise OutputError(f"{path}: cannot write here ({err.strerror or err})") from err
    aside: Path | None = None  # a temp folder holding the old target while the new one moves in
    try:
        marker = "written by awskg export; --force replaces this folder\n"
        for name, data in {**files, FOLDER_MARKER: marker}.items():
            payload = data.encode("utf-8") if isinstance(data, str) else data
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)  # `.obsidian/app.json`
            (tmp / name).write_bytes(payload)
        # mkdtemp makes the folder private (0700); give it the mode a plain mkdir would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        if path.exists() or path.is_symlink():
            aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
            os.replace(path, aside / "old")
        try:
            os.replace(tmp, path)
        except OSError as err:
            if aside is not None and (aside / "old").exists():
                try:
                    os.replace(aside / "old", path)
                except OSError:
                    # Never delete the student's old folder: say where it is.
                    shutil.rmtree(tmp, ignore_errors=True)
                    raise OutputError(f"{path}: cannot write ({err.strerror or err}); the previous "
                                      f"folder is kept at {aside / 'old'}") from err
            raise
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if aside is not None and not (aside / "old").exists():
            shutil.rmtree(aside, ignore_errors=True)
        if isinstance(err, OSError):
            raise OutputError(f"{path}: cannot write ({err.strerror or err})") from err
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
