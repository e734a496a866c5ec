"""Service names in headings, terms and row labels: which AWS service a label is, opens with, or
mentions, and the services of a section from its chain of headings. Shared by the readers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..vocabulary import catalog

_TOKEN = re.compile(r"[A-Za-z0-9@]+(?:[-.+'@][A-Za-z0-9@]+)*")
_MAX_SPAN_TOKENS = 6
_SCAN_CHARS = 2000


def service_spans(text: str, strict_case: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, service id) of every service named in `text`, longest names first.

    With `strict_case`, a one-word name written all in lower case is not taken: headings and fronts
    capitalise service names, and lower-case `batch`, `glue`, `shield` are usually plain words."""
    text = text[:_SCAN_CHARS]
    cat = catalog()
    toks = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(_MAX_SPAN_TOKENS, len(toks) - i), 0, -1):
            s, e = toks[i][0], toks[i + n - 1][1]
            span = text[s:e]
            if n > 1 and re.search(r"[^\w\s@.+'&-]", span):
                continue  # a name does not run across `→`, `:`, `(`
            sid = cat.lookup(span)
            if not sid and n == 1 and span in cat.ambiguous:
                sid = cat.resolve_ambiguous(span, text)  # `When to use EBS`: the label's words decide
            if not sid:
                continue
            if n == 1 and strict_case and span.islower() and span not in cat.abbreviation_map():
                continue
            hit = (s, e, sid, n)
            break
        if hit:
            out.append(hit[:3])
            i += hit[3]
        else:
            i += 1
    return out


def opening_service(text: str) -> str | None:
    """The service a label opens with (`API Gateway RPS`, `EBS io2 max IOPS`), or None."""
    label = clean_label(text)
    spans = service_spans(label, strict_case=False)
    if spans and spans[0][0] == 0 and spans[0][1] < len(label):
        return spans[0][2]
    return None


def only_service(text: str) -> str | None:
    """The one service a lead-in names (`Notes on **CloudWatch**:`), or None for none or several."""
    found = {sid for _s, _e, sid in service_spans(text)}
    return found.pop() if len(found) == 1 else None


def exact_service(text: str) -> str | None:
    """The service `text` is, as a whole (`SQS`, `Amazon S3`, `X-Ray:`), or None."""
    t = clean_label(text)
    if not t or len(t) > 80:
        return None
    return _exact_label(t)


# Notes repeat their labels (a heading is asked again for each section under it, a term for each line
# it heads), and a miss costs a fuzzy match against the whole catalog.
@lru_cache(maxsize=8192)
def _exact_label(t: str) -> str | None:
    cat = catalog()
    sid = cat.lookup(t)
    if sid:
        return sid
    bare = re.sub(r"^(?:amazon|aws)\s+", "", t, flags=re.I)
    sid = cat.lookup(bare)
    if sid:
        return sid
    no_paren = re.sub(r"\s*\([^)]*\)\s*$", "", t).strip()
    if no_paren and no_paren != t:
        sid = cat.lookup(no_paren) or cat.lookup(re.sub(r"^(?:amazon|aws)\s+", "", no_paren, flags=re.I))
        if sid:
            return sid
    # A typo in a title (`Cloudwatch Lgos`): fuzzy, but only for a short capitalised name.
    if len(t) >= 5 and len(t.split()) <= 4 and any(c.isupper() for c in t):
        return cat.lookup_fuzzy(t, cutoff=90)
    return None


def clean_label(text: str) -> str:
    """A heading or term as a name: numbering, emoji and trailing colon gone."""
    t = text.strip()
    t = re.sub(r"^(?:\d+(?:\.\d+)*[.)]?\s+|[^\w(]+\s*)", "", t)
    t = re.sub(r"[\s:.\-–—]+$", "", t)
    return t.strip()


