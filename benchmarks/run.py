"""The awskg benchmark: one command, one table.

    .venv/bin/python benchmarks/run.py            # notes at 1×, 10×, 100× and the format samples
    .venv/bin/python benchmarks/run.py --quick    # 1× and 2×, one run each: under a minute

Every figure is the median of several runs (`--runs`) with its spread, and sits beside a floor
measured in the same run, interleaved with it, so a busy machine slows both alike:

  figure                         floor
  build time, peak RSS           spaCy `blank("en")` tokenising the same lines, in a fresh process
  graph file and store size      the notes' own size
  load time (into memory)        `json.load` of the same graph file
  search p50 / p99 (warm)        a linear scan of the lowered note lines for any query word
  cold `awskg search`/`limits`/  `python -c "import networkx"`
  `show`, `--json` and tables
  first query after a build      the same cold `search --json` run right after it (not slower)

`awskg build` writes the graph's query store beside it (store.py); a cold command opens the store
and reads the rows its answer needs. `first ever` runs a cold search on a copy of the graph with no
store (a fresh clone: the command writes the store first). `first search, in memory` is the first
query of a graph parsed into memory (`awskg.load(store=False)`: it builds the search index);
`first search, from the store` that of `awskg.load()`. `app: first result` is the explorer's first
search after its page has loaded (Streamlit's AppTest, in a fresh process).

Builds run in subprocesses with `--no-cache` (the per-file cache would hide parse time); their
peak RSS is the larger of `os.wait4`'s and the summed RSS of the process tree sampled every 50 ms
(a build of many files parses them in worker processes). awskg's bytecode is compiled first and
child processes may use it (as an installed awskg does), whatever PYTHONDONTWRITEBYTECODE says.
Queries run in a worker process per graph (`--worker`), so one corpus's memory never weighs on
the next. The scaling rows are the log-log slope of build time and
peak RSS against input bytes across the notes scales.

`--json FILE` writes the rows as data (the CI test reads it); `--markdown FILE` writes the table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared"
DEV_QUERIES = SHARED / "eval" / "queries_dev.jsonl"
SAMPLES = {
    "markdown sample": SHARED / "eval" / "formats" / "sample_notes.md",
    "anki sample": SHARED / "eval" / "formats" / "sample_anki.txt",
}
COLD_QUERY = "sqs max message size"
MB = 1024 * 1024

# The targets: (corpus label or None for every corpus, figure) -> (kind, bound, wording).
# kind "ratio" bounds figure/floor; "value" bounds the figure itself (in the figure's base unit).
TARGETS: dict[tuple[str | None, str], tuple[str, float, str]] = {
    ("notes 100×", "build time"): ("ratio", 6.0, "≤ 6× floor"),
    ("notes 100×", "peak RSS (build)"): ("value", 1024 * MB, "≤ 1 GB"),
    (None, "load time (into memory)"): ("ratio", 3.0, "≤ 3× floor"),
    ("notes 100×", "search p50 (warm)"): ("value", 0.020, "≤ 20 ms"),
    ("notes 1×", "search p50 (warm)"): ("value", 0.002, "≤ 2 ms"),
    ("notes 100×", "peak RSS (cold search --json)"): ("value", 150 * MB, "≤ 150 MB"),
    ("notes 100×", "app: first result"): ("value", 1.0, "≤ 1.0 s"),
    # Not slower than later ones; the spread of cold commands on 2 busy cores is about ±10%.
    (None, "cold search --json, first after build"): ("ratio", 1.1, "≤ 1.1× the next"),
    (None, "scaling exponent: build time"): ("value", 1.1, "≤ 1.1"),
    (None, "scaling exponent: peak RSS"): ("value", 1.1, "≤ 1.1"),
}
COLD_SCALES = ("notes 1×", "notes 10×", "notes 100×")
for _corpus in COLD_SCALES:
    for _cmd in ("search", "limits", "show"):
        TARGETS[(_corpus, f"cold {_cmd} --json")] = ("ratio", 1.0, "≤ 1.0× floor")
        TARGETS[(_corpus, f"cold {_cmd} (table)")] = ("ratio", 1.2, "≤ 1.2× floor")

TOKENISE = """
import sys, spacy
nlp = spacy.blank("en")
lines = [ln for p in sys.argv[1:] for ln in open(p, encoding="utf-8").read().split("\\n") if ln.strip()]
for _ in nlp.pipe(lines, batch_size=512):
    pass
