"""notebooks/explore.ipynb: committed without outputs, public API only, and runs top to bottom.

The notebook is executed here with nbclient (rather than nbmake) so the run can be checked for what
each cell shows: a table where the heading promises one, a picture under a chart or a drawing, and
a kernel that is this interpreter (the venv the test command installed awskg into).
"""

from __future__ import annotations

import ast
import copy
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
# Appended to the executed copy only: which interpreter ran the cells, and which awskg they imported.
PROBE = "import sys\nimport awskg\nprint(sys.executable)\nprint(awskg.__file__)"


def _committed() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def _code(cell: nbformat.NotebookNode) -> str:
    """A cell's source as Python: IPython magics and shell lines (`%matplotlib inline`) dropped."""
    return "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))


def _private_uses(source: str) -> list[str]:
    """Private names a cell reaches for: `awskg._x` modules, `from awskg.m import _f`, `kg._attr`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if any(p.startswith("_") for p in a.name.split("."))]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if any(p.startswith("_") for p in module.split(".")):
                found.append(module)
            if module.split(".")[0] == "awskg":
                found += [f"{module}.{a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_") and not re.fullmatch(r"__\w+__", node.attr):
                found.append(node.attr)
    return found


def _heading(cells: list[nbformat.NotebookNode], index: int) -> str:
    """The nearest markdown heading above cell `index`."""
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def _snapshot() -> dict[str, tuple[int, int]]:
    """Size and mtime of every file in notebooks/ and graph/: what a run must leave alone. The
    graph's query store is not among them: git ignores it, and any query writes it again when the
    code that made it has changed (store.py)."""
    return {str(p.relative_to(ROOT)): (p.stat().st_size, p.stat().st_mtime_ns)
            for folder in (NOTEBOOK.parent, ROOT / "graph") for p in sorted(folder.rglob("*"))
            if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
            and not p.name.endswith(".json.sqlite")}


@pytest.fixture(scope="module")
def run() -> dict:
    nb = copy.deepcopy(_committed())
    nb.cells += [nbformat.v4.new_markdown_cell("## Test probe"), nbformat.v4.new_code_cell(PROBE)]
    before = _snapshot()
    # Run where Jupyter would: in the notebook's own folder.
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    return {"notebook": nb, "before": before, "after": _snapshot()}


@pytest.fixture(scope="module")
def executed(run: dict) -> nbformat.NotebookNode:
    return run["notebook"]


def test_notebook_is_committed_with_outputs_stripped():
    cells = [c for c in _committed().cells if c.cell_type == "code"]
    assert cells, "the notebook has no code cells"
    dirty = [i for i, c in enumerate(cells) if c.outputs != [] or c.execution_count is not None]
    assert dirty == [], f"code cells {dirty} carry outputs or execution counts; strip them before committing"


def test_notebook_kernel_is_python3():
    assert _committed().metadata["kernelspec"]["name"] == "python3"


def test_notebook_reaches_into_no_private_module_or_name():
    cells = _committed().cells
    offenders = {i: _private_uses(_code(c)) for i, c in enumerate(cells) if c.cell_type == "code"}
    assert {i: names for i, names in offenders.items() if names} == {}


def test_private_name_check_catches_private_imports_and_attributes():
    # The check above would pass vacuously if _private_uses saw nothing; show it sees each form.
    assert _private_uses("import awskg._cache") == ["awskg._cache"]
    assert _private_uses("from awskg.graph import _fold, load") == ["awskg.graph._fold"]
    assert _private_uses("from awskg._x import y") == ["awskg._x"]
    assert _private_uses("kg._search_index") == ["_search_index"]
    assert _private_uses("import awskg\nawskg.load().graph.__class__") == []


def test_every_code_cell_has_a_heading_above_it():
    cells = _committed().cells
    missing = [i for i, c in enumerate(cells) if c.cell_type == "code" and not _heading(cells, i)]
    assert missing == []
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")


def test_notebook_runs_top_to_bottom_in_the_test_interpreter(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in code[-1].outputs if o.output_type == "stream").split()
    assert Path(printed[0]).resolve() == Path(sys.executable).resolve()
    assert Path(printed[1]).resolve().is_relative_to(ROOT / "src" / "awskg")


def test_every_code_cell_shows_a_result(executed):
    cells = executed.cells
    silent = [_heading(cells, i) for i, c in enumerate(cells) if c.cell_type == "code" and not c.outputs]
    assert silent == []


def _data(cell: nbformat.NotebookNode) -> set[str]:
    shown = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
    return {mime for o in shown for mime in o.data}


def test_charts_and_drawings_show_a_picture(executed):
    cells = executed.cells
    pictured = [(_heading(cells, i), "image/png" in _data(c)) for i, c in enumerate(cells)
                if c.cell_type == "code" and re.search(r"\b(chart|drawn)\b", _heading(cells, i))]
    assert len(pictured) >= 2
    assert all(has_png for _, has_png in pictured), pictured


def test_tables_show_a_table(executed):
    cells = executed.cells
    promise = re.compile(r"\b(table|ranked|most connected|by type|compare|search)\b", re.I)
    tabled = [(_heading(cells, i), "text/html" in _data(c)) for i, c in enumerate(cells)
              if c.cell_type == "code" and promise.search(_heading(cells, i))]
    assert len(tabled) >= 5
    assert all(has_table for _, has_table in tabled), tabled


def test_exports_show_the_study_sheet_and_the_deck(executed):
    cells = executed.cells
    by_heading = {_heading(cells, i): c for i, c in enumerate(cells) if c.cell_type == "code"}
    sheet = next(c for h, c in by_heading.items() if "Markdown" in h)
    deck = next(c for h, c in by_heading.items() if "Anki" in h)
    shown = [o.data["text/markdown"] for o in sheet.outputs if "text/markdown" in o.get("data", {})]
    assert shown and shown[0].startswith("# ")
    printed = "".join(o.get("text", "") for o in deck.outputs if o.output_type == "stream")
    assert re.search(r"\.apkg: [\d,]+ bytes, [1-9]\d* cards", printed), printed
    assert "text/html" in _data(deck)


def test_notebook_writes_nothing_into_the_repository(run):
    # Exports go to a temporary folder; the notebook and the committed graph stay as they were.
    assert run["after"] == run["before"]
