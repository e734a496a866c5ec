"""Markdown study notes: one card per section.

A heading of level 2 or deeper that has lines of its own starts a card; its answer is everything up
to the next heading. A level-1 heading is the document's title (a card only when the document has no
deeper headings, or when it names a service and has lines of its own). The card's service is read
from the headings: the section's own, else the nearest ancestor that names a service, so
`## API Gateway` > `### Quotas` is about API Gateway and `## Secrets Manager vs SSM Parameter Store`
> `### SSM Parameter Store` about Parameter Store.

Each answer line becomes a NoteLine whose `plain` is what a reader sees once the markup is gone
(emphasis, links, bullet markers), with inline code and URLs kept as text but listed in `masks` so no
limit is ever read from them. Table rows keep their cells as `; `-separated clauses and carry the row
and column headers as `subject_hint`; fenced code is kept with role "code" and masked whole.

The helpers for inline text and service names are shared with the Anki reader.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..model import Card, NoteLine
from ..vocabulary import catalog

Masks = tuple[tuple[int, int], ...]

# --------------------------------------------------------------------------- inline text

# Quantifiers are bounded throughout: a reader may be handed a 1 MB line, and an unbounded lazy
# match with a back-reference would turn that into minutes of backtracking.
_CODE_SPAN = re.compile(r"(`{1,3})(?!`)(.{1,2000}?)(?<!`)\1(?!`)")
_IMAGE = re.compile(r"!\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)")
_LINK = re.compile(
    r"\[([^\]\n]{1,300})\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}(?:\s+\"[^\"\n]{0,300}\")?\s*\)"
)
_REF_LINK = re.compile(r"\[([^\]\n]{1,300})\]\[[^\]\n]{0,100}\]")
_FOOTNOTE = re.compile(r"\[\^[^\]\n]{1,50}\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]{1,2000}|[\w.+-]{1,100}@[\w.-]{1,200})>")
_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>]{0,500})?/?>")
_STRONG = re.compile(r"(\*\*|__)(?=[^\s*_])(.{1,500}?)(?<=[^\s*_])\1")
_EM_STAR = re.compile(r"(?<![*\w])\*(?=[^\s*])(.{1,500}?)(?<=[^\s*])\*(?![*\w])")
_EM_UNDER = re.compile(r"(?<![_\w])_(?=[^\s_])(.{1,500}?)(?<=[^\s_])_(?![_\w])")
_STRIKE = re.compile(r"(~~|==)(?=\S)(.{1,500}?)(?<=\S)\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>=])")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]\"'`]{1,2000}|\bwww\.[^\s<>()\[\]\"'`]{2,2000}|"
                  r"\barn:aws[\w-]{0,20}:[^\s<>\"'`]{1,2000}|\bs3://[^\s<>\"'`]{1,2000}")
_LONG_LINE = 20_000
_PUA = re.compile("[\ue000-\uf8ff]")
_PLACEHOLDER = re.compile("[\ue000-\uf8ff]")


def decode_entities(text: str) -> str:
    """`&nbsp;` -> space, `&amp;` -> `&`: entities as a reader sees them (a no-break space is a space)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: html.unescape(m.group()), text).replace("\u00a0", " ")


def url_masks(plain: str) -> list[tuple[int, int]]:
    """Spans of URLs and ARNs: the numbers in them (account ids, versions, ports) are never limits."""
    out = []
    for m in _URL.finditer(plain):
        end = m.end()
        while end > m.start() and plain[end - 1] in ".,;:!?":
            end -= 1  # sentence punctuation after a URL is not part of it
        out.append((m.start(), end))
    return out


