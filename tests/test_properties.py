"""Property tests: the parsers of every notes format, detection, quantities and search take any text
without raising; a build is deterministic and its graph survives save -> load unchanged.

Example counts come from the hypothesis profile in conftest.py (`ci`: 200 a property, derandomized;
`thorough`: 10,000 a property, HYPOTHESIS_PROFILE=thorough). The build properties run spaCy on every
example too: the generated decks are a few cards, so a build takes about 10 ms once spaCy is loaded.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from awskg.builder import build
from awskg.errors import GraphFileError, InputError
from awskg.graph import KnowledgeGraph
from awskg.quantities import find_quantities
from awskg.readers import FORMATS, detect_format, reader_for
from awskg.readers.text import decode

MEGA_LINE = "x" * 1_000_000

# Any code point, surrogates and control characters included (st.text() alone leaves out Cs).
any_char = st.characters(exclude_categories=())

# Pieces of real notes in every format, so generated text reaches past the first `if` of a parser:
# fronts, titles, term lines, quantities, Anki headers, CSV and Markdown syntax, HTML, separators.
FRAGMENTS = [
    "Lambda: what is the max timeout?", "SQS: message size?", "DynamoDB: what is it?", "S3:", "Lambda",
    "lambda", "Kinesis Data Streams", "kinesis data steams", "max timeout is 15 minutes",
    "up to 256 KB", "1 MB per second per shard", "5,000 requests/sec", "between 1 and 10 minutes",
    "0.5", "-3", "1e309", "10^6", "unlimited", "retained forever", "default: 3 seconds", "*", "* sub topic",
    "heading:", "term: definition", "Rolling – deploy a few at a time", "#separator:tab", "#html:true",
    "#columns:Front\tBack\tTags", "#tags column:3", "#deck column:0", "#guid column:99999",
    "#separator:Pipe", "front\tback", "a\tb\tc\td\te", "term,definition", '"quoted, field"', '"unclosed',
    '""', "|", "| a | b |", "|---|---|", "| Limit | Value |", "# Lambda", "## Limits", "###### deep",
    "#", "---", "+++", "...", "```", "~~~", "> quote", "- bullet", "1. item", "<b>bold</b>", "<br>",
    "<!--", "-->", "&amp;", "&#x0;", "[link](http://x)", "`code`", "PutRecord", "ThrottlingException",
    "arn:aws:lambda:us-east-1:123456789012:function:f", "AWS_REGION", "s3:GetObject", "?", ":", "\t",
    ",", ";", "\\", "\u00a0", "\u200b", "\ufeff", "\x00", "\x0b", "\x1c", "\u2028", "\u0085", "é", "😀",
    "<script>alert(1)</script>", "[red]x[/red]", "", " ",
]
note_line = st.one_of(st.sampled_from(FRAGMENTS), st.text(any_char, max_size=40))
note_text = st.one_of(
    st.text(any_char, max_size=3000),
    st.lists(note_line, max_size=60).map("\n".join),
    st.lists(st.lists(note_line, min_size=1, max_size=4).map(" ".join), max_size=40).map("\n".join),
    st.text(alphabet=st.sampled_from("\n\t,;|#-*:= \r"), max_size=500),  # only separators
    st.text(alphabet=st.sampled_from("0123456789.,- \n"), max_size=500),  # only numbers
)
EDGE_TEXTS = ["", "\n" * 1000, "\x00" * 100, "\t\n" * 200, "9" * 5000, ",\n" * 500, "#\n" * 100, "|" * 4000]


def _check_cards(cards, fmt: str) -> None:
    assert isinstance(cards, list)
    for k, card in enumerate(cards, 1):
        assert card.number == k
        assert card.file == "fuzz.txt"
        assert card.first_line >= 1 and card.last_line >= card.first_line


@pytest.mark.parametrize("fmt", FORMATS)
@given(text=note_text)
@example(text=MEGA_LINE)
@example(text="Lambda: " + "9" * 1_000_000)
@example(text="\t".join(["x"] * 200_000))
def test_every_reader_takes_any_text(fmt: str, text: str) -> None:
    _check_cards(reader_for(fmt)(text, "fuzz.txt", "fuzz"), fmt)


@pytest.mark.parametrize("text", EDGE_TEXTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_reader_takes_degenerate_text(fmt: str, text: str) -> None:
    _check_cards(reader_for(fmt)(text, "fuzz.txt", "fuzz"), fmt)


@given(text=note_text, suffix=st.sampled_from(["", ".txt", ".md", ".csv", ".tsv", ".anki", ".MD", ".weird"]))
@example(text=MEGA_LINE, suffix=".txt")
def test_detect_format_names_a_known_format_for_any_text(text: str, suffix: str) -> None:
    assert detect_format(text, suffix) in FORMATS


@given(text=note_text, table=st.booleans())
@example(text=MEGA_LINE, table=False)
@example(text="1 " * 300, table=True)
@example(text="1-" * 300, table=False)
@example(text="9" * 20_000, table=True)
def test_find_quantities_takes_any_text(text: str, table: bool) -> None:
    found = find_quantities(text, table=table)
    for q in found:
        assert 0 <= q.start <= q.end <= len(text)


@given(data=st.binary(max_size=4000))
@example(data=b"\xff\xfe" + "Lambda: x?\n".encode("utf-16-le") + b"\x00")
@example(data=b"\xef\xbb\xbf")
def test_decode_returns_text_or_names_the_file(data: bytes) -> None:
    try:
        text = decode(data, "fuzz.txt")
    except InputError as err:
        assert str(err).startswith("fuzz.txt: ") and "\n" not in str(err)
    else:
        assert "\r" not in text and text.strip()


# ---------------------------------------------------------------------------- search


@pytest.fixture(scope="module")
def kg(committed_graph) -> KnowledgeGraph:
    return committed_graph


@given(query=st.one_of(st.text(any_char, max_size=200), st.lists(note_line, max_size=12).map(" ".join)))
@example(query="")
@example(query="   ")
@example(query="x" * 10_000)
@example(query="lambda " * 1_500)
@example(query="😀" * 10_000)
@example(query="\x00" * 10_000)
@example(query="SQS;OR;00")
def test_search_never_raises_on_any_query(kg: KnowledgeGraph, query: str) -> None:
    hits = kg.search(query)
    assert len(hits) <= 10
    for hit in hits:
        _assert_answerable(kg, hit)


def _assert_answerable(kg: KnowledgeGraph, hit) -> None:
    """A hit is an entity of the graph, a note line the graph holds the text of, or a comparison of
    two entities of the graph."""
    if hit.type == "line":
        assert kg.line_text(hit.source.file, hit.source.line) is not None
    elif hit.type == "comparison":
        assert hit.fields["a"] in kg.graph and hit.fields["b"] in kg.graph
    else:
        assert hit.id in kg.graph


def _tile(s: str, size: int = 10_000) -> str:
    return (s * (size // len(s) + 1))[:size]


# Hypothesis draws strings of a few thousand characters at most; a 10,000-character query is a drawn
# one tiled out to length.
long_query = st.one_of(
    st.text(any_char, min_size=1, max_size=300),
    st.lists(note_line, min_size=1, max_size=20).map(" ".join).filter(bool),
).map(_tile)


@given(query=long_query)
def test_search_takes_any_ten_thousand_character_query(kg: KnowledgeGraph, query: str) -> None:
    hits = kg.search(query)
    assert len(hits) <= 10
    for hit in hits:
        _assert_answerable(kg, hit)


# ---------------------------------------------------------------------------- building

card_front = st.sampled_from([
    "Lambda: what is the max timeout?", "SQS: what is the max message size?", "DynamoDB: what is it?",
    "Kinesis: how many shards?", "S3: storage classes", "API Gateway: throttling?", "ECS: what is a task?",
])
card_line = st.one_of(
    st.sampled_from([
        "max timeout is 15 minutes", "messages up to 256 KB", "1,000 concurrent executions by default",
        "retention from 1 to 365 days", "PutRecord: writes a single record", "encrypted with KMS",
        "logs to CloudWatch Logs", "* limits", "heading:", "unlimited", "<b>x</b> & [red]y[/red]",
        "Lambda vs EC2: Lambda is serverless", "uses SNS and SQS", "default: 3 seconds",
    ]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=60),
)
card = st.tuples(card_front, st.lists(card_line, min_size=1, max_size=5)).map(
    lambda c: "\n".join([c[0], c[0].split(":")[0], *c[1]])
)
small_notes = st.lists(card, min_size=1, max_size=5).map(lambda cs: "\n".join(["My deck", *cs]) + "\n")


def _build_or_none(path: Path, cache: Path, use_cache: bool) -> KnowledgeGraph | None:
    try:
        return build([path], cache_dir=cache, use_cache=use_cache)
    except InputError:
        return None  # generated text that holds no card: refused by name, which is allowed here


@given(text=small_notes)
def test_build_is_deterministic(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes.txt"
        notes.write_text(text, encoding="utf-8")
        first = _build_or_none(notes, Path(tmp) / "c1", use_cache=False)
        second = _build_or_none(notes, Path(tmp) / "c2", use_cache=False)
        assert (first is None) == (second is None)
        if first is not None:
            assert first.to_json() == second.to_json()


@given(text=small_notes)
def test_build_from_the_cache_equals_a_fresh_build(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes.txt"
        notes.write_text(text, encoding="utf-8")
        fresh = _build_or_none(notes, Path(tmp) / "cache", use_cache=True)
        if fresh is None:
            return
        cached = build([notes], cache_dir=Path(tmp) / "cache", use_cache=True)
        assert cached.build_report.cached == fresh.build_report.parsed
        assert cached.to_json() == fresh.to_json()


@given(text=small_notes)
def test_saved_graph_loads_back_identical(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes.txt"
        notes.write_text(text, encoding="utf-8")
        kg = _build_or_none(notes, Path(tmp) / "cache", use_cache=False)
        if kg is None:
            return
        saved = kg.save(Path(tmp) / "g.json")
        assert KnowledgeGraph.load(saved).to_json() == kg.to_json()
        # Parsed as a fresh clone parses it (no store): the schema check takes every graph awskg writes.
        assert KnowledgeGraph.load(saved, store=False).to_json() == kg.to_json()


def test_committed_graph_loads_back_identical(committed_graph: KnowledgeGraph, tmp_path: Path) -> None:
    saved = committed_graph.save(tmp_path / "g.json")
    assert KnowledgeGraph.load(saved).to_json() == committed_graph.to_json()


# ---------------------------------------------------------------------------- loading


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(any_char, max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
graph_like = st.fixed_dictionaries(
    {"nodes": json_value},
    optional={"graph": st.one_of(json_value, st.fixed_dictionaries({"schema_version": st.just(1)})),
              "edges": json_value, "links": json_value},
)


@given(data=st.one_of(json_value, graph_like))
@example(data={"nodes": "ab", "graph": {"schema_version": 1}})
@example(data={"nodes": [], "graph": [1]})
@example(data={"nodes": [["id", "x"]], "graph": {"schema_version": 1}})
def test_loading_any_json_gives_a_graph_or_a_graph_file_error(data) -> None:
    try:
        KnowledgeGraph.from_data(data, "g.json")
    except GraphFileError as err:
        assert str(err).startswith("g.json: ") and "\n" not in str(err)


@given(raw=st.binary(max_size=2000))
def test_loading_any_bytes_gives_a_graph_or_a_graph_file_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.json"
        path.write_bytes(raw)
        try:
            KnowledgeGraph.load(path)
        except GraphFileError as err:
            assert str(path) in str(err)


# A hand edit of a real graph: one field of one node or edge set to any JSON value (NaN, Infinity and
# huge numbers included, as Python's json writes them) or removed. The schema check refuses it in
# one line, or every command answers from it: never an internal error (exit 70).
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(any_char, max_size=10)
    | st.sampled_from(["service:lambda", "card:deck:1", "notes/deck.txt", "limit", "card", "HAS_LIMIT"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["file", "line", "card", "id", "name", "x"]) | st.text(max_size=4), inner,
        max_size=4),
    max_leaves=12,
)
EDIT_FIELDS = ["id", "name", "type", "sources", "lines", "value", "value_max", "base_value", "unit",
               "dimension", "kind", "service", "service_id", "subject", "aliases", "services", "definition",
               "front", "front_lines", "number", "first_line", "file", "source", "target", "key", "relation",
               "weight"]
QUERIES = [["show", "lambda"], ["show", "sqs"], ["limits", "sqs"], ["search", "sqs max message size"],
           ["related", "lambda"], ["compare", "sqs", "sns"], ["stats"], ["quiz", "-n", "3"],
           ["export", "lambda", "--format", "json"]]


@pytest.fixture(scope="module")
def small_graph_data(tmp_path_factory) -> dict:
    import json

    notes = tmp_path_factory.mktemp("deck") / "deck.txt"
    notes.write_text(
        "SQS: what is the max message size?\nSQS\nmessages up to 256 KB\nretention from 1 minute to 14 days\n"
        "Lambda: what is the max timeout?\nLambda\nmax timeout is 15 minutes\n"
        "Lambda uses SQS as an event source\n"
        "SQS vs SNS: SQS is pull, SNS is push\n", encoding="utf-8")
    return json.loads("".join(build([notes], cache_dir=None).json_pieces()))


@given(edit=st.tuples(st.booleans(), st.integers(0, 10_000), st.sampled_from(EDIT_FIELDS),
                      st.one_of(any_json, st.just(KeyError))),
       query=st.sampled_from(QUERIES))
def test_a_hand_edited_graph_is_refused_in_one_line_or_answered(small_graph_data, edit, query) -> None:
    import contextlib
    import copy
    import io
    import json

    from awskg.cli import main

    data = copy.deepcopy(small_graph_data)
    on_edge, index, field, value = edit
    records = data["edges"] if on_edge else data["nodes"]
    record = records[index % len(records)]
    if value is KeyError:
        record.pop(field, None)
    else:
        record[field] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main([*query, "--graph", str(path)])
    assert code in (0, 1, 3, 4), err.getvalue()
    if code == 3:
        assert err.getvalue().count("\n") == 1 and "g.json: malformed graph data" in err.getvalue()
