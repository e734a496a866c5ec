"""CONTRASTS_WITH: the comparisons notes make (`A vs B`, `differences between A and B`), sibling
features that share a head noun, and the alternatives under a heading that announces a set."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..model import Card, Source
from .facts import Facts
from .mentions import LineCtx
from .names import head_noun, singular, split_aliases

_PLURAL_TOPIC = re.compile(
    r"\b(types|kinds|methods|strategies|policies|states|options|modes|styles|environments|"
    r"deployment methods|tiers|classes|models|patterns|approaches|phases|stages|calls|operations|apis|"
    r"actions|commands)\b",
    re.I,
)
_VS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.I)
_DIFF = re.compile(r"\bdifferences?\s+between\s+(.+?)(?:\?|$|\.)", re.I)


def contrasts(
    facts: Facts,
    card: Card,
    lines: list[LineCtx],
    main: str | None,
    front_src: list[Source],
) -> None:
    defined = [
        (c.owner, c)
        for c in lines
        if c.owner.startswith("feature:") or c.owner.split(":")[0] in ("api", "env_var", "error", "config")
    ]
    # Entities the card defines, in order, once each: the candidates a comparison can name.
    names: dict[str, tuple[str, LineCtx]] = {}
    for owner, c in defined:
        if c.line.role in ("term", "heading", "subtopic", "table") and owner not in names:
            names[owner] = (owner, c)
    node_names = {nid: facts.name(nid) for nid in names}
    node_alias: dict[str, list[str]] = {nid: list(facts.attr(nid, "aliases") or []) for nid in names}

    def resolve(phrase: str, context_head: str | None) -> str | None:
        phrase = re.sub(r"\(.*?\)", "", phrase).strip(" *:,.?").lower()
        phrase = re.sub(r"^(the|a|an|choosing|using)\s+", "", phrase)
        if not phrase:
            return None
        best, best_score = None, 0.0
        for nid, nm in node_names.items():
            cands = [nm.lower()] + [a.lower() for a in node_alias.get(nid, [])]
            for cand in cands:
                score = fuzz.token_set_ratio(phrase, cand)
                if context_head and context_head not in phrase:
                    score = max(score, fuzz.token_set_ratio(f"{phrase} {context_head}", cand))
                if phrase == cand:
                    score = 101
                if score > best_score:
                    best, best_score = nid, score
        return best if best_score >= 80 else None

    pairs: list[tuple[str, str, Source]] = []
    texts = [(card.front, front_src[0]), (card.topic, front_src[0])]
    texts += [
        (c.line.plain, c.src)
        for c in lines
        if c.line.role in ("subtopic", "heading", "title", "text") and len(c.line.plain.split()) <= 25
    ]
    # `internal vs external` under the topic `extensions`: the topic's head completes the phrases
    # (not when the topic is itself the comparison, `Memcached vs Redis`).
    head = head_noun(card.topic) if card.topic and not _VS.search(card.topic) else None
    for text, src in texts:
        for a_txt, b_txt in compared_phrases(text):
            a, b = resolve(a_txt, head), resolve(b_txt, head)
            if a and b and a != b:
                pairs.append((a, b, src))
        m = _DIFF.search(text)
        if m:
            items = [x for x in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1)) if x.strip()]
            ids = [x for x in (resolve(i, head) for i in items) if x]
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    if a != b:
                        pairs.append((a, b, src))
    # Siblings: features the card defines that share a head noun (reserved / provisioned
    # concurrency, long / short polling, GSI / LSI).
    feats = [(nid, node_names[nid]) for nid in names if nid.startswith("feature:")]
    by_head: dict[str, list[str]] = {}
    for nid, nm in feats:
        base, _ = split_aliases(nm)
        words = base.split()
        if len(words) >= 2:
            by_head.setdefault(singular(words[-1].lower()), []).append(nid)
    for group in by_head.values():
        if 2 <= len(group) <= 8:
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    pairs.append((a, b, names[a][1].src))
    # Alternatives: the items under a heading or topic that announces a set (strategies,
    # deployment methods, states): each is an alternative to the others.
    for ctx_text in [card.topic, card.front] + [
        c.line.plain for c in lines if c.line.role in ("subtopic", "heading")
    ]:
        if not ctx_text or not _PLURAL_TOPIC.search(ctx_text):
            continue
        scope = _items_under(lines, ctx_text, card)
        items = [nid for nid in scope if nid in names]
        if 2 <= len(items) <= 10:
            for i, a in enumerate(items):
                for b in items[i + 1 :]:
                    pairs.append((a, b, names[a][1].src))
        break
    seen = set()
    for a, b, src in pairs:
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        srcs = [src] + [names[x][1].src for x in key if x in names]
        facts.edge(key[0], key[1], "CONTRASTS_WITH", srcs)


def compared_phrases(text: str) -> list[tuple[str, str]]:
    """`A vs B` (also inside a longer line) as two phrases, each trimmed to a few words."""
    out = []
    for m in _VS.finditer(text):
        left = re.split(r"[:,;?*(]|\band\b|\bfor\b|\bwhat\b|\bhow\b", text[: m.start()])[-1].strip()
        right = re.split(r"[:,;?*)]|\band\b|\bfor\b|\bwhat\b|\bhow\b", text[m.end() :])[0].strip()
        left_words, right_words = left.split()[-4:], right.split()[:4]
        if left_words and right_words:
            out.append((" ".join(left_words), " ".join(right_words)))
            # "internal vs external" under the topic `extensions`: the head is shared.
    return out


def _items_under(lines: list[LineCtx], heading_text: str, card: Card) -> list[str]:
    """Owners of the term/heading lines that follow `heading_text` (or the whole card when it is
    the card's own topic or front)."""
    out: list[str] = []
    started = heading_text in (card.topic, card.front)
    for c in lines:
        if not started:
            if c.line.plain == heading_text:
                started = True
            continue
        if c.line.role in ("term", "heading") and c.owner and c.owner not in out:
            out.append(c.owner)
    return out
