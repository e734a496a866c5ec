"""Passes over the merged graph of all files: typo merges, one limit for a fact stated in several
places, TYPE_OF by head noun, PART_OF from the catalog. (Conflicting values: conflicts.py.)"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz

from ..model import Source
from ..vocabulary import catalog
from .names import singular_phrase, split_aliases


def link_types(kg: Any) -> int:
    """TYPE_OF by head noun: `reserved concurrency` is a kind of the same service's `concurrency`,
    `zonal reserved instances` of `reserved instances`. Run once on the merged graph."""
    g = kg.graph
    feats = {n: d["name"] for n, d in g.nodes(data=True) if d.get("type") == "feature"}
    by_name: dict[tuple[str, str], str] = {}
    for nid, nm in sorted(feats.items()):
        by_name.setdefault((nid.split("/")[0], singular_phrase(split_aliases(nm)[0].lower())), nid)
    count = 0
    for nid, nm in sorted(feats.items()):
        low = nm.lower()
        words = split_aliases(nm)[0].lower().split()
        if len(words) > 4 or " vs " in f" {low} " or " of " in f" {low} ":
            continue
        for k in range(1, len(words)):
            other = by_name.get((nid.split("/")[0], singular_phrase(" ".join(words[k:]))))
            if other and other != nid:
                kg.add_relation(
                    nid, other, "TYPE_OF", [Source.from_dict(s) for s in g.nodes[nid].get("sources", [])[:1]]
                )
                count += 1
                break
    return count


def link_parts(kg: Any) -> int:
    """A catalog component (Lambda Layers, DynamoDB Streams) is PART_OF its parent service when
    both stand in the graph; the evidence is the component's first line."""
    g = kg.graph
    cat = catalog()
    count = 0
    for n, d in list(g.nodes(data=True)):
        if d.get("type") != "service":
            continue
        rec = cat.get(n.split(":", 1)[1])
        if rec and rec.parent and f"service:{rec.parent}" in g:
            kg.add_relation(
                n, f"service:{rec.parent}", "PART_OF", [Source.from_dict(s) for s in d.get("sources", [])[:1]]
            )
            count += 1
    return count


def merge_typos(kg: Any) -> int:
    """`ProvitionedThroughputExceeded` and `ProvisionedThroughputExceeded` are one error: merge
    same-type entities whose long names differ by a typo, keeping the better-attested name."""
    g = kg.graph
    merged = 0
    for typ in ("api", "error", "metric", "env_var"):
        ids = sorted(n for n, d in g.nodes(data=True) if d.get("type") == typ)
        for i, a in enumerate(ids):
            if a not in g:
                continue
            for b in ids[i + 1 :]:
                if b not in g or a not in g:
                    continue
                na, nb = g.nodes[a]["name"], g.nodes[b]["name"]
                if min(len(na), len(nb)) < 12 or na.lower() == nb.lower():
                    continue
                if abs(len(na) - len(nb)) > 2 or fuzz.ratio(na.lower(), nb.lower()) < 94:
                    continue
                # Plural / singular operation names (PutRecord vs PutRecords) are different calls.
                if na.lower().rstrip("s") == nb.lower().rstrip("s"):
                    continue
                keep, drop = (a, b) if len(g.nodes[a]["sources"]) >= len(g.nodes[b]["sources"]) else (b, a)
                _merge_node(kg, keep, drop)
                merged += 1
    return merged


def _merge_node(kg: Any, keep: str, drop: str) -> None:
    g = kg.graph
    d = g.nodes[drop]
    aliases = sorted(set(g.nodes[keep].get("aliases", [])) | {d["name"]} | set(d.get("aliases", [])))
    kg.add_entity(
        keep,
        g.nodes[keep]["type"],
        g.nodes[keep]["name"],
        [Source.from_dict(s) for s in d.get("sources", [])],
        aliases=aliases,
        definition=d.get("definition"),
    )
    for u, _, k, data in list(g.in_edges(drop, keys=True, data=True)):
        kg.add_relation(u, keep, k, [Source.from_dict(s) for s in data.get("sources", [])])
    for _, v, k, data in list(g.out_edges(drop, keys=True, data=True)):
        kg.add_relation(keep, v, k, [Source.from_dict(s) for s in data.get("sources", [])])
    g.remove_node(drop)


