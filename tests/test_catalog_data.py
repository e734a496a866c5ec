"""Validation of the AWS service catalog shipped as package data (src/awskg/data/services.json)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

CATALOG_PATH = Path(__file__).parents[1] / "src/awskg/data/services.json"

ENTRY_KEYS = {"id", "name", "full_name", "category", "group", "parent", "aliases", "abbreviations"}
CATEGORIES = {"service", "tool", "component"}
GROUPS = {
    "compute", "storage", "database", "networking", "messaging", "analytics", "security",
    "devtools", "management", "containers", "ml", "integration", "other",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Generic English words that would misfire in prose once lower-cased.
STOP_LIST = {
    "config", "pipeline", "streams", "functions", "queue", "topic", "cache", "table", "function",
    "stream", "bucket", "instance", "load balancer", "sdk", "cli",
}


@pytest.fixture(scope="module")
def raw_text() -> str:
    return CATALOG_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalog(raw_text: str) -> dict:
    return json.loads(raw_text)


@pytest.fixture(scope="module")
def services(catalog: dict) -> list[dict]:
    return catalog["services"]


@pytest.fixture(scope="module")
def by_id(services: list[dict]) -> dict[str, dict]:
    return {s["id"]: s for s in services}


@pytest.fixture(scope="module")
def by_name(services: list[dict]) -> dict[str, dict]:
    return {s["name"]: s for s in services}


def _phrases(entry: dict) -> list[str]:
    """Case-insensitively matched surface forms of an entry."""
    return [entry["name"], entry["full_name"], *entry["aliases"]]


def test_top_level_shape(catalog: dict) -> None:
    assert set(catalog) == {"version", "services", "ambiguous"}
    assert catalog["version"] == 1
    assert isinstance(catalog["services"], list) and len(catalog["services"]) >= 150
    assert isinstance(catalog["ambiguous"], dict)


def test_file_is_pretty_printed_and_sorted(raw_text: str, catalog: dict, services: list[dict]) -> None:
    assert raw_text == json.dumps(catalog, indent=2, ensure_ascii=False) + "\n"
    ids = [s["id"] for s in services]
    assert ids == sorted(ids)


def test_entry_fields(services: list[dict]) -> None:
    for s in services:
        assert ENTRY_KEYS <= set(s) <= ENTRY_KEYS | {"generic_aliases"}, s["id"]
        # A generic spelling (`Auto Scaling`) is one of the entry's own spellings.
        spellings = {x.lower() for x in [s["name"], s["full_name"], *s["aliases"]]}
        assert all(g.lower() in spellings for g in s.get("generic_aliases", [])), s["id"]
        assert s["category"] in CATEGORIES, s["id"]
        assert s["group"] in GROUPS, s["id"]
        assert s["parent"] is None or isinstance(s["parent"], str), s["id"]
        for key in ("name", "full_name"):
            assert isinstance(s[key], str) and s[key].strip() == s[key] and s[key], (s["id"], key)
        for key in ("aliases", "abbreviations"):
            assert isinstance(s[key], list), (s["id"], key)
            assert all(isinstance(a, str) and a and a.strip() == a for a in s[key]), (s["id"], key)
        assert len({a.lower() for a in s["aliases"]}) == len(s["aliases"]), s["id"]
        assert len(set(s["abbreviations"])) == len(s["abbreviations"]), s["id"]
        for abbr in s["abbreviations"]:
            # matched case-sensitively: must carry capitals, and be a single token
            assert any(c.isupper() for c in abbr) and not re.search(r"\s", abbr), (s["id"], abbr)


def test_ids_unique_and_slug_shaped(services: list[dict]) -> None:
    ids = [s["id"] for s in services]
    assert len(ids) == len(set(ids))
    bad = [i for i in ids if not SLUG.match(i)]
    assert not bad


def test_names_unique(services: list[dict]) -> None:
    names = [s["name"].lower() for s in services]
    assert len(names) == len(set(names))


def test_parents_exist_and_are_acyclic(by_id: dict[str, dict]) -> None:
    for sid, s in by_id.items():
        seen = {sid}
        parent = s["parent"]
        while parent is not None:
            assert parent in by_id, f"{sid}: unknown parent {parent!r}"
            assert parent not in seen, f"{sid}: parent cycle via {parent!r}"
            seen.add(parent)
            parent = by_id[parent]["parent"]


def test_ambiguous_section(catalog: dict, by_id: dict[str, dict]) -> None:
    for form, spec in catalog["ambiguous"].items():
        assert set(spec) == {"candidates", "default", "context"}, form
        cands = spec["candidates"]
        assert len(cands) >= 2 and len(set(cands)) == len(cands), form
        assert all(c in by_id for c in cands), form
        assert spec["default"] in cands, form
        assert set(spec["context"]) <= set(cands), form
        for words in spec["context"].values():
            assert words and all(isinstance(w, str) and w for w in words), form


def test_no_surface_form_owned_by_two_entries(catalog: dict, services: list[dict]) -> None:
    ambiguous = set(catalog["ambiguous"])
    ambiguous_lower = {a.lower() for a in ambiguous}
    phrase_owner: dict[str, set[str]] = defaultdict(set)
    abbr_owner: dict[str, set[str]] = defaultdict(set)
    for s in services:
        for p in _phrases(s):
            phrase_owner[p.lower()].add(s["id"])
        for a in s["abbreviations"]:
            abbr_owner[a].add(s["id"])

    clashes = {p: ids for p, ids in phrase_owner.items() if len(ids) > 1 and p not in ambiguous_lower}
    assert not clashes
    clashes = {a: ids for a, ids in abbr_owner.items() if len(ids) > 1 and a not in ambiguous}
    assert not clashes
    # an abbreviation must not be another entry's (case-insensitive) name or alias
    cross = {
        a: (ids, phrase_owner[a.lower()])
        for a, ids in abbr_owner.items()
        if phrase_owner.get(a.lower(), set()) - ids
    }
    assert not cross
    # ambiguous short forms live only in `ambiguous`, never inside an entry
    for form in ambiguous:
        assert form not in abbr_owner, form
        assert form.lower() not in phrase_owner, form


def test_no_generic_english_aliases(services: list[dict]) -> None:
    bad = [
        (s["id"], p)
        for s in services
        for p in [*_phrases(s), *s["abbreviations"]]
        if p.lower() in STOP_LIST
    ]
    assert not bad


@pytest.mark.parametrize(
    ("name", "aliases", "abbreviations"),
    [
        ("Kinesis Data Streams", ["Kinesis"], ["KDS"]),
        ("EC2 Auto Scaling", [], ["ASG", "AG"]),
        ("DynamoDB", [], ["DDB"]),
        ("CloudFormation", [], ["CFN"]),
        ("Elastic Beanstalk", [], ["EB"]),
        ("Step Functions", [], ["SFN"]),
        ("Kinesis Producer Library", [], ["KPL"]),
        ("ECR", [], []),
        ("OpenSearch Service", ["ElasticSearch"], []),
    ],
)
def test_entries_the_notes_need(
    by_name: dict[str, dict], name: str, aliases: list[str], abbreviations: list[str]
) -> None:
    assert name in by_name, name
    entry = by_name[name]
    lowered = {a.lower() for a in entry["aliases"]}
    for alias in aliases:
        assert alias.lower() in lowered, (name, alias)
    for abbr in abbreviations:
        assert abbr in entry["abbreviations"], (name, abbr)


def test_ebs_is_ambiguous(catalog: dict, by_id: dict[str, dict]) -> None:
    ebs = catalog["ambiguous"]["EBS"]
    names = {by_id[c]["name"] for c in ebs["candidates"]}
    assert names == {"Elastic Block Store", "Elastic Beanstalk"}
    assert set(ebs["context"]) == set(ebs["candidates"])
