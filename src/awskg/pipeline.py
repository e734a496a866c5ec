"""The spaCy pipeline that reads note lines: `spacy.blank("en")` plus rule-based components built
from the vocabulary files. No statistical model, no download: lemmas come from spacy-lookups-data.

  * lemmatizer (lookup mode) so relation patterns can say `encrypt` for encrypted/encrypts;
  * `awskg_entities` (EntityMarker), which marks entities as two EntityRulers would: first the
    abbreviations, matched case-sensitively (`EB`, `DDB`, not `eb`); then every catalog spelling
    and non-AWS product (case-insensitive phrases) and the token shapes of API operations and
    errors, whose matches replace any abbreviation they overlap;
  * a Matcher of relation cues (`data/relations.json`), run by the extractor.

Only `awskg build` imports this module: the query side never loads spaCy.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from .vocabulary import catalog, entity_patterns, load_data, relations


@cache
def build_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    marker = nlp.add_pipe("awskg_entities")
    marker.add(_abbreviation_patterns(), _patterns())
    return nlp


@Language.factory("awskg_entities")
def _make_marker(nlp: Language, name: str) -> EntityMarker:
    return EntityMarker(nlp)


class EntityMarker:
    """Marks entities as two spaCy EntityRulers in a row would: the abbreviations (exact case),
    then the main patterns, whose matches replace the abbreviations they overlap. One component
    with the rulers' matching rules, without what they cost per line beyond their matchers
    (a recount of every pattern and a warnings context on each call: a fifth of the pipeline),
    and with the token patterns (regexes tried on every token) gated (GatedMatcher)."""

    SEP = "||"  # a pattern's label and id in one match key, as the EntityRuler joins them

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.abbreviations = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tokens = GatedMatcher(nlp.vocab)
        self.ids: dict[int, tuple[str, str]] = {}  # match key -> (label, id)

    def add(self, abbreviations: list[dict], patterns: list[dict]) -> None:
        for matcher, entries in ((self.abbreviations, abbreviations), (self.phrases, patterns)):
            phrases = [e for e in entries if isinstance(e["pattern"], str)]
            docs = self.nlp.tokenizer.pipe(e["pattern"] for e in phrases)
            for entry, doc in zip(phrases, docs, strict=True):
                matcher.add(self._key(entry), [doc])
        for entry in patterns:
            if not isinstance(entry["pattern"], str):
                self.tokens.add(self._key(entry), [entry["pattern"]])

    def _key(self, entry: dict) -> str:
        if not entry.get("id"):
            return entry["label"]
        key = f"{entry['label']}{self.SEP}{entry['id']}"
        self.ids[self.nlp.vocab.strings.add(key)] = (entry["label"], entry["id"])
        return key

    def __call__(self, doc: Doc) -> Doc:
        ents = self._marked(doc, [], self.abbreviations(doc))
        doc.ents = self._marked(doc, ents, list(self.tokens(doc)) + list(self.phrases(doc)))
        return doc

    def _marked(self, doc: Doc, ents: list[Span], matches: list[tuple[int, int, int]]) -> list[Span]:
        """`ents` with `matches` marked over them, longest first, then leftmost (EntityRuler.match
        and set_annotations with overwrite_ents: a match keeps its place unless a longer or
        earlier one took a token of it, and replaces the entities it overlaps)."""
        found = {m for m in matches if m[1] != m[2]}
        ranked = sorted(found, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)
        new: list[Span] = []
        seen: set[int] = set()
        for match_id, start, end in ranked:
            if start in seen or end - 1 in seen:
                continue
            if match_id in self.ids:
                label, ent_id = self.ids[match_id]
                new.append(Span(doc, start, end, label=label, span_id=ent_id))
            else:
                new.append(Span(doc, start, end, label=match_id))
            ents = [e for e in ents if not (e.start < end and e.end > start)]
            seen.update(range(start, end))
        return ents + new


# What can keep a token regex from finding, on the line of tokens, what it finds in one token's
# text: `\A`/`\Z` and lookarounds (which see the neighbouring tokens). (A regex that finds more
# on the line only lets the Matcher run.)
_TOKEN_ONLY = re.compile(r"\\[AZ]|\(\?<?[=!]")


class GatedMatcher:
    """A spaCy Matcher run only on the lines it can match in. Each pattern's first token that
    must be there names what a line needs for it: a word (its text, lowercase form or lemma, or
    one of a list) or a token whose text a regex finds. A line that has none of what the
    patterns need is not matched: most lines hold no relation cue and no API or error shape, and
    trying the patterns at every token of them was a fifth of parsing. A pattern that names
    nothing it needs is tried on every line."""

    _ATTRS = {"ORTH": "orth_", "TEXT": "orth_", "LOWER": "lower_", "LEMMA": "lemma_"}

    def __init__(self, vocab: Any):
        self.matcher = Matcher(vocab, validate=False)
        self.words: dict[str, set[str]] = {}  # token attribute -> the values some pattern needs
        # Regexes tried on the line's tokens, one token a line (`^`/`$` match at each), and the
        # few whose meaning that would change (`\A`, lookarounds), on each token's text.
        self.regexes: list[re.Pattern[str]] = []
        self.token_regexes: list[re.Pattern[str]] = []
        self.always = False

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        self.matcher.add(key, patterns)
        for pattern in patterns:
            self._need(pattern)

    def _need(self, pattern: list[dict]) -> None:
        for token in pattern:
            if token.get("OP") in ("?", "*", "!"):
                continue
            for attr, value in token.items():
                if attr not in self._ATTRS:
                    continue
                regex = value.get("REGEX") if isinstance(value, dict) else None
                if isinstance(regex, str) and attr in ("TEXT", "ORTH"):
                    if _TOKEN_ONLY.search(regex):
                        self.token_regexes.append(re.compile(regex))
                    else:
                        self.regexes.append(re.compile(regex, re.M))
                    return
                words = [value] if isinstance(value, str) else None
                if isinstance(value, dict):
                    words = value.get("IN")
                if isinstance(words, list) and all(isinstance(w, str) for w in words):
                    self.words.setdefault(self._ATTRS[attr], set()).update(words)
                    return
        self.always = True

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if self.always or self._may_match(doc):
            return self.matcher(doc)
        return []

    def _may_match(self, doc: Doc) -> bool:
        for attr, words in self.words.items():
            if any(getattr(t, attr) in words for t in doc):
                return True
        if self.regexes:
            tokens = "\n".join(t.text for t in doc)
            if any(rx.search(tokens) for rx in self.regexes):
                return True
        return any(rx.search(t.text) for rx in self.token_regexes for t in doc)


def _abbreviation_patterns() -> list[dict]:
    cat = catalog()
    patterns: list[dict] = []
    for rec in cat.services.values():
        for abbrev in rec.abbreviations:
            patterns.append({"label": "SERVICE", "pattern": abbrev, "id": rec.id})
    for abbrev in cat.ambiguous:
        patterns.append({"label": "AMBIGUOUS", "pattern": abbrev, "id": abbrev})
    return patterns


def _patterns() -> list[dict]:
    cat = catalog()
    patterns: list[dict] = []
    for rec in cat.services.values():
        for spelling in rec.spellings:
            patterns.append({"label": "SERVICE", "pattern": spelling.lower(), "id": rec.id})
    for prod in load_data("external.json")["products"]:
        for spelling in [prod["name"], *prod.get("aliases", [])]:
            patterns.append({"label": "PRODUCT", "pattern": spelling.lower(), "id": prod["id"]})
    for spec in entity_patterns()["token_patterns"]:
        patterns.append({"label": spec["type"].upper(), "pattern": spec["pattern"]})
    return patterns


@cache
def relation_matcher() -> tuple[GatedMatcher, dict[str, dict]]:
    """A Matcher whose match ids are relation labels, and each label's spec."""
    nlp = build_nlp()
    matcher = GatedMatcher(nlp.vocab)
    specs = {}
    for spec in relations()["relations"]:
        matcher.add(spec["label"], spec["patterns"])
        specs[spec["label"]] = spec
    return matcher, specs