"""
IMPORT_NETWORKX = "import networkx"


@dataclass
class Corpus:
    label: str
    path: Path  # a folder of notes, or one file
    files: list[Path]
    size: int  # bytes of notes
    scale: int | None = None  # copies of the deck, for the scaling rows


@dataclass
class Row:
    corpus: str
    figure: str
    unit: str  # s | bytes | exponent
    values: list[float]
    floor: str = ""
    floor_values: list[float] = field(default_factory=list)
    target: str = ""
    met: bool | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def floor_median(self) -> float | None:
        return statistics.median(self.floor_values) if self.floor_values else None

    @property
    def ratio(self) -> float | None:
        fm = self.floor_median
        return self.median / fm if fm else None

    @property
    def spread(self) -> float:
        """Half the range of the runs, as a fraction of the median."""
        if len(self.values) < 2 or not self.median:
            return 0.0
        return (max(self.values) - min(self.values)) / 2 / abs(self.median)

    def to_dict(self) -> dict:
        return {**asdict(self), "median": self.median, "floor_median": self.floor_median,
                "ratio": self.ratio, "spread": self.spread}


# ---------------------------------------------------------------------------- processes


def awskg_command() -> list[str]:
    exe = Path(sys.executable).parent / "awskg"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "awskg.cli"]


def run_child(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
              timeout: float = 7200, ok_codes: Sequence[int] = (0,)) -> tuple[float, int, str]:
    """(wall seconds, peak RSS bytes, stdout) of one child process; a failure stops the benchmark."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err)
        deadline = start + timeout
        tree_peak, next_sample = 0, start
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if now > deadline:
                proc.kill()
                raise SystemExit(f"benchmark: timed out after {timeout:.0f} s: {' '.join(cmd)[:200]}")
            if now >= next_sample:
                tree_peak, next_sample = max(tree_peak, tree_rss(proc.pid)), now + 0.05
            time.sleep(0.002)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode not in ok_codes:
        what = " ".join(cmd)[:200]
        raise SystemExit(f"benchmark: {what} exited {proc.returncode}: {stderr.strip()[-500:]}")
    return wall, max(usage.ru_maxrss * 1024, tree_peak), stdout


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants now (Linux /proc; 0 elsewhere). A build
    that parses in worker processes holds memory in all of them; `wait4` reports only the
    largest one. Pages the workers share with their parent count once per process: an upper bound."""
    total, todo = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * page
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue  # gone between two reads, or no /proc
    return total


def store_file(graph: Path) -> Path:
    from awskg.store import store_path

    return store_path(graph)


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def child_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["AWSKG_CACHE"] = str(work / "cache")  # never the working tree's .awskg-cache
    env.pop("AWSKG_GRAPH", None)
    # Bytecode as an installed awskg has it: a session may forbid writing it, and then every
    # process would compile awskg's modules again (~0.1 s a command), which no student's does.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# ---------------------------------------------------------------------------- corpora


def make_corpora(work: Path, scales: Sequence[int], notes: list[str]) -> list[Corpus]:
    sys.path.insert(0, str(HERE))
    from corpus import write_corpus

    out = []
    for scale in scales:
        folder = work / f"notes-{scale}x"
        files = write_corpus(scale, folder)
        out.append(Corpus(f"notes {scale}×", folder, files, sum(f.stat().st_size for f in files), scale))
    for label, path in SAMPLES.items():
        if path.is_file():
            out.append(Corpus(label, path, [path], path.stat().st_size))
        else:
            notes.append(f"{label}: {path} is missing, so its rows are left out")
    return out


# ---------------------------------------------------------------------------- measurements


def measure_build(corpus: Corpus, work: Path, runs: int,
                  log: Callable[[str], None]) -> tuple[list[Row], Path]:
    graph = work / "graphs" / f"{slug(corpus.label)}.json"
    graph.parent.mkdir(parents=True, exist_ok=True)
    env = child_env(work)
    build_cmd = [*awskg_command(), "build", "--no-cache", "--json", "--force", "-o", str(graph),
                 str(corpus.path)]
    floor_cmd = [sys.executable, "-c", TOKENISE, *map(str, corpus.files)]
    first_cmd = [*awskg_command(), "search", COLD_QUERY, "--json", "-g", str(graph)]
    times, rss, floor_times, floor_rss, first, second = [], [], [], [], [], []
    for i in range(runs):
        t, m, _ = run_child(floor_cmd, work, env)
        floor_times.append(t)
        floor_rss.append(m)
        t, m, _ = run_child(build_cmd, work, env)
        times.append(t)
        rss.append(m)
        # The first query after the build (it reads what the build wrote), then the same query again:
        # a pair, so both run in the same state of a machine other work keeps busy.
        first.append(run_child(first_cmd, work, env, ok_codes=(0, 1))[0])
        second.append(run_child(first_cmd, work, env, ok_codes=(0, 1))[0])
        log(f"  build {corpus.label} run {i + 1}/{runs}: {t:.2f} s, {m / MB:.0f} MB "
            f"(tokenise {floor_times[-1]:.2f} s); first search after it {first[-1]:.2f} s, "
            f"the next {second[-1]:.2f} s")
    floor = 'spaCy blank("en") tokenising'
    rows = [
        Row(corpus.label, "build time", "s", times, floor, floor_times),
        Row(corpus.label, "peak RSS (build)", "bytes", [float(x) for x in rss], floor,
            [float(x) for x in floor_rss]),
        Row(corpus.label, "graph file size", "bytes", [float(graph.stat().st_size)], "notes size",
            [float(corpus.size)]),
        Row(corpus.label, "store file size", "bytes", [float(store_file(graph).stat().st_size)], "notes size",
            [float(corpus.size)]),
    ]
    rows.append(Row(corpus.label, "cold search --json, first after build", "s", first,
                    "the search after it", second))
    return rows, graph


def measure_queries(corpus: Corpus, graph: Path, work: Path, runs: int, rounds: int, n_queries: int,
                    log: Callable[[str], None]) -> tuple[list[Row], dict]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(graph), "--runs", str(runs),
           "--rounds", str(rounds), "--queries", str(n_queries), *map(str, corpus.files)]
    _, _, out = run_child(cmd, work, child_env(work))
    data = json.loads(out)
    p50 = statistics.median(data["search_p50"])
    log(f"  queries {corpus.label}: {data['queries']} queries, p50 {p50 * 1e3:.2f} ms")
    scan = "linear scan of note lines"
    rows = [
        Row(corpus.label, "load time (into memory)", "s", data["load"], "json.load", data["json_load"]),
        Row(corpus.label, "first search, in memory (builds index)", "s", data["first_search"]),
        Row(corpus.label, "open (store)", "s", data["open"]),
        Row(corpus.label, "first search, from the store", "s", data["first_search_stored"]),
        Row(corpus.label, "search p50 (warm)", "s", data["search_p50"], scan, data["scan_p50"]),
        Row(corpus.label, "search p99 (warm)", "s", data["search_p99"], scan, data["scan_p99"]),
    ]
    return rows, data


def measure_cold(corpus: Corpus, graph: Path, service: str, work: Path, runs: int,
                 log: Callable[[str], None], small_runs: int | None = None) -> list[Row]:
    """Each command in a fresh process, as a student's shell runs it, beside `import networkx`."""
    env = child_env(work)
    base = awskg_command()
    commands = {
        "cold search --json": [*base, "search", COLD_QUERY, "--json", "-g", str(graph)],
        "cold search (table)": [*base, "search", COLD_QUERY, "-g", str(graph)],
        "cold limits --json": [*base, "limits", service, "--json", "-g", str(graph)],
        "cold limits (table)": [*base, "limits", service, "-g", str(graph)],
        "cold show --json": [*base, "show", service, "--json", "-g", str(graph)],
        "cold show (table)": [*base, "show", service, "-g", str(graph)],
    }
    floor_cmd = [sys.executable, "-c", IMPORT_NETWORKX]
    run_child(commands["cold search --json"], work, env)  # (the store is there: the build wrote it)
    # A cold command is a few hundred ms at every size (it reads the store) that the other load on
    # 2 cores moves by ±20%: more runs (`small_runs`), as they are cheap. A fresh clone's first
    # command parses the whole graph file (seconds at 100×): `runs` of those.
    n = max(small_runs or runs, runs)
    times: dict[str, list[float]] = {name: [] for name in commands}
    floor, fresh, rss = [], [], []
    for i in range(n):
        floor.append(run_child(floor_cmd, work, env)[0])
        for name, cmd in commands.items():
            t, m, _ = run_child(cmd, work, env)
            times[name].append(t)
            if name == "cold search --json":
                rss.append(float(m))
        if i >= runs and not (small_runs and graph.stat().st_size <= 5 * MB):
            continue
        # A fresh clone: the graph file without its store, which the first command writes.
        clone = work / "clones" / f"{slug(corpus.label)}-{i}" / graph.name
        clone.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(graph, clone)
        fresh.append(run_child([*base, "search", COLD_QUERY, "--json", "-g", str(clone)], work, env)[0])
        shutil.rmtree(clone.parent, ignore_errors=True)
    medians = ", ".join(f"{k[5:]} {statistics.median(v):.2f} s" for k, v in times.items())
    log(f"  cold {corpus.label}: {medians}, first ever {statistics.median(fresh):.2f} s; "
        f"import networkx {statistics.median(floor):.2f} s; "
        f"search --json peak RSS {statistics.median(rss) / MB:.0f} MB")
    rows = [Row(corpus.label, name, "s", values, "import networkx", floor) for name, values in times.items()]
    rows.append(Row(corpus.label, "cold search --json, first ever (no store)", "s", fresh, "import networkx",
                    floor))
    rows.append(Row(corpus.label, "peak RSS (cold search --json)", "bytes", rss))
    return rows