# Words of a subject that say what kind of value it is rather than what it bounds.
_KIND_WORDS = {
    "max", "maximum", "min", "minimum", "default", "limit", "size", "duration", "total", "number",
    "count", "value", "throughput", "rate", "per", "of", "the", "a", "an", "in", "for", "on", "to",
}


def merge_equal_limits(kg: Any) -> int:
    """One limit for one fact: limits of the same service (or a part of it) in one notes file, with
    the same values in base units, kinds that agree and subjects that share a word, stated on
    several lines, become one node with every line that states it. A student who asks sees the fact
    once, with each line behind it; search names the line whose words the query uses."""
    g = kg.graph
    cat = catalog()
    groups: dict[tuple[Any, ...], list[str]] = {}
    for n, d in g.nodes(data=True):
        if d.get("type") != "limit" or d.get("value") is None or not d.get("service_id"):
            continue
        sid = d["service_id"]
        rec = cat.get(sid)
        family = rec.parent if rec and rec.parent else sid
        # Each notes file keeps its own limits: a student's question about their notes is answered
        # in their words, another file's statement of the same fact stands beside it.
        files = tuple(sorted({s.get("file", "") for s in d.get("sources", [])}))
        key = (files, family, d.get("dimension"), d.get("base_value"), d.get("base_value_max"), d.get("per"))
        groups.setdefault(key, []).append(n)
    merged = 0
    for ids in groups.values():
        if len(ids) < 2:
            continue
        # The node kept is the one whose own line says it most plainly (`max message size: 256KB`
        # before `sending a message larger than 256kb`): its subject and line stay in front.
        ids.sort(key=lambda i: (
            g.nodes[i].get("kind") in ("other", "count"),  # a limit whose words say its kind first
            *_plainness(kg, g.nodes[i]),
            -len(g.nodes[i].get("sources", [])),
            i,
        ))
        kept: list[tuple[str, set[str]]] = []
        for nid in ids:
            words = _subject_words(g.nodes[nid])
            kind = g.nodes[nid].get("kind")
            # `default 30 s` and `max 30 s` are two facts; a value with no cue joins either.
            # One subject's words within the other's (`message size` in `sending a message larger
            # than 256kb size`); `... per standard queue` and `... per FIFO queue` are two facts.
            same = [k for k, kw in kept
                    if _same_subject(words, kw) and _kinds_agree(kind, g.nodes[k]["kind"])]
            into = same[0] if same else None
            if into is None:
                kept.append((nid, words))
                continue
            _merge_limit(kg, into, nid)
            merged += 1
    return merged


def _same_subject(a: set[str], b: set[str]) -> bool:
    return bool(a and b and (a <= b or b <= a))


def _kinds_agree(a: str | None, b: str | None) -> bool:
    return a == b or a in ("other", "count") or b in ("other", "count")


def _plainness(kg: Any, d: dict[str, Any]) -> tuple[float, int]:
    """A sort key, plainest first: the share of the subject's words that its first line holds,
    then the shorter subject (`max message size` before `sending a message larger than 256kb`)."""
    src = (d.get("sources") or [{}])[0]
    text = (kg.line_text(src.get("file", ""), src.get("line", 0)) or "").lower()
    words = re.findall(r"[a-z0-9]+", (d.get("subject") or "").lower())
    found = sum(1 for w in words if w in text)
    return -(found / len(words) if words else 0.0), len(words)


def _subject_words(d: dict[str, Any]) -> set[str]:
    service = set(re.findall(r"[a-z0-9]+", (d.get("service") or "").lower()))
    words = set(re.findall(r"[a-z0-9/]+", (d.get("subject") or "").lower()))
    return {w.rstrip("s") for w in words - _KIND_WORDS - service if len(w) > 1}


def _merge_limit(kg: Any, keep: str, drop: str) -> None:
    g = kg.graph
    d = g.nodes[drop]
    first = (g.nodes[keep].get("sources") or [None])[0]
    kg.add_entity(keep, "limit", g.nodes[keep]["name"], [Source.from_dict(s) for s in d.get("sources", [])])
    if first:
        # The kept limit's own line stays its first source: the line `limits` and `search` show.
        rest = [s for s in g.nodes[keep]["sources"] if s != first]
        g.nodes[keep]["sources"] = [first, *rest]
    for u, _, k, data in list(g.in_edges(drop, keys=True, data=True)):
        if u != keep:
            kg.add_relation(u, keep, k, [Source.from_dict(s) for s in data.get("sources", [])])
    g.remove_node(drop)
