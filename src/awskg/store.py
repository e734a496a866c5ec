"""The query store: an SQLite file beside a graph file, that a query opens and reads a few pages of.

`graph/awskg.json` stays the committed, diffable source of truth. Beside it, `awskg build` writes
`graph/awskg.json.sqlite`: every node and edge as the JSON the graph file holds, indexed by id,
type, service and endpoint; the folded names that resolve to each node; the note lines and the
questions they answer; and the search index (documents, postings, per-document arrays). A command
then answers from the rows its answer needs, instead of parsing the whole graph and indexing it
again in every process.

This module is the SQLite layer only: what goes into the rows is worked out by graph.py and
search.py, which also turn rows back into answers. A store is never trusted blindly:

- it records the graph file's size, mtime and inode, and its SHA-256. Opening it compares the first
  three with the file (a stat); when they differ the file's hash decides: the same bytes (a copy, a
  checkout) keep the store, other bytes make it stale;
- it records its schema and the code that wrote it (the modules and vocabulary its rows depend on);
- every row carries a CRC of its content, checked when the row is read, and the file's page count
  is checked against its size on opening: an edited row, a truncated file or garbage raise
  StoreDamaged, and the graph answers from its file while the store is written again.

A store is written to a temp file in its folder and renamed over the old one, so a reader sees the
old store or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import threading
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

STORE_SCHEMA = 3
SUFFIX = ".sqlite"
# The modules whose code decides what the rows hold (with every data/*.json file).
# A store keeps the stale flags of its limits, so the code that matches them to the reference and
# the reference itself (data/aws-quotas.jsonl) are part of what made it too.
_CODE = ("store.py", "search.py", "graph.py", "model.py", "vocabulary.py", "quantities.py", "__init__.py",
         "study/stale.py", "study/reference.py")

_TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE nodes(ord INTEGER PRIMARY KEY, id NOT NULL, type, name TEXT, service_id, service TEXT,
                   degree INTEGER NOT NULL, data TEXT NOT NULL, data_crc INTEGER NOT NULL,
                   crc INTEGER NOT NULL);
CREATE TABLE names(key TEXT PRIMARY KEY, first INTEGER NOT NULL, ids TEXT NOT NULL, types TEXT NOT NULL,
                   crc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE edges(ord INTEGER PRIMARY KEY, u NOT NULL, v NOT NULL, key, pair INTEGER NOT NULL,
                   data TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE lines(file TEXT NOT NULL, line INTEGER NOT NULL, text TEXT, question TEXT NOT NULL,
                   origin TEXT NOT NULL, nodes TEXT NOT NULL, crc INTEGER NOT NULL,
                   PRIMARY KEY(file, line)) WITHOUT ROWID;
CREATE TABLE docs(i INTEGER PRIMARY KEY, id TEXT NOT NULL, data TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE postings(term TEXT PRIMARY KEY, df INTEGER NOT NULL, ids BLOB NOT NULL, weights BLOB NOT NULL,
                      crc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE name_postings(term TEXT PRIMARY KEY, ids BLOB NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE blobs(name TEXT PRIMARY KEY, data BLOB NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE stale(limit_id TEXT PRIMARY KEY, data TEXT NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;
"""
# Made after the rows are in: one sort each instead of a b-tree grown row by row.
_INDEXES = """
CREATE UNIQUE INDEX nodes_id ON nodes(id);
CREATE INDEX nodes_type ON nodes(type, service_id);
CREATE INDEX edges_u ON edges(u, pair, ord);
CREATE INDEX edges_v ON edges(v, pair, ord);
CREATE INDEX edges_key ON edges(key);
"""


class StoreDamaged(Exception):
    """A store that cannot be read as written: garbage, truncated, another schema, an edited row."""


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # a node attribute the node does not have (not the same as a None value)


class Head(NamedTuple):
    """What a store keeps of a node beside its attributes: enough to list, label and rank it."""

    ord: int
    id: Any
    type: Any
    name: Any  # the node's `name` attribute, or ABSENT
    service_id: Any
    service: Any  # its `service` attribute, or ABSENT
    degree: int


# ---------------------------------------------------------------------------- where and which


