"""The explorer end to end: `streamlit run app.py` in a subprocess, driven in headless Chromium.

Debian's `chromium` package is driven by Playwright (Playwright's own browser downloads cannot be
fetched here). One server reads the committed graph, as a student starts the app; another reads
it plus a small island whose names are markup (see test_app.add_markup_nodes). The time from page load to the
first search result is printed and recorded as a test property, never asserted: speed belongs in
benchmarks/. Screenshots go to tests/artifacts/ (each test prints its path); docs/app.png is
graph-1440x1000.png and docs/app-compare.png is compare-1440x1000.png from there. The first test
also writes its picture to $AWSKG_SCREENSHOT when that is set.
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
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from test_app import IMG, SCRIPT, write_markup_graph

import awskg
from awskg import graphview, views
from awskg.export import FORMATS

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
  return cy.nodes().map(n => ({id: n.id(), label: n.data('label'), focus: n.hasClass('focus'),
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
    """Nodes of the graph once it is drawn around `node_id` (the node in the focus style). While
    the app reruns, the frame of the run before may still be listed beside the new one, first:
    the other graph frames are looked at too."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        drawn = []
        for read in [lambda: drawn_nodes(pg)] + [
                lambda f=f: f.evaluate(NODES_JS) for f in pg.frames if "st_cytoscape" in f.url]:
            try:
                drawn.append(read())
            except Exception:  # noqa: BLE001 - the frame is replaced while the app reruns
                continue
        for nodes in drawn:
            if nodes and [n["id"] for n in nodes if n["focus"]] == [node_id]:
                return nodes
        time.sleep(0.25)
    raise AssertionError(f"the graph never centred on {node_id}")


def settled_positions(pg, node_id: str) -> list[dict]:
    """Nodes of the graph around `node_id` once the layout has stopped moving them (fcose
    animates: a click at a position read mid-layout lands where the node was)."""
    before = wait_for_focus(pg, node_id)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = wait_for_focus(pg, node_id)
        moved = {n["id"]: (n["x"], n["y"]) for n in before}
        if all(abs(moved.get(n["id"], (1e9, 0))[0] - n["x"]) < 0.5
               and abs(moved.get(n["id"], (0, 1e9))[1] - n["y"]) < 0.5 for n in now):
            return now
        before = now
    raise AssertionError(f"the graph around {node_id} never stopped moving")


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
    assert {n["id"] for n in nodes} == set(graphview.neighbourhood(kg, expected, depth=1).sub)
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
    nodes = settled_positions(page, focus)
    # the neighbour drawn farthest from every other node, so the click cannot land on two
    others = [n for n in nodes if n["id"] != focus]

    def room(n: dict) -> float:
        return min((n["x"] - m["x"]) ** 2 + (n["y"] - m["y"]) ** 2 for m in nodes if m is not n)

    target = max(others, key=room)
    frame = page.locator("iframe[title='st_cytoscape.st_cytoscape']").first
    frame.scroll_into_view_if_needed()
    nodes = settled_positions(page, focus)  # positions again, after any scroll and the layout
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
    assert {n["id"] for n in data["nodes"]} == set(kg.subgraph(focus, depth=1).nodes)  # limits and all


# ---------------------------------------------------------------------------- issue 19, at two sizes
#
# Each behaviour of the explorer's second pass, at a desktop and a narrow window. Every test saves
# a screenshot to tests/artifacts/ (named by test and size; not committed) and ends by checking
# that no request left the app's own server.

SIZES = {"1440x1000": (1440, 1000), "800x900": (800, 900)}

# What a student reads of the graph: each label's box on screen, how large its text is drawn, and
# the zoom, reached through Cytoscape's registry as NODES_JS is.
GRAPH_JS = """() => {
  const box = [...document.body.children].find(e => e._cyreg);
  const cy = box && box._cyreg && box._cyreg.cy;
  if (!cy || cy.nodes().length === 0) return null;
  const boxes = cy.nodes().map(n => n.renderedBoundingBox({includeLabels: true, includeOverlays: false}));
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) overlaps++;
  }
  const plain = cy.nodes().not('.focus');
  return {nodes: cy.nodes().length, overlaps, zoom: cy.zoom(), width: cy.width(),
          text_px: Math.min(...plain.map(n => parseFloat(n.style('font-size')))) * cy.zoom(),
          focus_colour: cy.nodes('.focus').style('background-color'),
          type_colours: [...new Set(plain.map(n => n.style('background-color')))]};
}"""


