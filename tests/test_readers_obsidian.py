"""Obsidian vaults: notes as cards titled by the note, front matter, tags, links made relations,
Obsidian's own syntax left out of the text, zipped vaults, errors; and the round trip through
awskg's own Obsidian export."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

import awskg
from awskg.errors import InputError
from awskg.export import export
from awskg.links import LINKS_TO, relation_of
from awskg.readers import note_files, read_cards
from awskg.readers.obsidian import segment, unpack_vault


def vault(tmp_path: Path, notes: dict[str, str], name: str = "vault") -> Path:
    root = tmp_path / name
    (root / ".obsidian").mkdir(parents=True)
    for rel, text in notes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def note(text: str, file: str = "vault/Lambda.md") -> list:
    return segment(text, file, "lambda")


def build(paths: list[Path], tmp_path: Path) -> awskg.KnowledgeGraph:
    return awskg.build(paths, cache_dir=tmp_path / "cache", jobs=1)


def edges(kg: awskg.KnowledgeGraph, relation: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, k in kg.graph.edges(keys=True) if k == relation}


# ---------------------------------------------------------------------------- one note


def test_the_file_name_titles_the_note_and_heads_its_sections() -> None:
    cards = note("Runs functions on demand.\n\n## Limits\n- timeout: max 15 minutes\n")
    assert [(c.front, c.services) for c in cards] == [("Lambda", ["lambda"]), ("Limits", ["lambda"])]
    assert [ln.number for ln in cards[0].lines] == [1]  # the text before the first heading is kept
    assert cards[0].front_lines == (1,) and cards[1].front_lines == (3,)
    assert [(ln.number, ln.plain) for ln in cards[1].lines] == [(4, "timeout: max 15 minutes")]


def test_a_note_opening_with_its_own_heading_is_titled_by_it() -> None:
    cards = note("---\ntags: [x]\n---\n# SQS queues\nfully managed queues\n## Sizes\n- up to 256 KB\n")
    assert [c.front for c in cards] == ["SQS queues", "Sizes"]
    assert cards[0].front_lines == (4,) and [ln.number for ln in cards[0].lines] == [5]
    assert cards[1].services[0] == "sqs"


def test_front_matter_gives_aliases_tags_and_the_service() -> None:
    text = ("---\naliases: [Layers, lib layer]\ntags: [aws/compute, exam]\nservice: Lambda\n---\n"
            "zip archives\n")
    cards = segment(text, "vault/Shared code.md", "shared-code")
    assert cards[0].front == "Shared code" and cards[0].services == ["lambda"]
    assert cards[0].tags == ["aws/compute", "exam"] and cards[0].attrs["aliases"] == ["Layers", "lib layer"]


def test_front_matter_that_is_not_yaml_is_no_front_matter_and_no_error() -> None:
    cards = note("---\naliases: [unclosed\n: : :\n---\nmax 15 minutes\n")
    assert cards[0].front == "Lambda" and "aliases" in cards[0].attrs and cards[0].attrs["aliases"] == []


def test_tags_are_topics_and_a_tag_can_name_the_service() -> None:
    text = "#aws/dynamodb #exam\nitems up to 400 KB, the #important limit\n"
    cards = segment(text, "vault/Items.md", "items")
    assert cards[0].tags == ["aws/dynamodb", "exam", "important"] and cards[0].services == ["dynamodb"]
    assert [ln.plain for ln in cards[0].lines] == ["items up to 400 KB, the important limit"]
    assert cards[0].lines[0].text == "items up to 400 KB, the #important limit"  # shown as written


def test_links_read_as_their_text_and_are_kept_with_their_line_and_words() -> None:
    cards = note("- uses → [[SQS]]\n- polls [[Kinesis Data Streams|KDS]] and [[DynamoDB#Streams]]\n")
    assert [ln.plain for ln in cards[0].lines] == ["polls KDS and DynamoDB"]  # line 1 only states a relation
    assert cards[0].attrs["links"] == [[1, "SQS", "- uses →"], [2, "Kinesis Data Streams", "- polls"],
                                       [2, "DynamoDB", "- polls"]]


def test_obsidian_syntax_is_not_note_text() -> None:
    text = ("> [!tip] Limits\n> max 15 minutes ^limit-1\n![[diagram.png]] timeout %%not 900 seconds%% 3 s\n"
            "%%\nhidden 10 GB\n%%\n`[[not a link]] #notatag` stays\n```\n#!/bin/sh [[x]]\n```\n")
    lines = [(ln.number, ln.plain) for ln in note(text)[0].lines]
    assert lines == [(1, "Limits"), (2, "max 15 minutes"), (3, "timeout 3 s"),
                     (7, "[[not a link]] #notatag stays"), (8, "```"), (9, "#!/bin/sh [[x]]"), (10, "```")]
    assert "links" not in note(text)[0].attrs


def test_an_empty_note_has_no_cards_and_is_no_error(tmp_path: Path) -> None:
    root = vault(tmp_path, {"Empty.md": "", "Blank.md": "\n\n", "SQS.md": "max 256 KB\n"})
    assert [read_cards(root / n)[1] for n in ("Empty.md", "Blank.md")] == [[], []]
    assert build([root], tmp_path).limits()[0].value == 256


@pytest.mark.parametrize(("words", "relation", "backwards"), [
    ("- uses →", "USES", False), ("- ← has feature", "HAS_FEATURE", True),
    ("stores data in::", "STORES_DATA_IN", False),
    ("- part of →", "PART_OF", False), ("See also", LINKS_TO, False), ("", LINKS_TO, False)])
def test_the_words_before_a_link_name_its_relation(words: str, relation: str, backwards: bool) -> None:
    assert relation_of(words) == (relation, backwards)


# ---------------------------------------------------------------------------- a vault


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> awskg.KnowledgeGraph:
    tmp = tmp_path_factory.mktemp("vault")
    root = vault(tmp, {
        "Compute/Lambda.md": "---\naliases: [λ]\n---\nserverless functions\n- uses → [[SQS]]\n"
                             "- consumes streams from:: [[Streams]], [[Kinesis Data Streams]]\n"
                             "- See also [[Notes/Glossary|the glossary]]\n",
        "Queues/SQS.md": "# SQS\nmax 256 KB per message\n- ← event source for [[Lambda]]\n",
        "Streams.md": "---\nservice: DynamoDB\n---\nchange records kept 24 hours\n"
                      "unlike Kinesis Data Streams\n",
        "Notes/Glossary.md": "terms\n",
        "Kinesis Data Streams.md": "",
        "attachments/pic.png": "not read",
    })
    return awskg.build([root], cache_dir=tmp / "cache", jobs=1)


def test_links_become_typed_relations_between_the_notes_entities(linked: awskg.KnowledgeGraph) -> None:
    assert ("service:lambda", "service:sqs") in edges(linked, "USES")
    assert ("service:lambda", "service:sqs") in edges(linked, "EVENT_SOURCE_FOR")  # `←` reverses it
    # `Streams`, a note about DynamoDB (its `service` property), is DynamoDB Streams.
    assert ("service:lambda", "service:dynamodb-streams") in edges(linked, "CONSUMES_STREAMS_FROM")
    # A link to an empty note joins the entity of that name in the graph (another note names it).
    assert ("service:lambda", "service:kinesis-data-streams") in edges(linked, "CONSUMES_STREAMS_FROM")
    glossary = [n for n, d in linked.graph.nodes(data=True)
                if d["name"] == "Glossary" and d["type"] != "card"]
    assert len(glossary) == 1 and ("service:lambda", glossary[0]) in edges(linked, LINKS_TO)


def test_a_link_relation_cites_the_line_it_is_on(linked: awskg.KnowledgeGraph) -> None:
    sources = linked.graph.edges["service:lambda", "service:sqs", "USES"]["sources"]
    assert [(Path(s["file"]).name, s["line"]) for s in sources] == [("Lambda.md", 5)]


def test_front_matter_aliases_name_the_note_s_entity(linked: awskg.KnowledgeGraph) -> None:
    assert linked.entity("λ").id == "service:lambda"


def test_a_vault_s_notes_are_its_markdown_files_only(tmp_path: Path) -> None:
    root = vault(tmp_path, {"a.md": "x\n", "b.txt": "Lambda: x?\n", ".trash/c.md": "y\n", "img/d.png": "z",
                            "sub/e.markdown": "w\n"})
    assert sorted(p.relative_to(root).as_posix() for p in note_files([root])) == ["a.md", "sub/e.markdown"]


def test_notes_of_the_same_name_in_two_folders_keep_their_own_cards(tmp_path: Path) -> None:
    root = vault(tmp_path, {"AWS/Overview.md": "SQS: max 256 KB\n", "GCP/Overview.md": "Pub/Sub: 10 MB\n"})
    kg = build([root], tmp_path)
    assert sorted((c["id"], Path(c["file"]).parent.name) for c in kg.cards()) == [
        ("card:aws-overview:1", "AWS"), ("card:gcp-overview:1", "GCP")]


def test_files_of_the_same_name_in_two_folders_keep_their_own_cards(tmp_path: Path) -> None:
    for folder, text in (("a", "# Notes\n## SQS\n- max 10 messages per batch\n"),
                         ("b", "# Notes\n## SNS\n- max 100 topics\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.md").write_text(text)
    kg = build([tmp_path / "a", tmp_path / "b"], tmp_path)
    assert len(kg.cards()) == 2 and len({c["id"] for c in kg.cards()}) == 2


# ---------------------------------------------------------------------------- errors


def test_an_empty_vault_is_one_line_naming_it(run_cli, tmp_path: Path) -> None:
    root = vault(tmp_path, {"attachments/pic.png": "x"})
    code, out, err = run_cli(["build", root, "-o", tmp_path / "g.json"])
    assert code == 2 and err.count("\n") == 1 and "Obsidian vault holds no notes" in err and str(root) in err


def test_a_vault_of_empty_notes_is_one_line(run_cli, tmp_path: Path) -> None:
    root = vault(tmp_path, {"a.md": "", "b.md": "\n"})
    code, out, err = run_cli(["build", root, "-o", tmp_path / "g.json"])
    assert code == 2 and err.count("\n") == 1 and "no notes found (every note is empty)" in err


# ---------------------------------------------------------------------------- a zipped vault


def zip_of(entries: dict[str, str], links: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def test_a_zipped_vault_unpacks_its_notes_and_nothing_else(tmp_path: Path) -> None:
    data = zip_of({"My Vault/.obsidian/app.json": "{}", "My Vault/SQS.md": "max 256 KB\n",
                   "My Vault/img/a.png": "x", "../evil.md": "x", "/abs.md": "x", "Other/x.md": "x",
                   "My Vault/.trash/old.md": "x", "My Vault/../../up.md": "x"},
                  links=("My Vault/link.md",))
    root = unpack_vault(data, tmp_path / "up", "vault.zip")
    assert root == tmp_path / "up"
    found = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert found == ["up/SQS.md"] and (root / ".obsidian").is_dir()
    assert not any(p.is_symlink() for p in tmp_path.rglob("*"))


def test_a_zip_of_notes_without_obsidian_settings_is_made_a_vault(tmp_path: Path) -> None:
    root = unpack_vault(zip_of({"SQS.md": "max 256 KB\n"}), tmp_path / "up", "notes.zip")
    assert root == tmp_path / "up" and read_cards(root / "SQS.md")[0] == "obsidian"


def test_a_zip_without_notes_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^pics.zip: is a zip archive with no notes in it"):
        unpack_vault(zip_of({"a.png": "x"}), tmp_path / "up", "pics.zip")
    with pytest.raises(InputError, match=r"^bad.zip: is a damaged zip archive$"):
        unpack_vault(b"PK\x03\x04 not really", tmp_path / "up2", "bad.zip")


# ---------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("service", ["sqs", "lambda"])
def test_an_awskg_obsidian_export_builds_back_to_its_entities_and_links(committed_graph, service: str,
                                                                       tmp_path: Path) -> None:
    sub = committed_graph.subgraph([service], depth=1)
    export(committed_graph, sub, "obsidian", output=tmp_path / "vault")
    kg = build([tmp_path / "vault"], tmp_path)
    assert all(c["format"] == "obsidian" for c in kg.cards())

    def key(k: awskg.KnowledgeGraph, n: str):
        # A limit is kept when one of the same service, value and unit is read back; its id may
        # be worded otherwise (its subject comes from the note it is read in).
        if k.graph.nodes[n]["type"] != "limit":
            return n
        lim = k.limit(n)
        return (lim.service, lim.value, lim.value_max, lim.unit)

    exported = {n: key(committed_graph, n) for n in sub.nodes if sub.nodes[n]["type"] != "card"}
    rebuilt: dict = {}
    for n, d in kg.graph.nodes(data=True):
        if d["type"] != "card":
            rebuilt.setdefault(key(kg, n), []).append(n)
    assert [n for n, k in exported.items() if k not in rebuilt] == []
    def kept(u: str, v: str, r: str) -> bool:
        return any(kg.graph.has_edge(a, b, key=r) for a in rebuilt[exported[u]] for b in rebuilt[exported[v]])

    missing = [e for e in sub.edges(keys=True) if e[0] in exported and e[1] in exported and not kept(*e)]
    assert missing == []


def test_the_export_is_a_vault_whose_note_lines_keep_their_source(committed_graph, tmp_path: Path) -> None:
    export(committed_graph, committed_graph.subgraph(["sqs"]), "obsidian", output=tmp_path / "v")
    assert (tmp_path / "v" / ".obsidian").is_dir()
    text = (tmp_path / "v" / "SQS.md").read_text()
    assert "%%notes/" in text and "## Notes" not in text
    assert os.path.basename(str(tmp_path / "v" / "SQS.md")) in {p.name for p in note_files([tmp_path / "v"])}
