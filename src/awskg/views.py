"""What the explorer app shows, shaped as plain data: table rows, graph elements, chart specs.

`app.py` is the only module that imports Streamlit; everything it displays is computed here or in
the rest of awskg, so the shaping is testable without a browser. Note text is never turned into
markup here: tables hold it as cell values, graph labels are drawn on a canvas (Cytoscape's
`fillText`, which does not parse HTML), and the one place Streamlit reads Markdown (headings,
button and option labels) gets it through `literal_markdown`, which makes every character literal.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from .errors import InputError
from .graph import CONCEPT_TYPES, KnowledgeGraph
from .graphview import Neighbourhood
from .model import Hit, Limit, Neighbour
from .notices import elsewhere, not_in_notes  # noqa: F401 - what the faces say beside hits
from .study.coverage import STATUSES, CoverageReport, ServiceCoverage
from .study.quiz import LETTERS
from .study.stale import line_marker, stale_marker, stale_message, with_marker

# What search can be narrowed to: the concept types, note lines, and comparisons.
SEARCH_TYPES = (*CONCEPT_TYPES, "line", "comparison")

# One colour per entity type, shared by the graph and its legend (Tableau 10 and its light
# companions, so neighbouring types stay distinguishable).
TYPE_COLOURS: dict[str, str] = {
    "service": "#4e79a7",
    "feature": "#59a14f",
    "limit": "#e15759",
    "api": "#f28e2b",
    "error": "#b07aa1",
    "config": "#76b7b2",
    "env_var": "#edc948",
    "metric": "#ff9da7",
    "arn": "#9c755f",
    "permission": "#bab0ac",
    "policy": "#86bcb6",
    "resource_type": "#d37295",
    "card": "#cccccc",
}
OTHER_COLOUR = "#888888"

# The order entities are offered in pickers: the things a student looks up first come first.
TYPE_ORDER = {t: i for i, t in enumerate(
    ("service", "feature", "limit", "api", "error", "config", "env_var", "metric", "arn",
     "permission", "policy", "resource_type", "card"))}

GRAPH_LABEL_CHARS = 40
# Edge labels on a crowded canvas hide the nodes; past this many edges only the nodes are named.
EDGE_LABELS_UP_TO = 40

# CommonMark lets any ASCII punctuation be backslash-escaped to stand for itself; Streamlit's
# Markdown adds `$` (maths) and `:` (colour and emoji directives), which are punctuation too.
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def literal_markdown(text: Any) -> str:
    """Text that Streamlit's Markdown shows exactly as written: `<b>` stays `<b>`, `*x*` stays
    `*x*`. Line breaks become spaces, because it is only used for one-line labels."""
    flat = " ".join(str(text if text is not None else "").split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


# Below this width the app's columns stack (Streamlit itself stacks them only below 640 px).
STACK_BELOW_PX = 1000
LINK_COLOUR = "#1c64b0"


def page_css(stack_below: int = STACK_BELOW_PX) -> str:
    """The app's few style rules: search result names look like the links they are; a static
    table fits its column and wraps any long word rather than scroll sideways; columns stack in
    a narrow window (a horizontal row of buttons wraps instead, keeping its labels)."""
    return f"""<style>
[class*="st-key-hit-"] button p, [class*="st-key-cov-"] button p {{
  color: {LINK_COLOUR}; text-decoration: underline; text-underline-offset: 2px; }}
[data-testid="stTableStyledTable"] {{ width: 100% !important; }}
[data-testid="stTableStyledTable"] :is(td, th, td *, th *) {{
  white-space: normal !important; overflow-wrap: anywhere !important; }}
[data-testid="stTableStyledTable"] :is(th, th *) {{ overflow-wrap: normal !important; }}
[data-testid="stTableStyledTable"] :is(td, th) {{ min-width: calc(5ch + 1rem); }}
@media (max-width: {stack_below - 0.02}px) {{
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]) {{ flex-direction: column; }}
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
    width: 100% !important; flex: 1 1 auto !important; min-width: 100% !important; }}
}}
</style>"""


def clip(text: Any, limit: int) -> str:
    flat = " ".join(str(text if text is not None else "").split())
    return flat if len(flat) <= limit else flat[: max(0, limit - 1)].rstrip() + "…"


def shown_path(path: str | Path) -> str:
    """A path as a student reads it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return p.as_posix()