APP_PROBE = """
import json, sys, time
from streamlit.testing.v1 import AppTest
app, query = sys.argv[1], sys.argv[2]
at = AppTest.from_file(app, default_timeout=600)
t0 = time.perf_counter()
at.run()
t1 = time.perf_counter()
at.text_input(key="q").input(query).run()
t2 = time.perf_counter()
assert not at.exception, at.exception
assert at.button(key="hit-0"), "no result shown"
print(json.dumps({"page": t1 - t0, "first": t2 - t1}))
"""


def measure_app(corpus: Corpus, graph: Path, work: Path, runs: int, log: Callable[[str], None]) -> list[Row]:
    """The explorer (app.py): its page loading, then its first search result, in a fresh process
    each run (Streamlit's AppTest runs the script as a browser session would)."""
    env = {**child_env(work), "AWSKG_GRAPH": str(graph)}
    page, first = [], []
    for _ in range(runs):
        _, _, out = run_child([sys.executable, "-c", APP_PROBE, str(REPO / "app.py"), COLD_QUERY], work, env)
        data = json.loads(out.strip().splitlines()[-1])
        page.append(data["page"])
        first.append(data["first"])
    log(f"  app {corpus.label}: page {statistics.median(page):.2f} s, "
        f"first result {statistics.median(first):.2f} s")
    return [Row(corpus.label, "app: page load", "s", page),
            Row(corpus.label, "app: first result", "s", first)]


