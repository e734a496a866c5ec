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

The index is built from the stored graph on first use; nothing here imports spaCy.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from .model import Hit, Source
from .vocabulary import catalog, load_data, synonyms

if TYPE_CHECKING:
    from .graph import KnowledgeGraph

FIELD_WEIGHTS = {"name": 3.0, "service": 1.2, "text": 1.0, "body": 0.7, "context": 0.5}
K1 = 1.2
B = 0.6
LINE_PRIOR = 0.55
MAX_QUERY_TOKENS = 48
SNIPPET = 240

# What a student calls each kind of limit, so `max` finds a range's upper end too.
KIND_WORDS = {
    "max": "max maximum limit up to", "min": "min minimum at least", "default": "default",
    "range": "range max maximum min minimum limit", "count": "count number how many",
    "retention": "retention retained kept how long", "rate": "rate per second throughput",
    "granularity": "granularity increments resolution billed", "other": "",
}
UNIT_WORDS = {"bytes": "size big", "seconds": "time duration how long", "percent": "percent",
              "count": "number how many"}

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


class SearchIndex:
    """An inverted index of a KnowledgeGraph, BM25F-weighted."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg
        self.docs: list[Doc] = []
        field_tokens: list[dict[str, list[str]]] = []
        for node_id, d in kg.graph.nodes(data=True):
            typ = d.get("type")
            if typ == "card":
                continue
            doc, ftoks = self._entity_doc(node_id, d)
            self.docs.append(doc)
            field_tokens.append(ftoks)
        for node_id, d in kg.graph.nodes(data=True):
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
                self.docs.append(Doc(
                    id=f"line:{d.get('file', '')}:{number}", type="line", name=str(text)[:80],
                    service_id=svc, service=svc_name, snippet_text=str(text), source=src,
                    prior=prior,
                ))
                if context is None:
                    context = tokens(front + " " + d.get("topic", ""))
                field_tokens.append({"text": tokens(text), "context": context})
        self._build(field_tokens)
        self.contrasted = {x for u, v, k in kg.graph.edges(keys=True)
                           if k == "CONTRASTS_WITH" for x in (u, v)}
        self._abbrev = {k.lower(): v for k, v in catalog().abbreviation_map().items() if len(k) >= 2}
        syn = synonyms()
        self._syn_abbrev = {k: v for k, v in syn["abbreviations"].items()}
        self._syn = syn["synonyms"]
        self._limit_cues = {stem(w) for w in syn["limit_cues"]}
        self._compare_cues = set(syn["comparison_cues"])
        self._stop = set(syn["stopwords"])

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
        if typ == "limit":
            text_parts += [d.get("subject", ""), d.get("text", ""), KIND_WORDS.get(d.get("kind", ""), ""),
                           d.get("unit") or "", UNIT_WORDS.get(d.get("dimension", ""), "")]
            focus = d.get("text", "")
            lim = kg._limit(node_id, d)
            lim_dict = lim.to_dict()
            fields = {k: lim_dict[k] for k in (
                "service", "subject", "kind", "value", "value_max", "unit", "text", "display", "bound",
                "base_value", "base_value_max", "dimension", "conflict")}
            names = [d.get("subject", name)]
        text_parts += line_texts
        body = [self._line(ref) for ref in d.get("lines", [])[:12]] if typ != "limit" else []
        body = [b for b in body if b and b not in line_texts]
        snippet = (d.get("definition") or "") if typ != "limit" else ""
        snippet = " ".join([snippet, *body]).strip() if typ != "limit" else snippet
        if not snippet and line_texts:
            snippet = line_texts[0]
        if typ == "service" and not snippet:
            snippet = d.get("full_name", name)
        doc = Doc(node_id, typ, name, svc_id, svc_name, snippet or name, focus=focus, source=src,
                  fields=fields)
        ftoks = {
            "name": [t for n in names for t in tokens(n)],
            "service": tokens(" ".join(filter(None, [svc_name or "", *self._service_aliases(svc_id)]))),
            "text": tokens(" ".join(text_parts)),
            "body": tokens(" ".join(body)),
            "context": tokens(" ".join(self._context(d))),
        }
        return doc, ftoks

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
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
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
                postings[t].append((i, w / (K1 + w)))
            self.name_terms.append(set(ft.get("name", [])))
        # Which documents hold a term in their name: a query counts its name hits from these rather
        # than testing every scored document against every concept.
        self.name_docs: dict[str, set[int]] = defaultdict(set)
        for i, terms in enumerate(self.name_terms):
            for t in terms:
                self.name_docs[t].add(i)
        self._name_sets: list[frozenset[str] | None] = [None] * n
        self.postings = dict(postings)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}
        self.vocab = sorted(self.postings)
        self.vocab_alpha = [t for t in self.vocab if t.isalpha() and len(t) >= 3]

    # ------------------------------------------------------------------ queries

    def expand(self, query: str) -> tuple[list[list[tuple[str, float]]], dict[str, Any]]:
        """The query as concepts, each a list of (index term, weight), plus what it asks for."""
        raw_words = re.findall(r"[A-Za-z0-9$/:.'’-]+", query)[:MAX_QUERY_TOKENS]
        low_words = [w.lower().strip(".:'’-") for w in raw_words]
        intent = {"limit": False, "compare": False, "services": [], "numbers": False, "where": False}
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
            for t in tokens(w):
                if stem(t) in self._limit_cues or t in self._limit_cues:
                    intent["limit"] = True
                if t in self.postings:
                    concept.append((t, 1.0))
                else:
                    concept += self._correct(t)
            for exp in self._syn_abbrev.get(w, []) + self._syn_abbrev.get(w.rstrip("s"), []):
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
        if re.search(r"\bhow (many|long|big|much|large|often)\b|\bmax\b|\bmin\b|\blimit|\bsize\b", text):
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
            max_d = 2 if len(term) >= 9 else 1
            for cand, dist, _ in process.extract(term, self.vocab_alpha, scorer=DamerauLevenshtein.distance,
                                                  score_cutoff=max_d, limit=4):
                out.append((cand, 0.9 if dist == 1 else 0.75))
        if not out:
            pre = [t for t in self.vocab_alpha if t.startswith(term)][:3]
            out += [(t, 0.7) for t in pre]
        return out

    def search(self, query: str, limit: int = 10, types: Any = None, service: str | None = None) -> list[Hit]:
        if not query or not query.strip():
            return []
        query = query[:2000]
        concepts, intent = self.expand(query)
        concepts = [c for c in concepts if c is not None]
        asked = len(concepts)
        if not any(concepts):
            return []
        want_types = {types} if isinstance(types, str) else set(types or [])
        want_service = None
        if service:
            want_service = catalog().lookup(service) or catalog().lookup_fuzzy(service) or service.lower()
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        for concept in concepts:
            best_for_doc: dict[int, float] = {}
            for term, weight in concept:
                idf = self.idf.get(term, 0.0)
                for doc_i, w in self.postings.get(term, []):
                    s = idf * w * weight
                    if s > best_for_doc.get(doc_i, 0.0):
                        best_for_doc[doc_i] = s
            for doc_i, s in best_for_doc.items():
                scores[doc_i] += s
                matched[doc_i] += 1
        query_set = set(tokens(" ".join(w for w in re.findall(r"\S+", query)[:MAX_QUERY_TOKENS])))
        name_hits_of: dict[int, int] = defaultdict(int)
        for c in concepts:
            in_name: set[int] = set()
            for t, _ in c:
                in_name |= self.name_docs.get(t, set())
            for doc_i in in_name:
                name_hits_of[doc_i] += 1
        services = intent["services"]
        # A part of a service (Lambda Layers) also speaks for its parent's entities, and back.
        family = set()
        for sid in services:
            rec = catalog().get(sid)
            if rec and rec.parent:
                family.add(rec.parent)
            family.update(r.id for r in catalog().services.values() if r.parent == sid)
        ranked = []
        for doc_i, s in scores.items():
            doc = self.docs[doc_i]
            if want_types and doc.type not in want_types:
                continue
            if want_service and doc.service_id != want_service:
                continue
            coverage = matched[doc_i] / max(1, asked)
            score = s * (0.35 + coverage) ** 2 * doc.prior
            if services:
                if doc.service_id in services or doc.service_id in family:
                    score *= 1.6
                elif doc.type == "service" and doc.id.split(":", 1)[1] in services:
                    score *= 1.2
                else:
                    score *= 0.75
            if intent["limit"] and doc.type == "limit":
                score *= 1.7
            elif intent["limit"] and doc.type == "service":
                score *= 0.6
            if intent["where"] and doc.type in ("config", "line"):
                score *= 1.8
            if intent["compare"] and doc.type in ("feature", "api"):
                score *= 1.3 * (1.4 if doc.id in self.contrasted else 1.0)
            if doc.type == "service" and len(concepts) > len(services):
                score *= 0.7  # a query that asks more than the service's name wants something in it
            if doc.type not in ("line", "limit") and self._name_set(doc_i) == query_set:
                score *= 1.5  # the query is this entity's name
            name_hits = name_hits_of.get(doc_i, 0)
            score *= 1 + 0.6 * name_hits / max(1, asked)
            ranked.append((score, doc_i))
        ranked.sort(key=lambda x: (-x[0], self.docs[x[1]].id))
        hits = []
        if intent["compare"] and (not want_types or "comparison" in want_types):
            pair = self._comparison(ranked)
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

    def _name_set(self, doc_i: int) -> frozenset[str]:
        names = self._name_sets[doc_i]
        if names is None:
            names = self._name_sets[doc_i] = frozenset(tokens(self.docs[doc_i].name))
        return names

    def _comparison(self, ranked: list[tuple[float, int]]) -> Hit | None:
        """For `A vs B`: the best-scoring pair of top entities that the notes contrast."""
        if not ranked:
            return None
        floor = 0.5 * ranked[0][0]
        top = [(sc, self.docs[i]) for sc, i in ranked[:15]
               if self.docs[i].id in self.contrasted and sc >= floor]
        g = self.kg.graph
        best = None
        for x, (sa, a) in enumerate(top):
            for sb, b in top[x + 1 :]:
                if g.has_edge(a.id, b.id, "CONTRASTS_WITH") or g.has_edge(b.id, a.id, "CONTRASTS_WITH"):
                    if best is None or sa + sb > best[0]:
                        best = (sa + sb, a, b)
        if best is None:
            return None
        score, a, b = best
        da = (g.nodes[a.id].get("definition") or a.snippet_text)[:112]
        db = (g.nodes[b.id].get("definition") or b.snippet_text)[:112]
        return Hit(id=f"compare:{a.id}|{b.id}", type="comparison", name=f"{a.name} vs {b.name}",
                   snippet=f"{a.name}: {da} | {b.name}: {db}", score=score, service=a.service,
                   source=a.source, fields={"a": a.id, "b": b.id})

    def _hit(self, doc: Doc, score: float, query_terms: set[str]) -> Hit:
        snippet = _window(doc.snippet_text, doc.focus, query_terms)
        if doc.type == "limit":
            line = self.kg.line_text(doc.source.file, doc.source.line) if doc.source else None
            snippet = _window(line or doc.fields.get("text", ""), doc.focus, query_terms)
        fields = dict(doc.fields)
        if doc.source:
            fields.setdefault("line", doc.source.line)
            fields.setdefault("file", doc.source.file)
        return Hit(id=doc.id, type=doc.type, name=doc.name, snippet=snippet, score=score,
                   service=doc.service, source=doc.source, fields=fields)

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        """Names close to a query that found nothing: for a `did you mean` line."""
        names = sorted({d.name for d in self.docs if d.type != "line"})
        found = process.extract(query.lower(), [n.lower() for n in names], limit=limit)
        return [names[i] for _, score, i in found if score >= 50]


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
    the tokens of the word its end cuts, which alone are computed per window. Needs `folded` to be
    `text` lowered character by character (same length), so positions agree."""
    # No window holds more terms than the text does, and a token is a piece of the text (or, from
    # the stemmer, a piece ending in `ies` with `y` for it): the first window with them all wins.
    reachable = sum(1 for t in terms if t in folded or (t.endswith("y") and t[:-1] + "ies" in folded))
    if not reachable:
        return 0
    spans, span_tokens = _spans(text, folded)
    hits = [terms.intersection(toks) for toks in span_tokens]
    counts: dict[str, int] = defaultdict(int)
    present = 0  # terms with a count above 0
    first = last = 0  # the whole words in the window: spans[first:last]
    best, best_start = -1, 0
    for m in _WORD.finditer(text):
        start = m.start()
        if start > len(text) - size // 2:
            break
        end = start + size
        while first < len(spans) and spans[first][0] < start:
            if first < last:
                for t in hits[first]:
                    counts[t] -= 1
                    present -= counts[t] == 0
            first += 1
        last = max(last, first)
        while last < len(spans) and spans[last][1] <= end:
            for t in hits[last]:
                counts[t] += 1
                present += counts[t] == 1
            last += 1
        score = present
        if last < len(spans) and spans[last][0] < end:
            score += sum(1 for t in terms.intersection(tokens(text[spans[last][0] : end])) if not counts[t])
        if score > best:
            best, best_start = score, start
            if score >= reachable:
                break
    return best_start


@lru_cache(maxsize=4096)
def _spans(text: str, folded: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[str, ...], ...]]:
    """The token matches of a snippet text and each one's tokens: the same hits' snippets are cut
    again for every query that finds them."""
    spans = tuple(m.span() for m in _TOKEN.finditer(folded))
    return spans, tuple(tuple(tokens(text[a:b])) for a, b in spans)


def _cut(text: str, start: int, size: int) -> str:
    piece = text[start : start + size]
    if start > 0:
        piece = "…" + piece[1:]
    if start + size < len(text):
        piece = piece[:-1] + "…"
    return piece


# Loaded here so a typo in the data file fails at import, not at the first query.
_ = load_data("synonyms.json")
