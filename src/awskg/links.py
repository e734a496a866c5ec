"""Links between Obsidian notes, made relations once every note of a build is in the graph.

The Obsidian reader keeps each `[[link]]` on the card it stands in (line, target, the words before
it) and the note's title and aliases on the note's first card; files are read one at a time (and
cached one at a time), so only the built graph knows what a link points at. Here a link becomes an
edge from the entity of the note it is written in to the entity of the note it names:

  * a target is the note whose file name it is (case aside), else whose path it ends, else whose
    title or alias it is; a note of the same folder tree wins a tie, as in Obsidian. A link to a
    note the vault lacks, or to an empty one, joins the entity of that name (or the catalog
    service it names) when the graph has one;
  * a note's entity is the node read from its title (the service it names, or the feature of that
    name), else the first entity read from its first card's heading;
  * the edge's type is the relation the words before the link name (`uses [[SQS]]`,
    `- has feature → [[Layers]]`, `stores data in:: [[S3]]`), reversed after `←`; any other link is
    `LINKS_TO`. The evidence is the link's line.

Aliases from a note's front matter become aliases of its entity, so `awskg show` finds it by them.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from .graph import RELATION_WEIGHT, KnowledgeGraph
from .model import Source
from .vocabulary import catalog, relations

LINKS_TO = "LINKS_TO"
_STRUCTURAL = {*RELATION_WEIGHT, "PART_OF"}
_ARROWS = re.compile(r"[→←⟶⟵]|->|<-|::?|[-*+•]\s")


def _relation_names() -> dict[str, str]:
    """`has feature` -> HAS_FEATURE for every relation awskg knows."""
    labels = {str(r.get("label")) for r in relations().get("relations", []) if r.get("label")}
    return {name.lower().replace("_", " "): name for name in _STRUCTURAL | labels}


def relation_of(words: str) -> tuple[str, bool]:
    """(relation, reversed?) that the words before a link name; LINKS_TO when they name none."""
    backwards = "←" in words or "<-" in words
    phrase = re.sub(r"\s+", " ", _ARROWS.sub(" ", words)).strip(" :|").lower()
    names = _relation_names()
    tokens = phrase.split()
    for k in range(min(len(tokens), 5), 0, -1):
        name = names.get(" ".join(tokens[-k:]))
        if name:
            return name, backwards
    return LINKS_TO, False


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


class _Note:
    def __init__(self, file: str, card: str, data: dict[str, Any]):
        self.file = file
        self.card = card
        self.title = str(data.get("note") or PurePosixPath(file).stem)
        self.aliases = [str(a) for a in data.get("aliases") or []]
        self.front_line = int((data.get("front_lines") or [0])[0])
        self.front = str(data.get("front") or "")
        self.stated = str(data.get("note_entity") or "")
        self.type = str(data.get("note_type") or "")
        self.value = str(data.get("note_value") or "")
        self.entity: str | None = None


def link_notes(kg: KnowledgeGraph) -> int:
    """Turn the links kept on Obsidian cards into relations; returns how many were made."""
    g = kg.graph
    notes: dict[str, _Note] = {}
    links: list[tuple[str, str, int, str, str]] = []  # (file, card, line, target, words)
    for n, d in g.nodes(data=True):
        if d.get("type") != "card" or d.get("format") != "obsidian":
            continue
        file = str(d.get("file", ""))
        if "note" in d:
            notes[file] = _Note(file, n, d)
        for line, target, words in d.get("links") or []:
            links.append((file, n, int(line), str(target), str(words)))
    if not notes:
        return 0
    _find_entities(kg, notes)
    for note in notes.values():
        if note.entity and note.aliases:
            d = g.nodes[note.entity]
            kg.add_entity(note.entity, d["type"], d["name"], aliases=note.aliases)
    names: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        if d.get("type") != "card":
            for key in {d.get("name", ""), *d.get("aliases", [])}:
                names.setdefault(_fold(key), []).append(n)
    made = 0
    for file, card, line, target, words in sorted(links):
        source, to = notes.get(file), _resolve(target, file, notes)
        entity = to.entity if to and to.entity else _named(kg, names, target)
        if not source or not source.entity or not entity:
            continue
        relation, backwards = relation_of(words)
        u, v = (entity, source.entity) if backwards else (source.entity, entity)
        kg.add_relation(u, v, relation, [Source(file, line, card)])
        made += 1
    return made


def _find_entities(kg: KnowledgeGraph, notes: dict[str, _Note]) -> None:
    """Each note's entity: the one its `id` property names, when the graph holds it; the first
    node of its `type` property read in its first card (a limit of its `value` first); the service
    its title is; the node named like its title; else the first feature or service read from its
    title line."""
    g = kg.graph
    lines: dict[str, list[tuple[int, str]]] = {}
    for n, d in g.nodes(data=True):
        if d.get("type") == "card":
            continue
        for s in d.get("sources", []):
            note = notes.get(s.get("file"))
            if note is not None and s.get("card") == note.card:
                lines.setdefault(note.file, []).append((int(s.get("line", 0)), n))
    cat = catalog()
    for note in notes.values():
        found = sorted(lines.get(note.file, []))
        in_card = list(dict.fromkeys(n for _line, n in found))
        at_title = [n for line, n in found if line == note.front_line]
        title = _fold(note.title)
        sid = cat.lookup(note.title)
        # Named like the title, or a part of a service the title names without it (`Streams` in
        # DynamoDB's notes is DynamoDB Streams).
        named = [n for n in in_card if _fold(g.nodes[n].get("name", "")) == title]
        named += [n for n in in_card if g.nodes[n].get("type") == "service" and n not in named
                  and _fold(g.nodes[n].get("name", "")).endswith(f" {title}")]
        typed = [n for n in in_card if g.nodes[n].get("type") == note.type]
        if note.type == "limit" and note.value:
            typed.sort(key=lambda n: kg.limit(n).display != note.value)  # stable: line order otherwise
        order = {"feature": 0, "service": 1}
        if note.stated in g and g.nodes[note.stated].get("type") != "card":
            note.entity = note.stated
        elif note.type == "feature" and note.stated.startswith("feature:") and in_card:
            # A feature the note says it is, though its text reads as another entity (a feature
            # named like a service, `RDS proxy`): the note's title and lines still define it.
            note.entity = _stated_feature(kg, note, in_card)
        elif typed and note.type != "service":
            note.entity = typed[0]
        elif sid and f"service:{sid}" in g:
            note.entity = f"service:{sid}"
        elif named:
            note.entity = named[0]
        elif typed:
            note.entity = typed[0]
        elif at_title and _fold(note.front) == title:
            note.entity = sorted(at_title, key=lambda n: (order.get(g.nodes[n].get("type"), 2), n))[0]


def _stated_feature(kg: KnowledgeGraph, note: _Note, read: list[str]) -> str:
    """Add the feature a note's `id` names, of its first card's service, sourced at its title."""
    g = kg.graph
    service = next((g.nodes[n] for n in read if g.nodes[n].get("type") == "service"), None)
    sid = note.stated.split(":", 1)[1].split("/", 1)[0]
    name = catalog().name(sid) if sid in catalog() else (service or {}).get("name")
    return kg.add_entity(note.stated, "feature", note.title, [Source(note.file, note.front_line, note.card)],
                         service=name, service_id=sid if name else None, aliases=[], kind="note")


def _named(kg: KnowledgeGraph, names: dict[str, list[str]], target: str) -> str | None:
    """For a link to a note the vault lacks (or an empty one): the entity of that name or alias, or
    the catalog service it names, when the graph holds it."""
    name = PurePosixPath(target.removesuffix(".md")).name
    sid = catalog().lookup(name)
    if sid and f"service:{sid}" in kg.graph:
        return f"service:{sid}"
    found = names.get(_fold(name))
    return sorted(found)[0] if found else None


def _resolve(target: str, file: str, notes: dict[str, _Note]) -> _Note | None:
    """The note a link names, as Obsidian finds it: file name, then path, then title or alias."""
    want = _fold(target.removesuffix(".md"))
    if not want:
        return None
    tiers = (
        [n for n in notes.values() if _fold(PurePosixPath(n.file).stem) == want],
        [n for n in notes.values() if _fold(_without_suffix(n.file)).endswith(f"/{want}")],
        [n for n in notes.values() if want in {_fold(n.title), *map(_fold, n.aliases)}],
    )
    here = PurePosixPath(file).parts
    for found in tiers:
        if found:
            # The nearest: the most folders in common with the linking note.
            return max(found, key=lambda n: (_common(PurePosixPath(n.file).parts, here), -len(n.file)))
    return None


def _without_suffix(file: str) -> str:
    return PurePosixPath(file).with_suffix("").as_posix()


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k
