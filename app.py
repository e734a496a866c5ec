"""awskg explorer: the knowledge graph of your AWS notes, for clicking rather than typing.

    .venv/bin/streamlit run app.py          # $AWSKG_GRAPH picks another graph file

A thin face over the library: every answer is a call into `awskg` (search, entity, related,
subgraph, limits, compare, export, study) and every table or graph is shaped by `awskg.views`.
This is the only module that imports Streamlit. Note text is shown as text (st.text, st.code,
dataframes); the few Markdown labels go through `views.literal_markdown`.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import streamlit as st
from st_cytoscape import cytoscape

import awskg
from awskg import export, graphview, study, urlstate, views
from awskg.graph import CONCEPT_TYPES, MAX_DEPTH, KnowledgeGraph, default_graph_path

# Note text gets the room; numbers and short words keep to their content.
COLUMN_WIDTHS = {"note": "large", "pair": "large", "evidence": "large", "stale": "large", "subject": "medium",
                 "file": "medium",
                 "neighbour": "medium", "service": "small", "value": "small", "unit": "small",
                 "kind": "small", "line": "small", "type": "small", "direction": "small"}

st.set_page_config(page_title="awskg explorer", page_icon="🗺️", layout="wide")
ss = st.session_state


# ---------------------------------------------------------------------------- the graph


@st.cache_resource(show_spinner="Loading the graph…")
def committed_graph(path: str, mtime_ns: int | None) -> KnowledgeGraph:
    # mtime_ns is part of the cache key: a rebuilt graph file is loaded again, an unchanged one never.
    return awskg.load(path)


def current_graph() -> KnowledgeGraph:
    if ss.get("uploaded_kg") is not None:
        return ss.uploaded_kg
    path = str(default_graph_path())
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        mtime = None  # awskg.load names the problem
    return committed_graph(path, mtime)


def sidebar(kg: KnowledgeGraph) -> str:
    with st.sidebar:
        st.title("awskg")
        view = st.radio("View", urlstate.VIEWS, key="view")
        stats = kg.stats()
        if ss.get("uploaded_kg") is not None:
            st.caption(views.literal_markdown(f"Graph of your uploads: {', '.join(ss.uploaded_names)}"))
        else:
            st.caption(views.literal_markdown(f"Graph: {views.shown_path(default_graph_path())}"))
        entities = sum(stats["entities"].values())
        st.caption(f"{stats['cards']} cards · {entities} entities · {stats['edges']} relations")
        with st.expander("Explore your own notes"):
            files = st.file_uploader(
                "Notes files: flashcards, Markdown, Anki (.apkg, .colpkg or text), Quizlet or CSV "
                "decks, an Obsidian vault as a .zip", accept_multiple_files=True, key="uploads")
            if st.button("Build a graph of these files", disabled=not files, key="build_uploads"):
                with st.spinner("Parsing your notes…"):
                    try:
                        ss.uploaded_kg = views.build_uploaded((f.name, f.getvalue()) for f in files)
                        ss.uploaded_names = [f.name for f in files]
                        ss.focus = None
                        st.rerun()
                    except awskg.AwskgError as err:
                        st.error(views.literal_markdown(err))
            uploaded = ss.get("uploaded_kg") is not None
            if uploaded and st.button("Back to the committed graph", key="drop_uploads"):
                del ss["uploaded_kg"]
                ss.focus = None
                st.rerun()
    return view


# ---------------------------------------------------------------------------- navigation


def open_target(target: views.Target) -> None:
    """Callback of every 'open' control: runs before the script, so widgets can be re-pointed."""
    if target.view == "compare":
        ss.cmp_a, ss.cmp_b = target.a, target.b
        ss.view = "Compare"
    else:
        ss.focus = target.node
        ss.view = "Explore"
    # The results of this query have done their job: fold them away so the page shows the answer.
    ss.opened_query = ss.get("q")


def focus_from(key: str) -> None:
    if ss.get(key):
        ss.focus = ss[key]


def table(rows: list[dict[str, Any]], columns: list[str], **kwargs: Any) -> None:
    df = pd.DataFrame(rows, columns=columns)
    config = {c: st.column_config.Column(width=COLUMN_WIDTHS[c]) for c in columns if c in COLUMN_WIDTHS}
    st.dataframe(df, hide_index=True, column_config=config, **kwargs)


def text_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """A static table that wraps its cells, so no subject, value or note line loses its end."""
    st.table(pd.DataFrame(views.literal_rows(rows, columns), columns=columns), hide_index=True)


# ---------------------------------------------------------------------------- explore


def explore(kg: KnowledgeGraph) -> None:
    search_box(kg)
    focus = ss.get("focus")
    if focus is not None and focus not in kg:
        focus = ss.focus = None
    choices = views.entity_choices(kg)
    ss.open_entity = focus if focus in choices else None
    labels = views.picker_labels(kg, choices)
    st.selectbox("Open an entity", choices, index=None, key="open_entity", placeholder="type a name…",
                 format_func=labels.__getitem__, on_change=focus_from, args=("open_entity",))
    if focus is None:
        st.info("Search above, or pick an entity, to see its limits, neighbours and the card behind it.")
        return
    if ss.get("graph_wide"):
        # The graph across the whole page, the entity's page under it.
        neighbourhood(kg, focus, wide=True)
        entity_page(kg, focus)
        return
    left, right = st.columns([5, 6], gap="large")
    with left:
        entity_page(kg, focus)
    with right:
        neighbourhood(kg, focus, wide=False)


def search_box(kg: KnowledgeGraph) -> None:
    c1, c2, c3 = st.columns([4, 2, 2])
    query = c1.text_input("Search your notes", key="q", type="search", live=True,
                          placeholder="lamda timout · sqs max message size · DDB pitr")
    types = c2.multiselect("Types", views.SEARCH_TYPES, key="q_types", placeholder="all types")
    service = c3.selectbox("Service", ["", *views.service_choices(kg)], key="q_service",
                           format_func=lambda s: s or "any service")
    if not (query or "").strip():
        return
    hits = kg.search(query, limit=10, types=types or None, service=service or None)
    named = kg.query_services(query)
    absent = views.not_in_notes([name for name, _f, in_notes in named if not in_notes], results=bool(hits))
    if absent:  # said first: the results below are only what the notes say near it
        st.warning(views.literal_markdown(absent))
    other = views.elsewhere(named, hits)
    if other:
        st.warning(views.literal_markdown(other))
    if not hits:
        suggestions = kg.suggest(query)
        tail = f"; try: {', '.join(suggestions)}" if suggestions else ""
        st.warning(views.literal_markdown(f"Nothing found for {query[:80]!r}{tail}"))
        return
    folded = ss.get("opened_query") == query and ss.get("focus") is not None
    box = (st.expander(f"{len(hits)} results for this search", expanded=False) if folded
           else st.container(border=True))
    with box:
        for i, hit in enumerate(hits):
            row = views.hit_row(hit)
            target = views.hit_target(kg, hit)
            c_name, c_answer = st.columns([2, 5], vertical_alignment="center")
            c_name.button(views.literal_markdown(views.clip(hit.name, 60)), key=f"hit-{i}", type="tertiary",
                          disabled=target is None, on_click=open_target, args=(target,))
            c_answer.text(f"{row['answer']}   [{row['where']}]")
            if row["stale"]:
                c_answer.text(row["stale"])


def entity_page(kg: KnowledgeGraph, focus: str) -> None:
    e = kg.entity(focus)
    st.subheader(views.literal_markdown(e.name))
    st.caption(views.literal_markdown(" · ".join(x for x in (e.type, e.service or "", e.id) if x)))
    if e.definition:
        st.text(e.definition)
        if e.definition_source:
            st.caption(f"definition from line {e.definition_source.line}")
    if e.aliases:
        st.text("also called: " + ", ".join(e.aliases))
    if e.limits:
        st.markdown("**Limits**")
        limits_table(e.limits, ["subject", "value", "kind", "line", "note"])
    groups = views.neighbour_groups(e.neighbours)
    if groups:
        st.markdown("**Neighbours**")
        for relation, rows in groups.items():
            with st.expander(f"{relation} ({len(rows)})"):
                table(rows, ["neighbour", "type", "direction", "line", "evidence"])
    card = kg.card_of(focus)
    if card:
        with st.expander("The card behind it", expanded=True):
            st.code(views.card_text(card), language=None, wrap_lines=True)


def neighbourhood(kg: KnowledgeGraph, focus: str, wide: bool) -> None:
    c1, c2 = st.columns([1, 2])
    depth = c1.slider("Depth", 1, MAX_DEPTH, key="depth")  # starts at 1, or at the link's depth
    types = c2.multiselect("Show types", CONCEPT_TYPES, key="graph_types",
                           placeholder="all but limits (they are in the table)")
    drawn_for = (focus, depth, tuple(types))
    if ss.get("graph_for") != drawn_for:  # a new neighbourhood starts with its strongest few
        ss.graph_for, ss.graph_shown = drawn_for, graphview.READABLE
    view = graphview.neighbourhood(kg, focus, depth=depth, types=types or None, shown=ss.graph_shown)
    c3, c4 = st.columns([3, 2], vertical_alignment="bottom")
    zoom = c3.select_slider("Zoom", list(views.ZOOMS), key="graph_zoom")
    c4.toggle("Graph full width", key="graph_wide")
    low, high = views.ZOOMS[zoom]
    # The key names what is drawn: a new picture mounts a new component whose value starts empty,
    # so a click from an earlier graph is never replayed. The wheel scrolls the page, not the graph.
    value = cytoscape(views.graph_elements(view.sub, focus, graphview.start_positions(view)),
                      views.graph_stylesheet(), height="720px" if wide else "560px",
                      layout=graphview.layout_options(), selection_type="single",
                      user_zooming_enabled=False, min_zoom=low, max_zoom=high,
                      key=f"graph|{focus}|{depth}|{','.join(types)}|{ss.graph_shown}|{zoom}|{wide}")
    clicked = views.clicked_node(value, focus)
    if clicked and clicked in kg:
        ss.focus = clicked
        st.rerun()
    st.caption(views.literal_markdown(views.graph_caption(view)))
    if view.hidden:
        c5, c6 = st.columns(2)
        c5.button(f"Show {min(graphview.STEP, view.hidden)} more", key="graph_more", on_click=show_more,
                  args=(graphview.STEP,))
        c6.button(f"Show all {view.total}", key="graph_all", on_click=show_more, args=(view.hidden,))
    legend = pd.DataFrame(views.legend_rows(view.sub, focus), columns=["type", "colour", "nodes"])
    st.dataframe(legend.style.map(lambda c: f"background-color: {c}; color: {c}", subset=["colour"]),
                 hide_index=True, key="legend")
    in_view = [n for n in views.entity_choices(kg) if n in view.sub]
    ss.graph_focus = focus if focus in in_view else None
    labels = views.picker_labels(kg, in_view)
    st.selectbox("Focus a node of this graph", in_view, key="graph_focus", index=None,
                 format_func=labels.__getitem__, on_change=focus_from, args=("graph_focus",))
    export_buttons(kg, kg.subgraph(focus, depth=depth, types=types or None), focus)


def show_more(count: int) -> None:
    ss.graph_shown = ss.get("graph_shown", graphview.READABLE) + count


def export_buttons(kg: KnowledgeGraph, sub: Any, focus: str) -> None:
    st.markdown(f"**Export this neighbourhood** ({sub.number_of_nodes()} nodes, limits and all)")
    # A row that wraps: each button keeps its whole label however narrow the window.
    with st.container(horizontal=True, wrap=True, gap="small"):
        for fmt, info in export.FORMATS.items():
            # A callable renders on click only: the Anki deck and the zips are not built on every rerun.
            st.download_button(
                fmt, data=lambda fmt=fmt: export.render(kg, sub, fmt), key=f"export-{fmt}",
                file_name=views.download_name(focus, fmt, info.extension), mime=info.media_type,
                help=info.description)


# ---------------------------------------------------------------------------- limits


def limits_view(kg: KnowledgeGraph) -> None:
    st.header("Limits")
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    service = c1.selectbox("Service", ["", *views.service_choices(kg, with_limits=True)], key="lim_service",
                           format_func=lambda s: s or "all services")
    by = c4.selectbox("Sort by", list(views.LIMIT_SORTS), key="lim_sort", format_func=views.LIMIT_SORTS.get)
    c5, c6 = st.columns(2)
    bounds = c5.checkbox("unlimited / forever too", key="lim_bounds")
    stale_only = c6.checkbox("only limits AWS has changed since (stale)", key="lim_stale")
    found = kg.limits(service or None, numeric_only=not bounds)
    kinds = c2.multiselect("Kind", sorted({lim.kind for lim in found}), key="lim_kinds",
                           placeholder="any kind")
    units = c3.multiselect("Unit", sorted({lim.unit or "" for lim in found}), key="lim_units",
                           placeholder="any unit", format_func=lambda u: u or "(none)")
    shown = views.sort_limits(views.filter_limits(found, units=units, kinds=kinds, stale_only=stale_only), by)
    st.caption(f"{len(shown)} of {len(found)} limits, sorted by {views.LIMIT_SORTS[by]}"
               + (": sizes, then durations, counts, percentages and bandwidths, each from the smallest; "
                  "a rate after the plain values, a bound with no number last" if by == "value" else ""))
    limits_table(shown, ["service", "subject", "value", "kind", "line", "note"])
    dims = [d for d in views.DIMENSIONS if views.chart_rows(shown, d)]
    if dims:
        dim = st.radio("Chart", dims, horizontal=True, key="lim_dim", format_func=views.DIMENSIONS.get)
        spec = views.chart_spec(views.chart_rows(shown, dim), dim)
        st.vega_lite_chart(spec=spec, width="stretch", height=spec["height"] + 60)  # + the axis
    c7, c8 = st.columns([3, 1], vertical_alignment="bottom")
    ids = [lim.id for lim in shown]
    labels = views.picker_labels(kg, ids)
    pick = c7.selectbox("Open a limit", ids, index=None, key="lim_open", format_func=labels.__getitem__)
    c8.button("Open", key="lim_open_go", disabled=pick is None, on_click=open_target,
              args=(views.Target("entity", node=pick),))


def limits_table(limits: list[awskg.Limit], columns: list[str]) -> None:
    """Limits, whole and wrapped, each stale value flagged beside it (⚠ AWS since …: its value),
    and under the table what AWS states today and where."""
    stale = views.stale_count(limits)
    if stale:
        st.warning(f"⚠ AWS has changed {stale} of these limits since your notes: marked ⚠ beside the "
                   "value, with AWS's value and source under the table.")
    text_table(views.limit_rows(limits), columns)
    for line in views.stale_notes(limits):
        st.text(line)


# ---------------------------------------------------------------------------- compare


def compare_view(kg: KnowledgeGraph) -> None:
    st.header("Compare")
    choices = views.entity_choices(kg)
    pairs = views.contrast_pairs(kg)
    if "cmp_a" not in ss and pairs:
        ss.cmp_a, ss.cmp_b = pairs[0].a, pairs[0].b
    if pairs:
        # The picker shows the pair on screen when the notes contrast it, and is empty otherwise.
        ss.cmp_pair = views.pair_index(pairs, ss.get("cmp_a"), ss.get("cmp_b"))
        st.selectbox(f"Pairs your notes contrast ({len(pairs)})", range(len(pairs)), key="cmp_pair",
                     index=None, placeholder="type to find a pair…", on_change=pick_pair, args=(pairs,),
                     format_func=lambda i: pairs[i].label)
    label = views.picker_labels(kg, choices).__getitem__  # a format_func, named once for both pickers
    c1, c2 = st.columns(2)
    a = c1.selectbox("First", choices, index=None, key="cmp_a", format_func=label, placeholder="pick one…")
    b = c2.selectbox("Second", choices, index=None, key="cmp_b", format_func=label, placeholder="pick one…")
    st.caption("Pick a pair your notes contrast, or any two entities, to put them side by side.")
    if not (a and b):
        return
    data = kg.compare(a, b)
    if data["contrasted"]:
        st.info("Your notes contrast these two.")
    for col, side in ((c1, data["a"]), (c2, data["b"])):
        with col:
            st.subheader(views.literal_markdown(side["name"]))
            st.caption(views.literal_markdown(" · ".join(x for x in (side["type"], side["service"]) if x)))
            if side["definition"]:
                st.text(side["definition"])
            lines, limits = views.compare_rows(side)
            if lines:
                text_table(lines, ["line", "note", "stale"])
            if limits:
                text_table(limits, ["subject", "value", "kind", "line"])
                for row in limits:
                    if row["stale"]:
                        st.text(row["stale"])
    rows = views.relation_rows(data, kg)
    if rows:
        st.markdown("**What joins them**")
        text_table(rows, ["from", "relation", "to", "line", "note"])
    if pairs:
        with st.expander(f"All {len(pairs)} pairs your notes contrast, with the line that does"):
            rows = [{"pair": p.label, "line": p.line, "file": p.file} for p in pairs]
            table(rows, ["pair", "line", "file"], key="cmp_pairs_table")


def pick_pair(pairs: list[views.ContrastPair]) -> None:
    if ss.get("cmp_pair") is not None:
        pair = pairs[ss.cmp_pair]
        ss.cmp_a, ss.cmp_b = pair.a, pair.b


# ---------------------------------------------------------------------------- quiz


def quiz_view(kg: KnowledgeGraph) -> None:
    st.header("Quiz")
    c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
    service = c1.selectbox("About", ["", *views.service_choices(kg)], key="quiz_service",
                           format_func=lambda s: s or "all services")
    ss.setdefault("quiz_n", 5)  # set here, not as the slider's default: a link may have set it
    n = c2.slider("Questions", 3, 20, key="quiz_n")
    if c3.button("New quiz", key="quiz_new"):
        ss.quiz_round = ss.get("quiz_round", 1) + 1
    # The seed is the round: a quiz stays put across reruns and comes back the same for a round.
    key = (id(kg), service, n, ss.get("quiz_round", 1))
    if ss.get("quiz_key") != key:
        for old in [k for k in ss if str(k).startswith("quiz-")]:
            del ss[old]  # a question asked again in a new round starts unanswered
        with st.spinner("Writing questions from your notes…"):
            ss.quiz = [q.to_dict() for q in study.make_quiz(kg, service or None, n=n, seed=key[3])]
        ss.quiz_key, ss.quiz_checked, ss.quiz_answers = key, False, {}
    questions = ss.quiz
    for i, q in enumerate(questions, 1):
        st.markdown(f"**{i}.** {views.literal_markdown(q['prompt'])}")
        if ss.quiz_checked:
            checked_question(q, ss.quiz_answers.get(q["id"]))
        else:
            # Answers live in quiz_answers (not only in the widgets), so leaving the view keeps them.
            label = lambda c, q=q: views.literal_markdown(views.choice_label(c, q["choices"][c]))  # noqa: E731
            st.radio("your answer", range(len(q["choices"])), index=ss.quiz_answers.get(q["id"]),
                     key=f"quiz-{q['id']}", on_change=keep_answer, args=(q["id"],),
                     label_visibility="collapsed", format_func=label)
    if not ss.quiz_checked:
        if st.button("Check my answers", key="quiz_check", type="primary"):
            answers = [(q, ss.quiz_answers[q["id"]]) for q in questions
                       if ss.quiz_answers.get(q["id"]) is not None]
            ss.quiz_scores = views.add_scores(ss.get("quiz_scores", {}), study.score_by_service(answers))
            ss.quiz_checked = True
            st.rerun()
    else:
        st.subheader(views.quiz_summary(questions, ss.quiz_answers))
        st.caption("Your answers stay on the page; press New quiz for another round.")
    if ss.get("quiz_scores"):
        st.markdown("**Your score this session, by service**")
        table(views.score_rows(ss.quiz_scores), ["service", "correct", "asked", "percent"],
              key="quiz_score_table")


def keep_answer(question_id: str) -> None:
    ss.quiz_answers = {**ss.get("quiz_answers", {}), question_id: ss.get(f"quiz-{question_id}")}


def checked_question(q: dict[str, Any], choice: int | None) -> None:
    """A checked question: its choices read back with the given and the right one marked, then
    whether it was right, wrong or left unanswered, and the note line behind the answer."""
    mark = views.quiz_mark(q, choice)
    st.text("\n".join(mark.choices))
    {"right": st.success, "wrong": st.error, "unanswered": st.info}[mark.state](
        views.literal_markdown(mark.message))
    st.text(f"line {q['source'].get('line')}: {q['explanation']}")
    if q.get("stale"):
        st.warning(views.literal_markdown(f"⚠ {q['stale']}"))


# ---------------------------------------------------------------------------- coverage


def coverage_view(kg: KnowledgeGraph) -> None:
    st.header("What your notes miss")
    exams = study.known_exams()
    ss.setdefault("cov_exam", "DVA-C02" if "DVA-C02" in exams else exams[0])  # a link may have set it
    exam = st.selectbox("Exam guide", exams, key="cov_exam")
    report = study.coverage_report(kg, exam)
    guide = report.exam
    st.markdown(f"**{views.literal_markdown(report.summary)}**")
    version = f"version {guide.version}" if guide.version else "version not verified"
    st.caption(views.literal_markdown(f"{guide.title} exam guide ({version}): {guide.url}"))
    spec = views.coverage_chart_spec(report)
    st.vega_lite_chart(spec=spec, width="stretch", height=spec["height"] + 60)  # + the axis
    st.caption("Each service opens its page; a missing one, what your notes say nearby.")
    for group, items in report.by_group():
        with st.expander(views.coverage_group_label(group, items), expanded=False):
            for s in items:
                c_name, c_status, c_notes = st.columns([3, 1, 6], vertical_alignment="center")
                if not s.node:
                    c_name.text(s.name)
                c_status.text(s.status)
                c_notes.text(s.how)
                for i, (label, target) in enumerate(views.coverage_targets(s)):
                    place = c_name if s.node else c_notes  # missing: links to what is nearby
                    place.button(views.literal_markdown(label), key=f"cov-{s.service_id}-{i}",
                                 type="tertiary", on_click=open_target, args=(target,))


# ---------------------------------------------------------------------------- main


def main() -> None:
    try:
        kg = current_graph()
    except awskg.AwskgError as err:
        st.error(views.literal_markdown(err))
        st.stop()
    st.html(views.page_css())
    if "url_read" not in ss:  # a session's first run: the address says what to show
        ss.url_read = True
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        for key, value in urlstate.read(params, kg).items():
            ss[key] = value
    for key in urlstate.KEPT_KEYS:  # kept while another view is on screen
        if key in ss:
            ss[key] = ss[key]
    view = sidebar(kg)
    try:
        {"Explore": explore, "Limits": limits_view, "Compare": compare_view, "Quiz": quiz_view,
         "Coverage": coverage_view}[view](kg)
    except awskg.AwskgError as err:
        st.error(views.literal_markdown(err))
    # The address follows what is on screen, so reloading or sharing it opens the same page.
    wanted = urlstate.write(view, ss)
    if {k: st.query_params.get_all(k) for k in st.query_params} != {
            k: v if isinstance(v, list) else [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)


main()
