"""An Obsidian vault folder: one Markdown note per entity, linked by `[[wikilinks]]` to its
neighbours in the subgraph, with YAML front matter (id, type, service, a limit's value and kind
and any stale flag, aliases, sources), and `.obsidian/` so Obsidian and `awskg build` take the
folder as a vault. The body is the entity's definition, its links (`- has feature → [[Layers]]`,
`- ← has limit [[Lambda]]`: the relation in words, which a build reads back as that relation) and,
below a rule, the note lines behind it, each with its source in a `%%comment%%`.

File names are the entity names without the characters Obsidian or the file system refuse in a
link or a name (`/\\:*?"<>|#^[]`), unique without regard to case (macOS and Windows file systems
fold it). Links target those file names, so every link resolves inside the folder; the name as
written is the link's display text when it holds no markup characters. Note text is escaped as in the
study sheet, so `[[`, `<script>` or `==` in a note show as typed. Front matter values are JSON
strings, which YAML reads as the same strings.
"""

from __future__ import annotations

import json
import re
from typing import Any

import networkx as nx

from ..graph import KnowledgeGraph
from .facts import concept_nodes, limits_of, note_lines, one_line, ref, sources_of, stale_message
from .sheet import md, md_block

# An Obsidian vault is a folder holding `.obsidian/`: the export is one, and `awskg build` reads it
# back as one.
VAULT_CONFIG = ".obsidian/app.json"
_UNSAFE = re.compile(r'[/\\:*?"<>|#^\[\]\x00-\x1f\x7f]')
# Device names Windows reserves, with any extension (`NUL.txt` is the device too): what comes before
# a name's first dot must not be one.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
                     *(f"{port}{i}" for port in ("com", "lpt") for i in (*"123456789", "¹", "²", "³"))}
_MAX_NAME = 120
# Display text is shown as written, unescaped: use it only when it holds nothing Markdown, HTML or
# the link syntax would read.
_ALIAS_UNSAFE = re.compile(r"[\[\]|<>&\\`*_=%^$~{}!#]")


def clean_name(text: str) -> str:
    """A file name (without `.md`) from an entity name, safe in links and on every file system."""
    name = re.sub(r"\s+", " ", _UNSAFE.sub(" ", one_line(text))).strip(" .")[:_MAX_NAME].strip(" .")
    stem, dot, rest = name.partition(".")
    if stem.rstrip(" ").lower() in _WINDOWS_RESERVED:
        name = f"{stem.rstrip(' ')} (note){dot}{rest}"
    return name


def file_names(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> dict[str, str]:
    """Entity id -> note name (no extension), unique regardless of case."""
    displays = {lim.id: lim.display for lim in limits_of(kg, sub)}
    out: dict[str, str] = {}
    used: set[str] = set()
    for n in concept_nodes(sub):
        d = sub.nodes[n]
        title = str(d.get("name") or n)
        if n in displays:
            # Limits share names (`Lambda: timeout` is a default and a range); their values differ.
            title = f"{title} {displays[n]}"
        base = clean_name(title) or clean_name(n) or "note"
        name, i = base, 2
        while name.lower() in used:
            name, i = f"{base} ({i})", i + 1
        used.add(name.lower())
        out[n] = name
    return out


def _link(target: str, shown: str) -> str:
    shown = one_line(shown)
    if shown == target or not shown or _ALIAS_UNSAFE.search(shown):
        return f"[[{target}]]"
    return f"[[{target}|{shown}]]"


def _yaml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def vault(kg: KnowledgeGraph, sub: nx.MultiDiGraph) -> dict[str, str]:
    """The folder's files: `<name>.md` -> note text, one per entity of the subgraph, and Obsidian's
    `.obsidian/app.json`."""
    names = file_names(kg, sub)
    limits = {lim.id: lim for lim in limits_of(kg, sub)}
    files: dict[str, str] = {}
    for n, fname in names.items():
        d = sub.nodes[n]
        sources = sources_of(d)
        aliases = [a for a in d.get("aliases", []) if isinstance(a, str)]
        front = [
            "---",
            f"id: {_yaml(n)}",
            f"type: {_yaml(str(d.get('type', '')))}",
        ]
        if d.get("service"):
            front.append(f"service: {_yaml(str(d['service']))}")
        if n in limits:
            # What awskg read, as properties: the body holds only note text, so a build of the
            # folder reads each value once, from the line that states it.
            front.append(f"value: {_yaml(limits[n].display)}")
            front.append(f"kind: {_yaml(limits[n].kind)}")
            if limits[n].stale:
                front.append(f"stale: {_yaml('⚠ ' + stale_message(limits[n]))}")
        front.append(f"aliases: {_yaml(aliases)}")
        front.append(f"sources: {_yaml([ref(s) for s in sources])}")
        front += ["---", ""]
        body = [f"# {md(d.get('name', n))}", ""]
        if d.get("definition"):
            body += [md_block(d["definition"]), ""]
        links = []
        for _, v, k in sorted(sub.out_edges(n, keys=True), key=lambda e: (str(e[2]), names.get(e[1], ""))):
            if v in names:
                links.append(f"- {md(_relation(k))} → {_link(names[v], sub.nodes[v].get('name', v))}")
        for u, _, k in sorted(sub.in_edges(n, keys=True), key=lambda e: (str(e[2]), names.get(e[0], ""))):
            if u in names:
                links.append(f"- ← {md(_relation(k))} {_link(names[u], sub.nodes[u].get('name', u))}")
        if links:
            body += [*links, ""]
        body += _note_lines(kg, sources)
        files[f"{fname}.md"] = "\n".join(front + body).rstrip("\n") + "\n"
    files[VAULT_CONFIG] = "{}\n"
    return files


def _note_lines(kg: KnowledgeGraph, sources: list[Any]) -> list[str]:
    """The note lines behind a node, below a rule, each with its source in an Obsidian comment
    (`%%notes/aws.txt:70%%`: shown when editing, hidden when reading, and not read back as text).
    No heading over them: read back, they belong to the note's own entity."""
    lines = note_lines(kg, sources)
    if not lines:
        return []
    return ["---", "", *(f"- {md(text)} %%{md(ref(src))}%%" for src, text in lines), ""]


def _relation(rel: Any) -> str:
    return str(rel).lower().replace("_", " ")
