"""Obsidian vaults: a folder holding `.obsidian/`, each Markdown note in it a set of cards.

A note's body is Markdown, read by the Markdown reader; around it this module adds what a vault
means:
  * the note's title is its file name (or the level-1 heading it opens with). It heads every
    section of the note, so `## Limits` in `Lambda.md` is about Lambda, and the lines before the
    first heading are the title's own card;
  * YAML front matter (PyYAML's safe loader): `aliases` are more names of the note's entity, `tags`
    are topics like inline tags, and a `service` property names the note's service;
  * `#tags` (and `#nested/tags`) are the note's topics, kept as the tags of its cards; one that
    names a service (`#aws/lambda`) gives the note its service when its title and headings do not;
  * `[[Note]]`, `[[Note|alias]]` and `[[Note#Heading]]` read as the text they show, and each is kept
    on its card as a link: the line, the target note, and the words before it (`uses [[SQS]]`,
    `- has feature → [[Layers]]`). Once a build has every note, the builder turns links into
    relations between the entities of the two notes (`builder.link_notes`);
  * `![[embeds]]` (pictures, PDFs, other notes), `%%comments%%`, block ids (`^id`) and callout
    markers (`> [!tip]`) are not note text. Attachments are never read: only `.md` files are notes.

Line numbers are the note's own lines; the title, when it is the file name, is cited as line 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from ..model import Card
from . import markdown
from .anki import tag_service

VAULT_MARKER = ".obsidian"
NOTE_SUFFIXES = (".md", ".markdown")

_FENCE = re.compile(r"^\s*(?:>\s*)*(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(\S.*?)(?:[ \t]+#+)?[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(?!`).{0,2000}?(?<!`)\1(?!`)")
_EMBED = re.compile(r"!\[\[[^\]\n]{0,500}\]\]")
_WIKILINK = re.compile(r"\[\[([^\[\]|#^\n]{0,300})((?:#\^?[^\[\]|\n]{0,300})?)(?:\|([^\[\]\n]{0,300}))?\]\]")
# A tag: `#` then letters, digits, `_`, `-`, `/`, not all digits (`#1` is not a tag), not inside a word
# or a URL (`C#`, `page#anchor`).
_TAG = re.compile(r"(?<![\w/&#:.\\])#([\w\-/]*[^\W\d][\w\-/]*)")
_TAG_RUN = re.compile(r"^(?:\s*#[\w\-/]+)+\s*$")
_COMMENT = re.compile(r" ?%%.{0,5000}?%%")
_CALLOUT = re.compile(r"^(\s*(?:>\s*)+)\[![\w-]{1,40}\][+-]?\s*")
_BLOCK_ID = re.compile(r"\s\^[A-Za-z0-9-]{1,60}\s*$")
_LIST_GLUE = re.compile(r"\s*(?:,|&|and|or)?\s*", re.I)
# A line that only states a relation to other notes: `- uses → [[SQS]]`, `- ← has limit [[Lambda]]`,
# `part of:: [[Lambda]]` (a Dataview field). Its links carry it; it is no sentence of the note.
_LINKS = r"\[\[[^\[\]\n]{1,300}\]\](?:\s*,\s*\[\[[^\[\]\n]{1,300}\]\])*\s*$"
_RELATION_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:←\s*\w[\w \-]{0,40}?\s+|\w[\w \-]{0,40}?\s*(?:→|->|::)\s*)" + _LINKS)


@lru_cache(maxsize=4096)
def _vault_of_folder(folder: Path) -> Path | None:
    for d in (folder, *folder.parents):
        if (d / VAULT_MARKER).is_dir():
            return d
    return None


def vault_root(path: Path) -> Path | None:
    """The vault a note belongs to: the nearest folder above it holding `.obsidian/`, or None."""
    try:
        folder = Path(path).resolve().parent
    except OSError:
        return None
    return _vault_of_folder(folder)


def is_vault(folder: Path) -> bool:
    return (Path(folder) / VAULT_MARKER).is_dir()


def is_note(path: Path) -> bool:
    return path.suffix.lower() in NOTE_SUFFIXES and vault_root(path) is not None


@dataclass
class _Note:
    """What a note says besides its Markdown: front matter, tags, links (original line numbers)."""

    meta: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    links: list[tuple[int, str, str]] = field(default_factory=list)  # (line, target, words before it)


# --------------------------------------------------------------------------- front matter


def _front_matter(lines: list[str]) -> tuple[int, dict[str, Any]]:
    """(index of the first line after the front matter, its values). Front matter that is not valid
    YAML, or not a mapping, counts as none: a note is never refused for its properties."""
    if not lines or lines[0].strip() != "---":
        return 0, {}
    for j in range(1, min(len(lines), 500)):
        if lines[j].strip() in ("---", "..."):
            import yaml

            try:
                data = yaml.safe_load("\n".join(lines[1:j]))
            except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
                data = None
            return j + 1, data if isinstance(data, dict) else {}
    return 0, {}


def _strings(value: Any) -> list[str]:
    """A property's values as strings: a list, or one string split at commas (`tags: a, b`)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    out = []
    for item in items:
        if isinstance(item, (str, int, float)) and str(item).strip():
            out.append(str(item).strip())
    return out


