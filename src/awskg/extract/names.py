"""Word lists and name shapes that every extraction rule shares: what a noun phrase may hold,
where it ends, singular forms, `name (ABBR)` aliases."""

from __future__ import annotations

import re
import unicodedata

from ..vocabulary import load_data

STOP = set(load_data("synonyms.json")["stopwords"]) | {
    "or",
    "each",
    "every",
    "all",
    "any",
    "some",
    "this",
    "these",
    "those",
    "its",
    "their",
    "which",
    "if",
    "only",
    "also",
    "just",
    "must",
    "cannot",
    "can't",
    "can’t",
    "not",
    "no",
    "than",
    "so",
    "such",
    "we",
    "they",
    "them",
    "our",
    "us",
    "he",
    "she",
    "one",
    "fixed",
    "allowed",
    "valid",
}

CUT_WORDS = {
    "used",
    "gives",
    "delivers",
    "provides",
    "offers",
    "supports",
    "maxes",
    "caps",
    "peaks",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "can",
    "cannot",
    "can't",
    "can’t",
    "could",
    "must",
    "may",
    "might",
    "will",
    "would",
    "should",
    "shall",
    "has",
    "have",
    "had",
    "does",
    "do",
    "did",
    "up",
    "max",
    "maximum",
    "min",
    "minimum",
    "at",
    "least",
    "most",
    "less",
    "more",
    "than",
    "under",
    "over",
    "default",
    "defaults",
    "retained",
    "kept",
    "limited",
    "exceed",
    "exceeds",
    "tops",
    "ranges",
    "range",
    "from",
    "between",
    "configurable",
    "of",
    "to",
    "for",
    "by",
    "in",
    "lasts",
    "takes",
    "take",
    "results",
    "involve",
    "involves",
    "contains",
    "contain",
    "holds",
    "reserve",
    "allocate",
    "with",
    "after",
    "within",
    "no",
    "not",
    "only",
    "about",
    "around",
    "stores",
    "stored",
    "live",
    "lives",
    "expire",
    "expires",
    "set",
    "go",
    "goes",
    "get",
    "gets",
    "need",
    "needs",
    "pay",
    "charged",
    "billed",
    "runs",
    "run",
    "cost",
    "costs",
    "equal",
    "larger",
    "bigger",
    "smaller",
    "longer",
    "shorter",
    "greater",
    "fewer",
    "applied",
    "partitioned",
}

PREPOSITIONS = {
    "from",
    "to",
    "into",
    "in",
    "on",
    "via",
    "through",
    "with",
    "by",
    "for",
    "of",
    "at",
    "onto",
    "across",
    "behind",
    "inside",
    "within",
    "using",
}

DETERMINERS = {
    "a",
    "an",
    "the",
    "this",
    "these",
    "those",
    "all",
    "your",
    "its",
    "their",
    "each",
    "any",
    "our",
}

# `2. SQS`, `1.3) Limits`: the numbering of a heading is no part of its name.
_NUMBERING = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*[.)]|[IVX]{1,5}\.)\s+")
_ABBR_DASH = re.compile(r"([^–—-]{2,60}?)\s+[–—-]\s+([^–—-]{2,60})")
_PAREN_ABBR = re.compile(r"\s*\(([A-Za-z][A-Za-z0-9/-]{1,10})\)\s*")


def feature_like(name: str, loose: bool = False) -> bool:
    words = name.split()
    if not words or len(words) > (8 if loose else 6):
        return False
    low = name.lower()
    if low.startswith(("know ", "what ", "how ", "why ", "when ", "where ", "if ", "you ", "it ")):
        return False
    if "?" in name or name.count("(") != name.count(")"):
        return False
    if not re.search(r"[A-Za-z]{2}", name) or re.search(r"\d", name):
        return False
    return not (len(words) > 3 and "," in name)


def without_symbols(text: str) -> str:
    """`✅ STS GetSessionToken` -> `STS GetSessionToken`: emoji and pictographs are decoration, never
    part of a name."""
    if text.isascii():
        return text
    kept = "".join(
        " " if unicodedata.category(c) == "So" else c
        for c in text
        if c not in "\ufe0f\ufe0e\u200d" and not 0x1F3FB <= ord(c) <= 0x1F3FF
    )
    return re.sub(r"\s+", " ", kept).strip()


def split_aliases(name: str) -> tuple[str, list[str]]:
    """`point in time recovery (PITR)` -> ("point in time recovery", ["PITR"])."""
    name = _NUMBERING.sub("", without_symbols(name))
    aliases = []
    m = _PAREN_ABBR.search(name)
    if m and (m.group(1).isupper() or re.fullmatch(r"[A-Z]{2,}s", m.group(1))):
        aliases.append(m.group(1))
        if m.group(1).endswith("s") and m.group(1)[:-1].isupper():
            aliases.append(m.group(1)[:-1])
        name = (name[: m.start()] + " " + name[m.end() :]).strip()
    name = re.sub(r"\s*\((default|optional|recommended)\)\s*", " ", name, flags=re.I).strip()
    # `GSI - Global Secondary Index`, `Global Secondary Index – GSI`: an abbreviation and what it
    # stands for; the long name names the feature and the abbreviation finds it.
    dash = _ABBR_DASH.fullmatch(name.strip())
    if dash:
        a, b = dash.group(1).strip(), dash.group(2).strip()
        abbr, long = (a, b) if _initials_of(a, b) else (b, a) if _initials_of(b, a) else (None, None)
        if abbr and long:
            return long, [*aliases, abbr]
    return re.sub(r"\s+", " ", name).strip(" :-–"), aliases


def _initials_of(abbr: str, long: str) -> bool:
    """`GSI` / `Global Secondary Index`: the abbreviation is the long name's initials."""
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,7}s?", abbr):
        return False
    letters = "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", long)).upper()
    return abbr.rstrip("s").upper() == letters or abbr.upper() == letters


def singular(word: str) -> str:
    irregular = {
        "indices": "index",
        "indexes": "index",
        "policies": "policy",
        "queries": "query",
        "entries": "entry",
        "strategies": "strategy",
        "libraries": "library",
    }
    if word in irregular:
        return irregular[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def singular_phrase(text: str) -> str:
    words = text.split()
    if not words:
        return text
    return " ".join(words[:-1] + [singular(words[-1])])


def head_noun(text: str) -> str | None:
    words = re.findall(r"[a-z][a-z-]+", text.lower())
    return words[-1] if words else None
