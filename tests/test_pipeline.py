"""The spaCy pipeline's own components mark what spaCy's stock ones would, on every line of real
notes: EntityMarker the entities of two EntityRulers in a row, GatedMatcher the matches of a
Matcher run on every line."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher

from awskg.pipeline import GatedMatcher, _abbreviation_patterns, _patterns, build_nlp, relation_matcher
from awskg.vocabulary import relations

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SOURCES = [*sorted((REPO / "notes").glob("*")), *sorted((SHARED / "eval" / "realworld").glob("dev-*")),
           *sorted((SHARED / "eval" / "formats").glob("sample_*.md"))]


@pytest.fixture(scope="module")
def lines() -> list[str]:
    found = [ln.strip() for path in SOURCES if path.is_file()
             for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    assert len(found) > 2000, "the notes and the dev notes are the lines these tests read"
    # Lines written to hit the token patterns and the gate's edges too.
    return found + ["GetItem throws ProvisionedThroughputExceededException", "HTTP 503 from S3",
                    "a 429 error on PutRecords", "PermanentRedirect", "throttled: 400 status",
                    "SQS via SNS", "Lambda stores data in S3", "DDB and dynamodb", "EB on eb"]


def _two_rulers() -> spacy.language.Language:
    """The pipeline as it was built from spaCy's EntityRuler (what EntityMarker stands in for)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    abbreviations = nlp.add_pipe("entity_ruler", name="abbreviation_ruler",
                                 config={"phrase_matcher_attr": "ORTH", "overwrite_ents": False})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    nlp.initialize()
    abbreviations.add_patterns(_abbreviation_patterns())
    ruler.add_patterns(_patterns())
    return nlp


def _ents(doc) -> list[tuple[int, int, str, str]]:
    return [(e.start, e.end, e.label_, e.ent_id_) for e in doc.ents]


def test_the_entity_marker_marks_what_two_entity_rulers_mark(lines):
    ours, stock = build_nlp(), _two_rulers()
    marked = 0
    for doc, expected in zip(ours.pipe(lines), stock.pipe(lines), strict=True):
        assert _ents(doc) == _ents(expected), doc.text
        marked += len(doc.ents)
    assert marked > 1000
    labels = {e.label_ for doc in ours.pipe(lines[-9:]) for e in doc.ents}
    assert {"API", "ERROR", "SERVICE"} <= labels  # the token patterns ran where they could match


def test_the_gated_relation_matcher_matches_what_a_matcher_on_every_line_does(lines):
    nlp = build_nlp()
    gated, _specs = relation_matcher()
    plain = Matcher(nlp.vocab)
    for spec in relations()["relations"]:
        plain.add(spec["label"], spec["patterns"])
    found = 0
    for doc in nlp.pipe(lines):
        assert gated(doc) == plain(doc), doc.text
        found += len(gated(doc))
    assert found > 50


def test_a_pattern_that_names_nothing_it_needs_is_tried_on_every_line():
    nlp = build_nlp()
    gated = GatedMatcher(nlp.vocab)
    gated.add("NUMBER", [[{"IS_DIGIT": True}]])
    gated.add("WORD", [[{"LOWER": "queue", "OP": "?"}, {"LEMMA": "poll"}]])
    assert gated(nlp("wait 20 seconds"))  # no word it needs, but a digit: matched
    assert [nlp.vocab.strings[m] for m, _, _ in gated(nlp("it polls"))] == ["WORD"]


def test_a_regex_pattern_is_tried_on_each_token_whatever_its_anchors():
    nlp = build_nlp()
    gated = GatedMatcher(nlp.vocab)
    gated.add("SHAPE", [[{"TEXT": {"REGEX": "^Foo$|^Bar$"}}]])
    assert [nlp.vocab.strings[m] for m, _, _ in gated(nlp("a Bar in the middle"))] == ["SHAPE"]
    assert gated(nlp("a bar, Barn and Foobar")) == []


def test_a_regex_with_lookarounds_is_tried_on_each_token_alone():
    """`(?!...)` at a token's end sees the next token on a line of tokens: such a regex is tried
    token by token, as the Matcher tries it."""
    nlp = build_nlp()
    gated = GatedMatcher(nlp.vocab)
    gated.add("SHAPE", [[{"TEXT": {"REGEX": r"^Queue(?!\s)"}}]])
    assert [nlp.vocab.strings[m] for m, _, _ in gated(nlp("Queue depth"))] == ["SHAPE"]