def _meta_tags(meta: dict[str, Any]) -> list[str]:
    found = []
    for key in ("tags", "tag"):
        for t in _strings(meta.get(key)):
            found.extend(t.lstrip("#").split())
    return found


# --------------------------------------------------------------------------- note text


def _clean_line(line: str, number: int, note: _Note) -> str:
    """One line as Markdown without Obsidian's own syntax; its links and tags recorded in `note`."""
    if "[[" in line and _RELATION_LINE.match(line):
        _clean_text(line, number, note)
        return ""
    if "%%" in line:
        line = _COMMENT.sub("", line)
    if "[!" in line:
        line = _CALLOUT.sub(lambda m: m.group(1), line)
    if "^" in line:
        line = _BLOCK_ID.sub("", line)
    # Code spans are code: no links or tags are read inside them.
    parts = []
    pos = 0
    for m in _CODE_SPAN.finditer(line) if "`" in line else ():
        parts.append(_clean_text(line[pos : m.start()], number, note))
        parts.append(m.group())
        pos = m.end()
    parts.append(_clean_text(line[pos:], number, note))
    return "".join(parts)


def _clean_text(text: str, number: int, note: _Note) -> str:
    if "[[" in text:
        text = _EMBED.sub("", text)
        out = []
        pos = 0
        words = ""
        for m in _WIKILINK.finditer(text):
            before = text[pos : m.start()]
            out.append(before)
            target, alias = m.group(1).strip(), (m.group(3) or "").strip()
            shown = alias or Path(target).name or m.group(2).lstrip("#^")
            # `uses:: [[SQS]], [[SNS]]`: a link listed after another shares its words.
            if not (pos and _LIST_GLUE.fullmatch(before)):
                words = _words_before("".join(out))
            if target:
                note.links.append((number, target, words))
            out.append(shown)
            pos = m.end()
        out.append(text[pos:])
        text = "".join(out)
    if "#" in text:
        if _TAG_RUN.match(text):
            note.tags.extend(t for t in _TAG.findall(text))
            return ""
        note.tags.extend(_TAG.findall(text))
        # A run of tags opening or closing a line is a label; a tag inside a sentence is a word of it.
        text = re.sub(r"(?:\s*#[\w\-/]+)+\s*$", "", text)
        text = re.sub(r"^(\s*(?:[-*+]\s+)?)(?:#[\w\-/]+\s*)+(?=\S)", r"\1", text)
        text = _TAG.sub(lambda m: m.group(1).replace("/", " ").replace("_", " "), text)
    return text


def _words_before(lead: str) -> str:
    """The words of the line before a link, back to the previous link or clause break."""
    tail = re.split(r"[.;!?]\s|\]\]|,\s", lead)[-1]
    return tail.strip()[-120:]


@dataclass
class _Layout:
    """The text handed to the Markdown reader, and the note line each of its lines stands for."""

    title: str
    lines: list[str] = field(default_factory=list)
    origin: list[int] = field(default_factory=list)  # 1-based note line of each line of `lines`

    def add(self, text: str, origin: int) -> None:
        self.lines.append(text)
        self.origin.append(origin)


