"""The schema check of a graph file's node-link data, run on the parsed JSON before anything reads
it: a hand-edited or damaged file is refused with one line naming its first bad record, where
reading it on would fail somewhere deep in a query (exit 70) or answer from nonsense.

Fields awskg writes are checked for their type and shape (a name is text, `sources` a list of
{file, line} records, a limit's value a finite number, a card's `lines` [line, role, text] rows);
fields it does not know are kept, but every value is held to plain JSON: finite numbers within a
float's range and nesting no deeper than `MAX_NESTING`. Pure: takes the parsed dict, returns the
first problem as text or None; the caller names the file and raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

# No record awskg writes nests deeper than 4 (a card's lines: node > list > row > text); a file
# nested far deeper is not one of its graphs, and walking it could exhaust the stack.
MAX_NESTING = 32

_TEXT_FIELDS = (
    "type", "name", "file", "format", "front", "topic", "service", "service_id", "subject", "text",
    "unit", "dimension", "kind", "bound", "per", "feature", "definition", "category", "full_name",
    "group", "parent", "example",
)
_TEXT_LIST_FIELDS = ("aliases", "services", "tags")
_WHOLE_FIELDS = ("number", "first_line", "last_line")
_NUMBER_FIELDS = ("value", "value_max", "base_value", "base_value_max")  # null: a limit with no number
_NODE_HANDLED = frozenset({"id", "lines", "front_lines", "definition_source"})
_EDGE_HANDLED = frozenset({"source", "target", "key", "relation", "via", "weight"})


def first_problem(data: Any) -> str | None:
    """The first thing wrong with a graph file's parsed JSON, as `node 12 ('limit:x'): value 'abc'
    is not a number`; None when every node, edge and header field is well-formed."""
    if not isinstance(data, dict):
        return f"the file holds {_show(data)}, not an awskg graph"
    header = data.get("graph") or {}
    problem = _header_problem(header) if isinstance(header, dict) else f"graph header is {_show(header)}"
    if problem:
        return problem
    nodes = data.get("nodes")
    if not isinstance(nodes, list):
        return f"`nodes` is {_show(nodes)}, not a list of nodes"
    ids: set[str] = set()
    for i, node in enumerate(nodes):
        problem = _node_problem(node, ids)
        if problem:
            return f"node {i}{_named(node)}: {problem}"
    edges = data.get("edges", data.get("links", []))
    if not isinstance(edges, list):
        return f"`edges` is {_show(edges)}, not a list of edges"
    for i, edge in enumerate(edges):
        problem = _edge_problem(edge, ids)
        if problem:
            return f"edge {i}{_named(edge, 'source')}: {problem}"
    return None


def _header_problem(header: dict[str, Any]) -> str | None:
    files = header.get("files", [])
    if not isinstance(files, list):
        return f"graph header: files is {_show(files)}, not a list"
    for i, row in enumerate(files):
        problem = _record_problem(row, {"file": _is_text, "format": _is_text, "sha256": _is_text,
                                        "cards": _is_whole})
        if problem:
            return f"graph header: files[{i}]: {problem}"
    return _fields_problem(header, frozenset({"files"}))


def _node_problem(node: Any, ids: set[str]) -> str | None:
    if not isinstance(node, dict):
        return f"is {_show(node)}, not an object"
    node_id = node.get("id")
    if not isinstance(node_id, str) or not node_id:
        return f"id is {_show(node_id)}, not a text"
    if node_id in ids:
        return "its id is another node's too (ids are unique)"
    ids.add(node_id)
    if "lines" in node:
        lines = node["lines"]
        check = _is_card_line if node.get("type") == "card" else _is_text
        if not isinstance(lines, list):
            return f"lines is {_show(lines)}, not a list"
        for j, row in enumerate(lines):
            if not check(row):
                return f"lines[{j}] is {_show(row)}, not " + (
                    "a [line, role, text] row" if check is _is_card_line else "a text")
    front = node.get("front_lines", [])
    if not (isinstance(front, list) and all(map(_is_whole, front))):
        return f"front_lines is {_show(front)}, not a list of line numbers"
    if "definition_source" in node:
        problem = _source_problem(node["definition_source"])
        if problem:
            return f"definition_source {problem}"
    return _fields_problem(node, _NODE_HANDLED)


def _edge_problem(edge: Any, ids: set[str]) -> str | None:
    if not isinstance(edge, dict):
        return f"is {_show(edge)}, not an object"
    for end in ("source", "target"):
        value = edge.get(end)
        if not isinstance(value, str):
            return f"{end} is {_show(value)}, not a node id"
        if value not in ids:
            return f"{end} {_show(value)} is no node of the graph"
    for field in ("key", "relation", "via"):
        if field in edge and not isinstance(edge[field], str):
            return f"{field} is {_show(edge[field])}, not a text"
    if "weight" in edge and not _is_number(edge["weight"]):
        return f"weight is {_show(edge['weight'])}, not a finite number"
    return _fields_problem(edge, _EDGE_HANDLED)


def _fields_problem(fields: dict[str, Any], handled: frozenset[str]) -> str | None:
    """Known fields by their type (which bounds their nesting too); any other field as plain
    bounded JSON. Fields in `handled` the caller has checked."""
    for field, value in fields.items():
        if field in handled:
            continue
        if field == "sources":
            problem = _sources_problem(value)
        else:
            want = _WANTS.get(field)
            if want is None:
                problem = _plain_problem(value)
                problem = problem and f"{field} {problem}"
            else:
                expected = want(value)
                problem = expected and f"{field} is {_show(value)}, not {expected}"
        if problem:
            return problem
    return None


def _sources_problem(sources: Any) -> str | None:
    if not isinstance(sources, list):
        return f"sources is {_show(sources)}, not a list of {{file, line}} records"
    for j, source in enumerate(sources):
        if not _plain_source(source):
            problem = _source_problem(source)
            if problem:
                return f"sources[{j}] {problem}"
    return None


def _plain_source(source: Any) -> bool:
    """The common case, checked quickly: {file, line} or {file, line, card} of the right types
    (records are most of a graph file: this halves the time of the whole check)."""
    if type(source) is not dict or not 2 <= len(source) <= 3:
        return False
    line = source.get("line")
    return (type(line) is int and 0 <= line < 2**63 and type(source.get("file")) is str
            and (len(source) == 2 or type(source.get("card")) is str))


def _source_problem(source: Any) -> str | None:
    problem = _record_problem(source, _SOURCE_FIELDS)
    if problem is None and not ("file" in source and "line" in source):
        problem = "lacks its file or line"
    return problem and f"is not a {{file, line}} record: {problem}"


def _record_problem(record: Any, checks: dict[str, Callable[[Any], bool]]) -> str | None:
    if not isinstance(record, dict):
        return f"is {_show(record)}, not an object"
    for field, value in record.items():
        check = checks.get(field)
        if check is None:
            problem = _plain_problem(value)
            if problem:
                return f"{field} {problem}"
        elif not check(value):
            return f"{field} is {_show(value)}"
    return None


def _plain_problem(value: Any) -> str | None:
    """Nesting past MAX_NESTING, or a number no float holds (NaN, Infinity, 10**400), anywhere in
    `value`; walked with a stack of its own, so no depth of nesting can exhaust Python's."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > MAX_NESTING:
                return f"is nested deeper than {MAX_NESTING} levels"
            stack.extend((x, depth + 1) for x in (item.values() if isinstance(item, dict) else item))
        elif isinstance(item, (int, float)) and not isinstance(item, bool) and not _is_number(item):
            return f"holds {_show(item)}, not a finite number"
    return None


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int past a float's range (10**400)
        return False


def _is_card_line(row: Any) -> bool:
    return (isinstance(row, list) and len(row) == 3 and _is_whole(row[0])
            and isinstance(row[1], str) and isinstance(row[2], str))


def _named(record: Any, field: str = "id") -> str:
    value = record.get(field) if isinstance(record, dict) else None
    return f" ({_show(value, 120)})" if isinstance(value, str) else ""


def _show(value: Any, width: int = 40) -> str:
    """A value as the message shows it: short, one line, and never walked (it may nest deep)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value[:width] + "…" if len(value) > width else value)
    if isinstance(value, float):  # as JSON spells what no finite float is
        if math.isfinite(value):
            return repr(value)
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, int):  # (str() of a huge int is refused past 4,300 digits)
        return str(value) if abs(value) < 10**30 else f"a {int(math.log10(abs(value))) + 1}-digit number"
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _want_text(value: Any) -> str | None:
    return None if isinstance(value, str) else "a text"


def _want_texts(value: Any) -> str | None:
    return None if isinstance(value, list) and all(isinstance(x, str) for x in value) else "a list of texts"


def _want_whole(value: Any) -> str | None:
    return None if _is_whole(value) else "a whole number"


def _want_number(value: Any) -> str | None:
    return None if value is None or _is_number(value) else "a finite number"


_WANTS: dict[str, Callable[[Any], str | None]] = {
    **dict.fromkeys(_TEXT_FIELDS, _want_text), **dict.fromkeys(_TEXT_LIST_FIELDS, _want_texts),
    **dict.fromkeys(_WHOLE_FIELDS, _want_whole), **dict.fromkeys(_NUMBER_FIELDS, _want_number),
}
_SOURCE_FIELDS = {"file": _is_text, "line": _is_whole, "card": _is_text}