def warm_up(work: Path, log: Callable[[str], None]) -> None:
    """Compile awskg's modules once, untimed, as installing it does (and as its first run would)."""
    import awskg

    started = time.perf_counter()
    package = Path(awskg.__file__).resolve().parent
    run_child([sys.executable, "-m", "compileall", "-q", str(package)], work, child_env(work))
    log(f"warm-up (bytecode of {package}): {time.perf_counter() - started:.1f} s")


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log y against log x."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    den = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / den if den else float("nan")


def scaling_rows(corpora: list[Corpus], rows: list[Row]) -> list[Row]:
    scaled = sorted((c for c in corpora if c.scale), key=lambda c: c.size)
    if len(scaled) < 2:
        return []
    label = f"notes {scaled[0].scale}×–{scaled[-1].scale}×"
    out = []
    for figure, name in (("build time", "build time"), ("peak RSS (build)", "peak RSS")):
        per = {r.corpus: r for r in rows if r.figure == figure}
        xs = [c.size for c in scaled]
        # One exponent per run index (run i of every scale), so the spread shows how steady it is.
        runs = min(len(per[c.label].values) for c in scaled)
        values = [slope(xs, [per[c.label].values[i] for c in scaled]) for i in range(runs)]
        out.append(Row(label, f"scaling exponent: {name}", "exponent", values))
        if len(scaled) > 2:
            top = scaled[-2:]
            values = [slope([c.size for c in top], [per[c.label].values[i] for c in top])
                      for i in range(runs)]
            out.append(Row(f"notes {top[0].scale}×–{top[1].scale}×", f"scaling exponent: {name}", "exponent",
                           values))
    return out


def apply_targets(rows: list[Row]) -> None:
    for row in rows:
        spec = TARGETS.get((row.corpus, row.figure)) or TARGETS.get((None, row.figure))
        if not spec:
            continue
        kind, bound, wording = spec
        got = row.ratio if kind == "ratio" else row.median
        if got is None or math.isnan(got):
            continue
        row.target = wording
        row.met = got <= bound


