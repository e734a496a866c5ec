"""`awskg`: the command line, a thin shell over the library.

Every command is a call into `awskg` (build, load, limits, search, entity, related, compare,
export, quiz) and a table or JSON out. Errors are one line on stderr and a non-zero exit; query
commands load the stored graph and never import spaCy.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

import typer

from .control_chars import for_rich, json_visible, visible
from .errors import AwskgError, UsageError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="A knowledge graph of AWS certification study notes: limits, search, related concepts, exports.",
)

GraphOpt = typer.Option(None, "--graph", "-g", help="Graph file (default graph/awskg.json, or $AWSKG_GRAPH).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _console(stderr: bool = False):  # rich is imported when something is printed, not before
    from rich.console import Console

    # No emoji codes: a note's `:fire:` prints as typed (and rich's emoji table is never loaded).
    return Console(stderr=stderr, highlight=False, soft_wrap=False, emoji=False)


def _kg(graph: Path | None):
    from .graph import KnowledgeGraph

    kg = KnowledgeGraph.load(graph)
    # The graph lives as long as the command: frozen, the collector never walks it again (each
    # full pass walked every node of it; at 100x the notes, ~0.3 s a pass). main() unfreezes.
    gc.freeze()
    return kg


def _print_json(data: Any) -> None:
    sys.stdout.write(json_visible(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def _esc(text: Any) -> str:
    return for_rich(text if text is not None else "")


def _text(value: Any, style: str = ""):
    """A table cell (tables.text): the notes' text as typed, control characters as escapes."""
    from .tables import text

    return text(value, style)


def _choices(option: str, text: str | None, valid: list[str] | tuple[str, ...],
             fold=str.lower) -> list[str] | None:
    """A comma-separated option's values, each one of `valid`: an unknown one is a UsageError
    naming the valid ones, not an empty answer that looks like "nothing found"."""
    if not text:
        return None
    values = [fold(v.strip()) for v in text.split(",") if v.strip()]
    for value in values:
        if value not in valid:
            raise UsageError(f"{option}: unknown value {value[:40]!r}; choose from {', '.join(valid)}")
    return values or None


def _concept_types() -> tuple[str, ...]:
    from .graph import CONCEPT_TYPES

    return CONCEPT_TYPES


def _search_types() -> tuple[str, ...]:
    # Search answers with concepts, note lines and comparisons (a Hit's type).
    return (*_concept_types(), "line", "comparison")


# ---------------------------------------------------------------------------- build and stats


