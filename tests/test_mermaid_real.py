"""Mermaid exports drawn by Mermaid itself (the library GitHub and Obsidian use), in headless
Chromium: note text holding Mermaid's own syntax (`%%` comments, `%%{init: ...}%%` directives,
quotes, pipes, markup) parses, is drawn as typed, and changes nothing of the diagram's theme.

Mermaid is installed with `npm ci` from tests/mermaid/package.json and its lock file into
build/mermaid-check/ (ignored by git), once, again only when the lock changes. Like the browser
test, in CI (`CI=1`) a missing chromium, node or npm fails the test instead of skipping it.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_browser import CHROMIUM_ARGS, chromium_path
from test_export_safety import TEXTS, directive_graph, evil, mermaid_labels  # noqa: F401 - a fixture

import awskg
from awskg.export import render

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "tests" / "mermaid"
INSTALL = REPO / "build" / "mermaid-check"
MERMAID_JS = INSTALL / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"

RENDER_JS = """async (text) => {
  const id = 'd' + (window.__n = (window.__n || 0) + 1);
  try {
    const {svg} = await mermaid.render(id, text);
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    return {ok: true, id,
            labels: [...doc.querySelectorAll('.nodeLabel')].map(e => e.textContent),
            edges: doc.querySelectorAll('.edgeLabel .edgeLabel, g.edgeLabel').length,
            style: doc.querySelector('style').textContent};
  } catch (e) {
    return {ok: false, error: String(e && e.message || e)};
  }
}"""


def _missing(what: str) -> None:
    message = f"{what} (this test installs Mermaid with npm and draws in Debian's chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def mermaid_js() -> Path:
    """mermaid.min.js, installed from the lock file when it is missing or the lock has changed."""
    lock = INSTALL / "package-lock.json"
    installed = lock.is_file() and filecmp.cmp(lock, SPEC / "package-lock.json", shallow=False)
    if installed and MERMAID_JS.is_file():
        return MERMAID_JS
    npm = shutil.which("npm")
    if not npm:
        _missing("npm is not installed")
    INSTALL.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(SPEC / name, INSTALL / name)
    done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=INSTALL,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not MERMAID_JS.is_file():
        _missing(f"npm ci of Mermaid failed: {done.stderr.strip()[-400:]}")
    return MERMAID_JS


@pytest.fixture(scope="module")
def draw():
    """draw(text) -> what Mermaid made of it: {ok, labels, style} or {ok: False, error}."""
    from playwright.sync_api import sync_playwright

    chromium = chromium_path()
    script = mermaid_js()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(script))
        page.evaluate("() => mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
        yield lambda text: page.evaluate(RENDER_JS, text)
        browser.close()


def _theme(result: dict) -> str:
    """The diagram's stylesheet with its own id taken out: the theme, colours and fonts."""
    return result["style"].replace(result["id"], "ID")


def test_comments_and_directives_in_note_text_are_drawn_as_typed(draw):
    kg, sub = directive_graph()
    text = render(kg, sub, "mermaid")
    drawn = draw(text)
    assert drawn["ok"], drawn.get("error")
    assert sorted(drawn["labels"]) == sorted(mermaid_labels(text).values())
    assert "%%{init: {'theme': 'dark'}}%% Lambda" in drawn["labels"]
    plain = draw(render(*directive_graph(("a", "b", "c", "d")), "mermaid"))
    assert plain["ok"] and sorted(plain["labels"]) == ["a", "b", "c", "d"]
    assert _theme(drawn) == _theme(plain)  # the directive changed nothing


def test_the_old_escaping_fails_in_mermaid_so_this_test_can_tell(draw):
    """Without `%` escaped, Mermaid takes the directive out of the label: the check above sees it."""
    raw = ("flowchart LR\n  n_a[\"%%{init: {'theme': 'dark'}}%%\"]\n"
           "  n_b[\"x %%{init: {'theme': 'forest'}}%%\"]\n")
    drawn = draw(raw)
    assert not drawn["ok"] or sorted(drawn["labels"]) != sorted(["%%{init: {'theme': 'dark'}}%%",
                                                                "x %%{init: {'theme': 'forest'}}%%"])


def test_markup_in_note_text_is_drawn_as_typed(draw, evil):  # noqa: F811 - the fixture
    kg, sub = evil
    text = render(kg, sub, "mermaid")
    drawn = draw(text)
    assert drawn["ok"], drawn.get("error")
    assert set(TEXTS.values()) <= set(drawn["labels"])
    assert sorted(drawn["labels"]) == sorted(mermaid_labels(text).values())
    assert not re.search(r"<\s*script", drawn["style"])


def test_the_committed_graphs_exports_draw(draw):
    kg = awskg.load(REPO / "graph" / "awskg.json")
    for roots in (["lambda"], ["sqs", "sns"], ["kinesis data streams"]):
        sub = kg.subgraph(roots, depth=1)
        text = render(kg, sub, "mermaid")
        drawn = draw(text)
        assert drawn["ok"], (roots, drawn.get("error"))
        assert sorted(drawn["labels"]) == sorted(mermaid_labels(text).values()), roots
