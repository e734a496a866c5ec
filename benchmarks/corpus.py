"""Synthetic notes for the benchmark: the flashcard deck at 1×, 10×, 100× its size.

Copy 0 is the deck itself, unchanged. Every further copy recombines the deck's cards (shuffled) and
rewrites each one so the graph grows instead of merging into the same nodes:

  * every service the card names (catalog spellings and abbreviations) becomes another catalog
    entry of the same category (a service for a service, a component for a component), the same
    one throughout the card, so fronts still open with `Service:` and still read as fronts;
  * `term: definition` lines get a feature word before the term (`regional reserved concurrency`),
    so features multiply;
  * free-standing numbers (`256 KB`, `15 minutes`, not the `3` of `S3`) are scaled, so limits get
    new values.

Each copy is one flashcard text file (`deck-007.txt`), a notes folder `awskg build` reads as it
would a student's. Deterministic: the same scale and seed give byte-identical files.

    python benchmarks/corpus.py 10 /tmp/notes-10x
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from awskg.readers.flashcards import segment
from awskg.vocabulary import catalog

REPO = Path(__file__).resolve().parents[1]
DECK = REPO / "notes" / "aws-developer-associate-flashcards.txt"

# Words a student puts before a feature to name a variant of it; each copy draws from these.
FEATURE_WORDS = (
    "regional", "global", "scheduled", "batch", "managed", "custom", "cross-account", "provisioned",
    "on-demand", "standard", "advanced", "burst", "reserved", "tiered", "archive", "streaming",
    "private", "public", "encrypted", "replicated", "versioned", "cached", "async", "sync", "bulk",
    "edge", "multi-region", "zonal", "ephemeral", "durable", "hot", "cold", "warm", "shared",
    "dedicated", "spot", "nested", "inline", "delegated", "federated",
)
NUMBER_FACTORS = (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 50)

# A number standing on its own or leading a unit (`256kb`), not one inside a name (`S3`, `EC2`, `v2`).
_NUMBER = re.compile(r"(?<![A-Za-z0-9.,])\d+(?:\.\d+)?(?![.,]?\d)")


@dataclass(frozen=True)
class _CardText:
    lines: tuple[str, ...]
    term_lines: tuple[tuple[int, str], ...]  # (offset in lines, term) of `term: definition` lines


@cache
def _service_patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, tuple[str, ...]]]:
    """Regexes for catalog spellings (any case) and abbreviations (as written), longest first, and
    the names of each category that a card's services are rewritten to."""
    cat = catalog()
    spellings = sorted({s for rec in cat.services.values() for s in rec.spellings if len(s) >= 3},
                       key=lambda s: (-len(s), s))
    abbrevs = sorted({a for rec in cat.services.values() for a in rec.abbreviations},
                     key=lambda s: (-len(s), s))

    def alternation(words: list[str]) -> str:
        return r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])"

    by_spelling = re.compile(alternation(spellings), re.I)
    by_abbrev = re.compile(alternation(abbrevs))
    names: dict[str, list[str]] = {}
    for rec in cat.services.values():
        if ":" not in rec.name:
            names.setdefault(rec.category, []).append(rec.name)
    return by_spelling, by_abbrev, {k: tuple(sorted(v)) for k, v in names.items()}


def deck_cards(deck: Path = DECK) -> tuple[str, list[_CardText]]:
    """The deck's title line and its cards as raw text lines (front through last answer line)."""
    text = deck.read_text(encoding="utf-8")
    lines = text.split("\n")
    cards = []
    for card in segment(text, deck.name, "deck"):
        start = card.front_lines[0] - 1
        raw = tuple(lines[start : card.last_line])
        terms = tuple((ln.number - 1 - start, ln.term) for ln in card.lines if ln.term)
        cards.append(_CardText(raw, terms))
    return lines[0], cards


def rewrite_card(card: _CardText, rng: random.Random) -> list[str]:
    """One card with other services, feature words and numbers (see the module docstring)."""
    by_spelling, by_abbrev, names = _service_patterns()
    cat = catalog()
    mapping: dict[str, str] = {}

    def new_name(found: str) -> str:
        sid = cat.lookup(found) or found.lower()
        if sid not in mapping:
            rec = cat.get(sid)
            mapping[sid] = rng.choice(names.get(rec.category if rec else "service", names["service"]))
        return mapping[sid]

    factor = rng.choice(NUMBER_FACTORS)
    terms = dict(card.term_lines)
    out = []
    for offset, line in enumerate(card.lines):
        term = terms.get(offset)
        if term and rng.random() < 0.6 and term in line:
            line = line.replace(term, f"{rng.choice(FEATURE_WORDS)} {term}", 1)
        out.append(_rewrite_line(line, by_spelling, by_abbrev, new_name, factor))
    return out


def _rewrite_line(
    line: str,
    by_spelling: re.Pattern[str],
    by_abbrev: re.Pattern[str],
    namer: Callable[[str], str],
    factor: int,
) -> str:
    """Every service mention replaced in one pass, so a new name is never itself rewritten (the
    matches of both regexes, longest first where they overlap), and the numbers between them scaled
    (a name's own number, `Route 53`, is left alone)."""
    spans = [m.span() for m in by_spelling.finditer(line)] + [m.span() for m in by_abbrev.finditer(line)]
    spans.sort(key=lambda sp: (sp[0], -(sp[1] - sp[0])))
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out += [_scale_numbers(line[pos:start], factor), namer(line[start:end])]
        pos = end
    out.append(_scale_numbers(line[pos:], factor))
    return "".join(out)


def _scale_numbers(text: str, factor: int) -> str:
    return _NUMBER.sub(lambda m: _scaled(m.group(0), factor), text)


def _scaled(number: str, factor: int) -> str:
    if "." in number:
        return f"{float(number) * factor:g}"
    return str(int(number) * factor)


def write_corpus(scale: int, out_dir: Path, seed: int = 0, deck: Path = DECK) -> list[Path]:
    """Write `scale` deck-sized flashcard files into `out_dir` (copy 0 is the deck itself)."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    out_dir.mkdir(parents=True, exist_ok=True)
    title, cards = deck_cards(deck)
    paths = []
    for copy in range(scale):
        path = out_dir / f"deck-{copy:03d}.txt"
        if copy == 0:
            text = deck.read_text(encoding="utf-8")
        else:
            rng = random.Random(f"{seed}:{copy}")
            order = list(cards)
            rng.shuffle(order)
            lines = [f"{title} (set {copy})"]
            for card in order:
                lines.extend(rewrite_card(card, rng))
            text = "\n".join(lines) + "\n"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: corpus.py SCALE OUT_DIR")
    written = write_corpus(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(written)} files, {sum(p.stat().st_size for p in written):,} bytes in {sys.argv[2]}")
