"""The explorer's state in the page's address, so a link opens the same page.

    ?view=explore&entity=service:sqs&depth=1
    ?view=limits&service=SQS&kind=max
    ?q=lamda+timout                      (no view: explore)

`read` turns query parameters into the session-state values the app's widgets start from,
keeping only values the graph can show (an unknown entity, a depth out of range or a kind the
service has no limit of is dropped, never an error); `write` turns the session state back into
the parameters of the view on screen. Plain data only: no Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import AwskgError
from .graph import CONCEPT_TYPES, MAX_DEPTH, KnowledgeGraph
from .views import LIMIT_SORTS, SEARCH_TYPES, ZOOMS, service_choices

VIEWS = ("Explore", "Limits", "Compare", "Quiz", "Coverage")


@dataclass(frozen=True)
class Param:
    """One query parameter: the session-state key it sets, its name in the address, its kind
    (`text`, `list` (the parameter repeated), `int`, `flag` (`1`)), the view it belongs to, and
    the widget's own starting value, left out of the address (a plain link says as much)."""

    key: str
    name: str
    kind: str
    view: str
    default: Any = None


PARAMS = (
    Param("q", "q", "text", "Explore"),
    Param("q_types", "type", "list", "Explore"),
    Param("q_service", "in", "text", "Explore"),
    Param("focus", "entity", "text", "Explore"),
    Param("depth", "depth", "int", "Explore"),
    Param("graph_types", "show", "list", "Explore"),
    Param("graph_zoom", "zoom", "text", "Explore", default=next(iter(ZOOMS))),
    Param("graph_wide", "wide", "flag", "Explore"),
    Param("lim_service", "service", "text", "Limits"),
    Param("lim_kinds", "kind", "list", "Limits"),
    Param("lim_units", "unit", "list", "Limits"),
    Param("lim_sort", "sort", "text", "Limits", default=next(iter(LIMIT_SORTS))),
    Param("lim_bounds", "bounds", "flag", "Limits"),
    Param("lim_stale", "stale", "flag", "Limits"),
    Param("cmp_a", "a", "text", "Compare"),
    Param("cmp_b", "b", "text", "Compare"),
    Param("quiz_service", "service", "text", "Quiz"),
    Param("quiz_n", "n", "int", "Quiz"),
    Param("quiz_round", "round", "int", "Quiz"),
    Param("cov_exam", "exam", "text", "Coverage"),
)

# Session-state keys a view's widgets own. Streamlit forgets a widget's value when a run does not
# draw it, so the app hands these back each run: a search survives a visit to another view.
KEPT_KEYS = tuple(dict.fromkeys(p.key for p in PARAMS))

QueryParams = Mapping[str, str | list[str]]


def view_of(params: QueryParams) -> str:
    """The view a link asks for (`explore`, `Limits`...), Explore when it names none or no view."""
    asked = _values(params, "view")
    by_name = {v.lower(): v for v in VIEWS}
    return by_name.get(asked[0].strip().lower(), VIEWS[0]) if asked else VIEWS[0]


def read(params: QueryParams, kg: KnowledgeGraph) -> dict[str, Any]:
    """The session-state values a link asks for: `view`, then the parameters of that view, each
    kept only when the graph can show it."""
    view = view_of(params)
    state: dict[str, Any] = {"view": view}
    checks = _checks(kg, params)
    for p in PARAMS:
        if p.view != view or p.name not in params:
            continue
        raw = _values(params, p.name)
        value = _parse(p, raw)
        if value is None:
            continue
        check = checks.get(p.key)
        value = check(value) if check else value
        if value is not None and value != []:
            state[p.key] = value
    return state


def write(view: str, state: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """The query parameters of the view on screen: `view`, then each of its parameters that holds
    something (an empty search, an unticked box, no entity are left out)."""
    out: dict[str, str | list[str]] = {"view": view.lower()}
    for p in PARAMS:
        if p.view != view:
            continue
        value = state.get(p.key)
        if value is None or value == "" or value == [] or value is False or value == p.default:
            continue
        if p.kind == "list":
            out[p.name] = [str(v) for v in value]
        elif p.kind == "flag":
            out[p.name] = "1"
        else:
            out[p.name] = str(value)
    return out


def _values(params: QueryParams, name: str) -> list[str]:
    v = params.get(name)
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list | tuple) else [str(v)]


def _parse(p: Param, raw: list[str]) -> Any:
    if not raw:
        return None
    if p.kind == "list":
        return list(dict.fromkeys(x for x in raw if x))
    if p.kind == "flag":
        return raw[-1].strip().lower() in ("1", "true", "yes", "on")
    if p.kind == "int":
        try:
            return int(raw[-1])
        except ValueError:
            return None
    return raw[-1]


def _checks(kg: KnowledgeGraph, params: QueryParams) -> dict[str, Callable[[Any], Any]]:
    """Per session-state key: the value as the app's widget offers it, or None (dropped)."""
    services = service_choices(kg)
    limit_services = service_choices(kg, with_limits=True)

    def entity(v: str) -> str | None:
        if v in kg:
            return v
        try:  # a name (`sqs`, `Lambda`) opens what it resolves to
            return kg.resolve(v)
        except AwskgError:  # an unknown name in a link is dropped, never an error
            return None

    def limits_found() -> list[Any]:
        service = one_of(limit_services)(_values(params, "service")[-1]) if "service" in params else None
        bounds = _parse(Param("", "bounds", "flag", ""), _values(params, "bounds")) or False
        return kg.limits(service, numeric_only=not bounds)

    return {
        "q": lambda v: v[:2000],
        "q_types": subset_of(SEARCH_TYPES),
        "q_service": one_of(services),
        "focus": entity,
        "depth": lambda v: v if 1 <= v <= MAX_DEPTH else None,
        "graph_types": subset_of(CONCEPT_TYPES),
        "graph_zoom": one_of(ZOOMS),
        "lim_service": one_of(limit_services),
        "lim_kinds": lambda v: subset_of(sorted({lim.kind for lim in limits_found()}))(v),
        "lim_units": lambda v: subset_of(sorted({lim.unit or "" for lim in limits_found()}))(v),
        "lim_sort": one_of(LIMIT_SORTS),
        "cmp_a": entity,
        "cmp_b": entity,
        "quiz_service": one_of(services),
        "quiz_n": lambda v: v if 3 <= v <= 20 else None,
        "quiz_round": lambda v: v if v >= 1 else None,
        "cov_exam": one_of(_exams()),
    }


def one_of(options: Iterable[str]) -> Callable[[str], str | None]:
    """The option a value names, forgiving case (`sqs` is `SQS`), or None."""
    by_fold = {str(o).lower(): o for o in options}
    return lambda v: by_fold.get(str(v).strip().lower())


def subset_of(options: Iterable[str]) -> Callable[[list[str]], list[str]]:
    pick = one_of(options)
    return lambda vs: [x for x in (pick(v) for v in vs) if x is not None]


def _exams() -> tuple[str, ...]:
    from .study import known_exams

    return known_exams()
