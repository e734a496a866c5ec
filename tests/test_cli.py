"""The command line: each command is the library's answer, as a table or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTES = Path(__file__).resolve().parents[1] / "notes"


def as_json(run_cli, *args):
    code, out, err = run_cli([*args, "--json"])
    assert code == 0, err
    return json.loads(out)


def test_build_writes_the_graph_and_prints_a_summary(run_cli, tmp_path):
    out_file = tmp_path / "g.json"
    code, out, err = run_cli(["build", str(NOTES), "-o", str(out_file)])
    assert code == 0, err
    assert out_file.exists()
    assert "cards" in out and "103" in out
    data = as_json(run_cli, "stats", "--graph", str(out_file))
    assert data["cards"] == 103 and data["entities"]["limit"] > 40


def test_build_will_not_overwrite_a_file_that_is_not_a_graph(run_cli, tmp_path):
    precious = tmp_path / "essay.json"
    precious.write_text("my essay", encoding="utf-8")
    code, _out, err = run_cli(["build", str(NOTES), "-o", str(precious)])
    assert code != 0 and "--force" in err
    assert precious.read_text(encoding="utf-8") == "my essay"


def test_limits_of_a_service_by_abbreviation(run_cli, built_graph_path):
    rows = as_json(run_cli, "limits", "DDB", "--graph", str(built_graph_path))
    assert rows and {r["service"] for r in rows} == {"DynamoDB"}
    assert any("streams retention" in r["subject"].lower() and r["value"] == 24 for r in rows)
    assert all(r["source"]["line"] for r in rows)


@pytest.mark.parametrize("name", ["step-functions", "Step Functions", "Step-Functions", "SFN"])
def test_a_service_is_found_by_its_id_as_json_shows_it_and_by_its_names(run_cli, built_graph_path, name):
    code, out, err = run_cli(["limits", name, "--json", "-g", str(built_graph_path)])
    assert code == 0, err
    rows = json.loads(out)
    assert rows and {row["service"] for row in rows} == {"Step Functions"}


def test_limits_over_and_under_compare_across_units(run_cli, built_graph_path):
    big = as_json(run_cli, "limits", "--over", "100MB", "--graph", str(built_graph_path))
    assert big and all(r["dimension"] == "bytes" for r in big)
    assert all((r["base_value_max"] or r["base_value"]) > 100 * 1024**2 for r in big)
    assert any(r["unit"] == "GB" for r in big) and any(r["unit"] == "MB" for r in big)
    short = as_json(run_cli, "limits", "--under", "1 minute", "--graph", str(built_graph_path))
    assert short and all(r["dimension"] == "seconds" and r["base_value"] < 60 for r in short)


def test_limits_by_kind(run_cli, built_graph_path):
    rows = as_json(run_cli, "limits", "--kind", "retention", "--graph", str(built_graph_path))
    assert rows and {r["kind"] for r in rows} == {"retention"}


def test_limits_table_groups_by_service_and_shows_the_line(run_cli, built_graph_path):
    code, out, _ = run_cli(["limits", "sqs", "--graph", str(built_graph_path)])
    assert code == 0
    assert "256 KB" in out and "84" in out


def test_search_json_hits_carry_limit_fields(run_cli, built_graph_path):
    hits = as_json(run_cli, "search", "sqs max message size", "--graph", str(built_graph_path))
    assert hits[0]["type"] == "limit" and hits[0]["value"] == 256
    assert set(hits[0]) >= {"id", "type", "name", "snippet", "score", "service", "subject", "unit", "text"}


def test_search_with_type_and_service_options(run_cli, built_graph_path):
    hits = as_json(
        run_cli,
        "search",
        "size",
        "--type",
        "limit",
        "--service",
        "lambda",
        "--limit",
        "3",
        "--graph",
        str(built_graph_path),
    )
    assert len(hits) == 3 and all(h["type"] == "limit" and h["service"] == "Lambda" for h in hits)


def test_search_that_finds_nothing_says_so_and_suggests(run_cli, built_graph_path):
    code, out, err = run_cli(["search", "lamdba zzqx", "--graph", str(built_graph_path)])
    assert code == 0 or "nothing found" in err
    code, out, err = run_cli(["search", "zzqx", "--graph", str(built_graph_path)])
    assert code == 1 and "nothing found" in err and not out


def test_show_related_and_compare(run_cli, built_graph_path):
    g = str(built_graph_path)
    e = as_json(run_cli, "show", "reserved concurrency", "--graph", g)
    assert e["type"] == "feature" and e["source_text"]
    rel = as_json(run_cli, "related", "firehose", "--relation", "STORES_DATA_IN", "--graph", g)
    assert {"S3", "Redshift", "Splunk"} <= {n["name"] for n in rel}
    cmp_ = as_json(run_cli, "compare", "long polling", "short polling", "--graph", g)
    assert cmp_["contrasted"] and cmp_["a"]["lines"] and cmp_["b"]["lines"]
    code, out, _ = run_cli(["compare", "long polling", "short polling", "--graph", g])
    assert code == 0 and "long polling" in out and "short polling" in out


@pytest.mark.parametrize(
    "args,needle",
    [
        (["show", "lamdba funtion"], "did you mean"),
        (["related", "lambda", "--depth", "100"], "depth"),
        (["limits", "--over", "ten parsecs"], "--over"),
        (["search", " "], "empty"),
    ],
)
def test_bad_arguments_get_one_line_and_a_nonzero_exit(run_cli, built_graph_path, args, needle):
    code, _out, err = run_cli([*args, "--graph", str(built_graph_path)])
    assert code != 0
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_note_text_with_rich_markup_prints_literally(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one table row per line, so the text is not wrapped
    notes = tmp_path / "deck.txt"
    notes.write_text(
        "deck\nSQS: what is it?\nSQS\n[bold red]message[/] size can be up to 256KB\n", encoding="utf-8"
    )
    graph = tmp_path / "g.json"
    assert run_cli(["build", str(notes), "-o", str(graph)])[0] == 0
    code, out, _ = run_cli(["limits", "sqs", "--graph", str(graph)])
    assert code == 0 and "[bold red]message[/]" in out


def test_note_text_with_emoji_codes_prints_as_typed(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    notes = tmp_path / "deck.txt"
    notes.write_text("deck\nSQS: what is it?\nSQS\n:fire: message size can be up to 256KB\n",
                     encoding="utf-8")
    graph = tmp_path / "g.json"
    assert run_cli(["build", str(notes), "-o", str(graph)])[0] == 0
    for args in (["limits", "sqs"], ["show", "sqs"]):
        code, out, _ = run_cli([*args, "--graph", str(graph)])
        assert code == 0 and ":fire: message size" in out and "\U0001f525" not in out, args


@pytest.mark.parametrize("columns", ["60", "80", "160"])
def test_tables_fit_the_terminal_and_keep_room_for_the_note_line(run_cli, built_graph_path, monkeypatch,
                                                                  columns):
    monkeypatch.setenv("COLUMNS", columns)
    for args in (["limits", "sqs"], ["show", "sqs"], ["search", "sqs max message size"]):
        code, out, err = run_cli([*args, "-g", str(built_graph_path)])
        assert code == 0, err
        assert max(len(line) for line in out.splitlines()) <= int(columns), args
        assert "84" in out, args  # the line the message size is on: its column was not squeezed out


def test_search_says_when_the_best_hits_are_of_another_service_than_the_one_asked(run_cli, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("# SQS\n\n- visibility timeout: max 12 hours\n\n# API Gateway\n\n- stages: dev, prod\n",
                     encoding="utf-8")
    graph = tmp_path / "g.json"
    assert run_cli(["build", notes, "-o", graph])[0] == 0
    code, out, err = run_cli(["search", "api gw timeout", "--graph", graph])
    assert code == 0 and "visibility timeout" in out
    assert "No value your notes give for API Gateway matches this" in err
    code, _out, err = run_cli(["search", "sqs visibility timeout", "--graph", graph])
    assert code == 0 and err == ""
    code, _out, err = run_cli(["search", "appsync timeout", "--graph", graph])
    assert "AppSync is not in your notes" in err