def merge_masks(spans: list[tuple[int, int]]) -> Masks:
    """Sorted, overlapping spans merged, empty ones dropped."""
    out: list[list[int]] = []
    for s, e in sorted(sp for sp in spans if sp[1] > sp[0]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return tuple((s, e) for s, e in out)


def inline_plain(raw: str) -> tuple[str, Masks]:
    """Markdown inline markup to the text a reader sees, and the spans of it that are code or URLs.

    Code spans are swapped for placeholder characters first, so emphasis and link rules never reach
    inside them (`a_b_c` in backticks stays as written) and their place in the result is known."""
    if len(raw) > _LONG_LINE:
        # Not a note line but data: the extractor reads no limits from it, so spare the markup rules.
        return raw.strip(), ()
    text = _PUA.sub("\ufffd", raw)
    codes: list[str] = []

    def _stash(m: re.Match[str]) -> str:
        if len(codes) >= 6000:
            return m.group(2)
        codes.append(m.group(2).strip() or m.group(2))
        return chr(0xE000 + len(codes) - 1)

    if "`" in text:
        text = _CODE_SPAN.sub(_stash, text)
    if "[" in text:
        text = _IMAGE.sub(lambda m: m.group(1), text)
        text = _LINK.sub(lambda m: m.group(1), text)
        text = _REF_LINK.sub(lambda m: m.group(1), text)
        text = _FOOTNOTE.sub("", text)
    if "<" in text:
        text = _AUTOLINK.sub(lambda m: m.group(1), text)
        text = _BR.sub("; ", text)
        text = _TAG.sub("", text)
    if "*" in text or "_" in text or "~" in text or "=" in text:
        for _ in range(3):  # nested emphasis: ***x***, **_x_**
            before = text
            text = _STRONG.sub(lambda m: m.group(2), text)
            text = _EM_STAR.sub(lambda m: m.group(1), text)
            text = _EM_UNDER.sub(lambda m: m.group(1), text)
            text = _STRIKE.sub(lambda m: m.group(2), text)
            if text == before:
                break
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: m.group(1), text)
    text = decode_entities(text)
    # Expand the code placeholders, noting where each lands in the final text.
    masks: list[tuple[int, int]] = []
    if codes:
        parts: list[str] = []
        length = 0
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            chunk = text[pos : m.start()]
            parts.append(chunk)
            length += len(chunk)
            code = codes[ord(m.group()) - 0xE000]
            parts.append(code)
            masks.append((length, length + len(code)))
            length += len(code)
            pos = m.end()
        parts.append(text[pos:])
        text = "".join(parts)
    stripped = text.strip()
    if stripped != text:
        lead = len(text) - len(text.lstrip())
        text = stripped
        masks = [(max(0, s - lead), min(len(text), e - lead)) for s, e in masks]
    masks.extend(url_masks(text))
    return text, merge_masks(masks)


# --------------------------------------------------------------------------- service names

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
    label = _clean_label(text)
    spans = service_spans(label, strict_case=False)
    if spans and spans[0][0] == 0 and spans[0][1] < len(label):
        return spans[0][2]
    return None


def _only_service(text: str) -> str | None:
    """The one service a lead-in names (`Notes on **CloudWatch**:`), or None for none or several."""
    found = {sid for _s, _e, sid in service_spans(text)}
    return found.pop() if len(found) == 1 else None


def exact_service(text: str) -> str | None:
    """The service `text` is, as a whole (`SQS`, `Amazon S3`, `X-Ray:`), or None."""
    t = _clean_label(text)
    if not t or len(t) > 80:
        return None
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


def _clean_label(text: str) -> str:
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
    label = _clean_label(text)
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


def resolve_services(chain: list[str]) -> list[str]:
    """The services of a section from its heading chain (own heading first, then ancestors)."""
    infos = [heading_services(h) for h in chain]
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


