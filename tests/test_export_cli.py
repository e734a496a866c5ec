"""`awskg export` through `awskg.cli.main`, and the library's rules for writing: stdout for text,
`-o` never over an existing file without --force, one-line errors for a missing folder or an
unknown format, csv's two tables, the Obsidian folder, and writes that leave nothing half done."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import awskg
from awskg.cli import main
from awskg.errors import OutputError, UsageError
from awskg.export import export
from awskg.export.output import FOLDER_MARKER

GRAPH = Path(__file__).resolve().parents[1] / "graph" / "awskg.json"


@pytest.fixture
def cli(capsys):
    def run(*args) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["export", *map(str, args), "--graph", str(GRAPH)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="module")
def kg():
    return awskg.load(GRAPH)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_cli_prints_a_text_format_to_stdout(cli):
    code, out, err = cli("sqs", "--format", "mermaid")
    assert code == 0, err
    assert out.startswith("flowchart LR\n") and "n_service_sqs[" in out


def test_cli_prints_json_that_loads_as_a_graph(cli):
    code, out, _ = cli("lambda", "--depth", "1", "--types", "feature,limit", "--format", "json")
    assert code == 0
    kg = awskg.KnowledgeGraph.from_data(json.loads(out))
    types = {d["type"] for n, d in kg.graph.nodes(data=True) if n != "service:lambda"}
    assert types == {"feature", "limit"}


def test_cli_refuses_to_overwrite_an_existing_file_without_force(cli, tmp_path):
    target = tmp_path / "sheet.md"
    target.write_text("my own notes\n")
    code, out, err = cli("sqs", "--format", "markdown", "-o", target)
    assert code != 0 and out == ""
    assert one_error_line(err) == f"awskg: error: {target}: exists; pass --force to overwrite it"
    assert target.read_text() == "my own notes\n"
    code, _, err = cli("sqs", "--format", "markdown", "-o", target, "--force")
    assert code == 0, err
    assert target.read_text().startswith("# Study sheet: SQS")
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.md"]  # no temp file left beside it


def test_cli_reports_a_missing_folder_in_one_line(cli, tmp_path):
    target = tmp_path / "no" / "such" / "out.graphml"
    code, _, err = cli("sqs", "--format", "graphml", "-o", target)
    assert code != 0
    assert "no such folder" in one_error_line(err) and str(target.parent) in err
    assert not (tmp_path / "no").exists()


def test_cli_rejects_an_unknown_format_and_lists_the_formats(cli):
    code, out, err = cli("sqs", "--format", "pdf")
    assert code == UsageError.exit_code and out == ""
    line = one_error_line(err)
    assert "'pdf'" in line and all(f in line for f in ("graphml", "mermaid", "anki", "obsidian"))


def test_cli_asks_for_an_output_file_for_a_binary_format(cli):
    code, out, err = cli("sqs", "--format", "anki")
    assert code == UsageError.exit_code and out == ""
    assert "-o FILE.apkg" in one_error_line(err)


def test_cli_writes_an_anki_deck_with_o(cli, tmp_path):
    code, _, err = cli("sqs", "--format", "anki", "-o", tmp_path / "sqs.apkg")
    assert code == 0, err
    assert (tmp_path / "sqs.apkg").read_bytes()[:2] == b"PK"


def test_csv_writes_nodes_and_edges_files(kg, tmp_path):
    sub = kg.subgraph(["sqs"], depth=1)
    assert export(kg, sub, "csv", nodes=tmp_path / "n.csv", edges=tmp_path / "e.csv") is None
    assert (tmp_path / "n.csv").read_text().splitlines()[0].startswith("id,type,name")
    assert len((tmp_path / "e.csv").read_text().splitlines()) == sub.number_of_edges() + 1


def test_csv_refuses_both_tables_when_one_exists(kg, tmp_path):
    (tmp_path / "e.csv").write_text("keep\n")
    with pytest.raises(OutputError, match="exists"):
        export(kg, kg.subgraph(["sqs"]), "csv", nodes=tmp_path / "n.csv", edges=tmp_path / "e.csv")
    assert not (tmp_path / "n.csv").exists()
    assert (tmp_path / "e.csv").read_text() == "keep\n"


def test_csv_needs_both_table_files(kg, tmp_path):
    with pytest.raises(UsageError, match="--nodes FILE and --edges FILE"):
        export(kg, kg.subgraph(["sqs"]), "csv", nodes=tmp_path / "n.csv")
    with pytest.raises(UsageError, match="--format csv"):
        export(kg, kg.subgraph(["sqs"]), "json", nodes=tmp_path / "n.csv", edges=tmp_path / "e.csv")


def test_obsidian_needs_a_folder_and_refuses_an_existing_one_without_force(kg, tmp_path):
    sub = kg.subgraph(["sqs"])
    with pytest.raises(UsageError, match="-o FOLDER"):
        export(kg, sub, "obsidian")
    export(kg, sub, "obsidian", output=tmp_path / "vault")
    with pytest.raises(OutputError, match="exists; pass --force"):
        export(kg, sub, "obsidian", output=tmp_path / "vault")
    with pytest.raises(OutputError, match="no such folder"):
        export(kg, sub, "obsidian", output=tmp_path / "missing" / "vault")


def test_obsidian_force_replaces_an_awskg_folder_but_never_a_folder_of_other_files(kg, tmp_path):
    vault = tmp_path / "vault"
    export(kg, kg.subgraph(["sqs"]), "obsidian", output=vault)
    assert (vault / FOLDER_MARKER).exists()
    sqs_notes = {p.name for p in vault.iterdir()}
    export(kg, kg.subgraph(["lambda"]), "obsidian", output=vault, force=True)
    lambda_notes = {p.name for p in vault.iterdir()}
    assert "Lambda.md" in lambda_notes and sqs_notes - lambda_notes  # replaced, not merged
    export(kg, kg.subgraph(["lambda"]), "obsidian", output=tmp_path / "fresh")
    assert {p.name for p in (tmp_path / "fresh").iterdir()} == lambda_notes
    own = tmp_path / "my-vault"
    own.mkdir()
    (own / "diary.md").write_text("mine\n")
    with pytest.raises(OutputError, match="did not write"):
        export(kg, kg.subgraph(["sqs"]), "obsidian", output=own, force=True)
    assert [p.name for p in own.iterdir()] == ["diary.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "my-vault", "vault"]  # no temp folders


def test_an_interrupted_folder_write_leaves_the_old_folder_as_it_was(kg, tmp_path, monkeypatch):
    vault = tmp_path / "vault"
    export(kg, kg.subgraph(["sqs"]), "obsidian", output=vault)
    before = {p.relative_to(vault): p.read_bytes() for p in vault.rglob("*") if p.is_file()}
    real_replace = os.replace
    failed = []

    def failing_replace(src, dst):
        if Path(dst) == vault and not failed:  # the new folder moving into place
            failed.append(src)
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OutputError, match="cannot write"):
        export(kg, kg.subgraph(["lambda"]), "obsidian", output=vault, force=True)
    monkeypatch.undo()
    assert failed
    assert {p.relative_to(vault): p.read_bytes() for p in vault.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["vault"]


def test_cli_writes_an_obsidian_folder(cli, tmp_path):
    code, out, err = cli("lambda", "--format", "obsidian", "-o", tmp_path / "vault")
    assert code == 0 and out == "", err
    assert (tmp_path / "vault" / "Lambda.md").read_text().startswith("---\n")