def colour_of(type_: str) -> str:
    return TYPE_COLOURS.get(type_, OTHER_COLOUR)


# ---------------------------------------------------------------------------- pickers


def entity_choices(kg: KnowledgeGraph, types: Iterable[str] | None = None) -> list[str]:
    """Node ids for an entity picker: concepts (or `types`) by type, then name."""
    wanted = set(types) if types is not None else set(CONCEPT_TYPES)
    labels = kg.labels(wanted)
    return sorted(labels, key=lambda n: (TYPE_ORDER.get(labels[n][0], 99), str(labels[n][1]).lower(), n))


def entity_label(kg: KnowledgeGraph, node_id: str) -> str:
    """`Lambda (service)`, `timeout (feature, Lambda)`: how a picker names a node."""
    label = kg.label(node_id)
    if label is None:
        return node_id
    type_, name, service = label
    bits = [type_ or ""]
    if service and type_ != "service":
        bits.append(str(service))
    return f"{clip(name, 80)} ({', '.join(b for b in bits if b)})"


def picker_labels(kg: KnowledgeGraph, node_ids: Iterable[str]) -> dict[str, str]:
    """entity_label of each node, told apart where two would read the same: a picker hands back
    the entry whose label was chosen, so two `Lambda: timeout (limit, Lambda)` would open one
    limit for both. The second and later take the last part of their id (`default-3s`)."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for n in node_ids:
        label = entity_label(kg, n)
        if label in seen:
            label = f"{label} · {n.rsplit('/', 1)[-1] if '/' in n else n}"
            while label in seen:
                label = f"{label} · {n}"
        seen.add(label)
        out[n] = label
    return out


def service_choices(kg: KnowledgeGraph, with_limits: bool = False) -> list[str]:
    """Service names, sorted; with_limits keeps the services the notes state a limit of."""
    if with_limits:
        names = {str(service) for _, _, service in kg.labels(["limit"]).values() if service}
    else:
        names = {str(name) for _, name, _ in kg.labels(["service"]).values()}
    return sorted(names, key=str.lower)


# ---------------------------------------------------------------------------- search hits


@dataclass(frozen=True)
class Target:
    """Where a search hit leads: an entity page, or the compare view of two entities."""

    view: str  # "entity" | "compare"
    node: str | None = None
    a: str | None = None
    b: str | None = None


def hit_answer(hit: Hit) -> str:
    """The short answer a hit gives: a limit's value, otherwise the note text around the match;
    a value AWS states otherwise today carries the marker (`256 KB ⚠ AWS since 2025-08: 1 MiB`)."""
    return with_marker(_answer(hit), hit.stale)


def _answer(hit: Hit) -> str:
    return str(hit.fields.get("display") or hit.snippet) if hit.type == "limit" else hit.snippet


def hit_row(hit: Hit) -> dict[str, Any]:
    """A hit as one result line: its name, its answer, and `type · service · line n`."""
    line = hit.source.line if hit.source else None
    where = " · ".join(x for x in (hit.type, hit.service or "", f"line {line}" if line else "") if x)
    room = 160 - (len(stale_marker(hit.stale)) + 2 if hit.stale else 0)  # the marker is never clipped
    return {
        "name": hit.name,
        "type": hit.type,
        "service": hit.service or "",
        "answer": with_marker(clip(_answer(hit), room), hit.stale),
        "line": line,
        "where": where,
        "stale": stale_message(hit.stale),
    }


# ---------------------------------------------------------------------------- stale flags


def hit_target(kg: KnowledgeGraph, hit: Hit) -> Target | None:
    """The page a hit opens. A note-line hit opens the most specific entity read from that line,
    else the card it belongs to; a comparison opens both sides."""
    if hit.type == "comparison":
        a, b = hit.fields.get("a"), hit.fields.get("b")
        if a in kg and b in kg:
            return Target("compare", a=a, b=b)
        return None
    if hit.id in kg:
        return Target("entity", node=hit.id)
    if hit.type == "line" and hit.source:
        owners = nodes_at_line(kg, hit.source.file, hit.source.line)
        if owners:
            return Target("entity", node=owners[0])
        if hit.source.card and hit.source.card in kg:
            return Target("entity", node=hit.source.card)
    return None


def nodes_at_line(kg: KnowledgeGraph, file: str, line: int) -> list[str]:
    """Concept nodes whose sources include this line, the most specific first."""
    specific = ("feature", "api", "config", "error", "env_var", "metric", "arn", "permission",
                "policy", "resource_type", "limit", "service")
    rank = {t: i for i, t in enumerate(specific)}
    found = kg.nodes_at(file, line)
    return sorted(found, key=lambda n: (rank.get(kg.label(n)[0], 99), n))


# ---------------------------------------------------------------------------- entity page


def limit_rows(limits: Iterable[Limit]) -> list[dict[str, Any]]:
    """The limits table: subject, value (with its stale marker), unit, kind, where the notes say
    so, and the stale flag's message naming AWS's value and source."""
    rows = []
    for lim in limits:
        rows.append({
            "service": lim.service or "",
            "subject": lim.subject,
            "value": with_marker(lim.display, lim.stale),
            "unit": lim.unit or "",
            "kind": lim.kind,
            "line": lim.source.line,
            "file": lim.source.file,
            "note": lim.line_text,
            "stale": stale_message(lim.stale),
            "id": lim.id,
        })
    return rows


def stale_count(limits: Iterable[Limit]) -> int:
    return sum(1 for lim in limits if lim.stale)


def stale_notes(limits: Iterable[Limit]) -> list[str]:
    """Under a limits table, one line per stale limit: what it is, then the flag's message, which
    names AWS's value and its source: `⚠ SQS max message size: your notes: 256 KB; AWS since …`."""
    return [f"⚠ {' '.join(x for x in (lim.service, lim.subject) if x)}: {lim.stale.get('message', '')}"
            for lim in limits if lim.stale]