@app.command()
def build(
    paths: list[Path] = typer.Argument(None, help="Notes files and/or folders (default: notes/)."),
    output: Path = typer.Option(
        None, "--output", "-o", help="Graph file to write (default graph/awskg.json)."
    ),
    fmt: str = typer.Option(
        None, "--format", "-f",
        help="Read every file as: flashcards, markdown, anki, csv, termdef, obsidian, org, apkg.",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an output file that is not an awskg graph."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse every file again, ignoring the cache."),
    jobs: int = typer.Option(
        None,
        "--jobs",
        "-j",
        min=1,
        help="Processes parsing files at once (default: one per CPU for big builds).",
    ),
    json_out: bool = JsonOpt,
) -> None:
    """Parse notes into a typed knowledge graph and save it."""
    from .builder import build as do_build
    from .graph import check_graph_target, default_graph_path
    from .readers import note_files

    out = output or default_graph_path()
    # The notes files, found once: their size decides the bar, their number its layout.
    files = note_files(list(paths) if paths else [Path("notes")])
    check_graph_target(out, force, inputs=files)
    show_bar = sum(f.stat().st_size for f in files) > 512 * 1024 and not json_out
    if show_bar:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_console(stderr=True),
            transient=True,
        ) as bar:
            tasks: dict[str, Any] = {}
            # Many files: one bar for the files, and one for each file while it is being read.
            files_task = bar.add_task("notes files", total=len(files)) if len(files) > 1 else None

            def progress(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(_esc(Path(name).name[:40]), total=total, completed=done)
                bar.update(tasks[name], completed=done, total=total)
                if files_task is not None and done >= total:
                    bar.remove_task(tasks[name])
                    bar.advance(files_task)

            kg = do_build(files, fmt=fmt, progress=progress, use_cache=not no_cache, jobs=jobs)
    else:
        kg = do_build(files, fmt=fmt, use_cache=not no_cache, jobs=jobs)
    kg.save(out)
    stats = kg.stats()
    report = getattr(kg, "build_report", None)
    if json_out:
        _print_json(
            {
                "graph": str(out),
                **stats,
                "parsed": report.parsed if report else [],
                "cached": report.cached if report else [],
            }
        )
        return
    _stats_table(stats, title=f"Built {_esc(out)}")
    if report and report.cached:
        _console(stderr=True).print(
            f"{len(report.parsed)} file(s) parsed, {len(report.cached)} from the cache"
        )


def _stats_table(stats: dict[str, Any], title: str) -> None:
    from rich.table import Table

    table = Table(title=title, show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("cards", str(stats["cards"]))
    for t, n in stats["entities"].items():
        table.add_row(f"entities: {t}", str(n))
    for r, n in stats["relations"].items():
        table.add_row(f"relations: {r}", str(n))
    table.add_row("nodes / edges", f"{stats['nodes']} / {stats['edges']}")
    _console().print(table)


@app.command()
def stats(graph: Path = GraphOpt, json_out: bool = JsonOpt) -> None:
    """Cards, entities by type and relations of the graph."""
    data = _kg(graph).stats()
    if json_out:
        _print_json(data)
    else:
        _stats_table(data, title="awskg graph")


# ---------------------------------------------------------------------------- limits


@app.command()
def limits(
    service: str = typer.Argument(None, help="A service (name, alias or abbreviation)."),
    kind: str = typer.Option(
        None, "--kind", "-k", help="max, min, default, range, count, retention, rate, granularity."
    ),
    over: str = typer.Option(None, "--over", help="Only limits above this, e.g. 100MB or '1 minute'."),
    under: str = typer.Option(None, "--under", help="Only limits below this, e.g. 1KB or '30 seconds'."),
    conflicts: bool = typer.Option(
        False, "--conflicts", help="Only limits the notes state with different values."
    ),
    stale: bool = typer.Option(False, "--stale", help="Only limits AWS has changed since (study reference)."),
    numeric: bool = typer.Option(
        False, "--numeric", help="Leave out non-numeric bounds (unlimited, forever)."
    ),
    graph: Path = GraphOpt,
    json_out: bool = JsonOpt,
) -> None:
    """A service's limits (or all), grouped by feature, with value, kind and source line."""
    from .quantities import parse_quantity

    kg = _kg(graph)
    found = kg.limits(service, kind=kind, numeric_only=numeric)
    for flag, text in (("over", over), ("under", under)):
        if text is None:
            continue
        try:
            base, dim, _unit = parse_quantity(text)
        except ValueError as err:
            raise UsageError(f"--{flag}: {err}") from err
        found = [
            lim
            for lim in found
            if lim.dimension == dim
            and lim.base_value is not None
            and ((lim.base_value_max or lim.base_value) > base if flag == "over" else lim.base_value < base)
        ]
    if conflicts:
        found = [lim for lim in found if lim.conflict]
    if stale:
        found = [lim for lim in found if lim.stale]
    if json_out:
        _print_json([lim.to_dict() for lim in found])
        return
    if not found:
        _console(stderr=True).print("no limits match")
        raise typer.Exit(1)
    from .tables import Table

    table = Table("service", "feature", "subject", "value", "kind", "line",
                  title=f"Limits{' of ' + service if service else ''}")
    last = None
    for lim in sorted(found, key=lambda x: (x.service or "", _feature_name(kg, x), x.source.line)):
        feat = _feature_name(kg, lim)
        key = (lim.service, feat)
        table.add_row(
            _text("" if key == last else lim.service),
            _text("" if key == last else feat),
            _text(lim.subject),
            _value_text(lim.display, lim.stale, lim.conflict, lim.unsure),
            _text(lim.kind),
            _text(f"{lim.source.line}: {lim.line_text[:90]}"),
        )
        last = key
    _console().print(table)
    _print_stale_messages(lim.stale for lim in found)


def _feature_name(kg, lim) -> str:
    if lim.feature and lim.feature in kg:
        return kg.node(lim.feature).get("name", "")
    return ""


def _value_cell(value: str, flag: dict | None, conflict: bool = False, unsure: str | None = None) -> str:
    """A value as the notes state it, with `(conflict)`, `(unsure: why)` and the stale marker
    (`⚠ AWS since ...`)."""
    from .study.stale import stale_marker

    cell = _esc(value)
    if conflict:
        cell += " [yellow](conflict)[/]"
    if unsure:
        cell += f" [yellow](unsure: {_esc(unsure)})[/]"
    if flag:
        cell += f" [red]{_esc(stale_marker(flag))}[/]"
    return cell


def _value_text(value: str, flag: dict | None, conflict: bool = False, unsure: str | None = None):
    """`_value_cell` as a Text, for a table of Text cells."""
    cell = _text(value)
    if conflict:
        cell.append(" ")
        cell.append("(conflict)", style="yellow")
    if unsure:
        cell.append(" ")
        cell.append(visible(f"(unsure: {unsure})", one_line=True), style="yellow")
    if flag:
        from .study.stale import stale_marker

        cell.append(" ")
        cell.append(visible(stale_marker(flag), one_line=True), style="red")
    return cell


def _print_stale_messages(flags) -> None:
    """Under a table: each stale flag's message once, naming both values and AWS's source."""
    seen = []
    for flag in flags:
        if flag and flag["message"] not in seen:
            seen.append(flag["message"])
    for message in seen:
        _console().print(f"[red]⚠[/] {_esc(message)}")


# ---------------------------------------------------------------------------- search


@app.command()
def search(
    query: str = typer.Argument(
        ..., help="What to look for: `sqs max msg size`, `lamda timout`, `DDB pitr`."
    ),
    type_: str = typer.Option(
        None, "--type", "-t", help="Only this entity type (limit, feature, service, ...)."
    ),
    service: str = typer.Option(None, "--service", "-s", help="Only entities of this service."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=200, help="How many hits."),
    graph: Path = GraphOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Search with typos, abbreviations and synonyms; limits answer with their value."""
    if not query.strip():
        raise UsageError('the query is empty; try `awskg search "sqs max message size"`')
    kg = _kg(graph)
    types = _choices("--type", type_, _search_types())
    hits = kg.search(query, limit=limit, types=types, service=service)
    if json_out:
        _print_json([h.to_dict() for h in hits])
        if not hits:
            raise typer.Exit(1)
        return
    if not hits:
        sugg = kg.suggest(query)
        msg = f"nothing found for {query[:80]!r}"
        if sugg:
            msg += "; try: " + ", ".join(sugg)
        sys.stderr.write(visible(msg, one_line=True) + "\n")  # one line, however narrow the terminal
        raise typer.Exit(1)
    from rich.table import Table

    from .notices import elsewhere, not_in_notes

    named = kg.query_services(query)
    for note in (not_in_notes([n for n, _f, in_notes in named if not in_notes]), elsewhere(named, hits)):
        if note:  # (on stderr: what stdout prints stays the table)
            sys.stderr.write(visible(note, one_line=True) + "\n")
    table = Table(show_header=True, show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("type")
    table.add_column("name", overflow="fold")
    table.add_column("answer", overflow="fold")
    table.add_column("line", justify="right")
    for i, h in enumerate(hits, 1):
        d = h.to_dict()
        answer = d.get("display") if h.type == "limit" else d["snippet"]
        table.add_row(str(i), _esc(h.type), _esc(h.name),
                      _value_cell(answer, h.stale, unsure=d.get("unsure")),
                      str(h.source.line) if h.source else "")
    _console().print(table)
    _print_stale_messages(h.stale for h in hits)


# ---------------------------------------------------------------------------- entities


@app.command()
def show(
    entity: str = typer.Argument(..., help="Name, alias or id."),
    graph: Path = GraphOpt,
    json_out: bool = JsonOpt,
) -> None:
    """An entity: type, definition and its line, limits (value, unit, kind, line), neighbours by
    relation, source lines; values AWS states otherwise today flagged beside them."""
    from .study.stale import line_stale, stale_marker

    kg = _kg(graph)
    e = kg.entity(entity)
    if json_out:
        _print_json(e.to_dict())
        return
    con = _console()
    con.print(
        f"[bold]{_esc(e.name)}[/]  ({_esc(e.type)}{', ' + _esc(e.service) if e.service else ''})  "
        f"[dim]{_esc(e.id)}[/]"
    )
    if e.aliases:
        con.print(f"aliases: {_esc(', '.join(e.aliases))}")
    if e.definition:
        con.print(_esc(e.definition))
        if e.definition_source:
            src = e.definition_source
            con.print(f"[dim]definition from {_esc(src.file)}:{src.line}[/]")
    if e.limits:
        _limits_table(e.limits, con)
    groups: dict[str, list] = {}
    for n in e.neighbours:
        groups.setdefault(n.relation, []).append(n)
    for rel, items in groups.items():
        con.print(
            f"[bold]{_esc(rel)}[/]: "
            + ", ".join(_neighbour_name(kg, n) for n in items[:12])
            + (f" (+{len(items) - 12})" if len(items) > 12 else "")
        )
    if e.source_text:
        con.print("[bold]notes[/]:")
        for src, text in e.source_text[:8]:
            origin = kg.line_origin(src.file, src.line)  # an Anki package's note and field
            where = f"{src.file}:{src.line}" + (f" ({origin})" if origin else "")
            markers = " ".join(stale_marker(f) for f in line_stale(kg, src.file, src.line))
            con.print(f"  {_esc(where)}: {_esc(text[:200])}"
                      + (f" [red]{_esc(markers)}[/]" if markers else ""))
    _print_stale_messages(lim.stale for lim in e.limits)


def _limits_table(limits, con) -> None:
    """An entity's limits: subject, value (and stale marker), unit, kind and the line, whole (with
    its file when the limits come from more than one)."""
    from .tables import Table

    table = Table("subject", "value", "unit", "kind", "line", title="limits", show_lines=True)
    files = len({lim.source.file for lim in limits}) > 1
    for lim in limits:
        where = f"{lim.source.file}:{lim.source.line}" if files else str(lim.source.line)
        table.add_row(_text(lim.subject), _value_text(lim.display, lim.stale, lim.conflict, lim.unsure),
                      _text(lim.unit or ""), _text(lim.kind), _text(f"{where}: {lim.line_text}"))
    con.print(table)


def _neighbour_name(kg, n) -> str:
    """A neighbour's name; a limit's with its value (`Lambda: layers = 5 layers`)."""
    if n.type != "limit" or n.id not in kg:
        return _esc(n.name)
    lim = kg.limit(n.id)
    return f"{_esc(n.name)} = {_value_cell(lim.display, lim.stale)}"


@app.command()
def related(
    entity: str = typer.Argument(..., help="Name, alias or id."),
    depth: int = typer.Option(1, "--depth", "-d", help="Steps away, 1-3."),
    type_: str = typer.Option(None, "--type", "-t", help="Only these types, comma-separated."),
    relation: str = typer.Option(None, "--relation", "-r", help="Only these relations, comma-separated."),
    limit: int = typer.Option(25, "--limit", "-n", min=1, help="How many neighbours."),
    graph: Path = GraphOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Neighbours of an entity, ranked by evidence and specificity, with the lines that say so."""
    kg = _kg(graph)
    types = _choices("--type", type_, _concept_types())
    # The graph's own relations (typed ones come from the notes); stats() reads a store's summary.
    rels = _choices("--relation", relation, sorted(kg.stats()["relations"]), fold=str.upper)
    found = kg.related(entity, depth=depth, types=types, relations=rels, limit=limit)
    if json_out:
        _print_json([n.to_dict() for n in found])
        return
    from rich.table import Table

    table = Table(show_header=True, title=f"related to {_esc(entity)}")
    for col in ("relation", "neighbour", "type", "depth", "evidence"):
        table.add_column(col, overflow="fold")
    for n in found:
        arrow = "→" if n.direction == "out" else "←"
        ev = f"{n.evidence[0].line}: {n.evidence_text[0][:80]}" if n.evidence and n.evidence_text else ""
        table.add_row(f"{arrow} {_esc(n.relation)}", _esc(n.name), _esc(n.type), str(n.depth), _esc(ev))
    _console().print(table)


@app.command()
def compare(a: str, b: str, graph: Path = GraphOpt, json_out: bool = JsonOpt) -> None:
    """Two entities side by side: definitions, every note line of each side (whole, wrapped) and
    their limits; values AWS states otherwise today flagged beside them."""
    kg = _kg(graph)
    data = kg.compare(a, b)
    if json_out:
        _print_json(data)
        return
    from rich.table import Table

    from .study.stale import line_marker, stale_marker

    table = Table(show_header=True, show_lines=True)
    table.add_column("", style="bold")
    table.add_column(_esc(data["a"]["name"]), overflow="fold")
    table.add_column(_esc(data["b"]["name"]), overflow="fold")
    table.add_row("type", _esc(data["a"]["type"]), _esc(data["b"]["type"]))

    def definition(side: dict) -> str:
        src = side.get("definition_source")
        return _esc(side["definition"]) + (f"\n[dim](line {src['line']})[/]" if src else "")

    table.add_row("definition", definition(data["a"]), definition(data["b"]))

    def lines(side: dict) -> str:
        return "\n".join(f"{x['line']}: {_esc(x['text'])}"
                         + (f" [red]{_esc(line_marker(x['stale']))}[/]" if x.get("stale") else "")
                         for x in side["lines"])

    table.add_row("notes", lines(data["a"]), lines(data["b"]))

    def lims(side: dict) -> str:
        return "\n".join(f"{_esc(x['subject'])}: {_esc(x['display'])}"
                         + (f" [red]{_esc(stale_marker(x['stale']))}[/]" if x.get("stale") else "")
                         for x in side["limits"])

    if data["a"]["limits"] or data["b"]["limits"]:
        table.add_row("limits", lims(data["a"]), lims(data["b"]))
    for row in data.get("attributes", []):
        # A row of a table the notes compare them in: its label, each side's cell.
        label = f"{row['attribute'] or 'row'} ({row['source']['line']})"
        table.add_row(_esc(label), _esc(row["a"]), _esc(row["b"]))
    _console().print(table)
    if data["contrasted"]:
        _console().print("[dim]the notes contrast these two[/]")
    _print_stale_messages(x.get("stale") for side in (data["a"], data["b"]) for x in side["limits"])


# ---------------------------------------------------------------------------- export and quiz


@app.command()
def export(
    entities: list[str] = typer.Argument(
        None, help="Entities the subgraph starts from (none with --missing)."
    ),
    fmt: str = typer.Option(
        ...,
        "--format",
        "-f",
        help="graphml, gexf, json, mermaid, dot, markdown, anki, csv, cypher, obsidian.",
    ),
    depth: int = typer.Option(1, "--depth", "-d", help="Steps away, 0-3."),
    types: str = typer.Option(None, "--types", "-t", help="Only these entity types, comma-separated."),
    output: Path = typer.Option(None, "--output", "-o", help="File (or folder, for obsidian) to write."),
    nodes: Path = typer.Option(None, "--nodes", help="csv: write the nodes table here."),
    edges: Path = typer.Option(None, "--edges", help="csv: write the edges table here."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that exist."),
    missing: bool = typer.Option(
        False, "--missing", help="Instead: a checklist of the exam's services your notes miss (markdown)."
    ),
    exam: str = typer.Option("DVA-C02", "--exam", "-e", help="With --missing: the exam guide."),
    graph: Path = GraphOpt,
) -> None:
    """Export a study subgraph in a format students' tools open (or, with --missing, a checklist)."""
    from . import export as exporter

    if missing and entities:
        raise UsageError("--missing exports the exam's checklist: name no entities with it")
    if not missing and not entities:
        raise UsageError("name at least one entity to export (or pass --missing --exam CODE)")
    kg = _kg(graph)
    if missing:
        result = exporter.export_checklist(kg, exam, fmt, output=output, force=force)
    else:
        type_list = _choices("--types", types, _concept_types())
        sub = kg.subgraph(entities, depth=depth, types=type_list)
        result = exporter.export(kg, sub, fmt, output=output, nodes=nodes, edges=edges, force=force)
    if result is not None:
        if isinstance(result, bytes):
            sys.stdout.buffer.write(result)
        else:
            if sys.stdout.isatty():  # shown, not piped: nothing of the notes may drive the terminal
                result = visible(result)
            sys.stdout.write(result if result.endswith("\n") else result + "\n")


@app.command()
def quiz(
    service: str = typer.Argument(None, help="Only questions about this service."),
    n: int = typer.Option(10, "-n", min=1, max=200, help="How many questions."),
    seed: int = typer.Option(None, "--seed", help="Same seed, same quiz."),
    answers: bool = typer.Option(False, "--answers", help="Print questions with answers, no prompting."),
    anki: Path = typer.Option(None, "--anki", help="Write the questions as an Anki deck (.apkg) here."),
    force: bool = typer.Option(False, "--force", help="Overwrite the --anki file if it exists."),
    graph: Path = GraphOpt,
    json_out: bool = JsonOpt,
) -> None:
    """A multiple-choice quiz generated from the graph."""
    from .study import make_quiz, run_terminal_quiz

    kg = _kg(graph)
    questions = make_quiz(kg, service=service, n=n, seed=seed)
    if anki is not None:
        from .graph import atomic_write
        from .study import anki_deck

        atomic_write(anki, anki_deck(questions), force=force)
        _console(stderr=True).print(f"wrote {len(questions)} questions to {_esc(anki)}")
        return
    if json_out:
        _print_json([q.to_dict() for q in questions])
        return
    run_terminal_quiz(questions, console=_console(), show_answers=answers or not sys.stdin.isatty())


# ---------------------------------------------------------------------------- coverage


@app.command()
def coverage(
    exam: str = typer.Option("DVA-C02", "--exam", "-e", help="CLF-C02, DVA-C02, SAA-C03, SOA-C02, SOA-C03."),
    graph: Path = GraphOpt,
    json_out: bool = JsonOpt,
) -> None:
    """What your notes miss: each in-scope service of an exam guide, covered, thin or missing."""
    from .study.coverage import coverage_report, exam_guide

    guide = exam_guide(exam)  # an unknown exam is refused before the graph is loaded
    report = coverage_report(_kg(graph), guide.code)
    if json_out:
        _print_json(report.to_dict())
        return
    from rich.table import Table

    con = _console()
    con.print(f"[bold]{_esc(report.summary)}[/]")
    version = f"version {guide.version}" if guide.version else "version not verified"
    con.print(f"[dim]{_esc(guide.title)} exam guide ({version}):[/]")
    con.print(f"[dim]{_esc(guide.url)}[/]")
    table = Table(show_header=True)
    for col in ("group", "service", "status", "in your notes"):
        table.add_column(col, overflow="fold")
    colour = {"covered": "green", "thin": "yellow", "missing": "red"}
    for group, items in report.by_group():
        for i, s in enumerate(items):
            notes = s.how if s.status != "missing" else "never named; nearby: " + (
                ", ".join(name for _n, name in s.nearby) or "nothing")
            table.add_row("" if i else _esc(group), _esc(s.name), f"[{colour[s.status]}]{s.status}[/]",
                          _esc(notes), end_section=i == len(items) - 1)
    con.print(table)
    if report.out_of_scope_in_notes:
        names = ", ".join(s.name for s in report.out_of_scope_in_notes)
        con.print(f"out of scope for {guide.code} but in your notes: {_esc(names)}")


# ---------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: AwskgError -> one line on stderr and its exit code, never a traceback."""
    try:
        return _main(argv)
    finally:
        # What _kg froze for the command is collectable again: main() may run inside a longer
        # process (tests, a notebook), whose garbage must not stay frozen.
        gc.unfreeze()


def _click_error() -> type[Exception]:
    # typer < 0.29 carries its own copy of click (typer._click) and >= 0.29 uses click itself: the
    # base class of typer's public BadParameter is the ClickException of whichever is in use.
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _main(argv: list[str] | None) -> int:
    try:
        rc = app(args=argv, standalone_mode=False, prog_name="awskg")
    except AwskgError as err:
        sys.stderr.write(f"awskg: error: {visible(err, one_line=True)}\n")
        return err.exit_code
    except typer.Exit as ex:
        return ex.exit_code
    except (KeyboardInterrupt, BrokenPipeError):
        return 130
    except typer.Abort:
        return 130
    except Exception as err:  # noqa: BLE001 - the last guard: a one-line message, not a traceback
        if isinstance(err, _click_error()):  # a usage error: missing argument, bad option value
            ctx = getattr(err, "ctx", None)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            sys.stderr.write(f"awskg: error: {visible(err.format_message() + hint, one_line=True)}\n")
            return err.exit_code
        if os.environ.get("AWSKG_DEBUG"):
            raise
        message = visible(f"{err.__class__.__name__}: {err}", one_line=True)
        sys.stderr.write(f"awskg: internal error: {message} (set AWSKG_DEBUG=1 for details)\n")
        return 70
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":
    sys.exit(main())