@pytest.fixture(params=list(SIZES))
def sized(browser, request) -> Iterator:
    """A fresh page at one of SIZES, recording requests, dialogs and console messages."""
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.size, pg.requests, pg.console = request.param, [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("console", lambda m: pg.console.append(f"{m.type}: {m.text}"))
    yield pg
    context.close()


def shot(pg, name: str) -> Path:
    """A screenshot of the page as it is, kept as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{pg.size}.png"
    pg.wait_for_timeout(500)  # fonts and the data grid settle
    pg.screenshot(path=str(path))
    print(f"\nscreenshot: {path}")
    return path


def assert_offline(pg, server: dict) -> None:
    hosts = {urlparse(u).netloc for u in pg.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {urlparse(server["url"]).netloc}, hosts


def open_link(pg, server: dict, query: str) -> None:
    pg.goto(f"{server['url']}/?{query}")
    pg.get_by_role("radio", name="Explore").wait_for(state="attached")
    settle(pg)


def graph_state(pg) -> dict:
    return graph_frame(pg).evaluate(GRAPH_JS)


def wait_for_graph(pg, wanted, what: str) -> dict:
    """The graph's state once `wanted(state)` holds (the frame is replaced while the app reruns)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            state = graph_state(pg)
            if state and wanted(state):
                return state
        time.sleep(0.25)
    raise AssertionError(f"the graph never {what}")


def wait_for_nodes(pg, count: int) -> dict:
    return wait_for_graph(pg, lambda s: s["nodes"] == count, f"drew {count} nodes")


def table_cells(pg, nth: int = 0) -> list[dict[str, str]]:
    """The rows of the nth static table on the page, as {column: text}."""
    return pg.locator("[data-testid='stTableStyledTable']").nth(nth).evaluate("""t => {
      const head = [...t.querySelectorAll('thead th')].map(th => th.innerText.trim());
      return [...t.querySelectorAll('tbody tr')].map(tr => Object.fromEntries(
        [...tr.querySelectorAll('th, td')].slice(-head.length).map((c, i) => [head[i], c.innerText.trim()])));
    }""")


def test_the_graph_draws_the_strongest_neighbours_readably(sized, server: dict) -> None:
    kg, pg = server["kg"], sized
    view = graphview.neighbourhood(kg, "service:lambda", depth=1)
    open_link(pg, server, "view=explore&entity=service:lambda&depth=1")
    state = wait_for_nodes(pg, graphview.READABLE + 1)
    assert {n["id"] for n in drawn_nodes(pg)} == set(view.sub)
    assert state["overlaps"] == 0  # no label drawn over another
    assert state["text_px"] >= 8, state  # text a student can read, not 3 px
    assert state["focus_colour"] not in state["type_colours"]
    shot(pg, "graph")
    # the page scrolls under the wheel; the graph keeps its zoom
    frame = pg.locator("iframe[title='st_cytoscape.st_cytoscape']").first
    frame.scroll_into_view_if_needed()
    before = frame.bounding_box()
    pg.mouse.move(before["x"] + before["width"] / 2, before["y"] + min(before["height"] / 2, 200))
    pg.mouse.wheel(0, 300)
    pg.wait_for_timeout(500)
    assert frame.bounding_box()["y"] < before["y"] - 100
    assert graph_state(pg)["zoom"] == pytest.approx(state["zoom"])
    # show more, then the graph across the page
    pg.locator(".st-key-graph_more button").click()
    wait_for_nodes(pg, min(graphview.READABLE + graphview.STEP, view.total) + 1)
    width = graph_state(pg)["width"]
    pg.get_by_text("Graph full width").click()
    settle(pg)
    wider = width * (1.5 if pg.size == "1440x1000" else 0.95)  # stacked already when narrow
    wait_for_graph(pg, lambda s: s["width"] > wider, f"grew wider than {wider:.0f} px")
    shot(pg, "graph-wide")
    # a few nodes are drawn no larger than life, not with huge labels
    small = next(n for n in sorted(kg.graph) if kg.graph.nodes[n]["type"] == "feature"
                 and 2 <= graphview.neighbourhood(kg, n).total <= 4)
    open_link(pg, server, f"view=explore&entity={small}")
    state = wait_for_nodes(pg, graphview.neighbourhood(kg, small).total + 1)
    assert state["zoom"] <= 1.0 + 1e-9
    assert_offline(pg, server)


def test_the_quiz_keeps_answers_names_letters_and_scores(sized, server: dict) -> None:
    pg = sized
    open_link(pg, server, "view=quiz&n=3")
    radios = pg.locator("[data-testid='stRadio']").filter(has=pg.locator("label", has_text="A. "))
    expect(radios).to_have_count(3)  # the questions appear one by one as the page renders
    for i in (0, 1):  # the last question is left unanswered
        radios.nth(i).locator("label", has_text="A. ").click()
        settle(pg)
    pg.locator(".st-key-quiz_check button").click()
    pg.get_by_role("heading", name="Score:").wait_for()
    score = pg.get_by_role("heading", name="Score:").inner_text()
    assert score.endswith("· 1 not answered"), score
    # both answers read back among the lettered choices, the unanswered one in a state of its own
    expect(pg.locator("[data-testid='stText']", has_text="← your answer")).to_have_count(2)
    expect(pg.get_by_text("Not answered. The answer is")).to_have_count(1)
    expect(pg.locator("[data-testid='stAlertContentInfo']").first).to_be_visible()
    shot(pg, "quiz")
    assert_offline(pg, server)


def test_limits_sort_by_value_and_show_the_stale_flag_beside_it(sized, server: dict) -> None:
    kg, pg = server["kg"], sized
    open_link(pg, server, "view=limits&service=Lambda")
    rows = table_cells(pg)
    assert [r["subject"] for r in rows] == [lim.subject for lim in views.sort_limits(kg.limits("Lambda"))]
    open_link(pg, server, "view=limits&stale=1")
    rows = table_cells(pg)
    assert rows and all("⚠" in r["value"] for r in rows)
    # nothing cut: no cell holds more than it shows, and no table is wider than the page
    cut = pg.evaluate("""() => [...document.querySelectorAll('[data-testid="stTableStyledTable"] td')]
        .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText)""")
    assert cut == []
    assert pg.evaluate("() => document.documentElement.scrollWidth") <= SIZES[pg.size][0]
    shot(pg, "limits-stale")
    assert_offline(pg, server)


def test_a_link_opens_the_same_page_and_the_address_follows(sized, server: dict) -> None:
    kg, pg = server["kg"], sized
    open_link(pg, server, "view=limits&service=SQS&kind=max")
    expected = views.sort_limits(views.filter_limits(kg.limits("SQS"), kinds=["max"]))
    assert [r["subject"] for r in table_cells(pg)] == [lim.subject for lim in expected]
    open_link(pg, server, "q=lamda+timout")
    expect(pg.get_by_label("Search your notes")).to_have_value("lamda timout")
    pg.locator(".st-key-hit-0 button:visible").click()
    focus = views.hit_target(kg, kg.search("lamda timout", limit=10)[0]).node
    wait_for_focus(pg, focus)
    pg.wait_for_function("n => new URL(location).searchParams.get('entity') === n", arg=focus)
    pg.reload()
    wait_for_focus(pg, focus)
    expect(pg.get_by_label("Search your notes")).to_have_value("lamda timout")
    assert_offline(pg, server)


def test_columns_stack_in_a_narrow_window_and_buttons_keep_their_labels(sized, server: dict) -> None:
    pg = sized
    open_link(pg, server, "view=explore&entity=service:sqs&depth=1")
    graph_frame(pg)
    page_box = pg.locator(".st-key-open_entity").bounding_box()
    heading = pg.get_by_role("heading", name="SQS", exact=True).bounding_box()
    frame = pg.locator("iframe[title='st_cytoscape.st_cytoscape']").first.bounding_box()
    if pg.size == "800x900":  # one column: the graph under the entity page, as wide as the page
        assert frame["y"] > heading["y"] and frame["width"] > page_box["width"] * 0.9
    else:  # side by side
        assert frame["x"] > heading["x"] + heading["width"] and frame["width"] < page_box["width"] * 0.7
    buttons = pg.locator("[data-testid='stDownloadButton'] button:visible")
    labels = buttons.evaluate_all(
        "bs => bs.map(b => [b.innerText.trim(), b.scrollWidth <= b.clientWidth + 1])")
    assert [label for label, _ in labels] == list(FORMATS) and all(fits for _, fits in labels)
    pg.locator(".st-key-export-json").scroll_into_view_if_needed()
    shot(pg, "export-buttons")
    assert_offline(pg, server)


def test_search_says_what_the_notes_lack_and_offers_nothing_far_fetched(sized, server: dict) -> None:
    kg, pg = server["kg"], sized
    absent = kg.unnamed_services("api gateway")
    open_link(pg, server, "q=api+gateway")
    note = pg.get_by_text(views.not_in_notes(absent, bool(kg.search("api gateway", limit=10))))
    if absent:
        note.wait_for()
        assert note.bounding_box()["y"] < pg.locator(".st-key-hit-0 button:visible").bounding_box()["y"]
    # The page's style rules arrive as an element of their own, at times after the first hit: the
    # hit is looked at once they apply (or the wait fails after TIMEOUT_MS, and with it the test).
    pg.wait_for_function("() => [...document.querySelectorAll('.st-key-hit-0 button p')].some("
                         "p => getComputedStyle(p).textDecorationLine === 'underline')")
    link = pg.locator(".st-key-hit-0 button:visible p").first
    style = link.evaluate("p => [getComputedStyle(p).textDecorationLine, getComputedStyle(p).color]")
    assert style[0] == "underline"
    shot(pg, "search-absent")
    open_link(pg, server, "q=xyzzy+plugh")
    pg.get_by_text("Nothing found for").first.wait_for()
    assert pg.get_by_text("Splunk").count() == 0
    assert_offline(pg, server)


def test_the_page_is_quiet_offline(sized, server: dict) -> None:
    pg = sized
    open_link(pg, server, "view=limits")
    pg.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    pg.wait_for_timeout(1000)
    assert pg.get_by_role("button", name="Deploy").count() == 0
    noise = [m for m in pg.console if "Infinite extent" in m or "log scale domain includes zero" in m
             or "stats" in m.lower() and m.startswith("error")]
    assert noise == []
    assert_offline(pg, server)


def download(browser, viewport: dict, server: dict, fmt: str, tries: int = 3):
    """The download the export button of `fmt` gives on a fresh page showing SQS.

    Each try has a page of its own: a click that lands while the app reruns (the graph component
    reports its first value after it draws) is lost, and when a slow first file does arrive late
    Chromium holds back any later download that page starts on its own (the file is made after
    the click, so it no longer counts as the click's): the browser's rule, not the app's."""
    for attempt in range(tries):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        pg.requests = []
        pg.on("request", lambda r, pg=pg: pg.requests.append(r.url))
        try:
            open_link(pg, server, "view=explore&entity=service:sqs")
            wait_for_focus(pg, "service:sqs")
            settle(pg)
            with pg.expect_download(timeout=TIMEOUT_MS // 2) as info:
                pg.locator(f".st-key-export-{fmt} button:visible").click()
            name = info.value.suggested_filename
            assert_offline(pg, server)
            return name
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
        finally:
            context.close()
    raise AssertionError("unreachable")


def test_downloads_carry_their_format_in_the_name(browser, sized, server: dict) -> None:
    for fmt in ("csv", "obsidian", "cypher"):
        expected = views.download_name("service:sqs", fmt, FORMATS[fmt].extension)
        assert download(browser, sized.viewport_size, server, fmt) == expected


def test_compare_lists_the_contrasted_pairs_and_opens_one(sized, server: dict) -> None:
    kg, pg = server["kg"], sized
    pairs = views.contrast_pairs(kg)
    pair = pairs[len(pairs) // 2]
    open_link(pg, server, "view=compare")
    picker = pg.get_by_label(f"Pairs your notes contrast ({len(pairs)})")
    picker.click()
    picker.fill(pair.label)
    pg.get_by_role("option", name=pair.label, exact=True).click()
    settle(pg)
    for node in (pair.a, pair.b):
        pg.get_by_role("heading", name=kg.graph.nodes[node]["name"], exact=True).wait_for()
    pg.wait_for_function("([a, b]) => { const p = new URL(location).searchParams;"
                         " return p.get('a') === a && p.get('b') === b; }", arg=[pair.a, pair.b])
    shot(pg, "compare")
    assert_offline(pg, server)
