"""KnowledgeGraph: the typed graph of a set of notes, over a networkx MultiDiGraph.

Stored as networkx node-link JSON (`graph/awskg.json`) with a schema version; written atomically
and byte-identically for the same notes. Loading reads JSON only (never pickle) and never imports
spaCy: the query side (limits, entity, related, search, export, study) runs on the stored graph.

Node ids are stable and readable: `service:lambda`, `feature:lambda/reserved-concurrency`,
`limit:sqs/max-message-size/max-256kb`, `api:putrecord`, `card:<file-stem>:12`.
Every node and edge carries `sources`: a list of {"file", "line", "card"}.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import tempfile
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx

from .errors import GraphFileError, OutputError, UnknownEntity, UsageError
from .model import Entity, Hit, Limit, Neighbour, Source

SCHEMA_VERSION = 1
DEFAULT_GRAPH = Path("graph") / "awskg.json"
MAX_DEPTH = 3

# Entity types. `card` nodes hold the note text behind every answer; they are not concepts, so
# related/subgraph leave them out.
ENTITY_TYPES = (
    "service",
    "feature",
    "limit",
    "api",
    "error",
    "config",
    "env_var",
    "metric",
    "arn",
    "permission",
    "policy",
    "resource_type",
    "card",
)
CONCEPT_TYPES = tuple(t for t in ENTITY_TYPES if t != "card")

# How much one line of evidence for a relation counts when ranking neighbours: what the text says
# in so many words outranks what merely stands near it.
RELATION_WEIGHT = {
    "HAS_FEATURE": 3.0,
    "HAS_LIMIT": 1.0,
    "CONTRASTS_WITH": 3.0,
    "TYPE_OF": 2.5,
    "MENTIONS": 1.0,
    "RELATED_TO": 0.6,
}
TYPED_RELATION_WEIGHT = 4.0


def slug(text: str) -> str:
    """`Reserved Concurrency (RC)` -> `reserved-concurrency-rc`; the readable part of node ids."""
    text = text.lower().replace("’", "").replace("'", "")
    text = re.sub(r"[^a-z0-9/$.*_]+", "-", text)
    return re.sub(r"-{2,}", "-", text).strip("-./") or "x"


# From this many sources on, a node's or edge's list is merged into incrementally (_merge_sources).
_INCREMENTAL_SOURCES = 32


def _source_key(d: dict[str, Any]) -> tuple[str, int, str]:
    """The key _sources sorts a normalised source dict by."""
    return (d["file"], d["line"], d.get("card") or "")


def _sources(items: Iterable[Any]) -> list[dict[str, Any]]:
    out = {}
    for s in items:
        src = s if isinstance(s, Source) else Source.from_dict(s)
        out[(src.file, src.line, src.card or "")] = src
    return [out[k].to_dict() for k in sorted(out)]


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: loading a graph or indexing it makes objects by the
    million, none of them garbage, and the collector would walk them all again and again (it
    doubled load time at 100× the notes). Reference counting frees memory as usual meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def atomic_write(path: Path, data: bytes | str | Iterable[str], *, force: bool = True) -> None:
    """Write to a temp file beside `path`, fsync, then rename over it: a crash mid-write leaves the
    old file as it was. With force=False an existing file is refused rather than replaced. `data`
    may also be an iterable of str pieces, written (UTF-8) as they come: a large file then never
    stands in memory whole."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path}: exists; pass --force to overwrite it")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{parent}: no such folder (create it first)")
    pieces: Iterable[bytes | str]
    if isinstance(data, (bytes, bytearray, memoryview)):
        pieces = [bytes(data)]
    elif isinstance(data, str):
        pieces = [data]
    else:
        pieces = data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as err:
        raise OutputError(f"{path}: cannot write here ({err.strerror or err})") from err
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in pieces:
                fh.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise OutputError(f"{path}: cannot write ({err.strerror or err})") from err
        raise


def default_graph_path() -> Path:
    env = os.environ.get("AWSKG_GRAPH")
    return Path(env) if env else DEFAULT_GRAPH