def store_path(graph_file: Path) -> Path:
    """The store of a graph file: beside it, named after it (`awskg.json` -> `awskg.json.sqlite`)."""
    return graph_file.with_name(graph_file.name + SUFFIX)


def fallback_path(graph_file: Path) -> Path:
    """Where the store of a graph file in a folder awskg cannot write to goes: $AWSKG_CACHE/stores,
    else a per-user folder in the system's temp folder; named after the graph file's full path."""
    env = os.environ.get("AWSKG_CACHE")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    base = Path(env) / "stores" if env else Path(tempfile.gettempdir()) / f"awskg-stores-{uid}"
    full = str(graph_file.resolve()).encode("utf-8", "surrogatepass")
    return base / f"{graph_file.name}-{zlib.crc32(full):08x}{zlib.adler32(full):08x}{SUFFIX}"


@dataclass(frozen=True)
class GraphStamp:
    """What a store knows of the graph file it was made from."""

    size: int
    mtime_ns: int
    inode: int
    sha256: str

    @classmethod
    def of(cls, path: Path, raw: bytes | None = None) -> GraphStamp:
        """The stamp of a graph file (its bytes hashed: `raw` when the caller has read them)."""
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, file_sha256(path) if raw is None else _sha256(raw))


def file_sha256(path: Path) -> str:
    import hashlib  # (here: the common case, an unchanged file, never hashes it)

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sha256(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()


@cache
def code_stamp() -> str:
    """The code and vocabulary a store's rows were made by: a store of other code is rebuilt."""
    from . import __version__

    here = Path(__file__).resolve().parent
    crc = 0
    for name in _CODE:
        crc = zlib.crc32((here / name).read_bytes(), crc)
    for entry in sorted((here / "data").glob("*.json*")):
        crc = zlib.crc32(entry.name.encode(), crc)
        crc = zlib.crc32(entry.read_bytes(), crc)
    return f"{__version__}:{STORE_SCHEMA}:{crc:08x}"


# ---------------------------------------------------------------------------- checksums


def _crc(*values: Any) -> int:
    """A row's checksum: CRC-32 of the repr of its columns (str, int, float and None only), a bytes
    column standing there as its length and then checked as it is (the repr of a 1 MB array is
    4 MB of escapes to make and check on every read of it)."""
    if not any(type(v) is bytes for v in values):
        return zlib.crc32(repr(values).encode("utf-8", "surrogatepass"))
    shape = tuple(("bytes", len(v)) if type(v) is bytes else v for v in values)
    crc = zlib.crc32(repr(shape).encode("utf-8", "surrogatepass"))
    for v in values:
        if type(v) is bytes:
            crc = zlib.crc32(v, crc)
    return crc


def _text_crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------------------- writing


@dataclass
class Contents:
    """Everything a store holds, as graph.py and search.py work it out (see write)."""

    # id, type, name (JSON, None when absent), service_id, service (JSON, None when absent), degree,
    # JSON of the attributes
    nodes: list[tuple[Any, str | None, str | None, str | None, str | None, int, str]]
    edges: list[tuple[Any, Any, Any, int, str]]  # u, v, key, pair rank, JSON (in the graph's edge order)
    names: dict[str, tuple[list[Any], list[str]]]  # folded name -> (node ids in order, their types)
    # (file, line) -> (text, question it answers, what it stands for in an Anki package ("" in a
    # text file), JSON of the nodes whose sources cite it)
    lines: dict[tuple[str, int], tuple[str | None, str, str, str]]
    meta: dict[str, Any]  # graph attributes, stats, counts: JSON values
    docs: list[tuple[str, str]]  # search documents in index order: (id, JSON)
    postings: list[tuple[str, bytes, bytes]]  # term -> document numbers (int32), weights (float64)
    name_postings: list[tuple[str, bytes]]  # term -> documents holding it in their name (int32)
    blobs: dict[str, bytes]  # per-document arrays and lists the search reads whole
    # limit id -> JSON of its stale flag (study/stale.py), for every flagged limit: a limit left
    # out is not stale. Worked out at write time, so a query never loads the reference or matches.
    stale: dict[str, str] = field(default_factory=dict)


def write(target: Path, contents: Contents, stamp: GraphStamp) -> Path:
    """Write a store atomically: a temp file in `target`'s folder, then renamed over `target`.
    OSError when the folder cannot be written (the caller picks another place, or none)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            # A file no one reads until it is renamed into place: no journal, no syncs while writing.
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            con.execute("PRAGMA page_size=8192")
            con.executescript(_TABLES)
            con.execute("BEGIN")
            _insert(con, contents, stamp)
            for statement in _INDEXES.strip().split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute("COMMIT")
        finally:
            con.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def _insert(con: sqlite3.Connection, c: Contents, stamp: GraphStamp) -> None:
    def node_rows() -> Iterator[tuple[Any, ...]]:
        for ord_, (node_id, typ, name, sid, svc, degree, data) in enumerate(c.nodes):
            data_crc = _text_crc(data)
            crc = _crc(ord_, node_id, typ, name, sid, svc, degree, data_crc)
            yield ord_, node_id, typ, name, sid, svc, degree, data, data_crc, crc

    con.executemany("INSERT INTO nodes VALUES (?,?,?,?,?,?,?,?,?,?)", node_rows())
    con.executemany("INSERT INTO edges VALUES (?,?,?,?,?,?,?)",
                    ((o, u, v, k, p, d, _crc(o, u, v, k, p, d)) for o, (u, v, k, p, d) in enumerate(c.edges)))
    name_rows = []
    for first, (key, (ids, types)) in enumerate(c.names.items()):
        ids_json, types_text = json.dumps(ids, ensure_ascii=False), ",".join(sorted(set(types)))
        name_rows.append((key, first, ids_json, types_text, _crc(key, first, ids_json, types_text)))
    con.executemany("INSERT INTO names VALUES (?,?,?,?,?)", name_rows)
    # Every name with its types, in one value: what fuzzy matching reads (all of them, at once).
    keys = [[key, sorted(set(types))] for key, (_ids, types) in c.names.items()]
    blobs = {**c.blobs, "name_keys": json.dumps(keys, ensure_ascii=False).encode()}
    con.executemany("INSERT INTO lines VALUES (?,?,?,?,?,?,?)",
                    ((f, n, t, q, o, ns, _crc(f, n, t, q, o, ns))
                     for (f, n), (t, q, o, ns) in c.lines.items()))
    con.executemany("INSERT INTO docs VALUES (?,?,?,?)",
                    ((i, doc_id, d, _crc(i, doc_id, d)) for i, (doc_id, d) in enumerate(c.docs)))
    con.executemany("INSERT INTO postings VALUES (?,?,?,?,?)",
                    ((t, len(ids) // 4, ids, ws, _crc(t, len(ids) // 4, ids, ws))
                     for t, ids, ws in c.postings))
    con.executemany("INSERT INTO name_postings VALUES (?,?,?)",
                    ((t, ids, _crc(t, ids)) for t, ids in c.name_postings))
    con.executemany("INSERT INTO blobs VALUES (?,?,?)", ((k, v, _crc(k, v)) for k, v in blobs.items()))
    con.executemany("INSERT INTO stale VALUES (?,?,?)", ((k, v, _crc(k, v)) for k, v in c.stale.items()))
    meta = {
        **c.meta,
        "schema": STORE_SCHEMA,
        "code": code_stamp(),
        "graph": [stamp.size, stamp.mtime_ns, stamp.inode, stamp.sha256],
        "layout": _layout(),
        "docs": len(c.docs),
        "nodes": len(c.nodes),
    }
    con.executemany("INSERT INTO meta VALUES (?,?,?)",
                    ((k, v, _crc(k, v))
                     for k, v in ((k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items())))


# ---------------------------------------------------------------------------- reading


def open_store(path: Path, graph_file: Path) -> Store | None:
    """The store at `path` when it was made by this code from the graph file as it is now; None
    when there is none, or it is stale or damaged (the caller writes it again)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    try:
        store = Store(path, st.st_size)
    except (StoreDamaged, sqlite3.Error, OSError):
        return None
    try:
        match = store.matches(graph_file)
    except (StoreDamaged, sqlite3.Error, OSError):
        match = None
    if match is None:
        store.close()
        return None
    if match == "bytes":
        store.restamp(graph_file)
    return store


class Store:
    """An open store: rows by key, each checked against its CRC as it is read (StoreDamaged)."""

    def __init__(self, path: Path, size: int):
        self.path = path
        # Read-only: a query never writes here (a stale or damaged store is replaced by rename).
        # One connection, used by one thread at a time (the app's sessions run in threads).
        self.con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._blobs: dict[str, bytes] = {}
        try:
            page_size = self._row("PRAGMA page_size")[0]
            pages = self._row("PRAGMA page_count")[0]
            if pages * page_size != size:
                raise StoreDamaged(f"{path}: {size} bytes, not the {pages} pages its header counts")
            self.meta = self._meta()
            if self.meta.get("schema") != STORE_SCHEMA or self.meta.get("code") != code_stamp():
                raise StoreDamaged(f"{path}: made by another awskg")
            if self.meta.get("layout") != _layout():
                raise StoreDamaged(f"{path}: made on another kind of machine")
        except BaseException:
            self.con.close()
            raise

    def close(self) -> None:
        with self._lock:
            self.con.close()

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self.con.execute(sql, args).fetchall()
            except sqlite3.Error as err:  # a malformed page, a missing table: damage all the same
                raise StoreDamaged(f"{self.path}: {err}") from err

    def _rows_in(self, sql: str, values: Iterable[Any]) -> list[Any]:
        """`sql` ending in `IN` run over distinct `values`, 500 at a time (SQLite caps the number of
        parameters of one statement)."""
        distinct = list(dict.fromkeys(values))
        out: list[Any] = []
        for start in range(0, len(distinct), 500):
            chunk = distinct[start : start + 500]
            out += self._rows(f"{sql} ({','.join('?' * len(chunk))})", chunk)
        return out

    def _row(self, sql: str, args: Sequence[Any] = ()) -> Any:
        rows = self._rows(sql, args)
        return rows[0] if rows else None

    def _meta(self) -> dict[str, Any]:
        out = {}
        for key, value, crc in self._rows("SELECT key, value, crc FROM meta"):
            if _crc(key, value) != crc:
                raise StoreDamaged(f"{self.path}: meta row {key!r} does not match its checksum")
            out[key] = json.loads(value)
        return out

    def matches(self, graph_file: Path) -> str | None:
        """Whether this store was made from `graph_file` as it is now: "stamp" when the file has the
        same size, mtime and inode, "bytes" when it has other ones but the same SHA-256 (a copy, a
        checkout), None when it is another file."""
        size, mtime_ns, inode, sha = self.meta["graph"]
        st = os.stat(graph_file)
        if (st.st_size, st.st_mtime_ns, st.st_ino) == (size, mtime_ns, inode):
            return "stamp"
        if st.st_size == size and file_sha256(graph_file) == sha:
            return "bytes"
        return None

    def restamp(self, graph_file: Path) -> None:
        """Record the graph file's new size, mtime and inode (its bytes are the same), so the next
        query need not hash it again. Best effort: a store that cannot be written is only slower."""
        st = os.stat(graph_file)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino, self.meta["graph"][3]]
        value = json.dumps(stamp, ensure_ascii=False)
        try:
            con = sqlite3.connect(self.path, timeout=1.0)
            try:
                with con:
                    con.execute("UPDATE meta SET value=?, crc=? WHERE key='graph'",
                                (value, _crc("graph", value)))
            finally:
                con.close()
        except (sqlite3.Error, OSError):
            return
        self.meta["graph"] = stamp

    def _damaged(self, what: str) -> StoreDamaged:
        return StoreDamaged(f"{self.path}: {what} does not match its checksum")

    # ------------------------------------------------------------------ nodes and edges

    _HEAD = "ord, id, type, name, service_id, service, degree, data_crc, crc"

    def _head(self, row: tuple[Any, ...]) -> Head:
        if _crc(*row[:8]) != row[8]:
            raise self._damaged(f"node row {row[0]}")
        name, service = row[3], row[5]
        return Head(row[0], row[1], row[2], ABSENT if name is None else json.loads(name), row[4],
                    ABSENT if service is None else json.loads(service), row[6])

    def node_head(self, node_id: Any) -> Head | None:
        """What the store keeps of a node beside its attributes, or None."""
        row = self._row(f"SELECT {self._HEAD} FROM nodes WHERE id=?", (node_id,))
        return self._head(row) if row else None

    def _data(self, row: tuple[Any, ...]) -> str:
        """The JSON of a node row read with its head (then `data`)."""
        self._head(row)
        if _text_crc(row[9]) != row[7]:
            raise self._damaged(f"node {row[1]!r}")
        return row[9]

    def node_data(self, node_id: Any) -> str | None:
        """A node's attributes as JSON, or None."""
        row = self._row(f"SELECT {self._HEAD}, data FROM nodes WHERE id=?", (node_id,))
        return self._data(row) if row else None

    def nodes_where(self, type_: str | None = None, service_id: Any = None, *,
                    with_data: bool = True) -> list[tuple[Any, str | None]]:
        """(id, JSON or None) of the nodes of a type (and service), in the graph's order."""
        sql = f"SELECT {self._HEAD}{', data' if with_data else ''} FROM nodes"
        args: tuple[Any, ...] = ()
        if type_ is not None:
            sql += " WHERE type=?"
            args = (type_,)
            if service_id is not None:
                sql += " AND service_id=?"
                args += (service_id,)
        rows = self._rows(sql + " ORDER BY ord", args)
        if with_data:
            return [(row[1], self._data(row)) for row in rows]
        return [(self._head(row).id, None) for row in rows]

    def heads_where(self, types: Iterable[str] | None = None) -> list[Head]:
        """The heads of the nodes of these types (all when None), in the graph's order."""
        if types is None:
            rows = self._rows(f"SELECT {self._HEAD} FROM nodes ORDER BY ord")
        else:
            wanted = list(types)
            rows = self._rows(f"SELECT {self._HEAD} FROM nodes WHERE type IN ({','.join('?' * len(wanted))}) "
                              "ORDER BY ord", wanted)
        return [self._head(row) for row in rows]

    def heads(self, node_ids: Iterable[Any]) -> dict[Any, Head]:
        """node id -> its head, for those that exist."""
        out = {}
        for row in self._rows_in(f"SELECT {self._HEAD} FROM nodes WHERE id IN", node_ids):
            head = self._head(row)
            out[head.id] = head
        return out

    def _edges(self, where: str, args: Sequence[Any], order: str = "pair, ord") -> list[tuple[Any, ...]]:
        rows = self._rows(f"SELECT ord, u, v, key, pair, data, crc FROM edges WHERE {where} ORDER BY {order}",
                          args)
        for row in rows:
            if _crc(*row[:6]) != row[6]:
                raise self._damaged(f"edge row {row[0]}")
        return rows

    def edges_of(self, node_id: Any) -> list[tuple[Any, Any, str, str]]:
        """(neighbour, key, "out"|"in", JSON) of a node's edges, in networkx's order: out-edges by
        the order their (u, v) pairs were first added, then their keys; then in-edges alike."""
        out = [(row[2], row[3], "out", row[5]) for row in self._edges("u=?", (node_id,))]
        out += [(row[1], row[3], "in", row[5]) for row in self._edges("v=?", (node_id,))]
        return out

    def edges_between(self, u: Any, v: Any) -> list[tuple[Any, str]]:
        """(key, JSON) of the edges u -> v, in order."""
        return [(row[3], row[5]) for row in self._edges("u=? AND v=?", (u, v))]

    def edges_keyed(self, key: str) -> list[tuple[Any, Any]]:
        """(u, v) of every edge with this key, in the graph's edge order."""
        return [(row[1], row[2]) for row in self._edges("key=?", (key,), order="ord")]

    def _name_row(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        if _crc(*row[:4]) != row[4]:
            raise self._damaged(f"name {row[0]!r}")
        return row

    def names(self, key: str) -> list[Any]:
        """The nodes a folded name, alias or id resolves to, in the graph's order."""
        row = self._row("SELECT key, first, ids, types, crc FROM names WHERE key=?", (key,))
        return json.loads(self._name_row(row)[2]) if row else []

    def name_keys(self) -> list[tuple[str, set[str]]]:
        """Every folded name with the types of its nodes, in the order names were first seen (for
        fuzzy matching: one value, read whole)."""
        return [(key, set(types)) for key, types in json.loads(self.blob("name_keys"))]

    def line(self, file: str, line: int) -> tuple[str | None, str, list[Any], str] | None:
        """(text, question it answers, nodes whose sources cite it, what it stands for in an Anki
        package or "") of a note line, or None."""
        row = self._row("SELECT file, line, text, question, origin, nodes, crc FROM lines"
                        " WHERE file=? AND line=?", (file, line))
        if row is None:
            return None
        if _crc(*row[:6]) != row[6]:
            raise self._damaged(f"line {file}:{line}")
        return row[2], row[3], json.loads(row[5]), row[4]

    def stale_flag(self, limit_id: str) -> dict[str, Any] | None:
        """The fields of a limit's stale flag (as study/stale.py made it at write time), or None
        when the limit is not stale (or not a limit)."""
        row = self._row("SELECT limit_id, data, crc FROM stale WHERE limit_id=?", (limit_id,))
        if row is None:
            return None
        if _crc(*row[:2]) != row[2]:
            raise self._damaged(f"stale flag of {limit_id!r}")
        return json.loads(row[1])

    # ------------------------------------------------------------------ the search index

    def doc(self, i: int) -> tuple[str, str]:
        """(id, JSON) of search document `i`."""
        row = self._row("SELECT i, id, data, crc FROM docs WHERE i=?", (i,))
        if row is None or _crc(*row[:3]) != row[3]:
            raise self._damaged(f"search document {i}")
        return row[1], row[2]

    def doc_ids(self, numbers: Iterable[int]) -> dict[int, str]:
        """Search document number -> its id, for many documents in one read."""
        out = {}
        nums = list(dict.fromkeys(numbers))
        for row in self._rows_in("SELECT i, id, data, crc FROM docs WHERE i IN", nums):
            if _crc(*row[:3]) != row[3]:
                raise self._damaged(f"search document {row[0]}")
            out[row[0]] = row[1]
        if len(out) != len(nums):
            raise StoreDamaged(f"{self.path}: search documents are missing")
        return out

    def postings(self, term: str) -> tuple[array[int], array[float]] | None:
        """A term's document numbers and weights, or None."""
        row = self._row("SELECT term, df, ids, weights, crc FROM postings WHERE term=?", (term,))
        if row is None:
            return None
        if _crc(*row[:4]) != row[4] or len(row[2]) != 4 * row[1] or len(row[3]) != 8 * row[1]:
            raise self._damaged(f"postings of {term!r}")
        ids, weights = array("i"), array("d")
        ids.frombytes(row[2])
        weights.frombytes(row[3])
        return ids, weights

    def name_postings(self, term: str) -> array[int]:
        """The documents that hold a term in their names."""
        row = self._row("SELECT term, ids, crc FROM name_postings WHERE term=?", (term,))
        ids = array("i")
        if row is None:
            return ids
        if _crc(*row[:2]) != row[2]:
            raise self._damaged(f"name postings of {term!r}")
        ids.frombytes(row[1])
        return ids

    def blob(self, name: str) -> bytes:
        """A value the search reads whole (per-document arrays, the vocabulary), read once."""
        if name not in self._blobs:
            row = self._row("SELECT name, data, crc FROM blobs WHERE name=?", (name,))
            if row is None or _crc(*row[:2]) != row[2]:
                raise self._damaged(f"{name!r}")
            self._blobs[name] = row[1]
        return self._blobs[name]


def _layout() -> list[Any]:
    """What the binary arrays of a store depend on besides its schema."""
    return [array("i").itemsize, array("d").itemsize, sys.byteorder]


# ---------------------------------------------------------------------------- lazy sequences


class LazyList(Sequence[Any]):
    """A list of `n` items made one at a time, when first read (search documents, their ids)."""

    def __init__(self, n: int, make: Callable[[int], Any]):
        self._n = n
        self._make = make
        self._items: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        item = self._items.get(i)
        if item is None:
            item = self._items[i] = self._make(i)
        return item

    def fill(self, items: dict[int, Any]) -> None:
        """Items read together (one query for many), kept as if each had been read alone."""
        self._items.update(items)

    def known(self, i: int) -> bool:
        return i in self._items