# Words after a service name that leave a heading about the service itself (`Lambda limits`).
_GENERIC_REST = {
    "limit", "limits", "quota", "quotas", "overview", "basics", "basic", "notes", "note", "summary",
    "essentials", "fundamentals", "intro", "introduction", "key", "facts", "numbers", "cheat", "sheet",
    "cheatsheet", "recap", "review", "details", "pricing", "performance", "security", "tips", "and",
    "service", "in", "a", "nutshell", "concepts", "features", "important", "core", "main", "general",
    "exam", "part", "deep", "dive", "things", "to", "know", "misc", "other", "more", "the",
}
_LIST_SPLIT = re.compile(r"\s+(?:vs\.?|versus|and|or|&|\+|→|->|/)\s+|\s*[,/]\s*")


@dataclass
class HeadingServices:
    kind: str | None  # exact | list | prefix | mention | None
    ids: list[str] = field(default_factory=list)
    generic_rest: bool = False


def heading_services(text: str) -> HeadingServices:
    """How a heading names services: it is one (`SQS`), a list of them (`Secrets Manager vs SSM
    Parameter Store`), opens with one (`Lambda limits`, `Lambda authorizer`), or mentions some."""
    label = clean_label(text)
    if not label:
        return HeadingServices(None)
    sid = exact_service(label)
    if sid:
        return HeadingServices("exact", [sid])
    base = re.sub(r"\s*\([^)]*\)\s*$", "", label).strip() or label
    parts = [p for p in _LIST_SPLIT.split(base) if p and p.strip()]
    if len(parts) >= 2:
        ids = [exact_service(p) for p in parts]
        if all(ids):
            return HeadingServices("list", _dedupe([i for i in ids if i]))
    spans = service_spans(label)
    if not spans:
        return HeadingServices(None)
    lead = re.sub(r"^(?:amazon|aws)\s+", "", label, flags=re.I)
    offset = len(label) - len(lead)
    if spans[0][0] == offset:
        rest = label[spans[0][1] :]
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", rest)]
        generic = not words or all(w in _GENERIC_REST for w in words)
        return HeadingServices("prefix", [spans[0][2]], generic_rest=generic)
    return HeadingServices("mention", _dedupe([s[2] for s in spans]))


def _dedupe(ids: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for i in ids:
        if i:
            seen.setdefault(i, None)
    return list(seen)


def _with_parents(ids: list[str]) -> list[str]:
    """A component's parent service after it (`dynamodb-streams` -> also `dynamodb`)."""
    out: list[str] = []
    for i in ids:
        out.append(i)
        rec = catalog().get(i)
        if rec and rec.parent:
            out.append(rec.parent)
    return _dedupe(out)


@lru_cache(maxsize=4096)
def _heading_info(text: str) -> HeadingServices:
    return heading_services(text)  # asked again for every section under the heading: read, never changed


def resolve_services(chain: list[str]) -> list[str]:
    """The services of a section from its heading chain (own heading first, then ancestors)."""
    infos = [_heading_info(h) for h in chain]
    primary: list[str] | None = None
    for idx, info in enumerate(infos):
        if info.kind in ("exact", "list"):
            primary = info.ids
            break
        if info.kind == "prefix":
            anc = next((a for a in infos[idx + 1 :] if a.kind in ("exact", "list", "prefix")), None)
            if info.generic_rest or anc is None:
                primary = info.ids + (anc.ids if anc else [])
                break
            own = info.ids[0]
            rec = catalog().get(own)
            parent = rec.parent if rec else None
            if own in anc.ids or (parent and parent in anc.ids):
                primary = info.ids + anc.ids
            else:
                # `### Lambda authorizer` under `## API Gateway`: a feature of the ancestor's service.
                primary = anc.ids + info.ids
            break
    if primary is None:
        primary = next((info.ids for info in infos if info.kind == "mention"), [])
    extra = infos[0].ids if infos and infos[0].kind == "mention" else []
    return _with_parents(_dedupe(primary + extra))