def literal_rows(rows: Iterable[dict[str, Any]], columns: Iterable[str]) -> list[dict[str, Any]]:
    """Table rows for a table that renders Markdown (st.table): text cells made literal, numbers
    kept, a missing cell empty. Such a table wraps its text, so nothing is cut."""
    cols = list(columns)
    out = []
    for row in rows:
        cells = {}
        for c in cols:
            v = row.get(c)
            cells[c] = "" if v is None else (v if isinstance(v, int | float) else literal_markdown(v))
        out.append(cells)
    return out


def neighbour_groups(neighbours: Iterable[Neighbour]) -> dict[str, list[dict[str, Any]]]:
    """Neighbours by relation, relations in the order of their best-ranked neighbour, each row with
    the note line that joins the two."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for n in neighbours:
        groups.setdefault(n.relation, []).append({
            "neighbour": n.name,
            "type": n.type,
            "direction": "→" if n.direction == "out" else "←",
            "line": n.evidence[0].line if n.evidence else None,
            "evidence": n.evidence_text[0] if n.evidence_text else "",
            "id": n.id,
        })
    return groups


def card_text(card: dict[str, Any] | None) -> str:
    """A card as the student wrote it: the front, then each answer line with its line number. An
    Anki package's note says which note it is, and each line which field it is in."""
    if not card:
        return ""
    out = [str(card.get("front", ""))]
    fields = {}
    if card.get("note_id") is not None:
        deck = f" · deck {card['deck']}" if card.get("deck") else ""
        out.append(f"note {card['note_id']} · {card.get('note_type') or 'note'}{deck}")
        fields = {n: str(name) for first, last, name in card.get("fields") or []
                  for n in range(int(first), int(last) + 1)}
    width = max((len(f) for f in fields.values()), default=0)
    for number, role, text in card.get("lines", []):
        if role == "front":
            continue
        label = f"{fields.get(int(number), ''):<{width}}  " if fields else ""
        out.append(f"{int(number):>5}  {label}{text}")
    return "\n".join(out)