# ---------------------------------------------------------------------------- the worker


def worker(graph: Path, files: list[Path], runs: int, rounds: int, n_queries: int) -> dict:
    """Load, first-search, warm-search and scan timings of one graph, as JSON on stdout."""
    import networkx  # noqa: F401 - imported first: `load time` is the parse, not the import

    import awskg

    load, json_load, first, opened, stored = [], [], [], [], []
    kg = None
    for _ in range(runs):
        t0 = time.perf_counter()
        with open(graph, "rb") as fh:
            json.load(fh)
        t1 = time.perf_counter()
        kg = awskg.load(graph, store=False)
        t2 = time.perf_counter()
        kg.search(COLD_QUERY)
        t3 = time.perf_counter()
        kg = awskg.load(graph)  # its store, written by the build
        t4 = time.perf_counter()
        kg.search(COLD_QUERY)
        t5 = time.perf_counter()
        json_load.append(t1 - t0)
        load.append(t2 - t1)
        first.append(t3 - t2)
        opened.append(t4 - t3)
        stored.append(t5 - t4)
        kg = awskg.load(graph)  # a fresh one: the queries below read the store as a script's would
    assert kg is not None
    # Made from a graph in memory (they read every node), asked of the one that reads its store.
    queries = query_set(awskg.load(graph, store=False), n_queries)
    lines = [ln.lower() for f in files for ln in f.read_text(encoding="utf-8").split("\n") if ln.strip()]
    for q in queries:
        kg.search(q, limit=10)  # warm: what a first query loads or caches once is not a query's cost
    p50, p99, s50, s99 = [], [], [], []
    for _ in range(rounds):
        lat, scan = [], []
        for q in queries:
            t0 = time.perf_counter()
            kg.search(q, limit=10)
            t1 = time.perf_counter()
            words = [w for w in q.lower().split() if w]
            _ = [ln for ln in lines if any(w in ln for w in words)]
            t2 = time.perf_counter()
            lat.append(t1 - t0)
            scan.append(t2 - t1)
        p50.append(percentile(lat, 50))
        p99.append(percentile(lat, 99))
        s50.append(percentile(scan, 50))
        s99.append(percentile(scan, 99))
    counts: dict[str, int] = {}
    for lim in kg.limits():
        if lim.service_id:
            counts[lim.service_id] = counts.get(lim.service_id, 0) + 1
    service = max(sorted(counts), key=lambda s: counts[s]) if counts else "sqs"
    return {"load": load, "json_load": json_load, "first_search": first, "open": opened,
            "first_search_stored": stored,
            "search_p50": p50, "search_p99": p99, "scan_p50": s50, "scan_p99": s99, "queries": len(queries),
            "service": service}


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[k]


def query_set(kg, n: int) -> list[str]:  # noqa: ANN001 - an awskg.KnowledgeGraph
    """The dev queries (when ../shared is there) and queries made from the graph the way students
    type them: a service and a limit's subject, a feature with a typo, `A vs B`, a bare name."""
    out = []
    if DEV_QUERIES.is_file():
        text = DEV_QUERIES.read_text(encoding="utf-8")
        out = [json.loads(ln)["query"] for ln in text.splitlines() if ln.strip()]
    rng = random.Random(11)
    g = kg.graph
    limits = sorted(n for n, d in g.nodes(data=True) if d.get("type") == "limit")
    features = sorted(n for n, d in g.nodes(data=True) if d.get("type") == "feature")
    contrasts = sorted((u, v) for u, v, k in g.edges(keys=True) if k == "CONTRASTS_WITH")
    made = []
    while len(out) + len(made) < n and (limits or features):
        pick = rng.random()
        if pick < 0.35 and limits:
            d = g.nodes[rng.choice(limits)]
            cue = rng.choice(["max", "limit", "how long", ""])
            made.append(f"{d.get('service') or ''} {cue} {d.get('subject', '')}")
        elif pick < 0.65 and features:
            name = g.nodes[rng.choice(features)].get("name", "")
            if len(name) > 5:
                i = rng.randrange(1, len(name) - 1)
                name = name[:i] + name[i + 1 :]
            made.append(name)
        elif pick < 0.8 and contrasts:
            u, v = rng.choice(contrasts)
            made.append(f"{g.nodes[u].get('name', u)} vs {g.nodes[v].get('name', v)}")
        elif features:
            made.append(g.nodes[rng.choice(features)].get("name", ""))
    return [q.strip() for q in out + made if q.strip()][:n]


