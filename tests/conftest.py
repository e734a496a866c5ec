"""Shared test fixtures. Small on purpose; each one documents what it gives.

  * `REPO`, `NOTES`, `COMMITTED_GRAPH`: paths in the clone (the committed graph is read-only).
  * `committed_graph` (session): `graph/awskg.json` loaded once. Do not mutate it.
  * `built_graph` / `built_graph_path` (session): `notes/` built afresh into a temp folder, so a
    test can compare the build with the committed graph or write beside it without touching either.
  * `run_cli(args) -> (code, stdout, stderr)`: `awskg.cli.main(args)` with captured output.
  * `run_awskg(args, **kw) -> CompletedProcess`: the CLI in a real subprocess (for tracebacks,
    signals, memory), the way a student's shell runs it.
  * `build_notes(folder, text, name)`: a notes file of `text` written in `folder` and built afresh
    (no cache): the graph a student gets from those notes.

Hypothesis profiles: `ci` (default; 200 examples a property, derandomized so CI is repeatable) and
`thorough` (10,000 a property), chosen with HYPOTHESIS_PROFILE=thorough.

Every test runs with $AWSKG_CACHE pointing into a temp folder, so no build made by a test writes a
`.awskg-cache` into the working tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
NOTES = REPO / "notes"
COMMITTED_GRAPH = REPO / "graph" / "awskg.json"

settings.register_profile(
    "ci", max_examples=200, derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=10_000, derandomize=False, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True, scope="session")
def _isolated_build_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the default build cache at a temp folder for the whole session."""
    mp = pytest.MonkeyPatch()
    mp.setenv("AWSKG_CACHE", str(tmp_path_factory.mktemp("awskg-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def committed_graph():
    import awskg

    return awskg.load(COMMITTED_GRAPH)


@pytest.fixture(scope="session")
def built_graph_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from awskg.builder import build

    out = tmp_path_factory.mktemp("built") / "awskg.json"
    kg = build([NOTES], cache_dir=out.parent / "cache")
    kg.save(out)
    return out


@pytest.fixture(scope="session")
def built_graph(built_graph_path: Path):
    import awskg

    return awskg.load(built_graph_path)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[[Sequence[str]], tuple[int, str, str]]:
    """Call `awskg.cli.main(args)`; return (exit code, stdout, stderr) of that call only."""
    from awskg.cli import main

    def run(args: Sequence[str]) -> tuple[int, str, str]:
        capsys.readouterr()  # drop anything printed before this call
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


CLI_BOOT = "import sys; from awskg.cli import main; sys.exit(main())"


def as_a_user() -> list[str]:
    """A command prefix under which file modes bind as they bind a user. Root reads a mode-000
    file and writes into a read-only folder; with util-linux's setpriv dropping CAP_DAC_OVERRIDE
    and CAP_DAC_READ_SEARCH, root's own files still open and the modes are obeyed."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root: util-linux's setpriv is needed to drop CAP_DAC_OVERRIDE"
    drop = "-dac_override,-dac_read_search"
    return [setpriv, "--bounding-set", drop, "--inh-caps", drop]


@pytest.fixture
def run_awskg() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the CLI in a subprocess with this interpreter; keyword arguments go to subprocess.run."""

    def run(args: Sequence[str], **kw) -> subprocess.CompletedProcess[str]:
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("timeout", 300)
        return subprocess.run([sys.executable, "-c", CLI_BOOT, *map(str, args)], **kw)

    return run


def build_notes(folder: Path, text: str, name: str = "notes.md"):
    """Write `text` as the notes file `name` in `folder` and build it, with no cache."""
    import awskg

    path = folder / name
    path.write_text(text, encoding="utf-8")
    return awskg.build([path], cache_dir=folder / "cache", use_cache=False)