# ---------------------------------------------------------------------------- neighbourhood graph


def graph_elements(sub: nx.MultiDiGraph, focus: str | None = None,
                   positions: dict[str, tuple[float, float]] | None = None) -> list[dict[str, Any]]:
    """Cytoscape.js elements of a subgraph: nodes coloured by type, the focus in a style of its
    own (class `focus`, never selected: a selected node takes the theme's colour), each node at
    its starting place when `positions` gives one, edges named by relation. Labels are clipped,
    not escaped: Cytoscape paints them on a canvas, so `<b>` is drawn as the four characters it is."""
    label_edges = sub.number_of_edges() <= EDGE_LABELS_UP_TO
    out: list[dict[str, Any]] = []
    for n in sorted(sub.nodes):
        d = sub.nodes[n]
        node: dict[str, Any] = {
            "data": {"id": n, "label": clip(d.get("name", n), GRAPH_LABEL_CHARS),
                     "type": d.get("type", ""), "colour": colour_of(d.get("type", ""))},
            "selected": False,
            "classes": "focus" if n == focus else "",
        }
        if positions and n in positions:
            node["position"] = {"x": positions[n][0], "y": positions[n][1]}
        out.append(node)
    for u, v, k in sorted(sub.edges(keys=True)):
        out.append({"data": {"id": f"{u}|{k}|{v}", "source": u, "target": v,
                             "label": str(k) if label_edges else ""}})
    return out


def graph_stylesheet() -> list[dict[str, Any]]:
    """Labels of a readable size on a light plate (so an edge crossing them does not hide them),
    long ones wrapped; the focus larger, in a colour and shape no type uses."""
    return [
        {"selector": "node", "style": {
            "background-color": "data(colour)", "label": "data(label)", "font-size": 14,
            "text-valign": "bottom", "text-margin-y": 4, "width": 18, "height": 18,
            "text-wrap": "wrap", "text-max-width": "140px",
            "text-background-color": "#ffffff", "text-background-opacity": 0.85,
            "text-background-padding": "1px", "text-background-shape": "roundrectangle"}},
        {"selector": "node.focus", "style": {
            "background-color": FOCUS_COLOUR, "shape": "diamond", "width": 34, "height": 34,
            "border-width": 3, "border-color": FOCUS_BORDER, "font-weight": "bold", "font-size": 16}},
        {"selector": "edge", "style": {
            "width": 1.2, "line-color": "#c4c4c4", "target-arrow-color": "#c4c4c4",
            "target-arrow-shape": "triangle", "curve-style": "bezier", "label": "data(label)",
            "control-point-step-size": 36,  # parallel relations spread out, their labels apart
            "font-size": 8, "color": "#777", "text-rotation": "autorotate"}},
    ]


# The focus: near-black with a gold ring, a colour and shape no entity type is drawn in.
FOCUS_COLOUR = "#1d1d1f"
FOCUS_BORDER = "#f2b701"

# Zoom steps of the graph (the wheel scrolls the page, never the graph): "fit" shows every node,
# never larger than life (a 4-node graph does not get huge labels); a step draws at that scale
# around the middle, dragged to look around.
ZOOMS: dict[str, tuple[float, float]] = {
    "fit": (0.2, 1.0), "100 %": (1.0, 1.0), "125 %": (1.25, 1.25), "150 %": (1.5, 1.5), "200 %": (2.0, 2.0)}


def graph_caption(view: Neighbourhood) -> str:
    """`24 of 108 neighbours drawn, the strongest first · 12 limits are in the limits table · click…`"""
    parts = [f"{view.drawn} of {view.total} neighbours drawn, the strongest first"
             if view.hidden else f"all {view.total} neighbours drawn"]
    if view.limits_left:
        parts.append(f"{view.limits_left} limit{'s' if view.limits_left != 1 else ''} listed in the tables, "
                     "not drawn")
    parts.append(f"{view.sub.number_of_edges()} relations")
    return " · ".join(parts) + " — click a node to open it, drag to move around"


