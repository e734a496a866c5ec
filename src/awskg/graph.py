"""KnowledgeGraph: the typed graph of a set of notes, over a networkx MultiDiGraph.

Stored as networkx node-link JSON (`graph/awskg.json`) with a schema version; written atomically
and byte-identically for the same notes. Loading reads JSON only (never pickle) and never imports
spaCy: the query side (limits, entity, related, search, export, study) runs on the stored graph.

Saving also writes the graph's query store beside the file (store.py: SQLite, derived from the
file and checked against it). A graph loaded from a file with a valid store answers from the
store's rows, and parses the file (into `kg.graph`, networkx) only when something asks for the
whole graph; a missing, stale or damaged store is written again from the file.

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
import stat
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .atomic import atomic_write  # the graph's writer; importers of graph.atomic_write keep it
from .errors import GraphFileError, OutputError, UnknownEntity, UsageError
from .graphcheck import first_problem
from .model import Entity, Hit, Limit, Neighbour, Source
from .store import ABSENT

if TYPE_CHECKING:
    import networkx as nx

    from .store import Contents, Head, Store

SCHEMA_VERSION = 1
# A graph file is read whole into memory: past this it is refused, not read (100x the project's
# notes make a graph of about 70 MB).
MAX_GRAPH_BYTES = 1024 * 2**20
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


def default_graph_path() -> Path:
    env = os.environ.get("AWSKG_GRAPH")
    return Path(env) if env else DEFAULT_GRAPH


_F = TypeVar("_F", bound=Callable[..., Any])


def _store_guarded(method: _F) -> _F:
    """A question answered from the store that finds a row damaged (StoreDamaged) is answered
    again from the graph file, and the store is written again (KnowledgeGraph._recover)."""
    from .store import StoreDamaged

    @wraps(method)
    def guarded(self: KnowledgeGraph, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StoreDamaged:
            if self._store is None:
                raise
            self._recover()
            return method(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


class KnowledgeGraph:
    """The graph and every question asked of it. `kg.graph` is the networkx MultiDiGraph.

    A graph loaded from a file answers from the file's store (store.py) while it has one that
    matches the file: `kg.graph` is then parsed from the file when first read. Edit a graph through
    add_entity/add_relation, which leave the store (their edits are not in it) for the graph."""

    def __init__(self, graph: nx.MultiDiGraph | None = None, *, store: Store | None = None,
                 path: Path | None = None):
        if graph is None and store is None:
            import networkx as nx  # (not at import: a query answered from the store never needs it)

            graph = nx.MultiDiGraph()
        self._graph: nx.MultiDiGraph | None = graph
        if graph is not None:
            graph.graph.setdefault("schema_version", SCHEMA_VERSION)
        self._store = store
        self._path = path  # the graph file this graph was loaded from (None: built in memory)
        self._lines: dict[tuple[str, int], str] | None = None
        self._edits = 0  # edits through add_entity/add_relation (see revision)
        self._origins: dict[tuple[str, int], str] | None = None
        self._questions: dict[tuple[str, int], str] | None = None
        self._names: dict[str, list[str]] | None = None
        self._search_index: Any = None
        # Read from the store: node attributes (decoded once, so repeated reads give one dict, as
        # networkx does), node heads (type, name, degree) and note lines.
        self._stored_nodes: dict[Any, dict[str, Any]] = {}
        self._heads: dict[Any, tuple[Any, ...] | None] = {}
        self._stored_lines: dict[tuple[str, int], tuple[str | None, str, list[Any], str] | None] = {}
        self._citing: dict[tuple[str, int], list[Any]] | None = None
        self._keys: list[tuple[str, set[str]]] | None = None
        # Source lists this graph merged, with their sort keys: owner -> (the list, its keys).
        self._merged_sources: dict[Any, tuple[list[dict[str, Any]], list[tuple[str, int, str]]]] = {}

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx MultiDiGraph: parsed from the graph file when a stored graph first needs it."""
        if self._graph is None:
            assert self._path is not None
            # The bytes the store was made from were checked then (or written by awskg itself).
            known = self._store.meta["graph"][3] if self._store is not None else None
            data, sha = _read_graph_file(self._path, checked_sha=known)
            if self._store is not None and sha != self._store.meta["graph"][3]:
                self._leave_store()  # the file changed since the store was opened: it is the answer
            self._graph = self.from_data(data, str(self._path), checked=True).graph
        return self._graph

    @property
    def _stored(self) -> Store | None:
        """The store to read graph questions from: while the graph is not parsed (once it is,
        networkx answers them as quickly, and code may have edited it)."""
        return self._store if self._graph is None else None

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
        # Note lines live in card nodes: other nodes leave the line table as it is (the build's
        # linking passes read lines between edits of limits; rebuilding the table after each edit
        # took 20 s of a 100x build).
        self._invalidate(lines=g.nodes[node_id].get("type") == "card" or type == "card")
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
        self._invalidate(lines=False)

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

    def _invalidate(self, *, lines: bool = True) -> None:
        """Forget what was worked out from the graph before an edit (`lines`: the note lines too)."""
        self._edits += 1
        if lines:
            self._lines = None
            self._questions = None
            self._origins = None
        self._citing = None
        self._names = None
        self._search_index = None
        if self._store is not None:
            self._leave_store()

    def _leave_store(self) -> None:
        """Answer from the graph in memory from now on (the store no longer matches it)."""
        store, self._store = self._store, None
        self._search_index = None
        self._stored_nodes.clear()
        self._heads.clear()
        self._stored_lines.clear()
        self._keys = None
        if store is not None:
            store.close()

    def _recover(self) -> None:
        """The store failed a check while answering: parse the graph file and write the store again
        (or, where no store can be written, answer from memory)."""
        assert self._path is not None
        self._leave_store()
        data, sha = _read_graph_file(self._path)
        if self._graph is None:
            self._graph = self.from_data(data, str(self._path), checked=True).graph
        self._store = self._write_store(self._path, data, sha, sorted_keys=False)

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

    def json_pieces(self, data: dict[str, Any] | None = None) -> Iterator[str]:
        """The graph file's text in pieces, in order: sorted keys, one node or edge a line.

        A line per record keeps the committed graph's diffs readable, and lets each record go
        through json's C encoder (with `indent` json falls back to its pure-Python encoder: 5-7 s
        of a 79 s build at 100x the notes). Records are joined 1,024 at a time, never the whole
        document at once (json.dumps of it held 370 MB more at 100x)."""
        data = self.to_data() if data is None else data
        yield '{\n"graph": ' + _header(data["graph"])
        for key in sorted(k for k in data if k != "graph"):
            head = ",\n" + _dump(key) + ": "
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

    def save(self, path: str | Path | None = None, *, force: bool = True, store: bool = True) -> Path:
        """Write the graph as JSON, atomically (temp file + rename), as it is encoded; and, unless
        `store` is False, its query store beside it (see store.py), so that the first query of the
        file reads what it needs rather than parsing and indexing the whole graph."""
        import hashlib

        target = Path(path) if path else default_graph_path()
        digest = hashlib.sha256()
        with paused_gc():  # (the records and rows it makes are no garbage: see paused_gc)
            data = self.to_data()

            def hashed() -> Iterator[bytes]:
                for piece in self.json_pieces(data):
                    raw = piece.encode("utf-8")
                    digest.update(raw)
                    yield raw

            atomic_write(target, hashed(), force=force)
            if store:
                self._write_store(target, data, digest.hexdigest(), sorted_keys=True)
        return target

    def _write_store(self, target: Path, data: dict[str, Any], sha: str, *,
                     sorted_keys: bool) -> Store | None:
        """Write the store of the graph file `target` (whose node-link data is `data`, SHA-256
        `sha`) beside it, or where store.fallback_path says when its folder is read-only, and
        open it. None when it can be written nowhere: the graph then answers from memory."""
        from .store import GraphStamp, fallback_path, open_store, store_path, write

        contents = _store_contents(self, data, sorted_keys=sorted_keys)
        st = os.stat(target)
        stamp = GraphStamp(st.st_size, st.st_mtime_ns, st.st_ino, sha)
        for place in (store_path(target), fallback_path(target)):
            try:
                write(place, contents, stamp)
            except OSError:
                continue
            return open_store(place, target)
        return None

    @classmethod
    def from_data(cls, data: Any, name: str = "graph", *, checked: bool = False) -> KnowledgeGraph:
        """The graph of node-link data; GraphFileError naming `name` when it is not a well-formed
        awskg graph (`checked`: _read_graph_file has checked it already)."""
        if not checked:
            _check_data(data, name)
        import networkx as nx

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
    def load(cls, path: str | Path | None = None, *, store: bool = True) -> KnowledgeGraph:
        """Load a graph file: JSON only. A missing, truncated or foreign file is a GraphFileError.

        With its store (store.py) when there is one that matches the file: the file is then parsed
        only when something reads `kg.graph`. A missing, stale or damaged store is written again
        (beside the file, or in a temp folder when that folder is read-only). `store=False` parses
        the file and answers from memory, as a graph built in memory does."""
        target = Path(path) if path else default_graph_path()
        if store:
            from .store import fallback_path, open_store, store_path

            _check_graph_file(target)
            for place in (store_path(target), fallback_path(target)):
                found = open_store(place, target)
                if found is not None:
                    return cls(store=found, path=target)
        data, sha = _read_graph_file(target)
        kg = cls.from_data(data, str(target), checked=True)
        kg._path = target
        if store:
            kg._store = kg._write_store(target, data, sha, sorted_keys=False)
        return kg

    # ------------------------------------------------------------------ reading the graph or its store

    def _node_data(self, node_id: Any) -> dict[str, Any] | None:
        """A node's attributes (the graph's own dict, or one decoded from the store), or None."""
        store = self._stored
        if store is None:
            g = self.graph
            return g.nodes[node_id] if node_id in g else None
        found = self._stored_nodes.get(node_id)
        if found is None:
            text = store.node_data(node_id)
            if text is None:
                return None
            found = self._stored_nodes[node_id] = json.loads(text)
        return found

    def _head(self, node_id: Any) -> Head | None:
        """What the store keeps of a node beside its attributes (store.Head), or None."""
        if node_id not in self._heads:
            assert self._store is not None
            self._heads[node_id] = self._store.node_head(node_id)
        return self._heads[node_id]

    def _known_head(self, node_id: Any) -> Head:
        head = self._head(node_id)
        if head is None:
            raise KeyError(node_id)
        return head

    def _type(self, node_id: Any) -> Any:
        if self._stored is None:
            return self.graph.nodes[node_id].get("type")
        return self._known_head(node_id).type

    def _name_of(self, node_id: Any) -> Any:
        """`nodes[node_id].get("name", node_id)`."""
        if self._stored is None:
            return self.graph.nodes[node_id].get("name", node_id)
        name = self._known_head(node_id).name
        return node_id if name is ABSENT else name

    def _degree(self, node_id: Any) -> int:
        if self._stored is None:
            return self.graph.degree(node_id)
        return self._known_head(node_id).degree

    def _concepts(self) -> int:
        """How many nodes are not cards."""
        store = self._stored
        if store is not None:
            return store.meta["concepts"]
        return sum(1 for _, d in self.graph.nodes(data=True) if d.get("type") != "card")

    def _nodes_of(self, type_: str, service_id: Any = None) -> Iterator[tuple[Any, dict[str, Any]]]:
        """(id, attributes) of the nodes of a type (and, from the store, of a service: callers still
        check), in the graph's order."""
        store = self._stored
        if store is None:
            for n, d in self.graph.nodes(data=True):
                if d.get("type") == type_:
                    yield n, d
            return
        for n, text in store.nodes_where(type_, service_id):
            d = self._stored_nodes.get(n)
            if d is None:
                d = self._stored_nodes[n] = json.loads(text)
            yield n, d

    def _edges_of(self, node: Any) -> Iterator[tuple[Any, Any, str, dict[str, Any]]]:
        """(neighbour, relation, "out"|"in", edge attributes), in networkx's order."""
        store = self._stored
        if store is None:
            g = self.graph
            for _, v, k, d in g.out_edges(node, keys=True, data=True):
                yield v, k, "out", d
            for u, _, k, d in g.in_edges(node, keys=True, data=True):
                yield u, k, "in", d
            return
        edges = store.edges_of(node)
        missing = [nb for nb, _k, _dir, _d in edges if nb not in self._heads]
        if missing:
            heads = store.heads(missing)
            for nb in missing:
                self._heads[nb] = heads.get(nb)
        for nb, k, direction, text in edges:
            yield nb, k, direction, json.loads(text)

    def _edge_data(self, u: Any, v: Any) -> dict[Any, dict[str, Any]]:
        """{relation: attributes} of the edges u -> v."""
        store = self._stored
        if store is None:
            return dict(self.graph.get_edge_data(u, v) or {})
        return {k: json.loads(text) for k, text in store.edges_between(u, v)}

    def _has_edge(self, u: Any, v: Any, relation: str) -> bool:
        store = self._stored
        if store is None:
            return self.graph.has_edge(u, v, relation)
        return any(k == relation for k, _ in store.edges_between(u, v))

    def _edges_keyed(self, relation: str) -> list[tuple[Any, Any]]:
        store = self._stored
        if store is None:
            return [(u, v) for u, v, k in self.graph.edges(keys=True) if k == relation]
        return store.edges_keyed(relation)

    # ------------------------------------------------------------------ lookups

    @_store_guarded
    def revision(self) -> tuple[Any, ...]:
        """Changes when the graph does: what a cache worked out from this graph is keyed by. A graph
        answering from its store is the store's (read-only) graph; one in memory changes through
        add_entity/add_relation (and its node count through networkx)."""
        if self._stored is not None:
            return ("store", id(self._store))
        g = self.graph
        # Counting a MultiDiGraph's edges walks all of them (0.1 s at 100x): the edits made
        # through add_entity/add_relation are counted instead, the nodes as networkx counts them.
        return ("memory", id(g), g.number_of_nodes(), self._edits)

    def __contains__(self, node_id: str) -> bool:
        if self._stored is None:
            return node_id in self.graph
        try:
            return self._head(node_id) is not None
        except TypeError:  # an unhashable "id", as networkx answers
            return False

    @_store_guarded
    def __len__(self) -> int:
        store = self._stored
        return store.meta["nodes"] if store is not None else self.graph.number_of_nodes()

    @_store_guarded
    def node(self, node_id: str) -> dict[str, Any]:
        d = self._node_data(node_id)
        if d is None:
            raise KeyError(node_id)
        return d

    @_store_guarded
    def nodes(self, type: str | None = None) -> list[str]:
        store = self._stored
        if store is not None:
            return [n for n, _ in store.nodes_where(type, with_data=False)]
        g = self.graph
        return [n for n in g.nodes if type is None or g.nodes[n].get("type") == type]

    @_store_guarded
    def line_text(self, file: str, line: int) -> str | None:
        """The note line behind a source, from the card nodes (so a graph answers offline)."""
        store = self._stored
        if store is not None:
            row = self._stored_line(file, int(line))
            return row[0] if row else None
        if self._lines is None:
            self._lines = _line_table(self.graph.nodes(data=True))
        return self._lines.get((file, int(line)))

    @_store_guarded
    def line_origin(self, file: str, line: int) -> str | None:
        """What a line stands for in a file that has no lines of its own: `note 1712345678901,
        field Back` in an Anki package (whose lines awskg numbers, note after note, field after
        field); None for a line of a text file."""
        if self._stored is not None:
            row = self._stored_line(file, int(line))
            return (row[3] or None) if row else None
        if self._origins is None:
            self._origins = _origin_table(self.graph.nodes(data=True))
        return self._origins.get((file, int(line)))

    @_store_guarded
    def question_of(self, file: str, line: int) -> str:
        """The question a line answers, when it is an answer line of a question card; else ""."""
        if self._stored is not None:
            row = self._stored_line(file, int(line))
            return row[1] if row else ""
        if self._questions is None:
            self._questions = _question_table(self.graph.nodes(data=True))
        return self._questions.get((file, int(line)), "")

    @_store_guarded
    def stored_stale(self, limit_id: str) -> Any:
        """The fields of a limit's stale flag as the store keeps them (None: not stale), or ABSENT
        when the graph does not answer from a store (study/stale.py then matches the limit)."""
        if self._stored is None:
            return ABSENT
        return self._stored.stale_flag(limit_id)

    def _stored_line(self, file: str, line: int) -> tuple[str | None, str, list[Any], str] | None:
        key = (file, line)
        if key not in self._stored_lines:
            assert self._store is not None
            self._stored_lines[key] = self._store.line(file, line)
        return self._stored_lines[key]

    def source_text(self, sources: Iterable[Any]) -> list[tuple[Source, str]]:
        out = []
        for s in sources:
            src = s if isinstance(s, Source) else Source.from_dict(s)
            text = self.line_text(src.file, src.line)
            if text is not None:
                out.append((src, text))
        return out

    @_store_guarded
    def nodes_at(self, file: str, line: int) -> list[str]:
        """The nodes (not cards) whose sources cite a note line, in the graph's order."""
        if self._stored is not None:
            row = self._stored_line(file, int(line))
            return list(row[2]) if row else []
        if self._citing is None:
            self._citing = _citing_table(self.graph.nodes(data=True))
        return list(self._citing.get((file, int(line)), []))

    @_store_guarded
    def label(self, node_id: str) -> tuple[Any, Any, Any] | None:
        """(type, name, service) of a node, as a picker names it (`name` the id when it has none,
        `service` None when it has none); None when there is no such node. Read from the store
        without the node's other attributes."""
        if self._stored is None:
            g = self.graph
            if node_id not in g:
                return None
            d = g.nodes[node_id]
            return d.get("type"), d.get("name", node_id), d.get("service")
        head = self._head(node_id)
        return None if head is None else _label(head)

    @_store_guarded
    def labels(self, types: Iterable[str] | None = None) -> dict[str, tuple[Any, Any, Any]]:
        """node id -> label (see `label`) of the nodes of these types (all when None), in the graph's
        order: the entries of a picker, listed without reading every node's attributes."""
        store = self._stored
        if store is None:
            wanted = None if types is None else set(types)
            return {n: (d.get("type"), d.get("name", n), d.get("service"))
                    for n, d in self.graph.nodes(data=True) if wanted is None or d.get("type") in wanted}
        heads = store.heads_where(None if types is None else sorted(set(types)))
        for head in heads:
            self._heads[head.id] = head
        return {head.id: _label(head) for head in heads}

    def _name_index(self) -> dict[str, list[str]]:
        if self._names is None:
            self._names = _name_table(self.graph.nodes(data=True))
        return self._names

    def _named(self, key: str) -> list[Any]:
        """The nodes a folded name, alias or id names, in the graph's order."""
        store = self._stored
        if store is not None:
            return store.names(key)
        return self._name_index().get(key, [])

    def _name_keys(self, ok_types: set[str]) -> list[str]:
        """Every folded name of a node of these types (any type when empty), in first-seen order."""
        store = self._stored
        if store is not None:
            if self._keys is None:
                self._keys = store.name_keys()
            return [k for k, types in self._keys if not ok_types or types & ok_types]
        g = self.graph
        return [k for k, ns in self._name_index().items()
                if not ok_types or any(g.nodes[n].get("type") in ok_types for n in ns)]

    @_store_guarded
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
            return not wanted or self._type(n) in wanted

        if query in self and ok(query):
            return query
        # A service by any spelling, or by its catalog id (`kinesis-data-streams`, as JSON shows it).
        sid = catalog().lookup(query) or (query.lower() if query.lower() in catalog() else None)
        if sid and f"service:{sid}" in self and ok(f"service:{sid}"):
            return f"service:{sid}"
        cands = [n for n in self._named(_fold(query)) if ok(n)]
        if cands:
            return min(cands, key=lambda n: (_TYPE_ORDER.get(self._type(n), 9), n))
        from rapidfuzz import fuzz, process

        keys = self._name_keys(wanted)
        best = process.extract(_fold(query), keys, scorer=fuzz.WRatio, limit=5)
        if best and best[0][1] >= 93 and (len(best) < 2 or best[0][1] - best[1][1] >= 3):
            ns = [n for n in self._named(best[0][0]) if ok(n)]
            return min(ns, key=lambda n: (_TYPE_ORDER.get(self._type(n), 9), n))
        suggestions = []
        for key, score, _ in best:
            if score < 60:
                continue
            for n in self._named(key):
                name = self._name_of(n)
                if name not in suggestions:
                    suggestions.append(name)
        raise UnknownEntity(query, suggestions[:5])

    # ------------------------------------------------------------------ limits

    @_store_guarded
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
        for n, d in self._nodes_of("limit", sid.split(":", 1)[1] if sid else None):
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

    @_store_guarded
    def limit(self, node_id: str) -> Limit:
        return self._limit(node_id, self.node(node_id))

    # ------------------------------------------------------------------ entities and neighbours

    @_store_guarded
    def entity(self, name_or_id: str) -> Entity:
        """One entity with its definition, sources (and their note text), limits and neighbours."""
        node_id = self.resolve(name_or_id)
        d = self.node(node_id)
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
        d = self.node(node_id)
        if d.get("type") == "limit":
            return [self._limit(node_id, d)]
        # A service's limits are those of its id, and those it has (a component such as Lambda
        # Layers holds limits the notes state under Lambda).
        by_id = {v: self._limit(v, self.node(v)) for v, k, direction, _ in self._edges_of(node_id)
                 if direction == "out" and k == "HAS_LIMIT"}
        if d.get("type") == "service":
            sid = node_id.split(":", 1)[1]
            by_id.update((n, self._limit(n, nd)) for n, nd in self._nodes_of("limit", sid)
                         if n not in by_id and nd.get("service_id") == sid)
        return sorted(by_id.values(), key=lambda lim: (lim.source.file, lim.source.line, lim.id))

    @_store_guarded
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
        total = max(1, self._concepts())
        best: dict[str, Neighbour] = {}
        frontier = [(start, 1.0, None)]
        seen = {start}
        for level in range(1, depth + 1):
            next_frontier = []
            for node, carry, _via in frontier:
                for nb, rel, direction, data in self._edges_of(node):
                    nb_type = self._type(nb)
                    if nb_type == "card":
                        continue
                    if want_rel and rel not in want_rel:
                        continue
                    evidence = [Source.from_dict(s) for s in data.get("sources", [])]
                    weight = RELATION_WEIGHT.get(rel, TYPED_RELATION_WEIGHT)
                    degree = self._degree(nb)
                    specificity = math.log(1 + total / (1 + degree))
                    score = carry * weight * (1 + math.log(1 + len(evidence))) * specificity / level
                    if nb not in seen:
                        next_frontier.append((nb, carry * 0.5, node))
                    if nb == start:
                        continue
                    if want_types and nb_type not in want_types:
                        continue
                    prev = best.get(nb)
                    if prev is None or score > prev.score:
                        best[nb] = Neighbour(
                            id=nb,
                            name=self._name_of(nb),
                            type=nb_type if nb_type is not None else "",
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

    @_store_guarded
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
        keep = set(starts)
        frontier = set(starts)
        for _ in range(depth):
            nxt = set()
            for node in frontier:
                for nb, _rel, _dir, _d in self._edges_of(node):
                    nb_type = self._type(nb)
                    if nb_type == "card" or nb in keep:
                        continue
                    if want and nb_type not in want:
                        continue
                    nxt.add(nb)
            keep |= nxt
            frontier = nxt
        store = self._stored
        if store is None:
            g = self.graph
            sub = g.subgraph(sorted(keep)).copy()
            attrs = g.graph
        else:
            sub = self._stored_subgraph(sorted(keep))
            attrs = store.meta["graph_attrs"]
        sub.graph = {**{k: v for k, v in attrs.items() if k != "files"}, "roots": starts, "depth": depth}
        return sub

    def _stored_subgraph(self, keep: list[Any]) -> nx.MultiDiGraph:
        """The nodes `keep` and every edge among them, read from the store (not the whole graph)."""
        import networkx as nx

        sub = nx.MultiDiGraph()
        kept = set(keep)
        for n in keep:
            sub.add_node(n, **_copied(self.node(n)))
        for n in keep:
            for nb, rel, direction, data in self._edges_of(n):
                if direction == "out" and nb in kept:
                    sub.add_edge(n, nb, key=rel, **data)
        return sub

    @_store_guarded
    def compare(self, a: str, b: str) -> dict[str, Any]:
        """Two entities side by side: definitions with their note lines, limits, and what the notes
        say sets them apart (the CONTRASTS_WITH evidence) or joins them."""
        ea, eb = self.entity(self._contrasted_pair(a, b)[0]), self.entity(self._contrasted_pair(a, b)[1])
        joined = []
        for u, v in ((ea.id, eb.id), (eb.id, ea.id)):
            for k, d in self._edge_data(u, v).items():
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
            "attributes": _side_by_side(self.node(ea.id), self.node(eb.id)),
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
        if self._has_edge(ia, ib, "CONTRASTS_WITH") or self._has_edge(ib, ia, "CONTRASTS_WITH"):
            return ia, ib
        ca = [ia, *[n for n in self._named(_fold(a)) if n != ia]]
        cb = [ib, *[n for n in self._named(_fold(b)) if n != ib]]
        for x in ca:
            for y in cb:
                if self._has_edge(x, y, "CONTRASTS_WITH") or self._has_edge(y, x, "CONTRASTS_WITH"):
                    return x, y
        return ia, ib

    @_store_guarded
    def comparisons(self) -> list[tuple[str, str]]:
        out = set()
        for u, v in self._edges_keyed("CONTRASTS_WITH"):
            out.add(tuple(sorted((u, v))))
        return sorted(out)

    # ------------------------------------------------------------------ search and stats

    @_store_guarded
    def search(
        self,
        query: str,
        limit: int = 10,
        *,
        types: Iterable[str] | str | None = None,
        service: str | None = None,
    ) -> list[Hit]:
        """Ranked answers to a student's query (typos, abbreviations, synonyms); see search.py."""
        from .study.stale import flag_hits

        return flag_hits(self, self._index().search(query, limit=limit, types=types, service=service))

    @_store_guarded
    def suggest(self, query: str, limit: int = 5) -> list[str]:
        return self._index().suggest(query, limit=limit)

    def _index(self) -> Any:
        """The search index: the store's while there is one, else one built from the graph."""
        from .search import SearchIndex

        if self._search_index is None:
            if self._store is not None:
                self._search_index = SearchIndex(self, store=self._store)
            else:
                self._search_index = SearchIndex.for_graph(self)
        return self._search_index

    @_store_guarded
    def unnamed_services(self, query: str) -> list[str]:
        """Services the query names that the notes never name (`API Gateway`): see search.py."""
        return self._index().unnamed_services(query)

    def query_services(self, query: str) -> list[tuple[str, list[str], bool]]:
        """(name, names of it and its parts, in the notes?) of each service the query names."""
        return self._index().query_services(query)

    @_store_guarded
    def stats(self) -> dict[str, Any]:
        store = self._stored
        if store is not None:
            return json.loads(json.dumps(store.meta["stats"]))  # a copy: the caller may change it
        return _stats(self.graph)

    @_store_guarded
    def cards(self) -> list[dict[str, Any]]:
        out = [dict(id=n, **d) for n, d in self._nodes_of("card")]
        return sorted(out, key=lambda c: (c.get("file", ""), c.get("number", 0)))

    @_store_guarded
    def card_of(self, node_id: str) -> dict[str, Any] | None:
        """The card behind an entity's first source: the original note text."""
        d = self.node(node_id)
        for s in d.get("sources", []):
            cid = s.get("card")
            if cid and cid in self:
                return dict(id=cid, **self.node(cid))
        return None


def _read_graph_file(target: Path, checked_sha: str | None = None) -> tuple[Any, str]:
    """The node-link data of a graph file, checked (graphcheck.py), and the SHA-256 of its bytes;
    GraphFileError when it is missing, unreadable, not JSON or not a well-formed awskg graph. Every
    path that parses a graph file comes here, so no store is written from a bad one. Bytes whose
    SHA-256 is `checked_sha` were checked before (the check costs ~40% of the parse)."""
    import hashlib

    raw = _graph_bytes(target)
    sha = hashlib.sha256(raw).hexdigest()
    with paused_gc():
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as err:
            raise GraphFileError(f"{target}: is not valid graph JSON (truncated or corrupt?)") from err
        except RecursionError as err:  # deeper than the parser's stack: no graph awskg writes
            raise GraphFileError(f"{target}: malformed graph data: nested deeper than JSON is read") from err
    if sha != checked_sha:
        _check_data(data, str(target))
    return data, sha


def _check_data(data: Any, name: str) -> None:
    if not isinstance(data, dict) or "nodes" not in data or not isinstance(data.get("graph") or {}, dict):
        raise GraphFileError(f"{name}: is not an awskg graph (no node-link data)")
    version = (data.get("graph") or {}).get("schema_version")
    if version != SCHEMA_VERSION:
        raise GraphFileError(
            f"{name}: graph schema version {version!r}, this awskg reads version {SCHEMA_VERSION}; "
            "rebuild it with `awskg build`"
        )
    problem = first_problem(data)
    if problem:
        raise GraphFileError(f"{name}: malformed graph data: {problem}")


def _check_graph_file(target: Path) -> None:
    """GraphFileError when the graph file is missing or cannot be opened (a store does not stand
    for a file that is gone), or is no regular file of at most MAX_GRAPH_BYTES."""
    _graph_bytes(target, read=False)


def _graph_bytes(target: Path, read: bool = True) -> bytes:
    """The bytes of a graph file. Only a regular file of at most MAX_GRAPH_BYTES is read: a pipe,
    device or endless file (`/dev/zero`) is refused before a byte is read, since reading it would
    block or fill memory (opened non-blocking, so a FIFO with no writer does not hang the open)."""
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as err:
        raise GraphFileError(f"{target}: no such graph file; run `awskg build` first") from err
    except IsADirectoryError as err:
        raise GraphFileError(f"{target}: is a folder, not a graph file") from err
    except OSError as err:
        raise GraphFileError(f"{target}: cannot be read ({err.strerror or err})") from err
    too_large = f"{target}: is larger than the {MAX_GRAPH_BYTES / 2**20:g} MB a graph file may be"
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_GRAPH_BYTES:
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise GraphFileError(f"{target}: is a folder, not a graph file")
        if not stat.S_ISREG(st.st_mode):
            raise GraphFileError(f"{target}: is not a regular file (a pipe, socket or device)")
        raise GraphFileError(too_large)
    with open(fd, "rb") as fh:  # (builtin open: it takes the descriptor, and closes it)
        try:
            raw = fh.read(MAX_GRAPH_BYTES + 1) if read else b""  # (a file growing as it is read stops)
        except OSError as err:
            raise GraphFileError(f"{target}: cannot be read ({err.strerror or err})") from err
    if len(raw) > MAX_GRAPH_BYTES:
        raise GraphFileError(too_large)
    return raw


def _line_table(nodes: Iterable[tuple[Any, dict[str, Any]]]) -> dict[tuple[str, int], str]:
    """(file, line) -> the note line, from the card nodes (a later card's line wins)."""
    table: dict[tuple[str, int], str] = {}
    for _n, d in nodes:
        if d.get("type") == "card":
            for number, _role, text in d.get("lines", []):
                table[(d.get("file", ""), int(number))] = text
    return table


def _origin_table(nodes: Iterable[tuple[Any, dict[str, Any]]]) -> dict[tuple[str, int], str]:
    """(file, line) -> `note N, field F` for the lines of the cards read from an Anki package."""
    table: dict[tuple[str, int], str] = {}
    for _n, d in nodes:
        if d.get("type") == "card" and d.get("note_id") is not None:
            for first, last, name in d.get("fields") or []:
                for number in range(int(first), int(last) + 1):
                    table[(d.get("file", ""), number)] = f"note {d['note_id']}, field {name}"
    return table


def _question_table(nodes: Iterable[tuple[Any, dict[str, Any]]]) -> dict[tuple[str, int], str]:
    """(file, line) -> the front of the question card the line answers."""
    table: dict[tuple[str, int], str] = {}
    for _n, d in nodes:
        if d.get("type") == "card" and d.get("asks"):
            for number, role, _text in d.get("lines", []):
                if role != "front":
                    table[(d.get("file", ""), int(number))] = d.get("front", "")
    return table


def _name_table(nodes: Iterable[tuple[Any, dict[str, Any]]]) -> dict[str, list[Any]]:
    """Folded name, alias or id -> the (non-card) nodes it names, in the graph's order."""
    idx: dict[str, list[Any]] = {}
    for n, d in nodes:
        if d.get("type") == "card":
            continue
        for key in dict.fromkeys((d.get("name", ""), *d.get("aliases", []), n)):
            if key:
                idx.setdefault(_fold(key), []).append(n)
    return idx


def _citing_table(nodes: Iterable[tuple[Any, dict[str, Any]]]) -> dict[tuple[str, int], list[Any]]:
    """(file, line) -> the nodes (not cards) whose sources cite it, in the graph's order."""
    table: dict[tuple[str, int], list[Any]] = {}
    for n, d in nodes:
        if d.get("type") == "card":
            continue
        for s in d.get("sources", []):
            cited = table.setdefault((s.get("file"), int(s.get("line", -1))), [])
            if not cited or cited[-1] != n:
                cited.append(n)
    return table


def _label(head: Head) -> tuple[Any, Any, Any]:
    name = head.id if head.name is ABSENT else head.name
    return head.type, name, None if head.service is ABSENT else head.service


def _stats(g: nx.MultiDiGraph) -> dict[str, Any]:
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


def _copied(d: dict[str, Any]) -> dict[str, Any]:
    """A node's attributes, as subgraph() hands them out: a dict of its own (networkx's copy)."""
    return dict(d)


def _store_contents(kg: KnowledgeGraph, data: dict[str, Any], *, sorted_keys: bool) -> Contents:
    """What the store of a graph file holds, worked out from the file's node-link `data` (records
    in the file's order, as from_data adds them to networkx) and `kg`, the graph they make. With
    `sorted_keys` the records are dumped with sorted keys, as the graph file has them."""
    from .search import SearchIndex
    from .store import Contents
    from .study.stale import graph_flags

    with paused_gc():
        nodes, edges = _records(data)
        degree: dict[Any, int] = dict.fromkeys(nodes, 0)
        for u, v, _k in edges:
            degree[u] += 1
            degree[v] += 1
        pairs: dict[tuple[Any, Any], int] = {}
        for u, v, _k in edges:
            pairs.setdefault((u, v), len(pairs))

        def dump(d: dict[str, Any]) -> str:
            return json.dumps(d, ensure_ascii=False, sort_keys=sorted_keys)

        def column(value: Any) -> Any:
            return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None

        def present(d: dict[str, Any], key: str) -> str | None:
            return json.dumps(d[key], ensure_ascii=False) if key in d else None

        node_rows = [(n, column(d.get("type")), present(d, "name"), column(d.get("service_id")),
                      present(d, "service"), degree[n], dump(d)) for n, d in nodes.items()]
        edge_rows = [(u, v, k, pairs[(u, v)], dump(d)) for (u, v, k), d in edges.items()]
        names = {key: (ids, [t for t in (nodes[n].get("type") for n in ids) if isinstance(t, str)])
                 for key, ids in _name_table(nodes.items()).items()}
        # A loaded graph's note lines come from its cards in the file's order: so do this graph's.
        kg._lines = _line_table(nodes.items())
        kg._questions = _question_table(nodes.items())
        kg._origins = _origin_table(nodes.items())
        citing = _citing_table(nodes.items())
        lines = {key: (kg._lines.get(key), kg._questions.get(key, ""), kg._origins.get(key, ""),
                       json.dumps(citing.get(key, [])))
                 for key in {**kg._lines, **kg._questions, **kg._origins, **citing}}
        index = SearchIndex(kg, order=list(nodes))
        stale = {lid: json.dumps(asdict(flag), ensure_ascii=False) for lid, flag in graph_flags(kg).items()}
        attrs = dict(data.get("graph") or {})
        attrs.setdefault("schema_version", SCHEMA_VERSION)
        meta = {"graph_attrs": attrs, "stats": _stats(kg.graph),
                "concepts": sum(1 for d in nodes.values() if d.get("type") != "card")}
        return Contents(nodes=node_rows, edges=edge_rows, names=names, lines=lines, meta=meta,
                        stale=stale, **index.store_contents())


_Edges = dict[tuple[Any, Any, Any], dict[str, Any]]


def _records(data: dict[str, Any]) -> tuple[dict[Any, dict[str, Any]], _Edges]:
    """Nodes and edges of node-link data as from_data leaves them in networkx: a node listed twice
    is one node with both records' attributes, an edge's missing end is added as a bare node, and
    an edge without a key gets the first free number among its pair's keys."""
    nodes: dict[Any, dict[str, Any]] = {}
    for node in data["nodes"]:
        attrs = dict(node)
        node_id = attrs.pop("id")
        if node_id in nodes:
            nodes[node_id].update(attrs)
        else:
            nodes[node_id] = attrs
    edges: _Edges = {}
    keys_of: dict[tuple[Any, Any], set[Any]] = {}
    for edge in data.get("edges", data.get("links", [])):
        attrs = dict(edge)
        u, v = attrs.pop("source"), attrs.pop("target")
        key = attrs.pop("key", attrs.get("relation"))
        for end in (u, v):
            nodes.setdefault(end, {})
        keys = keys_of.setdefault((u, v), set())
        if key is None:
            key = len(keys)
            while key in keys:
                key += 1
        keys.add(key)
        if (u, v, key) in edges:
            edges[(u, v, key)].update(attrs)
        else:
            edges[(u, v, key)] = attrs
    return nodes, edges


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


def _header(graph_attrs: dict[str, Any]) -> str:
    """The graph attributes, `schema_version` first: the first line of a graph file, which tells
    it from any other file (is_graph_file)."""
    rest = {k: v for k, v in graph_attrs.items() if k != "schema_version"}
    head = '{"schema_version": ' + _dump(graph_attrs.get("schema_version", SCHEMA_VERSION))
    return head + (", " + _dump(rest)[1:] if rest else "}")


# The first bytes of a graph file: awskg's own and nobody else's (see KnowledgeGraph.json_pieces).
_GRAPH_HEADER = re.compile(rb'\{\n"graph": \{"schema_version": -?\d+[,}]')
# Before the header came first (awskg 0.1.0's first graph files): the graph attributes sat between
# the edges and the nodes, sorted, schema_version last.
_OLD_HEAD = b'{\n"directed": true,\n"edges": ['
_OLD_GRAPH_END = b'},\n"multigraph": true,\n"nodes": ['


def is_graph_file(path: str | Path) -> bool:
    """Whether `path` is a regular file holding a graph awskg wrote: its schema header (or the
    layout of awskg's first graph files), never a guess from words in it."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
            if _GRAPH_HEADER.match(head):
                return True
            return head.startswith(_OLD_HEAD) and _old_graph_attrs_end(fh) > 0
    except (OSError, ValueError):
        return False


def _old_graph_attrs_end(fh: Any) -> int:
    import mmap

    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        end = mm.find(_OLD_GRAPH_END)
        start = mm.rfind(b'\n"graph": {', 0, end) if end > 0 else -1
        if start < 0 or not re.search(rb'"schema_version": -?\d+$', mm[max(start, end - 40) : end]):
            return -1
        return end


def check_graph_target(path: str | Path, force: bool = False, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse, before a build does its work, a graph file it may not write: one in a folder that does
    not exist, a folder, a pipe or device, one of the notes files it reads (even with force), or,
    without force, a file that is not an awskg graph."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{parent}: no such folder (create it first)")
    if not (path.exists() or path.is_symlink()):
        return
    if path.is_dir():
        raise OutputError(f"{path}: is a folder")
    if not path.is_file():
        raise OutputError(f"{path}: is not a regular file (a pipe, socket or device)")
    for notes in inputs:
        try:
            same = os.path.samefile(path, notes)
        except OSError:
            same = False
        if same:
            raise OutputError(f"{path}: is a notes file of this build; write the graph to another file")
    if not force and not is_graph_file(path):
        raise OutputError(f"{path}: exists and is not an awskg graph; pass --force to overwrite it")


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in sorted(d)}


def load(path: str | Path | None = None, *, store: bool = True) -> KnowledgeGraph:
    """`awskg.load()`: the graph at `path`, else $AWSKG_GRAPH, else graph/awskg.json (answering
    from its store; `store=False`: from the file parsed into memory)."""
    return KnowledgeGraph.load(path, store=store)
