"""Search over notes written in other styles: the hit names the line that answers, camel-case
operations are found by their words, an alias says which part of a service is meant, and a query
that names a part ranks that part's facts first."""

from __future__ import annotations

import pytest
from conftest import build_notes

NOTES = """\
# Storage and data notes

## EBS volume types
st1 - throughput
sc1 - cold

- 500 GiB - 16 TiB volume size for both
- Neither can be a boot volume

### st1
- Starts at 1 TiB of credit
- Max throughput 500 MB/s

### sc1
- Max throughput 250 MB/s

## EBS encryption
- Volumes and snapshots are encrypted with a data key
- The data is encrypted with AES256
- No performance loss

## DynamoDB API
- API: BatchGetItem (max 100), BatchWriteItem (max 25), both at most 16MB

## EC2 placement groups
- Spread placement: 7 instances per AZ
- Cluster placement: one AZ, low latency
"""


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    return build_notes(tmp_path_factory.mktemp("search"), NOTES)


def test_an_entity_hit_names_the_line_that_answers(kg):
    hits = [h for h in kg.search("ebs encryption aes256", limit=5) if h.type == "feature"]
    assert hits
    assert hits[0].to_dict()["line"] == 19
    assert "AES256" in hits[0].snippet


def test_camel_case_operations_are_found_by_their_words(kg):
    hit = kg.search("batch get item max", limit=3)[0].to_dict()
    assert hit["type"] == "limit" and hit["value"] == 100
    assert "BatchGetItem" in hit["subject"]


def test_the_words_an_alias_adds_say_which_part_is_meant(kg):
    hit = kg.search("spread placement group max instances", limit=3)[0].to_dict()
    assert hit["type"] == "limit" and hit["value"] == 7


def test_a_named_part_ranks_its_own_facts_before_its_parents(kg):
    hit = kg.search("sc1 max throughput", limit=3)[0].to_dict()
    assert (hit["value"], hit["service"]) == (250, "EBS sc1")


def test_two_parts_named_together_ask_about_their_service(kg):
    hit = kg.search("st1 sc1 volume size", limit=3)[0].to_dict()
    assert hit["type"] == "limit" and hit["line"] == 7


def test_an_ambiguous_abbreviation_in_a_query_is_decided_by_its_words(kg):
    from awskg.search import SearchIndex

    index = SearchIndex(kg)
    _concepts, intent = index.expand("ebs volume throughput")
    assert intent["services"] == ["elastic-block-store"]
    _concepts, intent = index.expand("ebs deployment environment")
    assert intent["services"] == ["elastic-beanstalk"]


UNIT_NOTES = """\
# DynamoDB capacity

* for items up to 1 KB in size, one WCU can perform
  * one standard write request per second
  * 0.5 transactional writes requests (one transactional requires 2 WCU)
* unit of read capacity: 1 strongly consistent read/second or 2 eventually consistent reads/second
* Eventually consistent reads use 1/2 RCU per 4KB block

# CloudTrail
CloudTrail event history shows the past 90 days of management events
"""


@pytest.fixture(scope="module")
def unit_kg(tmp_path_factory):
    return build_notes(tmp_path_factory.mktemp("units"), UNIT_NOTES)


def _first_limit(kg, query):
    hit = kg.search(query, limit=5)[0].to_dict()
    assert hit["type"] == "limit", hit
    return hit


def test_a_query_naming_a_counted_unit_wants_the_value_counted_in_it(unit_kg):
    hit = _first_limit(unit_kg, "transactional write wcu")
    assert (hit["value"], hit["unit"]) == (2.0, "wcu")


def test_a_unit_after_per_is_what_the_value_is_per_not_its_unit(unit_kg):
    hit = _first_limit(unit_kg, "eventually consistent reads per rcu")
    assert hit["value"] == 2.0 and hit["unit"] != "rcu"


@pytest.mark.parametrize("query", ["cloudtrail event history how far back", "cloudtrail history thruput"])
def test_words_that_ask_for_a_value_rank_a_limit_first(unit_kg, query):
    # `how far back`, and a typo of a measure word (`thruput`), ask for a value as `max` does.
    from awskg.search import SearchIndex

    _, intent = SearchIndex(unit_kg).expand(query)
    assert intent["limit"]
    if "far" in query:
        assert _first_limit(unit_kg, query)["value"] == 90.0