# ---------------------------------------------------------------------------- the table


def fmt_value(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "—"
    if unit == "s":
        if value < 0.001:
            return f"{value * 1e6:.0f} µs"
        if value < 1:
            return f"{value * 1e3:.1f} ms" if value < 0.1 else f"{value * 1e3:.0f} ms"
        return f"{value:.2f} s"
    if unit == "bytes":
        if value >= MB:
            return f"{value / MB:.1f} MB"
        return f"{value / 1024:.0f} KB"
    return f"{value:.2f}"


def table(rows: list[Row]) -> str:
    head = ["corpus", "figure", "median", "spread", "floor", "floor median", "ratio", "target", "met"]
    body = []
    for r in rows:
        ratio = r.ratio
        body.append([
            r.corpus, r.figure, fmt_value(r.median, r.unit), f"±{r.spread * 100:.0f}% (n={len(r.values)})",
            r.floor or "—", fmt_value(r.floor_median, r.unit) if r.floor_values else "—",
            f"{ratio:.2f}×" if ratio is not None else "—", r.target or "—",
            "—" if r.met is None else ("yes" if r.met else "**no**"),
        ])
    widths = [max(len(head[i]), *(len(b[i]) for b in body)) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def machine_line(load_at_start: float | None = None) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")))
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        # Other work on the machine slows figures and floors alike; it is said, not hidden.
        start = f"{load_at_start:.1f} at the start, " if load_at_start is not None else ""
        load = f", load average {start}{os.getloadavg()[0]:.1f} at the end"
    return (f"{cpu}, {os.cpu_count()} CPUs{mem}{load}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1× and 2×, one run each: fits in a minute.")
    ap.add_argument("--runs", type=int, help="Runs per figure (default 3, quick 1).")
    ap.add_argument("--scales", help="Copies of the deck, comma-separated (default 1,10,100; quick 1,2).")
    ap.add_argument("--json", type=Path, help="Write the rows as JSON here.")
    ap.add_argument("--markdown", type=Path, help="Write the table and the machine line here.")
    ap.add_argument("--keep", type=Path, help="Work in this folder and keep it (corpora, graphs).")
    ap.add_argument("--no-app", action="store_true", help="Leave out the explorer app's rows.")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--queries", type=int, default=60, help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)
    if args.worker:
        print(json.dumps(worker(args.worker, args.files, runs, args.rounds or 3, args.queries)))
        return 0
    scales = [int(s) for s in (args.scales or ("1,2" if args.quick else "1,10,100")).split(",")]
    rounds = 2 if args.quick else 5
    n_queries = 30 if args.quick else 60

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    work = args.keep or Path(tempfile.mkdtemp(prefix="awskg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    notes: list[str] = []
    rows: list[Row] = []
    try:
        corpora = make_corpora(work, scales, notes)
        warm_up(work, log)
        for corpus in corpora:
            log(f"{corpus.label}: {len(corpus.files)} file(s), {corpus.size / 1024:.0f} KB")
            build_rows, graph = measure_build(corpus, work, runs, log)
            query_rows, data = measure_queries(corpus, graph, work, runs, rounds, n_queries, log)
            cold_rows = measure_cold(corpus, graph, data["service"], work, runs, log,
                                     small_runs=None if args.quick else max(runs, 7))
            rows += build_rows + query_rows + cold_rows
            if corpus.scale and not args.no_app:
                rows += measure_app(corpus, graph, work, runs, log)
        rows += scaling_rows(corpora, rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    apply_targets(rows)
    text = table(rows)
    machine = machine_line(load_at_start)
    missed = [f"{r.corpus} {r.figure}" for r in rows if r.met is False]
    footer = [f"machine: {machine}",
              f"mode: {'quick' if args.quick else 'full'}, {runs} run(s) a figure, scales {scales}, "
              f"{time.perf_counter() - started:.0f} s in all", *notes]
    footer.append("targets missed: " + "; ".join(missed) if missed else "targets: every one shown is met")
    print(text)
    print("\n".join(footer), flush=True)
    if args.markdown:
        args.markdown.write_text(text + "\n\n" + "\n".join(f"- {x}" for x in footer) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"mode": "quick" if args.quick else "full", "machine": machine,
                                         "scales": scales, "runs": runs, "notes": notes,
                                         "rows": [r.to_dict() for r in rows]}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