def _clean_body(lines: list[str], start: int, note: _Note) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The note's lines with front matter blanked and Obsidian syntax cleaned (code left as it is),
    and its ATX headings (index, level, text)."""
    clean: list[str] = [""] * start
    heads: list[tuple[int, int, str]] = []
    in_fence: str | None = None
    in_comment = False
    for i in range(start, len(lines)):
        raw = lines[i]
        fence = _FENCE.match(raw)
        if in_fence:
            clean.append(raw)
            if fence and fence.group(1)[0] == in_fence[0] and len(fence.group(1)) >= len(in_fence):
                in_fence = None
            continue
        if in_comment:
            clean.append("")
            in_comment = raw.count("%%") % 2 == 0
            continue
        if fence:
            in_fence = fence.group(1)
            clean.append(raw)
            continue
        if raw.count("%%") % 2 == 1:
            # A comment block opening here: the text before it stays, the rest is hidden until `%%`.
            clean.append(_clean_line(raw[: raw.index("%%")], i + 1, note))
            in_comment = True
            continue
        text = _clean_line(raw, i + 1, note)
        clean.append(text)
        m = _ATX.match(text)
        if m:
            heads.append((i, len(m.group(1)), m.group(2)))
    return clean, heads


def _layout(lines: list[str], start: int, name: str, note: _Note) -> _Layout:
    """The cleaned note with its title where the Markdown reader sees it: a level-1 heading over the
    note (unless the note opens with its own), and a level-2 one over the lines before its first
    sub-heading, so they are the title's card rather than an introduction to skip."""
    clean, heads = _clean_body(lines, start, note)
    if heads and heads[0][1] == 1 and not any(clean[j].strip() for j in range(start, heads[0][0])):
        h1 = heads[0][0]
        out = _Layout(markdown.inline_plain(heads[0][2])[0] or name)
        for k in range(h1 + 1):
            out.add(clean[k], k + 1)
        body, title_line, deeper = h1 + 1, h1 + 1, heads[1:]
    else:
        out = _Layout(name)
        for k in range(start):
            out.add(clean[k], k + 1)
        out.add(f"# {name}", 1)
        body, title_line, deeper = start, 1, heads
    if deeper and any(clean[j].strip() for j in range(body, deeper[0][0])):
        out.add(f"## {out.title}", title_line)
    for k in range(body, len(clean)):
        out.add(clean[k], k + 1)
    return out


# --------------------------------------------------------------------------- cards


def note_title(file: str) -> str:
    return Path(file).stem


def segment(text: str, file: str, stem: str) -> list[Card]:
    """The cards of one Obsidian note: its sections, titled by the note, with its tags and links."""
    lines = text.split("\n")
    start, meta = _front_matter(lines)
    note = _Note(meta=meta, tags=_meta_tags(meta))
    layout = _layout(lines, start, note_title(file), note)
    cards = markdown.segment("\n".join(layout.lines), file, stem)
    if not cards:
        return []
    tags = list(dict.fromkeys(note.tags))
    service = _note_service(meta, tags, file)
    stated = _stated_service(meta)
    for k, card in enumerate(cards):
        _restore_lines(card, layout.origin, lines)
        card.fmt = "obsidian"
        card.tags = list(tags)
        if k == 0 and card.front == layout.title and stated:
            # The note's own property outranks a service its title merely mentions (`EFS for Lambda`
            # with `service: Lambda`).
            card.services = [stated, *(s for s in card.services if s != stated)]
        elif service and not card.services:
            card.services = [service]
    aliases = [a for a in _strings(meta.get("aliases") or meta.get("alias")) if a != layout.title]
    cards[0].attrs.update({"note": layout.title, "aliases": aliases})
    # A note may say which entity it is (`id`, `type`, a limit's `value`: awskg's export writes
    # them); the link pass prefers it when the graph holds it.
    for key, attr in (("id", "note_entity"), ("type", "note_type"), ("value", "note_value")):
        if isinstance(meta.get(key), str) and meta[key].strip():
            cards[0].attrs[attr] = meta[key].strip()
    for line, target, words in note.links:
        _card_at(cards, line).attrs.setdefault("links", []).append([line, target, words])
    return cards