class KnowledgeGraph:
    """The graph and every question asked of it. `kg.graph` is the networkx MultiDiGraph."""

    def __init__(self, graph: nx.MultiDiGraph | None = None):
        self.graph: nx.MultiDiGraph = graph if graph is not None else nx.MultiDiGraph()
        self.graph.graph.setdefault("schema_version", SCHEMA_VERSION)
        self._lines: dict[tuple[str, int], str] | None = None
        self._origins: dict[tuple[str, int], str] | None = None
        self._names: dict[str, list[str]] | None = None
        self._search_index: Any = None
        # (resolved path, size, mtime_ns) of the graph file this graph was loaded from; None when it
        # was built in memory or has changed since. Keys the search index cached beside the file, so
        # code that edits `self.graph` directly (not through add_entity/add_relation) clears it.
        self.file_stamp: tuple[str, int, int] | None = None
        # Source lists this graph merged, with their sort keys: owner -> (the list, its keys).
        self._merged_sources: dict[Any, tuple[list[dict[str, Any]], list[tuple[str, int, str]]]] = {}

    # ------------------------------------------------------------------ building

    def add_entity(
        self, node_id: str, type: str, name: str, sources: Iterable[Source] = (), **attrs: Any
    ) -> str:
        """Add a node, or merge into the one with this id: sources accumulate, the first non-empty
        value of each attribute stays (so the first file to define a term gives its definition)."""
        g = self.graph
        if node_id in g:
            data = g.nodes[node_id]
            data["sources"] = self._merge_sources(node_id, data.get("sources", []), sources)
            for key, value in attrs.items():
                if value in (None, "", [], {}):
                    continue
                old = data.get(key)
                if isinstance(old, list) and isinstance(value, list):
                    data[key] = sorted(set(old) | set(value), key=str)
                elif old in (None, "", [], {}):
                    data[key] = value
        else:
            clean = {k: v for k, v in attrs.items() if v is not None}
            g.add_node(node_id, type=type, name=name, sources=_sources(sources), **clean)
        self._invalidate()
        return node_id

    def add_relation(
        self, u: str, v: str, relation: str, sources: Iterable[Source] = (), **attrs: Any
    ) -> None:
        """Add an edge u -relation-> v (the relation is the edge key), merging evidence lines."""
        if u == v or u not in self.graph or v not in self.graph:
            return
        g = self.graph
        if g.has_edge(u, v, key=relation):
            data = g.edges[u, v, relation]
            data["sources"] = self._merge_sources((u, v, relation), data.get("sources", []), sources)
            for key, value in attrs.items():
                if value not in (None, "") and data.get(key) in (None, ""):
                    data[key] = value
        else:
            g.add_edge(
                u,
                v,
                key=relation,
                relation=relation,
                sources=_sources(sources),
                **{k: val for k, val in attrs.items() if val is not None},
            )
        data = g.edges[u, v, relation]
        data["weight"] = len(data["sources"]) or 1
        self._invalidate()

    def _merge_sources(
        self, owner: Any, current: list[dict[str, Any]], new: Iterable[Any]
    ) -> list[dict[str, Any]]:
        """`_sources(current + new)` without sorting again what was merged before: a hub (a service
        every file names) gains sources file after file, and re-sorting thousands of them on every
        file made building quadratic. A list this graph merged before (the same object) is known
        to be sorted and unique, so the new sources are inserted by binary search; any other list
        goes through _sources."""
        known = self._merged_sources.get(owner)
        if known is None or known[0] is not current:
            out = _sources([*current, *new])
            if len(out) >= _INCREMENTAL_SOURCES:
                self._merged_sources[owner] = (out, [_source_key(d) for d in out])
            return out
        keys = known[1]
        out = list(current)
        for s in new:
            src = s if isinstance(s, Source) else Source.from_dict(s)
            key = (src.file, src.line, src.card or "")
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                out[i] = src.to_dict()  # the same line again: _sources keeps the last
            else:
                keys.insert(i, key)
                out.insert(i, src.to_dict())
        self._merged_sources[owner] = (out, keys)
        return out

    def _invalidate(self) -> None:
        self._lines = None
        self._origins = None
        self._names = None
        self._search_index = None
        self.file_stamp = None

    # ------------------------------------------------------------------ storing

    def to_data(self) -> dict[str, Any]:
        """Node-link data (networkx's schema, `edges` key), sorted so equal graphs dump equal."""
        g = self.graph
        nodes = [{"id": n, **_plain(g.nodes[n])} for n in sorted(g.nodes)]
        edges = []
        for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
            edges.append({"source": u, "target": v, "key": k, **_plain(d)})
        graph_attrs = {k: g.graph[k] for k in sorted(g.graph)}
        graph_attrs["schema_version"] = SCHEMA_VERSION
        return {"directed": True, "multigraph": True, "graph": graph_attrs, "nodes": nodes, "edges": edges}

    def to_json(self) -> str:
        return "".join(self.json_pieces())

    def json_pieces(self) -> Iterator[str]:
        """The graph file's text in pieces, in order: sorted keys, one node or edge a line.

        A line per record keeps the committed graph's diffs readable, and lets each record go
        through json's C encoder (with `indent` json falls back to its pure-Python encoder: 5-7 s
        of a 79 s build at 100x the notes). Records are joined 1,024 at a time, never the whole
        document at once (json.dumps of it held 370 MB more at 100x)."""
        data = self.to_data()
        yield "{\n"
        for i, key in enumerate(sorted(data)):
            head = ("" if i == 0 else ",\n") + _dump(key) + ": "
            value = data[key]
            if key not in ("nodes", "edges") or not value:
                yield head + _dump(value)
                continue
            yield head + "[\n"
            for start in range(0, len(value), 1024):
                with paused_gc():  # (only while encoding: never while the caller holds a piece)
                    piece = ",\n".join(map(_dump, value[start : start + 1024]))
                yield piece if start == 0 else ",\n" + piece
            yield "\n]"
        yield "\n}\n"

    def save(self, path: str | Path | None = None, *, force: bool = True) -> Path:
        """Write the graph as JSON, atomically (temp file + rename), as it is encoded."""
        target = Path(path) if path else default_graph_path()
        atomic_write(target, self.json_pieces(), force=force)
        return target

    @classmethod
    def from_data(cls, data: Any, name: str = "graph") -> KnowledgeGraph:
        if not isinstance(data, dict) or "nodes" not in data or not isinstance(data.get("graph") or {}, dict):
            raise GraphFileError(f"{name}: is not an awskg graph (no node-link data)")
        version = (data.get("graph") or {}).get("schema_version")
        if version != SCHEMA_VERSION:
            raise GraphFileError(
                f"{name}: graph schema version {version!r}, this awskg reads version {SCHEMA_VERSION}; "
                "rebuild it with `awskg build`"
            )
        g = nx.MultiDiGraph()
        g.graph.update(data.get("graph") or {})
        try:
            for node in data["nodes"]:
                attrs = dict(node)
                g.add_node(attrs.pop("id"), **attrs)
            for edge in data.get("edges", data.get("links", [])):
                attrs = dict(edge)
                u, v = attrs.pop("source"), attrs.pop("target")
                key = attrs.pop("key", attrs.get("relation"))
                g.add_edge(u, v, key=key, **attrs)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise GraphFileError(f"{name}: malformed graph data ({err.__class__.__name__}: {err})") from err
        return cls(g)

    @classmethod
    def load(cls, path: str | Path | None = None) -> KnowledgeGraph:
        """Load a graph file: JSON only. A missing, truncated or foreign file is a GraphFileError."""
        target = Path(path) if path else default_graph_path()
        try:
            with open(target, "rb") as fh:
                raw = fh.read()
                st = os.fstat(fh.fileno())
        except FileNotFoundError as err:
            raise GraphFileError(f"{target}: no such graph file; run `awskg build` first") from err
        except IsADirectoryError as err:
            raise GraphFileError(f"{target}: is a folder, not a graph file") from err
        except OSError as err:
            raise GraphFileError(f"{target}: cannot be read ({err.strerror or err})") from err
        with paused_gc():
            try:
                data = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as err:
                raise GraphFileError(f"{target}: is not valid graph JSON (truncated or corrupt?)") from err
            kg = cls.from_data(data, str(target))
        kg.file_stamp = (str(target.resolve()), st.st_size, st.st_mtime_ns)
        return kg

    # ------------------------------------------------------------------ lookups

    def __contains__(self, node_id: str) -> bool:
        return node_id in self.graph

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    def node(self, node_id: str) -> dict[str, Any]:
        return self.graph.nodes[node_id]

    def nodes(self, type: str | None = None) -> list[str]:
        g = self.graph
        return [n for n in g.nodes if type is None or g.nodes[n].get("type") == type]

    def line_text(self, file: str, line: int) -> str | None:
        """The note line behind a source, from the card nodes (so a graph answers offline)."""
        if self._lines is None:
            table: dict[tuple[str, int], str] = {}
            for _n, d in self.graph.nodes(data=True):
                if d.get("type") == "card":
                    for number, _role, text in d.get("lines", []):
                        table[(d.get("file", ""), int(number))] = text
            self._lines = table
        return self._lines.get((file, int(line)))

    def line_origin(self, file: str, line: int) -> str | None:
        """What a line stands for in a file that has no lines of its own: `note 1712345678901,
        field Back` in an Anki package (whose lines awskg numbers, note after note, field after
        field); None for a line of a text file."""
        if self._origins is None:
            table: dict[tuple[str, int], str] = {}
            for _n, d in self.graph.nodes(data=True):
                if d.get("type") == "card" and d.get("note_id") is not None:
                    for first, last, name in d.get("fields") or []:
                        for number in range(int(first), int(last) + 1):
                            table[(d.get("file", ""), number)] = f"note {d['note_id']}, field {name}"
            self._origins = table
        return self._origins.get((file, int(line)))

    def source_text(self, sources: Iterable[Any]) -> list[tuple[Source, str]]:
        out = []
        for s in sources:
            src = s if isinstance(s, Source) else Source.from_dict(s)
            text = self.line_text(src.file, src.line)
            if text is not None:
                out.append((src, text))
        return out

    def _name_index(self) -> dict[str, list[str]]:
        if self._names is None:
            idx: dict[str, list[str]] = {}
            for n, d in self.graph.nodes(data=True):
                if d.get("type") == "card":
                    continue
                for key in {d.get("name", ""), *d.get("aliases", []), n}:
                    if key:
                        idx.setdefault(_fold(key), []).append(n)
            self._names = idx
        return self._names

    def resolve(self, name_or_id: str, types: Iterable[str] | None = None) -> str:
        """An id for a name, alias or id: exact first, then the catalog's spellings and
        abbreviations, then fuzzy; an unknown name raises UnknownEntity with suggestions."""
        from .vocabulary import catalog

        query = (name_or_id or "").strip()
        if not query:
            raise UnknownEntity(name_or_id or "", [])
        if len(query) > 500:
            raise UnknownEntity(query[:40] + "...", [])
        wanted = set(types or [])

        def ok(n: str) -> bool:
            return not wanted or self.graph.nodes[n].get("type") in wanted

        if query in self.graph and ok(query):
            return query
        sid = catalog().lookup(query)
        if sid and f"service:{sid}" in self.graph and ok(f"service:{sid}"):
            return f"service:{sid}"
        cands = [n for n in self._name_index().get(_fold(query), []) if ok(n)]
        if cands:
            return min(cands, key=lambda n: (_TYPE_ORDER.get(self.graph.nodes[n].get("type"), 9), n))
        from rapidfuzz import fuzz, process

        keys = [k for k, ns in self._name_index().items() if any(ok(n) for n in ns)]
        best = process.extract(_fold(query), keys, scorer=fuzz.WRatio, limit=5)
        if best and best[0][1] >= 93 and (len(best) < 2 or best[0][1] - best[1][1] >= 3):
            ns = [n for n in self._name_index()[best[0][0]] if ok(n)]
            return min(ns, key=lambda n: (_TYPE_ORDER.get(self.graph.nodes[n].get("type"), 9), n))
        suggestions = []
        for key, score, _ in best:
            if score < 60:
                continue
            for n in self._name_index()[key]:
                name = self.graph.nodes[n].get("name", n)
                if name not in suggestions:
                    suggestions.append(name)
        raise UnknownEntity(query, suggestions[:5])

    # ------------------------------------------------------------------ limits

    def limits(
        self,
        service: str | None = None,
        *,
        kind: str | None = None,
        numeric_only: bool = True,
    ) -> list[Limit]:
        """The limits of the notes (of one service), in source order.

        Non-numeric bounds (`unlimited`, `retained forever`) are Limit records with `value` None
        and `bound` set; they are listed with `numeric_only=False`.
        """
        sid = None
        if service:
            sid = self.resolve(service, types=["service"])
        out = []
        for n, d in self.graph.nodes(data=True):
            if d.get("type") != "limit":
                continue
            if sid and f"service:{d.get('service_id')}" != sid:
                continue
            if kind and d.get("kind") != kind:
                continue
            if numeric_only and d.get("value") is None:
                continue
            out.append(self._limit(n, d))
        out.sort(key=lambda lim: (lim.source.file, lim.source.line, lim.id))
        return out

    def _limit(self, node_id: str, d: dict[str, Any], *, flagged: bool = True) -> Limit:
        """The Limit record of a limit node; `flagged=False` leaves out its stale flag (the search
        index reads a limit's fields, not its flag, and need not match it to the reference)."""
        sources = [Source.from_dict(s) for s in d.get("sources", [])]
        first = sources[0] if sources else Source("", 0)
        lim = Limit(
            id=node_id,
            service=d.get("service"),
            subject=d.get("subject", d.get("name", "")),
            kind=d.get("kind", "other"),
            value=d.get("value"),
            value_max=d.get("value_max"),
            unit=d.get("unit"),
            text=d.get("text", ""),
            source=first,
            sources=sources,
            dimension=d.get("dimension", "count"),
            base_value=d.get("base_value"),
            base_value_max=d.get("base_value_max"),
            per=d.get("per"),
            bound=d.get("bound"),
            feature=d.get("feature"),
            service_id=d.get("service_id"),
            line_text=self.line_text(first.file, first.line) or "",
            conflict=bool(d.get("conflict")),
            unsure=d.get("unsure"),
        )
        if flagged:
            lim.stale = _stale_flag(self, lim)
        return lim

    def limit(self, node_id: str) -> Limit:
        return self._limit(node_id, self.graph.nodes[node_id])

    # ------------------------------------------------------------------ entities and neighbours

    def entity(self, name_or_id: str) -> Entity:
        """One entity with its definition, sources (and their note text), limits and neighbours."""
        node_id = self.resolve(name_or_id)
        d = self.graph.nodes[node_id]
        sources = [Source.from_dict(s) for s in d.get("sources", [])]
        attrs = {k: v for k, v in d.items()
                 if k not in ("type", "name", "sources", "definition", "aliases", "definition_source")}
        return Entity(
            id=node_id,
            type=d.get("type", ""),
            name=d.get("name", node_id),
            definition=d.get("definition", "") or "",
            service=d.get("service"),
            sources=sources,
            aliases=list(d.get("aliases", [])),
            attrs=attrs,
            limits=self._limits_of(node_id),
            neighbours=self.related(node_id, depth=1),
            source_text=self.source_text(sources),
            definition_source=self._definition_source(d),
        )

    def _definition_source(self, d: dict[str, Any]) -> Source | None:
        """The line an entity's definition is read from: `definition_source` where extraction
        records it; in a graph built before it did, the first line of the entity's own (or one of
        the three below a line it is named on) that opens the definition: the line itself, or what
        follows its `term:` / `term – `."""
        raw = d.get("definition_source")
        if isinstance(raw, dict) and raw.get("line"):
            return Source.from_dict(raw)
        definition = _fold(d.get("definition") or "")
        if not definition:
            return None
        owned = [s.rpartition(":") for s in d.get("lines", [])]
        named = [Source.from_dict(s) for s in d.get("sources", [])]
        candidates = [*named, *(Source(f, int(n)) for f, _, n in owned if n.isdigit()),
                      *(Source(s.file, s.line + k) for s in named for k in (1, 2, 3))]
        for src in candidates:
            text = _fold(self.line_text(src.file, src.line) or "")
            for said in {text, re.split(r": | [–-] ", text, maxsplit=1)[-1]}:
                if said and (definition.startswith(said) or said.startswith(definition)):
                    return src
        return None

    def _limits_of(self, node_id: str) -> list[Limit]:
        g = self.graph
        d = g.nodes[node_id]
        if d.get("type") == "limit":
            return [self._limit(node_id, d)]
        # A service's limits are those of its id, and those it has (a component such as Lambda
        # Layers holds limits the notes state under Lambda).
        ids = {v for _, v, k in g.out_edges(node_id, keys=True) if k == "HAS_LIMIT"}
        if d.get("type") == "service":
            sid = node_id.split(":", 1)[1]
            ids |= {n for n, nd in g.nodes(data=True)
                    if nd.get("type") == "limit" and nd.get("service_id") == sid}
        found = [self._limit(n, g.nodes[n]) for n in ids]
        found.sort(key=lambda lim: (lim.source.file, lim.source.line, lim.id))
        return found

    def related(
        self,
        entity: str,
        depth: int = 1,
        types: Iterable[str] | None = None,
        relations: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[Neighbour]:
        """Neighbours of an entity, ranked: typed relations over co-occurrence, more evidence over
        less, and a neighbour that is everyone's neighbour (high degree) lower than a specific one."""
        depth = _check_depth(depth)
        start = self.resolve(entity)
        want_types = set(types or [])
        want_rel = {r.upper() for r in relations or []}
        g = self.graph
        total = max(1, sum(1 for _, d in g.nodes(data=True) if d.get("type") != "card"))
        best: dict[str, Neighbour] = {}
        frontier = [(start, 1.0, None)]
        seen = {start}
        for level in range(1, depth + 1):
            next_frontier = []
            for node, carry, _via in frontier:
                for nb, rel, direction, data in self._edges_of(node):
                    if g.nodes[nb].get("type") == "card":
                        continue
                    if want_rel and rel not in want_rel:
                        continue
                    evidence = [Source.from_dict(s) for s in data.get("sources", [])]
                    weight = RELATION_WEIGHT.get(rel, TYPED_RELATION_WEIGHT)
                    degree = g.degree(nb)
                    specificity = math.log(1 + total / (1 + degree))
                    score = carry * weight * (1 + math.log(1 + len(evidence))) * specificity / level
                    if nb not in seen:
                        next_frontier.append((nb, carry * 0.5, node))
                    if nb == start:
                        continue
                    if want_types and g.nodes[nb].get("type") not in want_types:
                        continue
                    prev = best.get(nb)
                    if prev is None or score > prev.score:
                        best[nb] = Neighbour(
                            id=nb,
                            name=g.nodes[nb].get("name", nb),
                            type=g.nodes[nb].get("type", ""),
                            relation=rel,
                            direction=direction,
                            score=score + (prev.score * 0.25 if prev else 0.0),
                            evidence=evidence,
                            evidence_text=[t for _, t in self.source_text(evidence[:3])],
                            depth=level,
                            via=None if level == 1 else node,
                        )
                    else:
                        prev.score += score * 0.25
            for nb, _c, _v in next_frontier:
                seen.add(nb)
            frontier = next_frontier
        ranked = sorted(best.values(), key=lambda n: (n.depth, -n.score, n.name.lower(), n.id))
        return ranked[:limit] if limit else ranked

    def _edges_of(self, node: str):
        g = self.graph
        for _, v, k, d in g.out_edges(node, keys=True, data=True):
            yield v, k, "out", d
        for u, _, k, d in g.in_edges(node, keys=True, data=True):
            yield u, k, "in", d

    def subgraph(
        self,
        entities: Iterable[str] | str,
        depth: int = 1,
        types: Iterable[str] | None = None,
    ) -> nx.MultiDiGraph:
        """The entities, everything within `depth` steps (cards left out), and the edges among
        them: a copy, with the same attributes, that exports and the app draw."""
        depth = _check_depth(depth, allow_zero=True)
        if isinstance(entities, str):
            entities = [entities]
        starts = [self.resolve(e) for e in entities]
        want = set(types or [])
        g = self.graph
        keep = set(starts)
        frontier = set(starts)
        for _ in range(depth):
            nxt = set()
            for node in frontier:
                for nb, _rel, _dir, _d in self._edges_of(node):
                    nd = g.nodes[nb]
                    if nd.get("type") == "card" or nb in keep:
                        continue
                    if want and nd.get("type") not in want:
                        continue
                    nxt.add(nb)
            keep |= nxt
            frontier = nxt
        sub = g.subgraph(sorted(keep)).copy()
        sub.graph = {**{k: v for k, v in g.graph.items() if k != "files"}, "roots": starts, "depth": depth}
        return sub

    def compare(self, a: str, b: str) -> dict[str, Any]:
        """Two entities side by side: definitions with their note lines, limits, and what the notes
        say sets them apart (the CONTRASTS_WITH evidence) or joins them."""
        ea, eb = self.entity(self._contrasted_pair(a, b)[0]), self.entity(self._contrasted_pair(a, b)[1])
        joined = []
        for u, v in ((ea.id, eb.id), (eb.id, ea.id)):
            for k, d in (self.graph.get_edge_data(u, v) or {}).items():
                joined.append(
                    {
                        "relation": k,
                        "from": u,
                        "to": v,
                        "evidence": [
                            {**s.to_dict(), "text": t} for s, t in self.source_text(d.get("sources", []))
                        ],
                    }
                )
        return {
            "a": self._side(ea),
            "b": self._side(eb),
            "relations": joined,
            "contrasted": any(j["relation"] == "CONTRASTS_WITH" for j in joined),
            "attributes": _side_by_side(self.graph.nodes[ea.id], self.graph.nodes[eb.id]),
        }

    def _side(self, e: Entity) -> dict[str, Any]:
        """One side of a comparison: everything its lines say, whole (the lines it is named on and
        the lines it owns, in file order), each with the flags of the stale values it states."""
        from .study.stale import flags_at

        cards = {(s.file, s.line): s.card for s in e.sources}
        owned = [str(ref).rpartition(":") for ref in e.attrs.get("lines") or []]
        refs = set(cards) | {(f, int(n)) for f, _, n in owned if n.isdigit()}
        lines = []
        for file, number in sorted(refs):
            text = self.line_text(file, number)
            if text is not None:
                src = Source(file, number, cards.get((file, number)))
                lines.append({**src.to_dict(), "text": text,
                              "stale": [f.to_dict() for f in flags_at(self, file, number)]})
        return {
            "id": e.id,
            "name": e.name,
            "type": e.type,
            "service": e.service,
            "definition": e.definition,
            "definition_source": e.definition_source.to_dict() if e.definition_source else None,
            "lines": lines,
            "limits": [lim.to_dict() for lim in e.limits],
        }

    def _contrasted_pair(self, a: str, b: str) -> tuple[str, str]:
        """Resolve two names; where a name fits several nodes (the product Redis and the notes'
        `redis` heading), prefer the pair the notes contrast."""
        ia, ib = self.resolve(a), self.resolve(b)
        g = self.graph
        if g.has_edge(ia, ib, "CONTRASTS_WITH") or g.has_edge(ib, ia, "CONTRASTS_WITH"):
            return ia, ib
        ca = [ia, *[n for n in self._name_index().get(_fold(a), []) if n != ia]]
        cb = [ib, *[n for n in self._name_index().get(_fold(b), []) if n != ib]]
        for x in ca:
            for y in cb:
                if g.has_edge(x, y, "CONTRASTS_WITH") or g.has_edge(y, x, "CONTRASTS_WITH"):
                    return x, y
        return ia, ib

    def comparisons(self) -> list[tuple[str, str]]:
        out = set()
        for u, v, k in self.graph.edges(keys=True):
            if k == "CONTRASTS_WITH":
                out.add(tuple(sorted((u, v))))
        return sorted(out)

    # ------------------------------------------------------------------ search and stats

    def search(
        self,
        query: str,
        limit: int = 10,
        *,
        types: Iterable[str] | str | None = None,
        service: str | None = None,
    ) -> list[Hit]:
        """Ranked answers to a student's query (typos, abbreviations, synonyms); see search.py."""
        from .search import SearchIndex
        from .study.stale import flag_hits

        if self._search_index is None:
            self._search_index = SearchIndex.for_graph(self)
        return flag_hits(self, self._search_index.search(query, limit=limit, types=types, service=service))

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        from .search import SearchIndex

        if self._search_index is None:
            self._search_index = SearchIndex.for_graph(self)
        return self._search_index.suggest(query, limit=limit)

    def unnamed_services(self, query: str) -> list[str]:
        """Services the query names that the notes never name (`API Gateway`): see search.py."""
        from .search import SearchIndex

        if self._search_index is None:
            self._search_index = SearchIndex.for_graph(self)
        return self._search_index.unnamed_services(query)

    def stats(self) -> dict[str, Any]:
        g = self.graph
        by_type: dict[str, int] = {}
        for _, d in g.nodes(data=True):
            t = d.get("type", "?")
            by_type[t] = by_type.get(t, 0) + 1
        by_rel: dict[str, int] = {}
        for _, _, k in g.edges(keys=True):
            by_rel[k] = by_rel.get(k, 0) + 1
        return {
            "cards": by_type.get("card", 0),
            "nodes": g.number_of_nodes(),
            "edges": g.number_of_edges(),
            "entities": {k: by_type[k] for k in sorted(by_type) if k != "card"},
            "relations": {k: by_rel[k] for k in sorted(by_rel)},
            "files": [f.get("file") for f in g.graph.get("files", [])],
            "schema_version": g.graph.get("schema_version"),
        }

    def cards(self) -> list[dict[str, Any]]:
        out = [dict(id=n, **d) for n, d in self.graph.nodes(data=True) if d.get("type") == "card"]
        return sorted(out, key=lambda c: (c.get("file", ""), c.get("number", 0)))

    def card_of(self, node_id: str) -> dict[str, Any] | None:
        """The card behind an entity's first source: the original note text."""
        d = self.graph.nodes[node_id]
        for s in d.get("sources", []):
            cid = s.get("card")
            if cid and cid in self.graph:
                return dict(id=cid, **self.graph.nodes[cid])
        return None


_TYPE_ORDER = {"service": 0, "feature": 1, "api": 2, "error": 3, "config": 4, "limit": 8}


def _stale_flag(kg: KnowledgeGraph, lim: Limit) -> dict[str, Any] | None:
    """The limit's flag if AWS states it otherwise today: computed (once per graph) in study/stale.py."""
    from .study.stale import limit_flag

    flag = limit_flag(kg, lim)
    return flag.to_dict() if flag else None


def _side_by_side(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the comparison tables that hold both: `{attribute, a, b, source}` in note order."""
    cells_b = {(f, int(n)): v for f, n, _attr, v in b.get("compared", [])}
    rows = []
    for f, n, attribute, value in a.get("compared", []):
        if (f, int(n)) in cells_b:
            rows.append({"attribute": attribute, "a": value, "b": cells_b[(f, int(n))],
                         "source": {"file": f, "line": int(n)}})
    return sorted(rows, key=lambda r: (r["source"]["file"], r["source"]["line"]))


def _check_depth(depth: int, allow_zero: bool = False) -> int:
    try:
        depth = int(depth)
    except (TypeError, ValueError) as err:
        raise UsageError(f"depth must be a whole number from 1 to {MAX_DEPTH}, not {depth!r}") from err
    low = 0 if allow_zero else 1
    if not low <= depth <= MAX_DEPTH:
        raise UsageError(f"depth must be from {low} to {MAX_DEPTH}, not {depth}")
    return depth


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).replace("’", "'").lower()).strip()


def _dump(value: Any) -> str:
    # Strict JSON: `Infinity` and `NaN` are not JSON (a browser's JSON.parse rejects them), and no
    # value of the graph can be one (quantities refuse numbers a float cannot hold).
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in sorted(d)}


def load(path: str | Path | None = None) -> KnowledgeGraph:
    """`awskg.load()`: the graph at `path`, else $AWSKG_GRAPH, else graph/awskg.json."""
    return KnowledgeGraph.load(path)
