"""Anki packages (.apkg, .colpkg) of every collection schema, written by Anki's own library
(tests/anki_packages.py), read into cards, limits and errors; and the round trip through awskg's
own Anki export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from anki_packages import EXAM_TYPE, FACT_TYPE, FORMS, Note, write_packages
from hypothesis import given
from hypothesis import strategies as st

import awskg
from awskg import views
from awskg.errors import InputError
from awskg.export import render
from awskg.readers import read_cards
from awskg.readers.apkg import read_package

NOTES = [
    Note("Basic", ["SQS: max message size?", "256&nbsp;KB by default<br>up to <b>1 MiB</b>"],
         ["aws::sqs", "limits"], "AWS::SQS"),
    Note(FACT_TYPE, ["API Gateway: integration timeout?", "29 seconds by default",
                     "HTTP APIs: up to 30 seconds"], ["aws::apigateway"], "AWS::API Gateway"),
    Note("Cloze", ["Lambda functions time out after at most {{c1::15 minutes}}.", "set it per function"],
         [], "AWS::Lambda"),
    Note("Basic (and reversed card)", ["Rolling deployment – what does it keep?",
                                       "Most of the fleet serving while one batch updates"],
         [], "AWS::Elastic Beanstalk"),
    Note("Image Occlusion", ["{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.4:oi=1}}",
                             '<img src="vpc.png">', "VPC diagram", "", ""], ["aws::vpc"], "AWS::VPC"),
    Note("Basic", ["DynamoDB: item size?", '<img src="vpc.png"> [sound:ddb.mp3]400 KB per item'],
         ["aws::dynamodb"], "AWS::DynamoDB"),
]
MEDIA = {"vpc.png": b"\x89PNG\r\n\x1a\n" + bytes(16), "ddb.mp3": b"ID3" + bytes(16)}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_packages(NOTES, tmp_path_factory.mktemp("anki"), MEDIA)


@pytest.fixture(scope="module")
def cards(packages: dict[str, Path]) -> list:
    fmt, found = read_cards(packages["apkg"])
    assert fmt == "apkg"
    return found


def shape(card) -> tuple:
    return (card.front, card.front_lines, [(ln.number, ln.plain) for ln in card.lines], card.services,
            card.tags, card.attrs)


# ---------------------------------------------------------------------------- notes to cards


@pytest.mark.parametrize("form", FORMS)
def test_every_form_anki_writes_reads_as_the_same_cards(packages: dict[str, Path], cards: list,
                                                        form: str) -> None:
    fmt, found = read_cards(packages[form])
    assert fmt == "apkg"
    assert [shape(c) for c in found] == [shape(c) for c in cards]


def test_a_package_is_read_by_its_bytes_whatever_its_name(packages: dict[str, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "my deck.zip"
    renamed.write_bytes(packages["apkg"].read_bytes())
    fmt, found = read_cards(renamed)
    assert fmt == "apkg" and [c.front for c in found][:2] == [n.fields[0] for n in NOTES[:2]]


def test_fields_are_front_back_and_extra_lines_numbered_note_after_note(cards: list) -> None:
    sqs, apigw = cards[0], cards[1]
    assert (sqs.front, sqs.front_lines) == ("SQS: max message size?", (1,))
    assert [ln.number for ln in sqs.lines] == [2]
    assert sqs.lines[0].plain == "256 KB by default; up to 1 MiB"
    assert sqs.lines[0].text == "256 KB by default; up to 1 MiB"  # as Anki shows the field, not its HTML
    assert (apigw.front_lines, [ln.number for ln in apigw.lines]) == ((3,), [4, 5])
    assert apigw.attrs["fields"] == [[3, 3, "Front"], [4, 4, "Back"], [5, 5, "Extra"]]
    assert apigw.attrs["note_type"] == FACT_TYPE and apigw.attrs["deck"] == "AWS::API Gateway"
    assert apigw.attrs["note_id"] > sqs.attrs["note_id"]


def test_tags_are_kept_and_a_deck_names_the_service_a_front_does_not(cards: list) -> None:
    assert cards[0].tags == ["aws::sqs", "limits"] and cards[0].services[0] == "sqs"
    rolling = next(c for c in cards if c.front.startswith("Rolling"))
    assert rolling.attrs["deck"] == "AWS::Elastic Beanstalk" and rolling.services == ["elastic-beanstalk"]


def test_cloze_deletions_read_as_their_text(cards: list) -> None:
    cloze = next(c for c in cards if c.attrs["note_type"] == "Cloze")
    assert cloze.front == "Lambda functions time out after at most 15 minutes."
    assert cloze.lines[0].plain == cloze.front and cloze.lines[0].number == cloze.front_lines[0]


def test_image_occlusion_shapes_images_and_sounds_are_not_note_text(cards: list) -> None:
    occlusion = next(c for c in cards if c.attrs["note_type"] == "Image Occlusion")
    assert occlusion.front == "" and [ln.plain for ln in occlusion.lines] == ["VPC diagram"]
    ddb = next(c for c in cards if c.front.startswith("DynamoDB"))
    assert [ln.plain for ln in ddb.lines] == ["400 KB per item"]


def test_the_stub_collection_of_a_new_package_is_never_read(packages: dict[str, Path]) -> None:
    with zipfile.ZipFile(packages["apkg"]) as zf:
        assert {"meta", "collection.anki21b", "collection.anki2"} <= set(zf.namelist())
    _, found = read_cards(packages["apkg"])
    assert not any("update" in c.front.lower() for c in found)


def test_the_meta_entry_decides_which_collection_is_read(packages: dict[str, Path], tmp_path: Path) -> None:
    # The legacy package holds collection.anki21 and the stub collection.anki2; its meta says 2.
    # Saying 1 instead makes the stub the collection, which is then what is read.
    relabelled = tmp_path / "relabelled.apkg"
    with zipfile.ZipFile(packages["apkg-legacy"]) as src, zipfile.ZipFile(relabelled, "w") as out:
        assert src.read("meta") == b"\x08\x02"
        for info in src.infolist():
            out.writestr(info.filename, b"\x08\x01" if info.filename == "meta" else src.read(info))
    _, found = read_cards(relabelled)
    assert len(found) == 1 and "update" in found[0].front.lower()


# ---------------------------------------------------------------------------- graph, sources


@pytest.fixture(scope="module")
def package_graph(packages: dict[str, Path],
                  tmp_path_factory: pytest.TempPathFactory) -> awskg.KnowledgeGraph:
    return awskg.build([packages["apkg"]], cache_dir=tmp_path_factory.mktemp("cache"), jobs=1)


def test_limits_of_a_package_cite_its_file_and_line_and_the_line_names_note_and_field(
        package_graph: awskg.KnowledgeGraph, cards: list) -> None:
    limits = {(lim.value, lim.unit): lim for lim in package_graph.limits()}
    timeout = limits[(30.0, "s")]
    source = timeout.to_dict()["source"]
    assert source["file"].endswith("deck-apkg.apkg") and source["line"] == 5
    assert timeout.line_text == "HTTP APIs: up to 30 seconds"
    note_id = cards[1].attrs["note_id"]
    assert package_graph.line_origin(source["file"], 5) == f"note {note_id}, field Extra"
    assert package_graph.line_origin(source["file"], 4) == f"note {note_id}, field Back"
    assert package_graph.line_origin("notes/other.txt", 5) is None


def test_a_saved_package_graph_names_note_and_field_from_its_store(package_graph: awskg.KnowledgeGraph,
                                                                   tmp_path: Path) -> None:
    path = tmp_path / "awskg.json"
    package_graph.save(path)
    stored = awskg.load(path)
    assert stored._store is not None
    lines = [(s.file, s.line) for lim in package_graph.limits() for s in [lim.source]]
    assert lines
    for file, line in lines:
        assert stored.line_origin(file, line) == package_graph.line_origin(file, line)
        assert stored.line_origin(file, line)
    assert stored._graph is None  # answered by the store's rows, not by parsing the file


def test_the_card_view_names_the_note_and_each_line_s_field(package_graph: awskg.KnowledgeGraph,
                                                            cards: list) -> None:
    lim = next(lim for lim in package_graph.limits() if lim.value == 29.0)
    shown = views.card_text(package_graph.card_of(lim.id))
    assert f"note {cards[1].attrs['note_id']} · {FACT_TYPE} · deck AWS::API Gateway" in shown
    assert "    4  Back   29 seconds by default" in shown
    assert "    5  Extra  HTTP APIs: up to 30 seconds" in shown


def test_show_prints_the_note_and_field_of_each_source_line(run_cli, packages: dict[str, Path],
                                                            tmp_path: Path) -> None:
    graph = tmp_path / "g.json"
    code, _, err = run_cli(["build", packages["apkg"], "-o", graph, "--no-cache"])
    assert code == 0, err
    code, out, _ = run_cli(["show", "DynamoDB", "--graph", graph])
    assert code == 0
    flat = " ".join(out.split())  # the terminal may wrap a long line
    assert ":14 (note " in flat and ", field Back): " in flat and "400 KB per item" in flat


@pytest.mark.parametrize("service", ["sqs", "lambda"])
def test_an_awskg_anki_export_builds_back_to_the_same_limits(committed_graph, service: str,
                                                             tmp_path: Path) -> None:
    sub = committed_graph.subgraph([service], depth=1)
    deck = tmp_path / f"{service}.apkg"
    deck.write_bytes(render(committed_graph, sub, "anki"))
    rebuilt = awskg.build([deck], cache_dir=tmp_path / "cache", jobs=1)

    def stated(kg, ids=None):
        return {(lim.service, lim.value, lim.value_max, lim.unit) for lim in kg.limits(numeric_only=False)
                if ids is None or lim.id in ids}

    exported = stated(committed_graph, set(sub.nodes))
    assert exported and stated(rebuilt) == exported


# ---------------------------------------------------------------------------- bad packages


def zipped(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def replaced(package: Path, name: str, data: bytes) -> bytes:
    with zipfile.ZipFile(package) as zf:
        return zipped({i.filename: (data if i.filename == name else zf.read(i)) for i in zf.infolist()})


BAD = {
    "a truncated package": (lambda p: p["apkg"].read_bytes()[:2000], "is not a readable Anki package"),
    "a zip that is not a package": (lambda p: zipped({"notes.txt": b"SQS: size?\n256 KB\n"}),
                                    "is a zip archive but not an Anki package"),
    "an empty zip": (lambda p: zipped({}), "is a zip archive but not an Anki package"),
    "a collection that is not SQLite": (lambda p: replaced(p["apkg-anki2"], "collection.anki2", b"x" * 4096),
                                        "is a damaged Anki package"),
    "a collection that is not zstd": (lambda p: replaced(p["apkg"], "collection.anki21b", b"not zstd" * 64),
                                      "is a damaged Anki package"),
    "a meta naming a missing collection": (lambda p: zipped({"meta": b"\x08\x03", "collection.anki2": b""}),
                                           "its meta names collection.anki21b"),
    "a package of a future version": (lambda p: replaced(p["apkg"], "meta", b"\x08\x09"),
                                      "newer format (version 9)"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_package_is_one_line_naming_the_file(run_cli, packages: dict[str, Path], tmp_path: Path,
                                                   case: str) -> None:
    make, needle = BAD[case]
    bad = tmp_path / "deck.apkg"
    bad.write_bytes(make(packages))
    code, out, err = run_cli(["build", bad, "-o", tmp_path / "g.json", "--no-cache"])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "deck.apkg: " in err and needle in err, err


def test_a_package_with_no_notes_is_named(tmp_path: Path) -> None:
    empty = write_packages([], tmp_path / "empty")["apkg"]
    with pytest.raises(InputError, match="Anki package holds no notes"):
        read_cards(empty)


def test_format_apkg_refuses_a_text_file(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("SQS: size?\n256 KB\n")
    with pytest.raises(InputError, match="notes.txt: is not an Anki package"):
        awskg.build([notes], fmt="apkg", cache_dir=tmp_path / "cache", jobs=1)


@given(data=st.binary(max_size=3000))
def test_any_bytes_after_a_zip_header_are_a_package_or_one_named_error(data: bytes) -> None:
    try:
        found = read_package(b"PK\x03\x04" + data, "fuzz.apkg", "fuzz")
    except InputError as err:
        assert str(err).startswith("fuzz.apkg: ") and "\n" not in str(err)
    else:
        assert isinstance(found, list)


def test_an_exam_questions_choices_and_premise_state_no_limits(tmp_path):
    # A practice-exam note type: its Options field holds mostly wrong choices, and the values of
    # the scenario before the question are the exam's premise; the Explanation states the fact.
    note = Note(EXAM_TYPE, [
        "A company must send 5 MB messages through SQS. What should they do?",
        "<ol><li>Raise the SQS maximum message size to 10 MB</li><li>Compress to under 2 MB</li></ol>",
        "SQS messages are at most 256 KB; use the Extended Client Library with S3."])
    path = write_packages([note], tmp_path / "pkg")["apkg"]
    kg = awskg.build([path], cache_dir=tmp_path / "cache", use_cache=False)
    assert sorted((lim.value, lim.unit) for lim in kg.limits()) == [(256.0, "KB")]
