"""Reading a notes file as text: decoding, line endings, and refusing what is not text.

Every failure is an InputError whose message names the file, so the CLI can print one line.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from ..errors import InputError

# Magic numbers of files students drop into a notes folder by mistake.
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive (an .apkg or .docx is one too)",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
    b"\x7fELF": "an executable",
}


# A folder whose files are named relative to it instead of the working directory: an upload's
# temporary folder is a server path, and neither sources nor errors should show it.
_NAMES_ROOT: ContextVar[Path | None] = ContextVar("awskg_names_root", default=None)


@contextmanager
def names_relative_to(folder: Path) -> Iterator[None]:
    """Within the block, files under `folder` are named (in sources and errors) relative to it."""
    token = _NAMES_ROOT.set(Path(folder).resolve())
    try:
        yield
    finally:
        _NAMES_ROOT.reset(token)


def display_path(path: Path) -> str:
    """The path as sources record it: relative to the working directory when under it, POSIX style,
    and always text: a byte of the name that is not UTF-8 is written `\\xff` (the graph is UTF-8
    JSON, and a name Python cannot encode would break the cache key and every print)."""
    return _as_text(_relative(Path(path)))


def _relative(path: Path) -> str:
    root = _NAMES_ROOT.get()
    if root is not None:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _as_text(name: str) -> str:
    # os.fsdecode keeps an undecodable byte as a lone surrogate (surrogateescape): give the byte back
    # and write it as an escape.
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def decode(data: bytes, name: str) -> str:
    """Bytes of a notes file to text with `\\n` line endings, or an InputError naming the file.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are read; anything else that is not UTF-8
    is refused by name rather than guessed, because a wrong guess would put mangled text into the
    graph without a word.
    """
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: is {what}, not a notes file")
    text: str | None = None
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as err:
                raise InputError(f"{name}: has a {enc} byte-order mark but is not valid {enc}") from err
            break
    if text is None:
        if b"\x00" in data[:8192]:
            raise InputError(f"{name}: is a binary file, not a notes file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(
                f"{name}: is not UTF-8 text (byte {err.start}); save it as UTF-8 and build again"
            ) from err
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name}: is empty")
    return text


def read_bytes(path: Path) -> bytes:
    """The bytes of one notes file; a missing or unreadable file is an InputError."""
    name = display_path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError as err:
        raise InputError(f"{name}: no such file") from err
    except IsADirectoryError as err:
        raise InputError(f"{name}: is a folder, not a file") from err
    except PermissionError as err:
        raise InputError(f"{name}: permission denied") from err
    except OSError as err:
        raise InputError(f"{name}: cannot be read ({err.strerror or err})") from err


def read_text(path: Path) -> str:
    """Read and decode one notes file; a missing or unreadable file is an InputError."""
    return decode(read_bytes(path), display_path(path))


def pieces(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of `text` cut into pieces of at most `size` characters, each ending after a
    space where the second half of the piece has one: joined, the pieces are the text. Code that
    reads a line at once (spaCy, the quantity grammar) reads a pasted dump on one line this way."""
    out = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            end = cut + 1 if cut > 0 else end
        out.append((start, end))
        start = end
    return out