def legend_rows(sub: nx.MultiDiGraph, focus: str | None = None) -> list[dict[str, Any]]:
    """The focus (its own colour) and each type of the other nodes drawn, with its colour and
    how many of its nodes are drawn."""
    counts: dict[str, int] = {}
    for n, d in sub.nodes(data=True):
        if n != focus:
            counts[d.get("type", "")] = counts.get(d.get("type", ""), 0) + 1
    rows = [{"type": "focus", "colour": FOCUS_COLOUR, "nodes": 1}] if focus in sub else []
    return rows + [{"type": t, "colour": colour_of(t), "nodes": counts[t]}
                   for t in sorted(counts, key=lambda t: TYPE_ORDER.get(t, 99))]


def clicked_node(value: Any, focus: str | None) -> str | None:
    """The node a click on the graph asks to open: a selected node other than the focus."""
    nodes = value.get("nodes") if isinstance(value, dict) else None
    for n in nodes or []:
        if n != focus:
            return n
    return None


# ---------------------------------------------------------------------------- downloads

# Extensions that say how a file is packed, not what it holds: a download of one of these names
# its format too (`sqs-csv.zip`, `sqs-obsidian.zip`), so two exports never share a name.
CONTAINER_EXTENSIONS = frozenset({".zip", ".jsonl"})


