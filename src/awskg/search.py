"""Search: a student's query in, ranked entities (or note lines) out.

How a query is read, in the order the best engines do it:
  1. tokens, folded and lightly stemmed the same way the index was;
  2. AWS abbreviations and synonyms expanded from data (DDB -> DynamoDB, DLQ -> dead-letter
     queue, payload -> message), at a lower weight than the words typed;
  3. each remaining unknown token corrected against the index vocabulary with rapidfuzz: one typo
     from 5 letters, two from 9 (Meilisearch's rule), or completed as a prefix (`queu` -> queue);
  4. BM25F over each entity's fields (name weighted over service over text), with a coordination
     factor so documents matching more of the query win;
  5. boosts: the service the query names, and the type it asks for (numbers, `how long`,
     `how many`, `max` -> limits);
  6. note lines are indexed too, below entities, so a query no entity fits still finds its line.

The index is built when a graph is saved and kept in its store (store.py), from which a query reads
the postings of its words and the documents it shows; a graph that has no store (built in memory)
is indexed on its first query. Nothing here imports spaCy.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import sys
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .model import Hit, Source
from .vocabulary import catalog, count_unit_words, load_data, rate_nouns, synonyms, units

if TYPE_CHECKING:
    from .graph import KnowledgeGraph
    from .store import Store

# `unit`: a limit's unit and what it measures (units.json `measures`): `wcu`, `write capacity
# throughput` for `2 WCU`; it outweighs the same word in the note line beside another value.
FIELD_WEIGHTS = {"name": 3.0, "service": 1.2, "text": 1.0, "unit": 1.5, "body": 0.7, "context": 0.5}
K1 = 1.2
B = 0.6
LINE_PRIOR = 0.55
# What a query's intent multiplies a document's score by (_scored, _rank_arrays, and _most_boost,
# which bounds their product when a query prunes).
NAMED_SERVICE = 1.6  # the service the query names (or the one two named parts share)
FAMILY_SERVICE = 1.35  # its parent or parts
OWN_SERVICE = 1.2  # a service document whose parts the query names
OTHER_SERVICE = 0.75  # a document of a service the query does not name
LIMIT_ASKED = 1.7  # a limit, when the query asks for one
UNIT_ASKED = 1.4  # ... counted in the unit the query names (`wcu`, `iops`)
SERVICE_WHEN_LIMIT_ASKED = 0.6
WHERE_ASKED = 1.8  # a config or note line, when the query asks where
COMPARED = 1.3  # a feature or API, when the query compares
CONTRASTED = 1.4  # ... that the notes contrast with another
ASKS_MORE = 0.7  # a service, when the query asks more than its name
NAME_IS_QUERY = 1.5  # an entity whose name is the query
NAME_HIT = 0.6  # per share of the query's concepts in the document's name
# A query matching more documents than this scores first those that can rank (SearchIndex._rank).
PRUNE_MIN_DOCS = 2000
PRUNE_HEAD = 2  # how many times `first` documents, by bound, are scored to set the bar
MAX_QUERY_TOKENS = 48
# From this many documents on (5× the notes), queries are scored over numpy arrays: the same numbers,
# 8× faster at 100× the notes; below it the plain loop is as quick and a cold query skips numpy.
ARRAY_MIN_DOCS = 5_000
_NO_POSTINGS: tuple[array[int], array[float]] = (array("i"), array("d"))
SNIPPET = 240

# What a student calls each kind of limit, so `max` finds a range's upper end too.
KIND_WORDS = {
    "max": "max maximum limit up to", "min": "min minimum at least", "default": "default",
    "range": "range max maximum min minimum limit", "count": "count number how many",
    "retention": "retention retained kept how long", "rate": "rate per second throughput",
    "granularity": "granularity increments resolution billed", "other": "",
}

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|\$latest|/[a-z]+")
_WORD = re.compile(r"\S+")


def fold_text(text: str) -> str:
    return text.lower().replace("’", "'")


def stem(token: str) -> str:
    """A light, predictable stemmer (plural -s, -es, -ies; -ing; -ed) applied to index and query."""
    t = token
    if len(t) <= 3 or not t.isalpha():
        return t
    if t.endswith("ies") and len(t) > 4:
        return t[:-3] + "y"
    if t.endswith(("sses", "xes", "ches", "shes")):
        return t[:-2]
    if t.endswith("s") and not t.endswith(("ss", "us", "is")):
        t = t[:-1]
    if t.endswith("ing") and len(t) > 5:
        t = t[:-3]
    elif t.endswith("ed") and len(t) > 4:
        t = t[:-2]
    return t


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for raw in _TOKEN.findall(fold_text(text)):
        out.extend(_word_tokens(raw))
    return out


# Index building and snippets tokenise the same words over and over; a word's tokens never depend
# on its neighbours, so they are worked out once. Bounded, because queries bring new words.
@lru_cache(maxsize=1 << 17)
def _word_tokens(raw: str) -> tuple[str, ...]:
    raw = raw.strip("'-")
    if not raw:
        return ()
    out = []
    # "256kb" -> "256", "kb": values and units are looked up apart.
    parts = re.findall(r"\d+|[a-z/$][a-z'/$-]*", raw) if re.search(r"\d", raw) else [raw]
    for p in parts:
        out.append(stem(p.lstrip("/")) if p.startswith("/") else stem(p))
        if "-" in p:
            out.extend(stem(x) for x in p.split("-") if x)
    return tuple(out)


@dataclass
class Doc:
    id: str
    type: str
    name: str
    service_id: str | None
    service: str | None
    snippet_text: str
    focus: str = ""
    source: Source | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    prior: float = 1.0
    # The note lines an entity stands on (`file:line`): a hit names the one that answers the query.
    lines: list[str] = field(default_factory=list)


class SearchIndex:
    """An inverted index of a KnowledgeGraph, BM25F-weighted."""

    def __init__(self, kg: KnowledgeGraph, store: Store | None = None, order: list[str] | None = None):
        """Index `kg` (its nodes in `order`, by default the graph's); or, given the `store` of the
        graph file it was loaded from, read the index from there as queries need it."""
        self.kg = kg
        if store is None:
            self.contrasted = {x for u, v, k in kg.graph.edges(keys=True)
                               if k == "CONTRASTS_WITH" for x in (u, v)}
            self.docs, field_tokens = self._documents(kg, order)
            self._build(field_tokens)
            self._derive()
        else:
            self._adopt(store)
        self._abbrev = {k.lower(): v for k, v in catalog().abbreviation_map().items() if len(k) >= 2}
        syn = synonyms()
        self._syn_abbrev = {k: v for k, v in syn["abbreviations"].items()}
        self._syn = syn["synonyms"]
        self._limit_cues = {stem(w) for w in syn["limit_cues"]}
        self._compare_cues = set(syn["comparison_cues"])
        self._stop = set(syn["stopwords"])

    @classmethod
    def for_graph(cls, kg: KnowledgeGraph, order: list[str] | None = None) -> SearchIndex:
        """The index of a graph in memory, built (a graph loaded from a file reads its store's)."""
        from .graph import paused_gc

        with paused_gc():
            index = cls(kg, order=order)
            if len(index.docs) >= ARRAY_MIN_DOCS:
                index._arrays()  # numpy and the per-document arrays, while the collector rests
        return index

    def _documents(self, kg: KnowledgeGraph,
                   order: list[str] | None) -> tuple[list[Doc], list[dict[str, list[str]]]]:
        docs: list[Doc] = []
        field_tokens: list[dict[str, list[str]]] = []
        self._token_memo: dict[tuple[str, bool], list[str]] = {}  # (see _tokens)
        nodes = kg.graph.nodes
        in_order = [(n, nodes[n]) for n in order] if order is not None else list(nodes(data=True))
        for node_id, d in in_order:
            typ = d.get("type")
            if typ == "card":
                continue
            doc, ftoks = self._entity_doc(node_id, d)
            docs.append(doc)
            field_tokens.append(ftoks)
        for node_id, d in in_order:
            if d.get("type") != "card":
                continue
            front = d.get("front", "")
            svc = (d.get("services") or [None])[0]
            svc_name = catalog().name(svc)
            context: list[str] | None = None  # the card's, shared by its lines (read, never changed)
            for number, role, text in d.get("lines", []):
                if role == "front" or not str(text).strip():
                    continue
                src = Source(d.get("file", ""), int(number), node_id)
                # A heading or a restated question names a topic; the answer is in the lines below.
                prior = LINE_PRIOR * (0.45 if role in ("title", "heading", "subtopic", "question") else 1.0)
                docs.append(Doc(
                    id=f"line:{d.get('file', '')}:{number}", type="line", name=str(text)[:80],
                    service_id=svc, service=svc_name, snippet_text=str(text), source=src,
                    prior=prior,
                ))
                if context is None:
                    context = tokens(front + " " + d.get("topic", ""))
                field_tokens.append({"text": self._tokens(str(text)), "context": context})
        self._token_memo = {}
        return docs, field_tokens

    # ------------------------------------------------------------------ the store

    def store_contents(self) -> dict[str, Any]:
        """The index as the store keeps it (see _adopt): each document as JSON; each term's
        postings as two binary arrays, document numbers (int32) and weights (float64), so that
        reading them back is a copy, not a parse, and the weights are the same bits; and the
        per-document arrays a query reads whole."""
        docs = [(d.id, json.dumps([d.id, d.type, d.name, d.service_id, d.service, d.snippet_text, d.focus,
                                   [d.source.file, d.source.line, d.source.card] if d.source else None,
                                   d.fields, d.prior, d.lines], ensure_ascii=False))
                for d in self.docs]
        postings = [(t, ids.tobytes(), ws.tobytes()) for t, (ids, ws) in sorted(self.postings.items())]
        name_postings = [(t, array("i", sorted(ns)).tobytes())
                         for t, ns in sorted(self.name_docs.items()) if ns]
        types = sorted(set(self.doc_types))
        services = sorted({s for s in (*self.doc_services, *self.doc_owns) if s is not None})
        type_code = {t: i for i, t in enumerate(types)}
        service_code = {s: i for i, s in enumerate(services)}

        def codes(values: list[str | None]) -> bytes:
            return array("i", [-1 if s is None else service_code[s] for s in values]).tobytes()

        blobs = {
            "vocab": json.dumps(self.vocab, ensure_ascii=False).encode(),
            "type_names": json.dumps(types, ensure_ascii=False).encode(),
            "service_names": json.dumps(services, ensure_ascii=False).encode(),
            "doc_types": array("i", [type_code[t] for t in self.doc_types]).tobytes(),
            "doc_services": codes(self.doc_services),
            "doc_owns": codes(self.doc_owns),
            "doc_priors": array("d", self.doc_priors).tobytes(),
            "doc_contrasted": bytes(self.doc_contrasted),
            "suggest_names": json.dumps(self._suggest_names(), ensure_ascii=False).encode(),
        }
        return {"docs": docs, "postings": postings, "name_postings": name_postings, "blobs": blobs}

    def _adopt(self, store: Store) -> None:
        """Read the index from a store: the per-document arrays now (a query scores every document
        its words match), documents and postings when a query first needs them."""
        from .store import LazyList

        self._store = store
        n = store.meta["docs"]
        blob = store.blob

        def ints(name: str) -> array[int]:
            out = array("i")
            out.frombytes(blob(name))
            if len(out) != n:
                raise _damaged(store, name)
            return out

        types = json.loads(blob("type_names"))
        services = [*json.loads(blob("service_names")), None]  # code -1: no service
        # Kept as codes, named when read: a query reads those of the documents its words match.
        self.doc_types = _Coded(ints("doc_types"), types)
        self.doc_services = _Coded(ints("doc_services"), services)
        self.doc_owns = _Coded(ints("doc_owns"), services)
        self.doc_priors = array("d")
        self.doc_priors.frombytes(blob("doc_priors"))
        self.doc_contrasted = blob("doc_contrasted")  # one byte a document, 0 or 1
        if len(self.doc_priors) != n or len(self.doc_contrasted) != n:
            raise _damaged(store, "per-document arrays")
        self.docs = LazyList(n, lambda i: _doc_of(json.loads(store.doc(i)[1])))
        self.doc_ids = LazyList(n, lambda i: store.doc(i)[0])
        self.vocab = json.loads(blob("vocab"))
        self.vocab_alpha = [t for t in self.vocab if t.isalpha() and len(t) >= 3]
        self.postings = _StoredPostings(store, self.vocab)
        self.idf = _StoredIdf(self.postings, n)
        self.name_docs = _StoredNameDocs(store)
        self._name_sets: dict[int, frozenset[str]] = {}
        self._array_cache = None
        self._max_prior: float | None = None
        self._queries = 0

    # ------------------------------------------------------------------ documents

    def _entity_doc(self, node_id: str, d: dict[str, Any]) -> tuple[Doc, dict[str, list[str]]]:
        kg = self.kg
        typ = d.get("type", "")
        name = d.get("name", node_id)
        sources = d.get("sources", [])
        src = Source.from_dict(sources[0]) if sources else None
        line_texts = [t for _, t in kg.source_text(sources[:4])]
        svc_id = d.get("service_id")
        if typ == "service":
            svc_id = node_id.split(":", 1)[1]
        elif not svc_id and d.get("services"):
            svc_id = d["services"][0]
        svc_name = catalog().name(svc_id) or d.get("service")
        names = [name, *d.get("aliases", [])]
        text_parts = [d.get("definition", "") or ""]
        fields: dict[str, Any] = {}
        focus = ""
        unit_words = unit_of_limit = ""
        if typ == "limit":
            text_parts += [d.get("subject", ""), d.get("text", ""), KIND_WORDS.get(d.get("kind", ""), ""),
                           f"per {d['per']}" if d.get("per") else ""]
            unit_words = _measure_words(d.get("unit"), d.get("dimension"))
            unit_of_limit = d.get("unit") or ""
            focus = d.get("text", "")
            lim = kg._limit(node_id, d, flagged=False)
            lim_dict = lim.to_dict()
            fields = {k: lim_dict[k] for k in (
                "service", "subject", "kind", "value", "value_max", "unit", "text", "display", "bound",
                "base_value", "base_value_max", "dimension", "conflict", "unsure")}
            names = [d.get("subject", name)]
        text_parts += line_texts
        body = [self._line(ref) for ref in d.get("lines", [])[:12]] if typ != "limit" else []
        body = [b for b in body if b and b not in line_texts]
        snippet = _said_once([d.get("definition") or "", *body]) if typ != "limit" else ""
        if not snippet and line_texts:
            snippet = line_texts[0]
        if typ == "service" and not snippet:
            snippet = d.get("full_name", name)
        refs = [f"{s.get('file', '')}:{s.get('line', 0)}" for s in sources[:12]]
        refs += [r for r in d.get("lines", [])[:24] if r not in refs]
        doc = Doc(node_id, typ, name, svc_id, svc_name, snippet or name, focus=focus, source=src,
                  fields=fields, lines=refs if len(refs) > 1 else [])
        # A field's tokens are those of its pieces (no token spans the space that joins them, and
        # the index counts a field's tokens, never their order): each note line, name and card
        # front is tokenised once, however many documents read it.
        many = self._tokens
        ftoks = {
            "name": [t for n in names for t in many(n, camel=True)],
            "service": many(" ".join(filter(None, [svc_name or "", *self._service_aliases(svc_id)]))),
            "text": [t for part in text_parts for t in many(part, camel=True)],
            "unit": [*many(unit_words), *filter(None, [unit_mark(unit_of_limit)])],
            "body": [t for part in body for t in many(part)],
            "context": [t for part in self._context(d) for t in many(part)],
        }
        return doc, ftoks

    def _tokens(self, text: str, camel: bool = False) -> list[str]:
        """tokens(text) (of `_camel_parts(text)` with `camel`), worked out once per index build."""
        key = (text, camel)
        found = self._token_memo.get(key)
        if found is None:
            found = self._token_memo[key] = tokens(_camel_parts(text) if camel else text)
        return found

    def _context(self, d: dict[str, Any]) -> list[str]:
        """Where an entity stands: its feature's name and the front and topic of its first card."""
        out = []
        feature = d.get("feature")
        if feature and feature in self.kg.graph:
            out.append(self.kg.graph.nodes[feature].get("name", ""))
        for s in d.get("sources", [])[:1]:
            card = s.get("card")
            if card and card in self.kg.graph:
                cd = self.kg.graph.nodes[card]
                out += [cd.get("front", ""), cd.get("topic", "")]
        return out

    def _line(self, ref: str) -> str | None:
        file, _, number = str(ref).rpartition(":")
        return self.kg.line_text(file, int(number)) if number.isdigit() else None

    @staticmethod
    def _service_aliases(sid: str | None) -> list[str]:
        rec = catalog().get(sid)
        if not rec:
            return []
        return [rec.full_name, *rec.abbreviations]

    def _build(self, field_tokens: list[dict[str, list[str]]]) -> None:
        n = len(field_tokens)
        avg = {f: (sum(len(ft.get(f, [])) for ft in field_tokens) / max(1, n)) or 1.0 for f in FIELD_WEIGHTS}
        # A term's postings: the documents that hold it and its BM25F weight in each, as two arrays
        # (as compact as lists are quick, and cached as they are).
        doc_ids: dict[str, array[int]] = defaultdict(lambda: array("i"))
        doc_weights: dict[str, array[float]] = defaultdict(lambda: array("d"))
        self.name_terms: list[set[str]] = []
        for i, ft in enumerate(field_tokens):
            acc: dict[str, float] = defaultdict(float)
            for f, toks in ft.items():
                if not toks:
                    continue
                norm = 1 - B + B * len(toks) / avg[f]
                weight = FIELD_WEIGHTS[f]
                for t, c in Counter(toks).items():
                    acc[t] += weight * c / norm
            for t, w in acc.items():
                doc_ids[t].append(i)
                doc_weights[t].append(w / (K1 + w))
            self.name_terms.append(set(ft.get("name", [])))
        self.postings = {t: (ids, doc_weights[t]) for t, ids in doc_ids.items()}

    def _derive(self) -> None:
        """What queries read, worked out from the documents and postings (built or restored)."""
        n = len(self.docs)
        # Which documents hold a term in their name: a query counts its name hits from these rather
        # than testing every scored document against every concept.
        self.name_docs: dict[str, set[int]] = defaultdict(set)
        for i, terms in enumerate(self.name_terms):
            for t in terms:
                self.name_docs[t].add(i)
        self._name_sets = {}
        self._array_cache: dict[str, Any] | None = None
        self._max_prior = None
        self._store = None
        self._queries = 0
        self.doc_types = [d.type for d in self.docs]
        self.doc_services = [d.service_id for d in self.docs]
        self.doc_owns = [d.id.split(":", 1)[1] if d.type == "service" else None for d in self.docs]
        self.doc_priors = [d.prior for d in self.docs]
        self.doc_contrasted = [d.id in self.contrasted for d in self.docs]
        self.doc_ids = [d.id for d in self.docs]
        self.idf = {t: math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
                    for t, (ids, _) in self.postings.items()}
        self.vocab = sorted(self.postings)
        self.vocab_alpha = [t for t in self.vocab if t.isalpha() and len(t) >= 3]

    # ------------------------------------------------------------------ queries

    def expand(self, query: str) -> tuple[list[list[tuple[str, float]]], dict[str, Any]]:
        """The query as concepts, each a list of (index term, weight), plus what it asks for."""
        raw_words = re.findall(r"[A-Za-z0-9$/:.'’-]+", query)[:MAX_QUERY_TOKENS]
        low_words = [w.lower().strip(".:'’-") for w in raw_words]
        intent: dict[str, Any] = {"limit": False, "compare": False, "services": [], "numbers": False,
                                  "where": False, "units": []}
        concepts: list[list[tuple[str, float]]] = []
        # Services named in the query, by n-gram (longest first), abbreviation, or corrected typo.
        used = [False] * len(low_words)
        cat = catalog()
        for size in (4, 3, 2, 1):
            for i in range(len(low_words) - size + 1):
                if any(used[i : i + size]):
                    continue
                phrase = " ".join(low_words[i : i + size])
                sid = cat.lookup(phrase) if size > 1 or len(phrase) > 3 else None
                if not sid and size == 1:
                    sid = self._abbrev.get(phrase) or (cat.lookup(phrase) if len(phrase) >= 3 else None)
                    if not sid and phrase.upper() in cat.ambiguous:
                        # `ebs max throughput`: EBS is decided by the query's other words.
                        sid = cat.resolve_ambiguous(phrase.upper(), " ".join(low_words))
                    if not sid and len(phrase) >= 5 and phrase.isalpha() and phrase not in self.postings:
                        sid = cat.lookup_fuzzy(phrase, cutoff=86)
                if sid and phrase not in self._stop:
                    intent["services"].append(sid)
                    for j in range(i, i + size):
                        used[j] = True
                    rec = cat.get(sid)
                    terms = tokens(rec.name if rec else phrase)
                    parent = cat.get(rec.parent) if rec and rec.parent else None
                    if parent:
                        # `lambda layer`: the part's own words must match; the parent's boost does the rest.
                        own = [t for t in terms if t not in set(tokens(parent.name))]
                        terms = own or terms
                    concepts.append([(t, 1.0 / math.sqrt(len(terms))) for t in terms if t in self.postings])
                    # `spread placement group`, `io2 block express`: the words an alias adds to its
                    # service's name say which part of it the student means.
                    named = set(terms) | set(tokens(rec.name if rec else ""))
                    for t in tokens(phrase):
                        if t not in named and t in self.postings and t not in self._stop:
                            concepts.append([(t, 1.0)])
        # Phrases students use for things notes say otherwise (`cold start`): whole-phrase synonyms.
        for i in range(len(low_words) - 1):
            phrase = f"{low_words[i]} {low_words[i + 1]}"
            if phrase in self._syn and not used[i] and not used[i + 1]:
                used[i] = used[i + 1] = True
                concepts.append(_dedup([(t, 0.8) for exp in self._syn[phrase] for t in tokens(exp)
                                        if t in self.postings and t not in self._stop]))
        for i, w in enumerate(low_words):
            if used[i] or not w:
                continue
            if w in ("vs", "versus") or (w == "or" and 0 < i < len(low_words) - 1):
                intent["compare"] = True
                continue
            if re.fullmatch(r"\d[\d,.]*[a-z%]*", w):
                intent["numbers"] = True
            if w in self._stop:
                continue
            concept: list[tuple[str, float]] = []
            mark = unit_mark(w)
            if mark or w in _unit_spellings():
                intent["limit"] = True  # `per tib`, `in wcu`: the answer is a value
                if mark and (i == 0 or low_words[i - 1] != "per"):
                    intent["units"].append(mark)  # ... counted in that unit (not `per rcu`)
            for t in tokens(w):
                if stem(t) in self._limit_cues or t in self._limit_cues:
                    intent["limit"] = True
                if t in self.postings:
                    concept.append((t, 1.0))
                else:
                    corrected = self._correct(t)
                    # `thruput`, `timout`: a typo of a cue word asks as the word does.
                    if any(c in self._limit_cues for c, _ in corrected[:1]):
                        intent["limit"] = True
                    concept += corrected
            for exp in self._syn_abbrev.get(w, []) + self._syn_abbrev.get(w.rstrip("s"), []):
                if any(stem(t) in self._limit_cues for t in tokens(exp)):
                    intent["limit"] = True  # `thruput` asks as `throughput` does
                ts = [t for t in tokens(exp) if t in self.postings and t not in self._stop]
                concept += [(t, 0.8 / math.sqrt(max(1, len(ts)))) for t in ts]
            # A word the notes never use is only found through its synonyms: give them more weight.
            syn_w = 0.35 if concept else 0.8
            for exp in self._syn.get(w, []) + (self._syn.get(stem(w), []) if stem(w) != w else []):
                concept += [(t, syn_w) for t in tokens(exp) if t in self.postings and t not in self._stop]
            if concept:
                concepts.append(_dedup(concept))
            elif w.isalpha() and len(w) > 2:
                concepts.append([])  # a word nothing in the notes matches still counts as asked
        text = " ".join(low_words)
        asks_value = r"\bhow (many|long|big|much|large|often|far|fast|old)\b|\bmax\b|\bmin\b|\blimit|\bsize\b"
        if re.search(asks_value, text):
            intent["limit"] = True
        if intent["numbers"]:
            intent["limit"] = True
        if re.match(r"where\b", text):
            intent["where"] = True  # a place: a path, a folder, a service things go to
        return concepts, intent

    def _correct(self, term: str) -> list[tuple[str, float]]:
        if not term.isalpha() or len(term) < 4:
            return []
        out: list[tuple[str, float]] = []
        if len(term) >= 5:
            # Imported here: most queries need no correction, and a cold one is faster without it.
            from rapidfuzz import process
            from rapidfuzz.distance import DamerauLevenshtein

            max_d = 2 if len(term) >= 9 else 1
            for cand, dist, _ in process.extract(term, self.vocab_alpha, scorer=DamerauLevenshtein.distance,
                                                  score_cutoff=max_d, limit=4):
                out.append((cand, 0.9 if dist == 1 else 0.75))
        if not out:
            pre = [t for t in self.vocab_alpha if t.startswith(term)][:3]
            out += [(t, 0.7) for t in pre]
        return out

    def search(self, query: str, limit: int = 10, types: Any = None, service: str | None = None) -> list[Hit]:
        q = self._prepare(query, limit=limit, types=types, service=service)
        if q is None:
            return []
        # An index read from a store scores its first query in plain Python (a cold command never
        # imports numpy), and later ones over arrays like an index in memory: the same scores.
        arrays = len(self.docs) >= ARRAY_MIN_DOCS and (self._store is None or self._queries > 0
                                                       or "numpy" in sys.modules)
        self._queries += 1
        ranked = self._rank_arrays(q) if arrays else self._rank(q)
        concepts, intent, want_types = q.concepts, q.intent, q.want_types
        hits = []
        if intent["compare"] and (not want_types or "comparison" in want_types):
            pair = self._comparison(ranked.top)
            if pair:
                hits.append(pair)
        seen_lines = set()
        query_terms = {t for c in concepts for t, _ in c}
        for score, doc_i in ranked:
            doc = self.docs[doc_i]
            if doc.type == "line":
                if doc.source and (doc.source.file, doc.source.line) in seen_lines:
                    continue
            if doc.source:
                seen_lines.add((doc.source.file, doc.source.line))
            hits.append(self._hit(doc, score, query_terms))
            if len(hits) >= limit:
                break
        return hits

    def _prepare(self, query: str, limit: int = 10, types: Any = None,
                 service: str | None = None) -> _Query | None:
        """A query read (concepts, intent, filters, name matches), ready to score; None when
        nothing in it can match."""
        if not query or not query.strip():
            return None
        query = query[:2000]
        concepts, intent = self.expand(query)
        concepts = [c for c in concepts if c is not None]
        asked = len(concepts)
        if not any(concepts):
            return None
        want_types = {types} if isinstance(types, str) else set(types or [])
        want_service = None
        if service:
            want_service = catalog().lookup(service) or catalog().lookup_fuzzy(service) or service.lower()
        # An abbreviation stands for its service's name (`KDS` is named `Kinesis Data Streams`).
        words = []
        for w in re.findall(r"\S+", query)[:MAX_QUERY_TOKENS]:
            rec = catalog().get(self._abbrev.get(w.lower().strip(".:'’-?!,"), ""))
            words.append(rec.name if rec else w)
        query_set = set(tokens(" ".join(words)))
        # Only a document whose name holds every word of the query can be named by it.
        if query_set:
            named: Any = set.intersection(*(self.name_docs.get(t, set()) for t in query_set))
        else:
            named = range(len(self.docs))
        name_hits_of: dict[int, int] = defaultdict(int)
        for c in concepts:
            in_name: set[int] = set()
            for t, _ in c:
                in_name |= self.name_docs.get(t, set())
            for doc_i in in_name:
                name_hits_of[doc_i] += 1
        services = intent["services"]
        # A part of a service (Lambda Layers) also speaks for its parent's entities, and back.
        # Two parts of one service named together (`st1 sc1`) ask about the service itself.
        parents = [p for p in (getattr(catalog().get(s), "parent", None) for s in services) if p]
        named_services = set(services) | {p for p in parents if parents.count(p) >= 2}
        family = set()
        for sid in services:
            rec = catalog().get(sid)
            if rec and rec.parent:
                family.add(rec.parent)
            family.update(r.id for r in catalog().services.values() if r.parent == sid)
        return _Query(
            concepts=concepts, asked=asked, want_types=want_types, want_service=want_service,
            services=services, named_services=named_services, boosted=named_services | family, intent=intent,
            query_set=query_set,
            named=named, name_hits_of=name_hits_of, first=max(15, 3 * limit),
            in_unit={i for mark in intent["units"] for i in self.postings.get(mark, _NO_POSTINGS)[0]},
        )

    def _rank(self, q: _Query) -> _Ranked:
        """The documents that match, scored: BM25F per concept (a concept's best term), the
        coordination factor, the prior, and the boosts of what the query asks for.

        A common word matches thousands of documents and only the first `q.first` are read: each
        document's sum times its coordination factor, times the most its other factors can make
        it (`_most_boost`), bounds its score. The documents with the highest bounds are scored,
        the lowest of the first `q.first` of them sets a bar, and only documents whose bound
        reaches it are scored too; the rest are scored if more are read (`_Ranked`'s `rest`)."""
        scores, matched = self._sums(q)
        coverage_factor = q.coverage_factor
        if len(scores) <= PRUNE_MIN_DOCS:
            return _Ranked(self._scored(q, scores, matched, scores), q.first, self._ids_of)
        bounds = [(s * coverage_factor[matched[doc_i]], doc_i) for doc_i, s in scores.items()]
        head = heapq.nlargest(PRUNE_HEAD * q.first, bounds)
        entries = self._scored(q, scores, matched, [doc_i for _, doc_i in head])
        if len(entries) < q.first:  # filters dropped too many to set a bar: score them all
            return _Ranked(self._scored(q, scores, matched, scores), q.first, self._ids_of)
        bar = -heapq.nsmallest(q.first, entries)[-1][0]
        # The bound and the score multiply the same factors in other orders: a hair of slack.
        cut = bar / self._most_boost(q) * (1 - 1e-9)
        in_head = {doc_i for _, doc_i in head}
        entries += self._scored(q, scores, matched,
                                [doc_i for b, doc_i in bounds if b >= cut and doc_i not in in_head])
        return _Ranked(entries, q.first, self._ids_of,
                       rest=lambda: self._scored(q, scores, matched, scores))

    def _sums(self, q: _Query) -> tuple[dict[int, float], dict[int, int]]:
        """Each matching document's BM25F sum over the concepts (a concept counts its best term)
        and how many concepts it matches."""
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        for concept in q.concepts:
            if not concept:
                continue  # a word nothing matches: counted as asked, scores nothing
            if len(concept) == 1:
                # One term: a document's best is its only posting (idf and weights are positive).
                term, weight = concept[0]
                idf = self.idf.get(term, 0.0)
                for doc_i, w in zip(*self.postings.get(term, _NO_POSTINGS), strict=True):
                    scores[doc_i] += idf * w * weight
                    matched[doc_i] += 1
                continue
            (term, weight), rest = concept[0], concept[1:]
            idf = self.idf.get(term, 0.0)
            best_for_doc = {doc_i: idf * w * weight
                            for doc_i, w in zip(*self.postings.get(term, _NO_POSTINGS), strict=True)}
            for term, weight in rest:
                idf = self.idf.get(term, 0.0)
                for doc_i, w in zip(*self.postings.get(term, _NO_POSTINGS), strict=True):
                    s = idf * w * weight
                    if s > best_for_doc.get(doc_i, 0.0):
                        best_for_doc[doc_i] = s
            for doc_i, s in best_for_doc.items():
                scores[doc_i] += s
                matched[doc_i] += 1
        return scores, matched

    def _most_boost(self, q: _Query) -> float:
        """The most the factors after the coordination factor (prior, boosts) can multiply a
        document's score by in this query: each boost the query can give, at its largest."""
        if self._max_prior is None:
            self._max_prior = max(self.doc_priors, default=1.0)
        most = max(self._max_prior, 0.0)
        if q.services:
            most *= NAMED_SERVICE
        if q.intent["limit"]:
            most *= LIMIT_ASKED
        if q.in_unit:
            most *= UNIT_ASKED
        if q.intent["where"]:
            most *= WHERE_ASKED
        if q.intent["compare"]:
            most *= COMPARED * CONTRASTED
        if q.named:
            most *= NAME_IS_QUERY
        if q.name_hits_of:
            most *= 1 + NAME_HIT * max(q.name_hits_of.values()) / q.denom
        return most

    def _scored(self, q: _Query, scores: dict[int, float], matched: dict[int, int],
                docs: Iterable[int]) -> list[tuple[float, int]]:
        """(-score, doc index) of `docs` (matching ones) that the query's filters keep."""
        # The loop below runs once per document: what it reads is bound to locals first.
        types_of, services_of, priors = self.doc_types, self.doc_services, self.doc_priors
        owns, contrasted = self.doc_owns, self.doc_contrasted
        want_types, want_service, services, boosted = q.want_types, q.want_service, q.services, q.boosted
        named_services, in_unit = q.named_services, q.in_unit
        want_limit, want_where, want_compare = q.intent["limit"], q.intent["where"], q.intent["compare"]
        asks_more = len(q.concepts) > len(services)
        named, name_hits_of, query_set = q.named, q.name_hits_of, q.query_set
        denom = q.denom
        coverage_factor = q.coverage_factor
        lines_wanted = not want_types or "line" in want_types
        entries = []  # (-score, doc index): ranked by score, ties broken by id (see _Ranked)
        for doc_i in docs:
            s = scores[doc_i]
            typ = types_of[doc_i]
            if typ == "line":
                # Most matches are note lines, and of the factors below only two can apply to one.
                if not lines_wanted:
                    continue
                svc = services_of[doc_i]
                if want_service and svc != want_service:
                    continue
                score = s * coverage_factor[matched[doc_i]] * priors[doc_i]
                if services:
                    score *= ((NAMED_SERVICE if svc in named_services else FAMILY_SERVICE) if svc in boosted
                              else OTHER_SERVICE)
                if want_where:
                    score *= WHERE_ASKED
                entries.append((-score, doc_i))
                continue
            if want_types and typ not in want_types:
                continue
            svc = services_of[doc_i]
            if want_service and svc != want_service:
                continue
            score = s * coverage_factor[matched[doc_i]] * priors[doc_i]
            if services:
                if svc in boosted:
                    # The service the query names first; its parent or parts stand beside it.
                    score *= NAMED_SERVICE if svc in named_services else FAMILY_SERVICE
                elif typ == "service" and owns[doc_i] in services:
                    score *= OWN_SERVICE
                else:
                    score *= OTHER_SERVICE
            if want_limit and typ == "limit":
                score *= LIMIT_ASKED
                if doc_i in in_unit:
                    score *= UNIT_ASKED
            elif want_limit and typ == "service":
                score *= SERVICE_WHEN_LIMIT_ASKED
            if want_where and typ in ("config", "line"):
                score *= WHERE_ASKED
            if want_compare and typ in ("feature", "api"):
                score *= COMPARED * (CONTRASTED if contrasted[doc_i] else 1.0)
            if typ == "service" and asks_more:
                score *= ASKS_MORE  # a query that asks more than the service's name wants something in it
            if doc_i in named and typ not in ("line", "limit") and self._name_set(doc_i) == query_set:
                score *= NAME_IS_QUERY
            if doc_i in name_hits_of:  # (no hits: a factor of exactly 1)
                score *= 1 + NAME_HIT * name_hits_of[doc_i] / denom
            entries.append((-score, doc_i))
        return entries

    def _rank_arrays(self, q: _Query) -> _Ranked:
        """_rank over numpy arrays, for large graphs: the same floating-point operations in the
        same order on every document (factors that depend on a count are worked out in Python
        first), so the scores are bit for bit those of _rank. Only the documents that can make the
        first `q.first` are sorted in Python."""
        import numpy as np

        arr = self._arrays()
        n = len(self.docs)
        scores = np.zeros(n)
        matched = np.zeros(n, dtype=np.int32)
        for concept in q.concepts:
            if not concept:
                continue
            if len(concept) == 1:
                term, weight = concept[0]
                ids, ws = self._term_arrays(term)
                scores[ids] += self.idf.get(term, 0.0) * ws * weight
                matched[ids] += 1
                continue
            best = np.zeros(n)
            for term, weight in concept:
                ids, ws = self._term_arrays(term)
                best[ids] = np.maximum(best[ids], self.idf.get(term, 0.0) * ws * weight)
            hit = np.flatnonzero(best)
            scores[hit] += best[hit]
            matched[hit] += 1
        cand = np.flatnonzero(matched)
        typ = arr["type"][cand]
        keep = np.ones(len(cand), dtype=bool)
        if q.want_types:
            keep &= np.isin(typ, [arr["type_code"][t] for t in q.want_types if t in arr["type_code"]])
        if q.want_service:
            keep &= arr["service"][cand] == arr["service_code"].get(q.want_service, -2)
        cand, typ = cand[keep], typ[keep]
        codes = arr["type_code"]
        is_type = {t: typ == codes.get(t, -1)
                   for t in ("line", "limit", "service", "config", "feature", "api")}
        score = scores[cand] * np.asarray(q.coverage_factor)[matched[cand]] * arr["prior"][cand]
        if q.services:
            service_codes = arr["service_code"]
            boosted = np.isin(arr["service"][cand],
                              [service_codes[s] for s in q.boosted if s in service_codes])
            named = np.isin(arr["service"][cand],
                            [service_codes[s] for s in q.named_services if s in service_codes])
            own = is_type["service"] & np.isin(arr["own"][cand],
                                               [service_codes[s] for s in q.services if s in service_codes])
            score = score * np.where(boosted, np.where(named, NAMED_SERVICE, FAMILY_SERVICE),
                                     np.where(own, OWN_SERVICE, OTHER_SERVICE))
        if q.intent["limit"]:
            score = np.where(is_type["limit"], score * LIMIT_ASKED,
                             np.where(is_type["service"], score * SERVICE_WHEN_LIMIT_ASKED, score))
            if q.in_unit:
                in_unit = np.isin(cand, np.fromiter(q.in_unit, dtype=np.intp, count=len(q.in_unit)))
                score = np.where(is_type["limit"] & in_unit, score * UNIT_ASKED, score)
        if q.intent["where"]:
            score = np.where(is_type["config"] | is_type["line"], score * WHERE_ASKED, score)
        if q.intent["compare"]:
            factor = np.where(arr["contrasted"][cand], COMPARED * CONTRASTED, COMPARED * 1.0)
            score = np.where(is_type["feature"] | is_type["api"], score * factor, score)
        if len(q.concepts) > len(q.services):
            score = np.where(is_type["service"], score * ASKS_MORE, score)
        named = q.named if isinstance(q.named, set) else cand.tolist()
        for doc_i in sorted(named):
            pos = int(np.searchsorted(cand, doc_i))
            if pos < len(cand) and cand[pos] == doc_i and self.doc_types[doc_i] not in ("line", "limit") \
                    and self._name_set(doc_i) == q.query_set:
                score[pos] *= NAME_IS_QUERY
        if q.name_hits_of:
            docs = np.fromiter(q.name_hits_of.keys(), dtype=np.intp, count=len(q.name_hits_of))
            factors = np.array([1 + NAME_HIT * h / q.denom for h in q.name_hits_of.values()])
            pos = np.minimum(np.searchsorted(cand, docs), max(0, len(cand) - 1))
            found = (cand[pos] == docs) if len(cand) else np.zeros(len(docs), dtype=bool)
            score[pos[found]] *= factors[found]
        def entries(picks: Any) -> list[tuple[float, int]]:
            return list(zip((-score[picks]).tolist(), cand[picks].tolist(), strict=True))

        k = min(q.first, len(cand))
        if k < len(cand):
            kth = np.partition(score, len(cand) - k)[len(cand) - k]
            return _Ranked(entries(np.flatnonzero(score >= kth)), q.first, self._ids_of,
                           rest=lambda: entries(slice(None)))
        return _Ranked(entries(slice(None)), q.first, self._ids_of)

    def _ids_of(self, doc_indices: list[int]) -> list[str]:
        """The ids of some documents (to break ties in score): from the store in one read."""
        ids = self.doc_ids
        if self._store is not None:
            missing = [i for i in doc_indices if not ids.known(i)]
            if len(missing) > 1:
                ids.fill(self._store.doc_ids(missing))
        return [ids[i] for i in doc_indices]

    def _arrays(self) -> dict[str, Any]:
        """Per-document codes and numbers the array scorer reads, made on its first query."""
        if self._array_cache is None:
            import numpy as np

            # From the per-document lists (not the documents: an index read from a store has not
            # read those).
            type_code = {t: i for i, t in enumerate(dict.fromkeys(self.doc_types))}
            service_code = {s: i for i, s in enumerate(dict.fromkeys(
                s for s in (*self.doc_services, *self.doc_owns) if s is not None))}
            self._array_cache = {
                "type_code": type_code,
                "service_code": service_code,
                "type": np.array([type_code[t] for t in self.doc_types], dtype=np.int16),
                "service": np.array([-1 if s is None else service_code[s] for s in self.doc_services],
                                    dtype=np.int32),
                "own": np.array([-3 if s is None else service_code[s] for s in self.doc_owns],
                                dtype=np.int32),
                "prior": np.array(self.doc_priors, dtype=np.float64),
                "contrasted": np.array(list(self.doc_contrasted), dtype=bool),
                "terms": {},
            }
        return self._array_cache

    def _term_arrays(self, term: str) -> tuple[Any, Any]:
        terms = self._arrays()["terms"]
        if term not in terms:
            import numpy as np

            ids, weights = self.postings.get(term, _NO_POSTINGS)
            terms[term] = (np.array(ids, dtype=np.intp), np.array(weights, dtype=np.float64))
        return terms[term]

    def _name_set(self, doc_i: int) -> frozenset[str]:
        names = self._name_sets.get(doc_i)
        if names is None:
            names = self._name_sets[doc_i] = frozenset(tokens(self.docs[doc_i].name))
        return names

    def _comparison(self, ranked: list[tuple[float, int]]) -> Hit | None:
        """For `A vs B`: the best-scoring pair of top entities that the notes contrast."""
        if not ranked:
            return None
        floor = 0.5 * ranked[0][0]
        top = [(sc, self.docs[i]) for sc, i in ranked[:15]
               if self.doc_contrasted[i] and sc >= floor]
        kg = self.kg
        best = None
        for x, (sa, a) in enumerate(top):
            for sb, b in top[x + 1 :]:
                if kg._has_edge(a.id, b.id, "CONTRASTS_WITH") or kg._has_edge(b.id, a.id, "CONTRASTS_WITH"):
                    if best is None or sa + sb > best[0]:
                        best = (sa + sb, a, b)
        if best is None:
            return None
        score, a, b = best
        da = (kg.node(a.id).get("definition") or a.snippet_text)[:112]
        db = (kg.node(b.id).get("definition") or b.snippet_text)[:112]
        return Hit(id=f"compare:{a.id}|{b.id}", type="comparison", name=f"{a.name} vs {b.name}",
                   snippet=f"{a.name}: {da} | {b.name}: {db}", score=score, service=a.service,
                   source=a.source, fields={"a": a.id, "b": b.id})

    def _hit(self, doc: Doc, score: float, query_terms: set[str]) -> Hit:
        snippet = _window(doc.snippet_text, doc.focus, query_terms)
        source = doc.source
        if doc.type == "limit":
            # A fact several notes state answers from the line whose words the query uses.
            best = self._answering_line(doc, query_terms) if doc.lines else None
            if best:
                source = best[0]
            line = self.kg.line_text(source.file, source.line) if source else None
            snippet = _window(line or doc.fields.get("text", ""), doc.focus, query_terms)
        elif doc.lines:
            best = self._answering_line(doc, query_terms)
            if best:
                source, text = best
                snippet = _window(text, "", query_terms)
        fields = dict(doc.fields)
        if source:
            fields.setdefault("line", source.line)
            fields.setdefault("file", source.file)
        return Hit(id=doc.id, type=doc.type, name=doc.name, snippet=snippet, score=score,
                   service=doc.service, source=source, fields=fields)

    def _question_of(self, file: str, line: int) -> str:
        """The question a line answers, when it is an answer line of a question card."""
        return self.kg.question_of(file, line)

    def _answering_line(self, doc: Doc, query_terms: set[str]) -> tuple[Source, str] | None:
        """Of the lines an entity stands on, the one that holds most of the query's words beyond
        the entity's own name (the first such): the line a student reads for the answer. None
        when no line says more than its first."""
        wanted = query_terms - set(tokens(doc.name))
        if not wanted:
            return None
        best: tuple[int, Source, str] | None = None
        for ref in doc.lines:
            file, _, number = ref.rpartition(":")
            if not number.isdigit():
                continue
            text = self.kg.line_text(file, int(number))
            if not text:
                continue
            # A bare answer (`16000 IOPS`) is worded by its card's question.
            score = len(wanted & set(tokens(f"{text} {self._question_of(file, int(number))}")))
            if score and (best is None or score > best[0]):
                best = (score, Source(file, int(number), doc.source.card if doc.source else None), text)
        if best is None or best[1] == doc.source:
            return None
        return best[1], best[2]

    def _suggest_names(self) -> list[str]:
        if self._store is not None:
            return json.loads(self._store.blob("suggest_names"))
        return sorted({d.name for d in self.docs if d.type != "line"})

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        """Names close to a query that found nothing: for a `did you mean` line. A name is
        offered only when it spells most of the query's words closely (`lamda timout`: Lambda:
        timeout), never for a likeness of letters alone (`xyzzy plugh` is not Splunk)."""
        from rapidfuzz import process

        names = self._suggest_names()
        found = process.extract(query.lower(), [n.lower() for n in names], limit=limit * 4)
        return [names[i] for _, score, i in found if score >= 50 and _spells_query(query, names[i])][:limit]

    def unnamed_services(self, query: str) -> list[str]:
        """The services a query names (by name, alias or abbreviation, as search reads them) that
        the notes never name, nor any part of them: for a `not in your notes` line."""
        return [name for name, _family, in_notes in self.query_services(query) if not in_notes]

    def query_services(self, query: str) -> list[tuple[str, list[str], bool]]:
        """(name, names of it and its parts, in the notes?) of each service a query names."""
        cat = catalog()
        out = []
        for sid in dict.fromkeys(self.expand(query)[1]["services"]):
            family, stack = [], [sid]
            while stack:  # the service and its parts (API Gateway and its REST APIs...)
                cur = stack.pop()
                family.append(cur)
                stack += [r.id for r in cat.services.values() if r.parent == cur]
            names = [cat.name(x) or x for x in family]
            out.append((names[0], names, any(f"service:{x}" in self.kg for x in family)))
        return out


@dataclass
class _Query:
    """A query as the scorers read it."""

    concepts: list[list[tuple[str, float]]]
    asked: int
    want_types: set[str]
    want_service: str | None
    services: list[str]
    named_services: set[str]  # the services named (and the service two named parts share)
    boosted: set[str]  # the services named and their parts or parents
    intent: dict[str, Any]
    query_set: set[str]
    named: Any  # documents whose names may equal the query (a set, or every index)
    name_hits_of: dict[int, int]
    first: int  # how many ranked documents to sort up front
    in_unit: set[int] = field(default_factory=set)  # limits counted in a unit the query names

    @property
    def denom(self) -> int:
        return max(1, self.asked)

    @property
    def coverage_factor(self) -> list[float]:
        """The coordination factor by the number of concepts a document matches."""
        return [(0.35 + m / self.denom) ** 2 for m in range(self.asked + 1)]


class _Ranked:
    """Scored documents in rank order, (score, doc index) each, sorted only as far as they are read:
    a query reads its first few, out of thousands that match a word. Ranked by score, then id,
    then index. `top` holds the first `first` (what a comparison looks at). `entries` are
    (-score, index): every scored document, or (given `rest`, which makes all of them) at least
    every one that can be among the first `first`. Ids are read (`ids_of`) only where scores
    tie at the edge of the first `first`, or when more than those are read."""

    def __init__(self, entries: list[tuple[float, int]], first: int,
                 ids_of: Callable[[list[int]], list[str]],
                 rest: Callable[[], list[tuple[float, int]]] | None = None):
        self._entries = entries
        self._first = first
        self._ids_of = ids_of
        self._rest = rest
        best = heapq.nsmallest(first, entries)
        if len(best) == first and len(entries) > first:
            # Those tied with the last one taken may rank before it by id: all of them are looked at.
            edge = best[-1][0]
            best = [e for e in best if e[0] < edge] + [e for e in entries if e[0] == edge]
        self.top = [(-neg, i) for neg, _, i in self._by_id(best)[:first]]

    def _by_id(self, entries: list[tuple[float, int]]) -> list[tuple[float, str, int]]:
        ids = self._ids_of([i for _, i in entries])
        return sorted((neg, doc_id, i) for (neg, i), doc_id in zip(entries, ids, strict=True))

    def __iter__(self) -> Iterator[tuple[float, int]]:
        yield from self.top
        everything = self._rest() if self._rest is not None else self._entries
        if len(everything) <= self._first:
            return
        # Rare: more than `first` were read (line hits of one line skipped); sort them all, reading
        # ids only for scores that several documents share past the first `first`.
        ordered = sorted(everything)
        start = 0
        while start < len(ordered):
            end = start + 1
            while end < len(ordered) and ordered[end][0] == ordered[start][0]:
                end += 1
            if end > self._first:
                group = ordered[start:end]
                ranked = [(neg, i) for neg, _, i in self._by_id(group)] if len(group) > 1 else group
                for neg, i in ranked[max(0, self._first - start) :]:
                    yield -neg, i
            start = end


class _Coded:
    """A list of names kept as an array of codes into `names` (a per-document list of the store)."""

    __slots__ = ("_codes", "_names")

    def __init__(self, codes: array[int], names: list[Any]):
        self._codes = codes
        self._names = names

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, i: int) -> Any:
        return self._names[self._codes[i]]

    def __iter__(self) -> Iterator[Any]:
        names = self._names
        return (names[c] for c in self._codes)


def _doc_of(row: list[Any]) -> Doc:
    """A document from its row in the store (SearchIndex.store_contents)."""
    i, typ, name, sid, svc, snippet, focus, src, fields, prior, lines = row
    return Doc(i, typ, name, sid, svc, snippet, focus=focus, source=Source(*src) if src else None,
               fields=fields, prior=prior, lines=lines)


def _damaged(store: Store, what: str) -> Exception:
    from .store import StoreDamaged

    return StoreDamaged(f"{store.path}: {what} of the search index do not match its documents")


class _StoredPostings:
    """A term's postings (document numbers, weights), read from the store when a query asks."""

    def __init__(self, store: Store, vocab: list[str]):
        self._store = store
        self._terms = frozenset(vocab)
        self._read: dict[str, tuple[array[int], array[float]]] = {}

    def __contains__(self, term: object) -> bool:
        return term in self._terms

    def get(self, term: str, default: Any = None) -> Any:
        found = self._read.get(term)
        if found is None:
            if term not in self._terms:
                return default
            found = self._store.postings(term)
            if found is None:
                raise _damaged(self._store, f"the postings of {term!r}")
            self._read[term] = found
        return found


class _StoredIdf:
    """idf of a term, worked out from its posting count as SearchIndex._derive does."""

    def __init__(self, postings: _StoredPostings, n: int):
        self._postings = postings
        self._n = n

    def get(self, term: str, default: float = 0.0) -> float:
        found = self._postings.get(term)
        if found is None:
            return default
        df = len(found[0])
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))


