"""From Cards to facts: entities, limits and relations, each with the lines it was read from.

`Extractor().extract_cards(cards)` runs the spaCy pipeline over a file's cards and returns `Facts`,
plain JSON (nodes and edges to add), so a build can cache them per file and merge files into one
graph. One module per kind of fact; the rules read the language of notes, never a particular line:

  * `mentions`: services (catalog spellings, abbreviations; ambiguous short forms such as EBS
    decided by the card), products and typed entities (API operations, errors, config files,
    environment variables, metrics, ARN formats, IAM actions and policies);
  * `entities`: services, features (card topics, defined terms, headings, sub-topics) and their
    definitions;
  * `limits` + `subjects`: quantities.find_quantities on each answer line, with a subject (what
    the value bounds) and a service;
  * `relations`: typed relations from relation cues (data/relations.json), RELATED_TO by
    co-occurrence; `contrasts`: CONTRASTS_WITH for the comparisons notes make;
  * `linking`: passes over the merged graph (TYPE_OF by head noun, PART_OF, typo merges, one
    limit for one fact); `tables`: comparison tables.
"""

from __future__ import annotations

from .extractor import Extractor
from .facts import FACTS_VERSION, Facts, assemble_facts
from .linking import link_parts, link_types, merge_equal_limits, merge_typos

__all__ = [
    "FACTS_VERSION",
    "Extractor",
    "Facts",
    "assemble_facts",
    "link_parts",
    "link_types",
    "merge_equal_limits",
    "merge_typos",
]
