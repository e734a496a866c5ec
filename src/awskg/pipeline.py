"""The spaCy pipeline that reads note lines: `spacy.blank("en")` plus rule-based components built
from the vocabulary files. No statistical model, no download: lemmas come from spacy-lookups-data.

  * lemmatizer (lookup mode) so relation patterns can say `encrypt` for encrypted/encrypts;
  * an EntityRuler of abbreviations, matched case-sensitively (`EB`, `DDB`, not `eb`);
  * an EntityRuler with every catalog spelling and non-AWS product (case-insensitive phrases) and
    the token shapes of API operations and errors; its matches replace any abbreviation they
    overlap, as one ruler's longest-match-first would;
  * a Matcher of relation cues (`data/relations.json`), run by the extractor.

Only `awskg build` imports this module: the query side never loads spaCy.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher

from .vocabulary import catalog, entity_patterns, load_data, relations


@cache
def build_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # Abbreviations are exact-case single words. As phrases on ORTH they are one hash lookup per
    # token; as ~90 token patterns in the main ruler's Matcher they were tried at every token and
    # took half the pipeline's time.
    abbreviations = nlp.add_pipe(
        "entity_ruler",
        name="abbreviation_ruler",
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": False, "validate": False},
    )
    ruler = nlp.add_pipe(
        "entity_ruler",
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True, "validate": False},
    )
    nlp.initialize()
    abbreviations.add_patterns(_abbreviation_patterns())
    ruler.add_patterns(_patterns())
    return nlp


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
def relation_matcher() -> tuple[Matcher, dict[str, dict]]:
    """A Matcher whose match ids are relation labels, and each label's spec."""
    nlp = build_nlp()
    matcher = Matcher(nlp.vocab)
    specs = {}
    for spec in relations()["relations"]:
        matcher.add(spec["label"], spec["patterns"])
        specs[spec["label"]] = spec
    return matcher, specs