def download_name(focus: str, fmt: str, extension: str) -> str:
    """The file name of an export of the graph around `focus`: `sqs.graphml`, `sqs.apkg`, and for
    a container extension `sqs-csv.zip`, `sqs-cypher.jsonl`."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", focus.split(":", 1)[-1].replace("/", "-")).strip("-.") or "awskg"
    return f"{stem}-{fmt}{extension}" if extension in CONTAINER_EXTENSIONS else f"{stem}{extension}"


# ---------------------------------------------------------------------------- limits view


def filter_limits(
    limits: Iterable[Limit], units: Iterable[str] = (), kinds: Iterable[str] = (), stale_only: bool = False
) -> list[Limit]:
    """Limits with one of `units` (`""` is a limit without a unit) and one of `kinds`, and with
    `stale_only` only those AWS has changed since; empty selections keep everything."""
    want_units, want_kinds = set(units), set(kinds)
    return [lim for lim in limits
            if (not want_units or (lim.unit or "") in want_units)
            and (not want_kinds or lim.kind in want_kinds)
            and (lim.stale or not stale_only)]


DIMENSIONS = {"bytes": "size", "seconds": "duration", "count": "count", "percent": "percent",
              "bandwidth": "bandwidth"}

# How the limits view can order its rows; "value" is the one a column header cannot give (a
# header sorts the values' text: `0-15 min, 0-5 nodes, 1 eni, 1 h`).
LIMIT_SORTS = {"value": "value (within each dimension)", "service": "service, then subject",
               "notes": "where the notes state it"}


def value_sort_key(lim: Limit) -> tuple[Any, ...]:
    """Limits by value: grouped by dimension (size, duration, count, percent, bandwidth, then any
    other, by name), within one by base value (a range by its low end, then its high end), a rate
    (`per` something) after the plain values of its dimension, and a bound with no number
    (`unlimited`, `forever`) after every number of its dimension."""
    dims = list(DIMENSIONS)
    group = (dims.index(lim.dimension), "") if lim.dimension in dims else (len(dims), str(lim.dimension))
    low = lim.base_value if lim.base_value is not None else lim.base_value_max
    high = lim.base_value_max if lim.base_value_max is not None else low
    return (*group, low is None, bool(lim.per), low or 0.0, high or 0.0,
            (lim.service or "").lower(), lim.subject.lower(), lim.id)


def sort_limits(limits: Iterable[Limit], by: str = "value") -> list[Limit]:
    """Limits in one of the LIMIT_SORTS orders (an unknown order keeps the notes' order)."""
    items = list(limits)
    if by == "value":
        return sorted(items, key=value_sort_key)
    if by == "service":
        return sorted(items, key=lambda lim: ((lim.service or "").lower(), lim.subject.lower(), lim.id))
    return sorted(items, key=lambda lim: (lim.source.file, lim.source.line, lim.id))
_BASE_UNIT = {"bytes": "bytes", "seconds": "seconds", "count": "count", "percent": "%", "bandwidth": "bit/s"}


def chart_rows(limits: Iterable[Limit], dimension: str) -> list[dict[str, Any]]:
    """Points for a log-scale chart of one dimension: each limit's value (and range) in base units.
    Zero and missing values cannot sit on a log axis and are left out."""
    rows = []
    for lim in limits:
        if lim.dimension != dimension or lim.base_value is None:
            continue
        high = lim.base_value_max if lim.base_value_max is not None else lim.base_value
        low = lim.base_value if lim.base_value and lim.base_value > 0 else high
        if not high or high <= 0:
            continue
        rows.append({
            "limit": clip(f"{lim.service or '?'}: {lim.subject}", 70),
            "low": low,
            "high": high,
            "value": lim.display,
            "kind": lim.kind,
            "line": lim.source.line,
        })
    rows.sort(key=lambda r: r["high"])
    return rows


def chart_spec(rows: list[dict[str, Any]], dimension: str) -> dict[str, Any]:
    """A Vega-Lite spec: one row per limit, its value on a log axis (a bar from low to high for
    a range), coloured by kind, with the value as written in the tooltip."""
    axis = f"{DIMENSIONS.get(dimension, dimension)} ({_BASE_UNIT.get(dimension, dimension)}, log scale)"
    # The axis's range is given, not measured from the data: when the chart is redrawn for another
    # dimension Vega meets the scale before its data, and a log scale measured on nothing warns of
    # an "infinite extent". One value alone gets a decade either side.
    low, high = (min(r["low"] for r in rows), max(r["high"] for r in rows)) if rows else (1.0, 10.0)
    domain = [low, high] if high > low else [low / 10, high * 10]
    # Minor log ticks would each draw a grid line; a few labelled decades read better.
    x = {"field": "low", "type": "quantitative", "scale": {"type": "log", "domain": domain, "nice": True},
         "title": axis, "axis": {"grid": False, "tickCount": 6, "format": "~s"}}
    y = {"field": "limit", "type": "nominal", "sort": {"field": "high", "order": "ascending"}, "title": None,
         "axis": {"labelLimit": 280}}
    tooltip = [{"field": "limit"}, {"field": "value"}, {"field": "kind"}, {"field": "line"}]
    return {
        "data": {"values": rows},
        "height": 22 * len({r["limit"] for r in rows}) + 10,
        "layer": [
            {"mark": {"type": "rule", "strokeWidth": 3},
             "encoding": {"x": x, "x2": {"field": "high"}, "y": y, "color": {"field": "kind"},
                          "tooltip": tooltip}},
            {"mark": {"type": "point", "filled": True, "size": 60},
             "encoding": {"x": {**x, "field": "high"}, "y": y, "color": {"field": "kind", "title": "kind"},
                          "tooltip": tooltip}},
        ],
    }


# ---------------------------------------------------------------------------- compare view


def compare_rows(side: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One side of `kg.compare`: (every one of its note lines, whole, and its limits) as table
    rows; a line or a value AWS states otherwise today carries the marker."""
    lines = [{"line": x.get("line"), "note": x.get("text", ""), "stale": line_marker(x.get("stale") or [])}
             for x in side.get("lines", [])]
    limits = [{"subject": x.get("subject", ""), "value": with_marker(x.get("display", ""), x.get("stale")),
               "kind": x.get("kind", ""), "line": (x.get("source") or {}).get("line"),
               "stale": stale_message(x.get("stale"))} for x in side.get("limits", [])]
    return lines, limits


@dataclass(frozen=True)
class ContrastPair:
    """Two entities the notes contrast, and the first line that does."""

    a: str
    b: str
    label: str  # `FIFO queues (feature, SQS) ↔ standard queues (feature, SQS)`
    file: str | None
    line: int | None


def contrast_pairs(kg: KnowledgeGraph) -> list[ContrastPair]:
    """Every pair the notes contrast (kg.comparisons), by the names of its sides, for browsing."""
    out = []
    for a, b in kg.comparisons():
        edges = [(kg.graph.get_edge_data(u, v) or {}).get("CONTRASTS_WITH") or {}
                 for u, v in ((a, b), (b, a))]
        sources = [s for e in edges for s in e.get("sources", [])]
        first = min(sources, key=lambda s: (s.get("file", ""), int(s.get("line", 0))), default=None)
        out.append(ContrastPair(a, b, f"{entity_label(kg, a)} ↔ {entity_label(kg, b)}",
                                first.get("file") if first else None, int(first["line"]) if first else None))
    return sorted(out, key=lambda p: (p.label.lower(), p.a, p.b))


def pair_index(pairs: list[ContrastPair], a: str | None, b: str | None) -> int | None:
    """Where the pair (a, b), either way round, is in `pairs`; None when the notes do not contrast it."""
    for i, p in enumerate(pairs):
        if {p.a, p.b} == {a, b}:
            return i
    return None


def relation_rows(data: dict[str, Any], kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """What joins the two sides of a comparison, one row per line of evidence."""
    rows = []
    for rel in data.get("relations", []):
        names = [kg.label(x)[1] if x in kg else x for x in (rel["from"], rel["to"])]
        evidence = rel.get("evidence") or [{}]
        for ev in evidence:
            rows.append({"from": names[0], "relation": rel["relation"], "to": names[1],
                         "line": ev.get("line"), "note": ev.get("text", "")})
    return rows


# ---------------------------------------------------------------------------- quiz


def choice_label(index: int, text: str) -> str:
    """`B. 15 minutes`: a choice with the letter feedback names it by."""
    return f"{LETTERS[index]}. {text}"


@dataclass(frozen=True)
class QuizMark:
    """A checked question: right, wrong or unanswered (its own state: nothing was chosen), the
    line that says so, and its choices as read back, the one given and the right one marked."""

    state: str  # "right" | "wrong" | "unanswered"
    message: str
    choices: list[str]


def quiz_mark(question: dict[str, Any], choice: int | None) -> QuizMark:
    right = question["answer_index"]
    answer = choice_label(right, question["answer"])
    if choice is None:
        state, message = "unanswered", f"Not answered. The answer is {answer}"
    elif choice == right:
        state, message = "right", f"Right: {answer}"
    else:
        given = choice_label(choice, question["choices"][choice])
        state, message = "wrong", f"You answered {given}. The answer is {answer}"
    lines = []
    for i, text in enumerate(question["choices"]):
        tags = [t for t, on in (("your answer", i == choice), ("the answer", i == right)) if on]
        sign = "✓" if i == right else "✗" if i == choice else "·"
        lines.append(f"{sign} {choice_label(i, text)}"
                     + (f"   ← {' and '.join(tags)}" if tags else ""))
    return QuizMark(state, message, lines)


def quiz_summary(questions: Iterable[dict[str, Any]], answers: dict[str, int | None]) -> str:
    """`Score: 3 of 5 right · 1 wrong · 1 not answered`"""
    states = [quiz_mark(q, answers.get(q["id"])).state for q in questions]
    text = f"Score: {states.count('right')} of {len(states)} right · {states.count('wrong')} wrong"
    return text + (f" · {states.count('unanswered')} not answered" if "unanswered" in states else "")


Scores = dict[str, dict[str, Any]]  # service name -> {"asked", "correct", "percent"}


def add_scores(total: Scores, scores: Scores) -> Scores:
    """A running score per service: `total` plus one quiz's `study.score_by_service`, as a new dict."""
    out = {k: dict(v) for k, v in total.items()}
    for service, row in scores.items():
        acc = out.setdefault(service, {"asked": 0, "correct": 0})
        acc["asked"] += int(row.get("asked", 0))
        acc["correct"] += int(row.get("correct", 0))
    for acc in out.values():
        acc["percent"] = round(100.0 * acc["correct"] / acc["asked"], 1) if acc["asked"] else 0.0
    return out


def score_rows(total: Scores) -> list[dict[str, Any]]:
    """The running score as table rows, the weakest service first (what to revise next)."""
    rows = [{"service": service, "correct": row["correct"], "asked": row["asked"],
             "percent": row.get("percent", 0.0)} for service, row in total.items()]
    return sorted(rows, key=lambda r: (r["percent"], -r["asked"], r["service"].lower()))


# ---------------------------------------------------------------------------- uploads


def build_uploaded(files: Iterable[tuple[str, bytes]]) -> KnowledgeGraph:
    """Build a graph of uploaded notes files (name, bytes) in a private temp folder, which is
    removed afterwards: the graph keeps the note text in its cards, and no file of the user's
    (the committed graph, the build cache) is touched. A `.zip` that is not an Anki package is an
    Obsidian vault: its notes are unpacked and built as one. Files are named as uploaded, in the
    graph's sources and in errors, never by the server's temp path. Bad files raise InputError."""
    from .builder import build
    from .readers import is_package
    from .readers.apkg import is_anki_package
    from .readers.obsidian import unpack_vault
    from .readers.text import names_relative_to

    items = list(files)
    if not items:
        raise InputError("no notes files uploaded")
    with tempfile.TemporaryDirectory(prefix="awskg-upload-") as tmp:
        notes = Path(tmp) / "notes"
        notes.mkdir()
        paths = []
        for raw_name, data in items:
            # A browser sends a bare name, but nothing stops a crafted request from sending a path.
            name = Path(str(raw_name).replace("\\", "/")).name.lstrip(".") or "notes.txt"
            path = notes / name
            stem, suffix, n = path.stem, path.suffix, 1
            while path.exists():
                n += 1
                path = notes / f"{stem}-{n}{suffix}"
            if is_package(data) and not is_anki_package(data):
                # A zipped vault becomes a folder of the zip's name: its notes are `vault.zip/SQS.md`.
                paths.append(unpack_vault(data, path, name))
                continue
            path.write_bytes(data)
            paths.append(path)
        # jobs=1: uploads are parsed in the app's own process, so a web server never starts (and
        # keeps) worker processes of its own; uploads are small enough.
        with names_relative_to(notes):
            return build(paths, cache_dir=Path(tmp) / "cache", jobs=1)



# ---------------------------------------------------------------------------- coverage view

COVERAGE_COLOURS = {"covered": "#59a14f", "thin": "#edc948", "missing": "#e15759"}


def coverage_chart_spec(report: CoverageReport) -> dict[str, Any]:
    """A Vega-Lite spec: one bar per group of the exam guide, its services stacked by status
    (covered, thin, missing), groups in the guide's order."""
    rows = [{"group": group, "status": status, "services": sum(1 for s in items if s.status == status),
             "order": i}
            for group, items in report.by_group() for i, status in enumerate(STATUSES)]
    groups = [g for g, _ in report.by_group()]
    return {
        "data": {"values": [r for r in rows if r["services"]]},
        "height": 24 * len(groups) + 10,
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "group", "type": "nominal", "sort": groups, "title": None,
                  "axis": {"labelLimit": 280}},
            "x": {"field": "services", "type": "quantitative", "stack": "zero", "title": "in-scope services",
                  "axis": {"tickMinStep": 1}},
            "color": {"field": "status", "type": "nominal", "title": "status",
                      "scale": {"domain": list(STATUSES), "range": [COVERAGE_COLOURS[s] for s in STATUSES]}},
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [{"field": "group"}, {"field": "status"}, {"field": "services"}],
        },
    }


def coverage_targets(service: ServiceCoverage) -> list[tuple[str, Target]]:
    """Where a service of the coverage view leads: its own entity page when the notes name it,
    else what the notes say nearby; as (button label, target)."""
    if service.node:
        return [(service.name, Target("entity", node=service.node))]
    return [(f"nearby: {name}", Target("entity", node=node)) for node, name in service.nearby]


def coverage_group_label(group: str, items: list[ServiceCoverage]) -> str:
    """`Analytics: 2 covered, 0 thin, 1 missing`"""
    counts = ", ".join(f"{sum(1 for s in items if s.status == st)} {st}" for st in STATUSES)
    return f"{group}: {counts}"
