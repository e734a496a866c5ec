"""The explorer end to end: `streamlit run app.py` in a subprocess, driven in headless Chromium.

Debian's `chromium` package is driven by Playwright (Playwright's own browser downloads cannot be
fetched here). One server reads the committed graph, as a student starts the app; another reads
it plus a small island whose names are markup (see test_app.add_markup_nodes). The time from page load to the
first search result is printed and recorded as a test property, never asserted: speed belongs in
benchmarks/. A screenshot goes to tests/artifacts/, and also to $AWSKG_SCREENSHOT when it is set
(that is how docs/app.png is made).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from test_app import IMG, SCRIPT, write_markup_graph

import awskg
from awskg import views

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "graph" / "awskg.json"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Generous: CI machines are shared, and a cold Streamlit page loads a few MB of JavaScript.
TIMEOUT_MS = 120_000

# The Cytoscape instance of the graph component, reached through the registry cytoscape.js
# keeps on its container: lets a test find where a node is drawn, without hooks in the app.
NODES_JS = """() => {
  const box = [...document.body.children].find(e => e._cyreg);
  const cy = box && box._cyreg && box._cyreg.cy;
  if (!cy || cy.nodes().length === 0) return null;
  const r = box.getBoundingClientRect();
  return cy.nodes().map(n => ({id: n.id(), label: n.data('label'), selected: n.selected(),
    x: r.left + n.renderedPosition().x, y: r.top + n.renderedPosition().y}));
}"""


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "chromium is not installed: apt-get install -y chromium (this test drives Debian's chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_app(graph: Path, log: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free port with $AWSKG_GRAPH=graph; yields its URL once healthy."""
    port = free_port()
    env = {**os.environ, "AWSKG_GRAPH": str(graph)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The app on the committed graph, as a student starts it (read-only: nothing writes it)."""
    chromium_path()
    with streamlit_app(COMMITTED, tmp_path_factory.mktemp("browser-log") / "streamlit.log") as url:
        yield {"url": url, "kg": awskg.load(COMMITTED)}


@pytest.fixture(scope="module")
def markup_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The app on the committed graph plus an island of nodes named in markup."""
    chromium_path()
    folder = tmp_path_factory.mktemp("browser-markup")
    graph = write_markup_graph(folder / "graph.json")
    with streamlit_app(graph, folder / "streamlit.log") as url:
        yield {"url": url, "kg": awskg.load(graph)}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh page that records every request and every dialog (alert, confirm) it sees."""
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.requests, pg.dialogs = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))

    def on_dialog(dialog) -> None:
        pg.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()


IDLE_JS = """() => !document.querySelector('[data-testid^="stStatusWidgetRunning"]')
  && !document.querySelector('[data-stale="true"]')"""


def settle(pg) -> None:
    """Wait until the app has finished its rerun and no element of an earlier run is left."""
    pg.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)


def search(pg, query: str) -> None:
    box = pg.get_by_label("Search your notes")
    box.fill(query)
    box.press("Enter")


def open_first_hit(pg, query: str) -> None:
    search(pg, query)
    pg.locator(".st-key-hit-0 button:visible").click()


def graph_frame(pg):
    """The graph component's frame, once Cytoscape has drawn its nodes."""
    pg.locator("iframe[title='st_cytoscape.st_cytoscape']").first.wait_for(state="visible")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        for frame in pg.frames:
            if "st_cytoscape" in frame.url:
                try:
                    if frame.evaluate(NODES_JS):
                        return frame
                except Exception:  # noqa: BLE001 - the frame is replaced while the app reruns
                    pass
        time.sleep(0.25)
    raise AssertionError("the graph component never drew its nodes")


def drawn_nodes(pg) -> list[dict]:
    return graph_frame(pg).evaluate(NODES_JS)


def wait_for_focus(pg, node_id: str) -> list[dict]:
    """Nodes of the graph once it is drawn around `node_id` (the selected node)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        try:
            nodes = drawn_nodes(pg)
        except Exception:  # noqa: BLE001 - the frame is replaced while the app reruns
            nodes = None
        if nodes and [n["id"] for n in nodes if n["selected"]] == [node_id]:
            return nodes
        time.sleep(0.25)
    raise AssertionError(f"the graph never centred on {node_id}")


def test_search_opens_an_entity_and_draws_its_graph(page, server: dict, record_property) -> None:
    kg = server["kg"]
    query = "sqs"
    t0 = time.perf_counter()
    page.goto(server["url"])
    box = page.get_by_label("Search your notes")
    box.wait_for()
    ready = time.perf_counter() - t0
    box.fill(query)
    page.locator(".st-key-hit-0 button:visible").wait_for()
    first_result = time.perf_counter() - t0
    print(f"\npage load to first search result: {first_result:.2f} s "
          f"(search box ready after {ready:.2f} s, result {first_result - ready:.2f} s after typing)")
    record_property("page_load_to_first_result_s", round(first_result, 3))
    record_property("page_load_to_search_box_s", round(ready, 3))

    expected = views.hit_target(kg, kg.search(query, limit=10)[0]).node
    page.locator(".st-key-hit-0 button:visible").click()
    name = kg.graph.nodes[expected]["name"]
    page.get_by_role("heading", name=name, exact=True).wait_for()
    nodes = wait_for_focus(page, expected)
    assert {n["id"] for n in nodes} == set(kg.subgraph(expected, depth=1).nodes)
    assert page.frame_locator("iframe[title='st_cytoscape.st_cytoscape']").locator("canvas").count() > 0
    page.wait_for_timeout(1500)  # let the fonts and the data grid settle before the picture
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app.png"))
    if os.environ.get("AWSKG_SCREENSHOT"):
        target = Path(os.environ["AWSKG_SCREENSHOT"])
        page.screenshot(path=str(target if target.is_absolute() else REPO / target))
    # Offline: every request the page made went to the app's own server (no CDN, no telemetry).
    hosts = {urlparse(u).netloc for u in page.requests if urlparse(u).scheme in ("http", "https", "ws")}
    assert hosts == {urlparse(server["url"]).netloc}, hosts


def test_clicking_a_graph_node_opens_it(page, server: dict) -> None:
    kg = server["kg"]
    page.goto(server["url"])
    open_first_hit(page, "sqs")
    focus = views.hit_target(kg, kg.search("sqs", limit=10)[0]).node
    nodes = wait_for_focus(page, focus)
    # the neighbour drawn farthest from every other node, so the click cannot land on two
    others = [n for n in nodes if n["id"] != focus]

    def room(n: dict) -> float:
        return min((n["x"] - m["x"]) ** 2 + (n["y"] - m["y"]) ** 2 for m in nodes if m is not n)

    target = max(others, key=room)
    frame = page.locator("iframe[title='st_cytoscape.st_cytoscape']").first
    frame.scroll_into_view_if_needed()
    nodes = wait_for_focus(page, focus)  # positions again, after any scroll
    target = next(n for n in nodes if n["id"] == target["id"])
    frame_box = frame.bounding_box()
    page.mouse.click(frame_box["x"] + target["x"], frame_box["y"] + target["y"])
    wait_for_focus(page, target["id"])
    page.get_by_role("heading", name=kg.graph.nodes[target["id"]]["name"], exact=True).wait_for()


def test_markup_in_names_and_notes_is_shown_as_text(page, markup_server: dict) -> None:
    page.goto(markup_server["url"])
    search(page, "alert")
    page.get_by_role("button", name=SCRIPT, exact=True).wait_for()
    page.get_by_role("button", name=IMG, exact=True).wait_for()
    page.get_by_role("button", name=SCRIPT, exact=True).click()
    page.get_by_role("heading", name=SCRIPT, exact=True).wait_for()
    assert page.get_by_text(f"runs {IMG} for *15* minutes", exact=True).is_visible()
    nodes = wait_for_focus(page, "feature:markup-lab/script")
    assert {SCRIPT, IMG} <= {n["label"] for n in nodes}  # drawn on the canvas as the text itself
    page.wait_for_timeout(1000)
    assert page.dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert not page.evaluate("() => [...document.scripts].some(s => s.textContent.includes('alert(1)'))")


def test_an_export_button_downloads_the_graph_on_screen(page, server: dict) -> None:
    kg = server["kg"]
    page.goto(server["url"])
    open_first_hit(page, "sqs")
    focus = views.hit_target(kg, kg.search("sqs", limit=10)[0]).node
    wait_for_focus(page, focus)
    settle(page)
    with page.expect_download() as info:
        page.locator(".st-key-export-json button:visible").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == set(kg.subgraph(focus, depth=1).nodes)