def _restore_lines(card: Card, origin: list[int], lines: list[str]) -> None:
    """Line numbers of the laid-out text back to the note's, and each line's text as written."""

    def orig(n: int) -> int:
        return origin[n - 1] if 0 < n <= len(origin) else n

    card.front_lines = tuple(orig(n) for n in card.front_lines)
    card.first_line, card.last_line = orig(card.first_line), orig(card.last_line)
    for ln in card.lines:
        ln.number = orig(ln.number)
        if 0 < ln.number <= len(lines):
            ln.text = lines[ln.number - 1]


def _card_at(cards: list[Card], line: int) -> Card:
    """The card whose section holds `line` (the last one starting at or before it)."""
    best = cards[0]
    for card in cards:
        if min(card.front_lines + (card.first_line,)) <= line:
            best = card
    return best


def _stated_service(meta: dict[str, Any]) -> str | None:
    """The service a note's `service` property names."""
    for key in ("service", "services"):
        for value in _strings(meta.get(key)):
            sid = markdown.exact_service(value) or tag_service(value)
            if sid:
                return sid
    return None


def _note_service(meta: dict[str, Any], tags: list[str], file: str) -> str | None:
    """The service a note is about when its title and headings name none: its `service` property,
    a tag naming one (`#aws/lambda`), or a folder of the vault named for one (`AWS/Lambda/...`)."""
    stated = _stated_service(meta)
    if stated:
        return stated
    for tag in tags:
        sid = tag_service(tag)
        if sid:
            return sid
    for folder in reversed(Path(file).parent.parts):
        sid = markdown.exact_service(folder)
        if sid:
            return sid
    return None


# --------------------------------------------------------------------------- a zipped vault

MAX_VAULT_BYTES = 256 * 1024**2
MAX_VAULT_NOTES = 50_000


def unpack_vault(data: bytes, dest: Path, name: str) -> Path:
    """Unpack the notes of a zipped vault into the new folder `dest`, which becomes the vault, and
    return it. The vault is the folder of the zip holding `.obsidian/` (the zip's own root when none
    does): its notes land in `dest` by their path in it. Only Markdown notes are written:
    attachments, notes outside the vault, symbolic links and paths that would leave the vault are
    skipped, and a zip holding more than MAX_VAULT_BYTES of notes is refused. Errors name the zip
    by `name`."""
    import zipfile
    import zlib
    from io import BytesIO

    from ..errors import InputError

    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputError(f"{name}: is a damaged zip archive") from err
    with zf:
        entries = [(info, PurePosixPath(info.filename.replace("\\", "/"))) for info in zf.infolist()]
        entries = [(i, rel) for i, rel in entries
                   if rel.parts and not rel.is_absolute() and ".." not in rel.parts]
        roots = [PurePosixPath(*rel.parts[: rel.parts.index(VAULT_MARKER)]) for _i, rel in entries
                 if VAULT_MARKER in rel.parts]
        root = min(roots, key=lambda r: len(r.parts)) if roots else PurePosixPath()
        notes = []
        for info, rel in entries:
            is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
            if info.is_dir() or is_link or rel.suffix.lower() not in NOTE_SUFFIXES:
                continue
            if not rel.is_relative_to(root):
                continue
            inner = rel.relative_to(root)
            if inner.parts and not any(part.startswith(".") for part in inner.parts):
                notes.append((info, inner))
        if not notes:
            raise InputError(f"{name}: is a zip archive with no notes in it (no .md files), and not an Anki "
                             "package")
        if len(notes) > MAX_VAULT_NOTES or sum(i.file_size for i, _ in notes) > MAX_VAULT_BYTES:
            raise InputError(f"{name}: holds more notes than awskg unpacks (over "
                             f"{MAX_VAULT_BYTES // 1024**2} MB or {MAX_VAULT_NOTES} notes)")
        (dest / VAULT_MARKER).mkdir(parents=True, exist_ok=True)
        for info, inner in notes:
            target = dest.joinpath(*inner.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.write_bytes(zf.read(info))
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as err:
                raise InputError(f"{name}: is a damaged zip archive ({inner} cannot be unpacked)") from err
    return dest