# --------------------------------------------------------------------------- block structure

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^(\s*(?:>\s?)*)(`{3,}|~{3,})(.*)$")
_BULLET = re.compile(r"^(\s*)([-*+•]|\d{1,9}[.)])(?:[ \t]+|$)(.*)$")
_DEF_LIST = re.compile(r"^ {0,3}:[ \t]+(\S.*)$")
_TASK = re.compile(r"^\[[ xX]\]\s+")
_HR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]{1,200}\]:\s+\S")
_TERM_COLON = re.compile(r"^([^:?]{1,100}?)\s*:\s+(\S.*)$")
_TERM_EQ = re.compile(r"^([^=?:]{1,80}?)\s+=\s+(\S.*)$")
_BOLD_LEAD = re.compile(r"^\s*(\*\*|__)(?=\S)(.{1,200}?)(?<=\S)\1\s*([:=–—-])\s")
_GENERIC_COLUMNS = {
    "value", "values", "limit", "limits", "quota", "quotas", "amount", "number", "setting", "settings",
    "default value", "limit value", "quota value", "", "number / size", "size / number",
}
_NOTE_COLUMNS = {"note", "notes", "comment", "comments", "details", "remarks", "description", "why", "tip"}
_SERVICE_COLUMNS = {"service", "services", "aws service", "product"}
_KIND_COLUMNS = {"default": "default", "max": "max", "maximum": "max", "min": "min", "minimum": "min"}


def _atx(line: str) -> tuple[int, str] | None:
    m = _ATX.match(line)
    if not m:
        return None
    return len(m.group(1)), (m.group(2) or "").strip()


def _split_row(line: str) -> list[str]:
    """Cells of a table row; `\\|` is a pipe inside a cell."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = re.split(r"(?<!\\)\|", s)
    return [c.strip().replace("\\|", "|") for c in cells]


def _front_matter_end(lines: list[str]) -> int:
    """Index of the first line after a YAML (`---`) or TOML (`+++`) front matter block, else 0."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return 0
    close = ("---", "...") if lines[0].strip() == "---" else ("+++",)
    for j in range(1, min(len(lines), 200)):
        if lines[j].strip() in close:
            return j + 1
    return 0


@dataclass
class _Heading:
    index: int
    level: int
    text: str  # plain text of the heading


def _scan_headings(lines: list[str], start: int) -> tuple[list[_Heading], set[int], set[int], set[int]]:
    """Headings (ATX and setext), and the indices of setext underlines, of lines inside code fences
    and of lines inside HTML comments (neither of which are ever headings)."""
    heads: list[_Heading] = []
    underlines: set[int] = set()
    fenced: set[int] = set()
    comments: set[int] = set()
    fence: str | None = None
    in_comment = False
    prev_para = False
    for i in range(start, len(lines)):
        line = lines[i]
        if fence is not None:
            fenced.add(i)
            m = _FENCE.match(line)
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence) and not m.group(3).strip():
                fence = None
            prev_para = False
            continue
        if in_comment:
            comments.add(i)
            if "-->" in line:
                in_comment = False
            prev_para = False
            continue
        m = _FENCE.match(line)
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            fence = m.group(2)
            fenced.add(i)
            prev_para = False
            continue
        if line.lstrip().startswith("<!--"):
            comments.add(i)
            in_comment = "-->" not in line
            prev_para = False
            continue
        atx = _atx(line)
        if atx:
            plain, _ = inline_plain(atx[1])
            heads.append(_Heading(i, atx[0], plain))
            prev_para = False
            continue
        sm = _SETEXT.match(line)
        if sm and prev_para and i - 1 not in underlines:
            level = 1 if sm.group(1)[0] == "=" else 2
            plain, _ = inline_plain(lines[i - 1].strip())
            heads.append(_Heading(i - 1, level, plain))
            underlines.add(i)
            prev_para = False
            continue
        s = line.strip()
        prev_para = bool(s) and not _BULLET.match(line) and "|" not in s and not _QUOTE.match(line) and \
            not _HR.match(line) and not line.startswith(("    ", "\t"))
    return heads, underlines, fenced, comments


# --------------------------------------------------------------------------- answer lines


def split_term(plain: str, masks: Masks) -> tuple[str | None, str | None]:
    """`Presigned URL lifetime: max 7 days` -> (term, definition); also `Query = one partition`."""
    for rx in (_TERM_COLON, _TERM_EQ):
        m = rx.match(plain)
        if not m:
            continue
        term, definition = m.group(1).strip(), m.group(2).strip()
        sep = m.end(1)
        if any(s <= sep < e for s, e in masks):
            continue  # `DeletionPolicy: Retain` in code is not a term
        words = term.split()
        if not words or len(words) > (8 if rx is _TERM_COLON else 6):
            continue
        if term.count("(") != term.count(")") or re.search(r"(?:https?|ftp|arn|s3)$", term, re.I):
            continue
        if re.fullmatch(r"[\d\s.,:]+", term) or re.search(r"[.;!?]\s", term):
            continue  # `12:30`, `1: ...`; or a sentence before the colon, not a name
        return term, definition
    return None, None


@dataclass
class _ListItem:
    indent: int
    label: str | None  # what the item names for the lines nested under it
    service: str | None


def _item_label(plain: str, term: str | None) -> str | None:
    """What a list item heads for the items nested in it: its term, or itself when short."""
    if term:
        return term
    s = plain.rstrip()
    if s.endswith(":"):
        return s.rstrip(":").strip() or None
    if len(s.split()) <= 8:
        return s or None
    return None


class _SectionReader:
    """Turns the body lines of one section into NoteLines, tracking sub-headings and list nesting."""

    def __init__(self, lines: list[str], heading: str, services: list[str], skip: set[int]):
        self.lines = lines
        self.section = heading
        self.services = services
        self.skip = skip
        self.sub: str | None = None  # a pseudo-heading inside the section (`**Limits**`, `Limits:`)
        self.sub_service: str | None = None
        self.items: list[_ListItem] = []

    def read(self, body: list[int], fenced: set[int]) -> list[NoteLine]:
        out: list[NoteLine] = []
        k = 0
        while k < len(body):
            i = body[k]
            line = self.lines[i]
            if i in self.skip or not line.strip():
                k += 1
                continue
            if i in fenced:
                out.append(self._code(i, line))
                k += 1
                continue
            # A table: a row of cells followed by a separator row.
            if "|" in line and k + 1 < len(body) and body[k + 1] == i + 1 and i + 1 not in fenced \
                    and _TABLE_SEP.match(self.lines[i + 1]) and "|" in self.lines[i + 1] + line:
                used = self._table(body, k, out)
                k += used
                continue
            out.extend(self._line(i, line))
            k += 1
        return out

    @staticmethod
    def _indented(line: str) -> bool:
        return line.startswith(("  ", "\t"))

    def _defined_term(self, i: int) -> str | None:
        """The term a `: definition` line defines: the short plain line above it (or above the
        definitions already given for it)."""
        j = i - 1
        while j >= 0 and _DEF_LIST.match(self.lines[j]):
            j -= 1
        if j < 0 or not self.lines[j].strip() or _BULLET.match(self.lines[j]) or _ATX.match(self.lines[j]):
            return None
        term = inline_plain(self.lines[j].strip())[0]
        return term if 0 < len(term.split()) <= 8 else None

    def _lead_in(self, i: int, plain: str) -> bool:
        """`When to use EBS` over a list: a short line with no full stop that the list below
        continues heads it, as `When to use EBS:` would."""
        if len(plain.split()) > 8 or re.search(r"[\d.;!?]$|\d", plain):
            return False
        for j in range(i + 1, min(i + 3, len(self.lines))):
            nxt = self.lines[j]
            if nxt.strip():
                return bool(_BULLET.match(nxt))
        return False

    def _code(self, i: int, line: str) -> NoteLine:
        plain = line.strip()
        return NoteLine(i + 1, line, plain, role="code", heading=self._heading(),
                        masks=((0, len(plain)),) if plain else ())

    def _heading(self) -> str:
        return self.sub or self.section

    def _line(self, i: int, raw: str) -> list[NoteLine]:
        if _HR.match(raw) or _REF_DEF.match(raw):
            if _REF_DEF.match(raw):
                plain, masks = inline_plain(raw.strip())
                return [NoteLine(i + 1, raw, plain, role="text", heading=self._heading(), masks=masks)]
            return []
        body = _QUOTE.sub("", raw) if _QUOTE.match(raw) else raw
        dl = _DEF_LIST.match(body)
        if dl:
            term = self._defined_term(i)
            if term:
                # A definition list (`Lambda authorizer` / `: a function that ...`): a term line.
                plain, masks = inline_plain(dl.group(1))
                line = f"{term}: {plain}"
                shift = len(term) + 2
                return [self._note(i, raw, line, tuple((s + shift, e + shift) for s, e in masks), term, plain,
                                   self._heading(), self.sub_service)]
        bm = _BULLET.match(body)
        if bm:
            indent = len(bm.group(1).expandtabs(4))
            content = _TASK.sub("", bm.group(3))
            return [self._item(i, raw, indent, content)]
        if not body.strip():
            return []
        if self._indented(body) and self.items:
            # A continuation of the list item above: it shares the item's context.
            plain, masks = inline_plain(body)
            parent = self.items[-1]
            term, definition = split_term(plain, masks)
            return [self._note(i, raw, plain, masks, term, definition, parent.label or self._heading(),
                               parent.service)]
        self.items = []
        content = body.strip()
        plain, masks = inline_plain(content)
        if not plain:
            return []
        # `**Limits**` alone on a line, or a short `Limits:` lead-in, heads the lines below it.
        if re.fullmatch(r"(\*\*|__)[^*_]{1,120}\1:?", content) or (
            plain.endswith(":") and len(plain.split()) <= 8 and not re.search(r"\d", plain)
        ) or self._lead_in(i, plain):
            self.sub = plain.rstrip(":").strip() or self.sub
            self.sub_service = (exact_service(self.sub) or _only_service(self.sub)) if self.sub else None
            return [NoteLine(i + 1, raw, plain, role="heading", heading=self.section, masks=masks,
                             service_hint=self._hint(self.sub_service))]
        term, definition = split_term(plain, masks)
        return [self._note(i, raw, plain, masks, term, definition, self._heading(), self.sub_service)]

    def _item(self, i: int, raw: str, indent: int, content: str) -> NoteLine:
        while self.items and self.items[-1].indent >= indent:
            self.items.pop()
        parent = self.items[-1] if self.items else None
        plain, masks = inline_plain(content)
        term, definition = split_term(plain, masks)
        bold = _BOLD_LEAD.match(content)
        if bold and not term:
            bt, _ = inline_plain(bold.group(2))
            rest = plain[len(bt):].lstrip(" :=–—-")
            if bt and rest and len(bt.split()) <= 8:
                term, definition = bt, rest
        heading = (parent.label if parent and parent.label else None) or self._heading()
        inherited = parent.service if parent else self.sub_service
        note = self._note(i, raw, plain, masks, term, definition, heading, inherited)
        own = exact_service(term) if term else exact_service(plain.rstrip(":")) if len(plain) <= 60 else None
        self.items.append(_ListItem(indent, _item_label(plain, term), own or inherited))
        return note

    def _note(self, i: int, raw: str, plain: str, masks: Masks, term: str | None, definition: str | None,
              heading: str, inherited: str | None) -> NoteLine:
        hint = None
        if term:
            hint = exact_service(term)
            around = inherited or (self.services[0] if self.services else None)
            if hint and around and hint != around and catalog().is_generic(_clean_label(term)):
                hint = around  # `**Auto Scaling**: ...` under DynamoDB is DynamoDB's
        if not hint and len(self.services) > 1:
            # In a section about several services, a line that opens with one of them is about it.
            spans = service_spans(plain)
            if spans and spans[0][0] <= 6 and spans[0][2] in self.services:
                hint = spans[0][2]
        hint = hint or inherited
        if plain.endswith("?") and not term:
            role = "question"
        elif term:
            role = "term"
        else:
            role = "text"
        return NoteLine(i + 1, raw, plain, role=role, term=term, definition=definition, heading=heading,
                        masks=masks, service_hint=self._hint(hint))

    def _hint(self, sid: str | None) -> str | None:
        """A line's own service, kept only when it says more than the card's."""
        if not sid or (self.services and sid == self.services[0]):
            return None
        return sid

    def _table(self, body: list[int], k: int, out: list[NoteLine]) -> int:
        """Read a table starting at body[k] (header row); returns how many body lines it used."""
        head_i = body[k]
        headers = [inline_plain(c)[0] for c in _split_row(self.lines[head_i])]
        hplain = "; ".join(h for h in headers if h)
        out.append(NoteLine(head_i + 1, self.lines[head_i], hplain, role="heading", heading=self._heading(),
                            cells=tuple(headers)))
        used = 2  # header and separator
        self.items = []
        rows: list[tuple[int, str, list[tuple[str, Masks]]]] = []
        while k + used < len(body):
            i = body[k + used]
            line = self.lines[i]
            if body[k + used] != body[k + used - 1] + 1 or "|" not in line or not line.strip():
                break
            rows.append((i, line, [inline_plain(c) for c in _split_row(line)]))
            used += 1
        layout = _TableLayout(headers, rows)
        for i, line, cells in rows:
            out.append(self._row(i, line, cells, layout))
        return used

    def _row(self, i: int, line: str, cells: list[tuple[str, Masks]], layout: _TableLayout) -> NoteLine:
        parts: list[str] = []
        masks: list[tuple[int, int]] = []
        length = 0
        for j, (p, ms) in enumerate(cells):
            if not p:
                continue
            col = layout.header(j)
            prefix = ""
            kind = _KIND_COLUMNS.get(col.lower())
            if j > 0 and kind and not re.search(r"\b" + kind, p, re.I):
                # A `Default` / `Max` column says what kind of value its cells hold.
                prefix = f"{col} "
            elif layout.several and j in layout.named:
                # Several value columns: each cell needs its column's name to say what it counts.
                prefix = f"{col} "
            if parts:
                length += 2
            cell = prefix + p
            masks.extend((s + length + len(prefix), e + length + len(prefix)) for s, e in ms)
            parts.append(cell)
            length += len(cell)
        plain = "; ".join(parts)
        row_head = cells[0][0] if cells else ""
        row_service = exact_service(row_head) if row_head else None
        # `| API Gateway RPS | 10,000 |`: a row label that opens with a service gives the row to it,
        # and the label still says what the value is.
        opened = None if row_service or not row_head else opening_service(row_head)
        if layout.several:
            # Each value names its own column in `plain`; one column's name would mislabel the others.
            subject = "" if row_service else row_head
        else:
            here = [j for j in layout.value_cols if j < len(cells) and re.search(r"\d", cells[j][0])]
            j = (here or layout.value_cols or [1])[0]
            col_head = layout.header(j)
            generic = col_head.lower() in _GENERIC_COLUMNS or col_head.lower() in _KIND_COLUMNS
            if row_service and generic:
                # `| Lambda | Function timeout | 900 seconds |`: the text column names the subject.
                names = [cells[c][0] for c in range(1, len(cells))
                         if c not in layout.value_cols and cells[c][0]
                         and layout.header(c).lower() not in _NOTE_COLUMNS]
                subject = names[0] if names else row_head
            elif row_service and (layout.first_is_service or not generic):
                subject = col_head
            elif generic or not row_head:
                subject = row_head or col_head
            else:
                subject = f"{row_head} {col_head}"
        # The row header names what the row is about (`Cache TTL`), unless it is a service of its own.
        term = row_head if row_head and not row_service and len(parts) > 1 else None
        definition = "; ".join(parts[1:]) if term else None
        return NoteLine(i + 1, line, plain, role="table", term=term, definition=definition,
                        heading=self._heading(), masks=merge_masks(masks + url_masks(plain)),
                        subject_hint=subject.strip() or None,
                        service_hint=self._hint(row_service or opened or self.sub_service),
                        cells=tuple(c for c, _m in cells))


class _TableLayout:
    """What a table's columns hold: which carry values, and whether each value needs its column name."""

    def __init__(self, headers: list[str], rows: list[tuple[int, str, list[tuple[str, Masks]]]]):
        self.headers = [h.strip() for h in headers]
        self.first_is_service = self.header(0).lower() in _SERVICE_COLUMNS
        cols: set[int] = set()
        for _i, _line, cells in rows:
            for j, (p, _m) in enumerate(cells):
                if j > 0 and re.search(r"\d", p) and self.header(j).lower() not in _NOTE_COLUMNS:
                    cols.add(j)
        self.value_cols = sorted(cols)
        self.named = {j for j in self.value_cols
                      if self.header(j) and self.header(j).lower() not in _GENERIC_COLUMNS
                      and self.header(j).lower() not in _KIND_COLUMNS}
        self.several = len(self.named) > 1

    def header(self, j: int) -> str:
        return self.headers[j] if 0 <= j < len(self.headers) else ""


# --------------------------------------------------------------------------- cards


def segment(text: str, file: str, stem: str) -> list[Card]:
    """Split Markdown notes into one Card per section that has lines of its own."""
    lines = text.split("\n")
    start = _front_matter_end(lines)
    heads, underlines, fenced, comments = _scan_headings(lines, start)
    has_deep = any(h.level >= 2 for h in heads)
    n = len(lines)
    cards: list[Card] = []
    stack: list[_Heading] = []
    # Lines that are never answer text: headings, setext underlines, HTML comments.
    heading_lines = {h.index for h in heads} | underlines | comments

    # Lines before the first heading belong to no section; a file with no heading at all is one card.
    if not heads:
        body = [i for i in range(start, n) if lines[i].strip() and i not in comments]
        if body:
            title = next((inline_plain(lines[i].strip())[0] for i in body if lines[i].strip()), "")
            cards.append(_make_card(lines, file, stem, 1, None, title[:120], body, fenced, heading_lines, []))
        return cards

    for k, h in enumerate(heads):
        while stack and stack[-1].level >= h.level:
            stack.pop()
        chain = [h.text] + [a.text for a in reversed(stack)]
        stack.append(h)
        end = heads[k + 1].index if k + 1 < len(heads) else n
        body = [i for i in range(h.index + 1, end) if i not in heading_lines]
        if not any(lines[i].strip() for i in body):
            continue
        if h.level == 1 and has_deep:
            info = heading_services(h.text)
            if info.kind not in ("exact", "list", "prefix"):
                continue  # the document's title and its introduction
        services = resolve_services(chain)
        cards.append(_make_card(lines, file, stem, len(cards) + 1, h, h.text, body, fenced, heading_lines,
                                services))
    return cards


def _make_card(lines: list[str], file: str, stem: str, number: int, head: _Heading | None, front: str,
               body: list[int], fenced: set[int], heading_lines: set[int], services: list[str]) -> Card:
    reader = _SectionReader(lines, front.rstrip(":").strip(), services, heading_lines)
    note_lines = reader.read(body, fenced)
    filled = [i for i in body if lines[i].strip()]
    front_line = head.index + 1 if head else (filled[0] + 1 if filled else 1)
    first = filled[0] + 1 if filled else front_line
    last = filled[-1] + 1 if filled else front_line
    return Card(
        id=f"card:{stem}:{number}",
        file=file,
        number=number,
        front=front,
        front_lines=(front_line,),
        first_line=first,
        last_line=last,
        lines=note_lines,
        services=services,
        topic=front.rstrip(":").strip(),
        fmt="markdown",
    )


# --------------------------------------------------------------------------- detection


def looks_like_markdown(text: str) -> bool:
    """Content sniffing: ATX headings on several lines, a table, or bullets under a heading.

    A flashcard export (`Lambda: layers` fronts, `*` sub-topics, no `#` headings) and an Anki export
    (`#separator:tab`, tab-separated notes) are not Markdown."""
    from .flashcards import front_service

    headings = tables = bullets_after_heading = fronts = 0
    seen_heading = False
    prev = ""
    for idx, line in enumerate(text.split("\n")):
        if idx >= 2000:
            break
        atx = _atx(line)
        if atx and atx[1] and not re.match(r"(?:of|\d)\b", atx[1], re.I):
            headings += 1
            seen_heading = True
        elif seen_heading and re.match(r"^\s*[-*+]\s+\S", line):
            bullets_after_heading += 1
        elif "|" in prev and "|" in line and _TABLE_SEP.match(line) and "-" in line:
            tables += 1
        elif len(line) < 300 and front_service(line):
            fronts += 1
        prev = line
    if fronts >= 3 and fronts > 2 * (headings + tables):
        return False  # a flashcard deck with a stray `#` line
    return headings >= 2 or tables >= 1 or (headings >= 1 and bullets_after_heading >= 1)