class _StoredNameDocs:
    """The documents that hold a term in their names, read from the store when a query asks."""

    def __init__(self, store: Store):
        self._store = store
        self._read: dict[str, set[int]] = {}

    def get(self, term: str, default: Any = None) -> Any:
        found = self._read.get(term)
        if found is None:
            found = self._read[term] = set(self._store.name_postings(term))
        return found if found else default


_CAMEL = re.compile(r"\b[A-Z]?[a-z]+(?:[A-Z][a-z0-9]+)+\b")


def _camel_parts(text: str) -> str:
    """`text` and the words of each camel-case name in it (`BatchGetItem` -> `Batch Get Item`), so
    a student who types the words finds the operation."""
    found = _CAMEL.findall(text)
    if not found:
        return text
    return text + " " + " ".join(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", w) for w in found)


def _spells_query(query: str, name: str, close: float = 75.0) -> bool:
    """Whether at least half the query's words (of two letters or more) each spell a word of
    `name` closely (rapidfuzz ratio ≥ `close`)."""
    from rapidfuzz import fuzz

    words = [w for w in re.findall(r"[a-z0-9]+", query.lower()) if len(w) >= 2]
    parts = re.findall(r"[a-z0-9]+", _camel_parts(name).lower())
    if not words or not parts:
        return False
    spelt = sum(1 for w in words if any(fuzz.ratio(w, p) >= close for p in parts))
    return 2 * spelt >= len(words)


def _said_once(pieces: list[str], overlap: int = 16) -> str:
    """The pieces of a snippet joined, each said once: a piece another piece holds (a definition
    inside its own note line, a line written twice) is left out, the first of equal ones kept;
    and where the text so far ends with the start of the next piece (a definition clipped from
    the lines that follow it), the next piece goes on from where the text stops."""
    flat = [" ".join(p.split()) for p in pieces]
    folded = [p.lower() for p in flat]
    out = ""
    for i, p in enumerate(folded):
        if not p or any(j != i and p in q and (p != q or j < i) for j, q in enumerate(folded)):
            continue
        low = out.lower()
        at = low.find(p[:overlap]) if len(p) >= overlap else -1
        while at != -1 and not p.startswith(low[at:]):
            at = low.find(p[:overlap], at + 1)
        if at != -1:
            out += flat[i][len(low) - at:]
        elif p not in low:
            out = f"{out} {flat[i]}" if out else flat[i]
    return out


@lru_cache(maxsize=1)
def _unit_spellings() -> frozenset[str]:
    """Query words that name a unit (`tib`, `wcu`, `iops`, `seconds`): the query asks for a value.
    One- and two-letter spellings (`s`, `h`, `mo`) are left out: too often something else."""
    words = [sp for dim in units()["dimensions"].values() for e in dim.values() for sp in e["spellings"]]
    words += [*count_unit_words(), *rate_nouns()]
    return frozenset(w.lower() for w in words if len(w) >= 3 and w.lower() != "min")


@lru_cache(maxsize=256)
def _measure_words(unit: str | None, dimension: str | None) -> str:
    """A limit's unit and the words for what it measures: `wcu write capacity throughput`."""
    measures = units()["measures"]
    return " ".join(filter(None, [unit or "", measures["units"].get((unit or "").lower(), ""),
                                  measures["dimensions"].get(dimension or "", "")]))


@lru_cache(maxsize=1)
def _counted_units() -> dict[str, str]:
    """The nouns that are units by themselves (`WCUs`, `IOPS`, `RPS`), lower case, to the unit's
    own spelling (`wcu`, `iops`, `requests/s`). Sizes and times are left out: `timeout in
    seconds` is answered by `15 minutes` as well."""
    words = count_unit_words()
    out = {w: w[:-1] if w.endswith("s") and w[:-1] in words else w for w in words}
    out.update({k: v.lower() for k, v in rate_nouns().items()})
    return out


def unit_mark(word: str) -> str | None:
    """The index term (`#wcu`) of the documents of limits counted in the unit `word` names."""
    unit = _counted_units().get(word.lower())
    return f"#{unit}" if unit else None


def _dedup(concept: list[tuple[str, float]]) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for t, w in concept:
        best[t] = max(best.get(t, 0.0), w)
    return sorted(best.items(), key=lambda x: (-x[1], x[0]))


def _window(text: str, focus: str, terms: set[str], size: int = SNIPPET) -> str:
    """At most `size` characters of `text`: the stretch around `focus` (a limit's own words), else
    the stretch holding the most query terms."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= size:
        return text
    if focus and focus in text:
        i = text.index(focus)
        start = max(0, min(i - (size - len(focus)) // 2, len(text) - size))
        return _cut(text, start, size)
    if not terms:
        return _cut(text, 0, size)  # every window scores 0: the first one wins
    folded = fold_text(text)
    if len(folded) != len(text) or "Σ" in text:
        return _cut(text, _best_window_slow(text, terms, size), size)
    return _cut(text, _best_window(text, folded, terms, size), size)


def _best_window_slow(text: str, terms: set[str], size: int) -> int:
    """The start of the `size`-character window, at a word, whose tokens hold the most query terms
    (the first such): the definition _best_window computes faster."""
    best, best_start = -1, 0
    for m in re.finditer(r"\S+", text):
        start = m.start()
        if start > len(text) - size // 2:
            break
        score = len(set(tokens(text[start : start + size])) & terms)
        if score > best:
            best, best_start = score, start
    return best_start


def _best_window(text: str, folded: str, terms: set[str], size: int) -> int:
    """_best_window_slow without tokenising every window: tokens never span whitespace and every
    window starts after a space, so a window's tokens are those of the whole words inside it plus
    the tokens of the word its end cuts, which alone are worked out per window (and only when
    that word holds a missing term as a piece of it). Needs `folded` to be `text` lowered
    character by character (same length), so positions agree."""
    # No window holds more terms than the text does, and a token is a piece of the text (or, from
    # the stemmer, a piece ending in `ies` with `y` for it): the first window with them all wins.
    reachable = sum(1 for t in terms if _piece_of(t, folded))
    if not reachable:
        return 0
    spans, span_starts, starts, where = _spans(text, folded)
    n = len(spans)
    hits: dict[int, list[str]] = {}  # span index -> the query terms among its tokens
    for t in terms:
        for i in where.get(t, ()):
            hits.setdefault(i, []).append(t)
    pieces: dict[int, list[str]] = {}  # span index -> the terms that are pieces of its word
    for t in terms:
        for needle in (t, t[:-1] + "ies") if t.endswith("y") else (t,):
            pos = folded.find(needle)
            while pos != -1:
                i = bisect_right(span_starts, pos) - 1
                if i >= 0 and pos + len(needle) <= spans[i][1] and t not in pieces.setdefault(i, []):
                    pieces[i].append(t)
                pos = folded.find(needle, pos + 1)
    counts: dict[str, int] = dict.fromkeys(terms, 0)
    present = 0  # terms with a count above 0
    first = last = 0  # the whole words in the window: spans[first:last]
    best, best_start = -1, 0
    limit = len(text) - size // 2
    for start in starts:
        if start > limit:
            break
        end = start + size
        while first < n and spans[first][0] < start:
            if first < last and first in hits:
                for t in hits[first]:
                    counts[t] -= 1
                    present -= counts[t] == 0
            first += 1
        if last < first:
            last = first
        while last < n and spans[last][1] <= end:
            if last in hits:
                for t in hits[last]:
                    counts[t] += 1
                    present += counts[t] == 1
            last += 1
        score = present
        if last < n and spans[last][0] < end and last in pieces and any(not counts[t] for t in pieces[last]):
            score += sum(1 for t in terms.intersection(tokens(text[spans[last][0] : end])) if not counts[t])
        if score > best:
            best, best_start = score, start
            if score >= reachable:
                break
    return best_start


def _piece_of(term: str, folded: str) -> bool:
    """Whether `term` could be a token of `folded` or of a piece of it (see _best_window)."""
    return term in folded or (term.endswith("y") and term[:-1] + "ies" in folded)


_Spans = tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...], dict[str, tuple[int, ...]]]


@lru_cache(maxsize=4096)
def _spans(text: str, folded: str) -> _Spans:
    """A snippet text's token matches, their starts, the starts of its words, and for each token
    the matches that yield it: the same hits' snippets are cut again for every query that finds
    them."""
    spans = tuple(m.span() for m in _TOKEN.finditer(folded))
    where: dict[str, list[int]] = defaultdict(list)
    for i, (a, b) in enumerate(spans):
        for t in dict.fromkeys(tokens(text[a:b])):
            where[t].append(i)
    return (spans, tuple(a for a, _ in spans), tuple(m.start() for m in _WORD.finditer(text)),
            {t: tuple(v) for t, v in where.items()})


def _cut(text: str, start: int, size: int) -> str:
    piece = text[start : start + size]
    if start > 0:
        piece = "…" + piece[1:]
    if start + size < len(text):
        piece = piece[:-1] + "…"
    return piece


# Loaded here so a typo in the data file fails at import, not at the first query.
_ = load_data("synonyms.json")
