"""Limits read the way strangers write notes: numbered Q/A decks, worked examples, enumerations,
terse counts, cheat-sheet tables, lead-ins and sections that give their lines a service.

Every sample here is written for the test (made-up lines of the shapes real notes use)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import build_notes

import awskg


def build_text(tmp_path: Path, text: str, name: str = "notes.md") -> awskg.KnowledgeGraph:
    return build_notes(tmp_path, text, name)


def by_line(kg: awskg.KnowledgeGraph) -> dict[int, list[awskg.Limit]]:
    out: dict[int, list[awskg.Limit]] = {}
    for lim in kg.limits():
        for src in lim.sources:
            out.setdefault(src.line, []).append(lim)
    return out


QA_DECK = """\
1 Q: How long does CloudTrail keep event history?
1 A: 90 days

2 Q: How many roles can an EC2 instance have at a time?
2 A: 1 role at a time

3 Q: What is the default number of concurrent Lambda executions per region?
3 A: 1000. Soft limit that can be increased.

4 Q: What are the 3 targets for S3 event notifications?
4 A: SNS, SQS, Lambda

5 Q: T or F: Kinesis Data Firehose stores data for up to 7 days.
5 A: F. Kinesis Data Streams keeps records, Firehose does not.

6 Q: T or F: An SQS message can be up to 256 KB.
6 A: T.

7 Q: S3 GET rate: 5500/second per ____.
7 A: prefix
"""


def test_a_numbered_qa_deck_is_cards_of_question_and_answer(tmp_path):
    kg = build_text(tmp_path, QA_DECK, "deck.txt")
    cards = kg.cards()
    assert len(cards) == 7
    assert cards[0]["front"].startswith("How long does CloudTrail")
    assert cards[0]["asks"] is True


def test_a_bare_answer_to_a_question_card_is_its_limit(tmp_path):
    lines = by_line(build_text(tmp_path, QA_DECK, "deck.txt"))
    (history,) = lines[2]
    assert (history.value, history.unit, history.service) == (90, "day", "CloudTrail")
    assert [lim.value for lim in lines[5]] == [1]
    assert [lim.value for lim in lines[8]] == [1000]
    assert lines[8][0].service == "Lambda"


def test_a_count_in_a_question_that_lists_things_is_no_limit(tmp_path):
    lines = by_line(build_text(tmp_path, QA_DECK, "deck.txt"))
    assert 10 not in lines and 11 not in lines


def test_a_stated_front_is_a_fact_unless_the_answer_says_false(tmp_path):
    lines = by_line(build_text(tmp_path, QA_DECK, "deck.txt"))
    assert 13 not in lines  # `F.`: the front is false
    assert [lim.value for lim in lines[16]] == [256]  # `T.`: the front is true
    assert [lim.value for lim in lines[19]] == [5500]  # a blank to fill states the rest


EXAMPLES = """\
# DynamoDB

## Capacity
- 1 RCU = 1 strongly consistent read/s for an item up to 4 KB
- number of 4KB blocks per second. For example, 8KB read = 2 RCU, 2KB read = 1 RCU.
- If your access pattern exceeds 3000 RCU for a single partition key, requests are throttled.
- If we have 12k WCU on the table we will see throttling.

Let's say a table takes 500 writes for 55 minutes. Then it idles for 5 minutes.

Items are 3KB, we want 80 reads per second => 80 * 3KB rounded up
to 4KB each = 80 RCU in all.

We have 3 main options:
- only 2 types of index
- up to 5 types of projections
"""


def test_worked_examples_and_supposed_cases_state_no_limits(tmp_path):
    lines = by_line(build_text(tmp_path, EXAMPLES))
    assert sorted(lim.value for lim in lines[4]) == [1, 4]  # a unit's definition is no example
    assert [lim.value for lim in lines[5]] == [4]  # the example after the full stop adds nothing
    assert [lim.value for lim in lines[6]] == [3000]  # `if ... exceeds` still bounds
    assert 7 not in lines  # `if we have`: a supposed case
    assert 9 not in lines  # `Let's say`: the example runs to the end of the paragraph line
    assert 11 not in lines and 12 not in lines  # arithmetic, read across a hard-wrapped line


CHOICES = """\
# DynamoDB
- querying attributes the index does not project, we read 20KB instead of 4KB
- Only one table per account can use this option
- scale reads with up to 5 read replicas instead of a bigger instance
"""


def test_a_value_set_against_another_with_instead_of_is_a_choice_not_a_limit(tmp_path):
    lines = by_line(build_text(tmp_path, CHOICES))
    assert 2 not in lines  # `20KB instead of 4KB`: what a case costs, compared
    assert [lim.value for lim in lines[4]] == [5]  # a bound cue still bounds (`up to 5`)


BULLETS = """\
# Lambda
- for example a function that runs for a while
- Only one layer per function can hold the runtime
Say you run a function
that takes 3 minutes
"""


def test_a_bullet_is_a_sentence_of_its_own(tmp_path):
    """The bullet above, unfinished as it may be, does not carry its sentence (an example) into
    the next one; hard-wrapped prose still does."""
    lines = by_line(build_text(tmp_path, BULLETS))
    assert [lim.value for lim in lines[3]] == [1]
    assert 5 not in lines


def test_counts_of_listed_items_are_no_limits_unless_bounded(tmp_path):
    lines = by_line(build_text(tmp_path, EXAMPLES))
    assert 14 not in lines and 15 not in lines
    assert [lim.value for lim in lines[16]] == [5]


TERSE = """\
# RDS
- 15 read replicas - same region or cross region
- 1 instance is added when the alarm fires
- 0.5 transactional writes per WCU
"""


def test_a_terse_line_that_opens_with_a_count_states_it(tmp_path):
    lines = by_line(build_text(tmp_path, TERSE))
    assert [lim.value for lim in lines[2]] == [15]
    assert 3 not in lines  # a sentence that goes on with a verb tells what happens
    assert [lim.value for lim in lines[4]] == [0.5]


TABLE = """\
# Key numbers

| What | Value |
|------|-------|
| S3 IA minimum | 30 days |
| API Gateway RPS | 10,000 steady, 5,000 burst |
| Kinesis retention default | 1 day (max 365) |
| Layer | 7 (HTTP) |
"""


def test_a_table_row_label_that_opens_with_a_service_gives_the_row_to_it(tmp_path):
    lines = by_line(build_text(tmp_path, TABLE))
    assert {lim.service for lim in lines[6]} == {"API Gateway"}
    assert sorted(lim.value for lim in lines[6]) == [5000, 10000]
    assert {lim.service for lim in lines[7]} == {"Kinesis Data Streams"}
    assert sorted(lim.base_value for lim in lines[7]) == [86400, 365 * 86400]
    assert 8 not in lines  # `Layer 7` is a name


SECTIONS = """\
# Databases

### DynamoDB
- **Auto Scaling**: target 70% utilization

### RDS
- **Storage Auto Scaling**: grows when less than 10% is free

## Route 53
- A Route 53 health check runs every 30 seconds

When to use EBS

- up to 64,000 IOPS per volume
"""


def test_a_section_keeps_its_service_over_a_generic_feature_name(tmp_path):
    lines = by_line(build_text(tmp_path, SECTIONS))
    assert [lim.service for lim in lines[4]] == ["DynamoDB"]
    assert [lim.service for lim in lines[7]] == ["RDS"]


def test_a_number_inside_a_service_name_is_no_value(tmp_path):
    lines = by_line(build_text(tmp_path, SECTIONS))
    assert [lim.value for lim in lines[10]] == [30]


def test_a_short_line_over_a_list_leads_it_in(tmp_path):
    lines = by_line(build_text(tmp_path, SECTIONS))
    assert [lim.service for lim in lines[14]] == ["Elastic Block Store"]


def test_a_malformed_number_is_kept_and_flagged(tmp_path):
    kg = build_text(tmp_path, "# SQS\n- max 12,500,00 messages in flight\n")
    (lim,) = kg.limits()
    assert lim.value == 1250000
    assert "12,500,00" in lim.to_dict()["unsure"]


COMPARED = """\
# Messaging notes

## Queues and topics compared

| | SQS | SNS |
|---|---|---|
| Max message size | 256 KB | 256 KB |
| Consumers | pull | push |

## Long vs short polling

| Long polling | Short polling |
|---|---|
| waits up to 20 seconds | returns at once |

## DynamoDB partitions
- A partition cannot split into more than two

## Lambda notes
- API Gateway times out after 29 seconds
"""


def test_a_column_that_names_a_service_gives_it_the_column(tmp_path):
    lines = by_line(build_text(tmp_path, COMPARED))
    assert sorted(lim.service for lim in lines[7]) == ["SNS", "SQS"]


def test_a_comparison_table_header_makes_its_columns_contrasting_entities(tmp_path):
    kg = build_text(tmp_path, COMPARED)
    data = kg.compare("sqs", "sns")
    assert data["contrasted"]
    assert [(r["attribute"], r["a"], r["b"]) for r in data["attributes"]] == [
        ("Max message size", "256 KB", "256 KB"), ("Consumers", "pull", "push")]
    polling = kg.compare("long polling", "short polling")
    assert polling["contrasted"]
    rows = [(r["a"], r["b"]) for r in polling["attributes"]]
    assert rows == [("waits up to 20 seconds", "returns at once")]


def test_no_more_than_said_with_a_negation_is_a_max(tmp_path):
    (lim,) = by_line(build_text(tmp_path, COMPARED))[17]
    assert (lim.value, lim.kind) == (2, "max")


def test_a_line_that_names_a_service_wins_over_its_heading(tmp_path):
    (lim,) = by_line(build_text(tmp_path, COMPARED))[20]
    assert (lim.service, lim.value) == ("API Gateway", 29)


OUTLINE = """\
AWS cram notes

Lambda
- timeout 15 min max (default 3s)
- memory 128MB - 10GB

DynamoDB
- item max 400KB
- GSI: 20 per table, LSI: 5 per table
"""


def test_plain_text_notes_written_as_an_outline_read_as_lists_under_their_lead_ins(tmp_path):
    lines = by_line(build_text(tmp_path, OUTLINE, "cram.txt"))
    assert {(lim.service, lim.value) for lim in lines[4]} == {("Lambda", 15), ("Lambda", 3)}
    assert [lim.service for lim in lines[8]] == ["DynamoDB"]
    assert sorted((lim.subject, lim.value) for lim in lines[9]) == [("GSI", 20), ("LSI", 5)]


BOLD_TERMS = """\
# Developer notes

## 2. SQS
1. Unlimited throughput, unlimited number of messages in queue

## Lambda limits
* **Concurrent executions**: 1000 (can be increased)
"""


def test_a_term_whose_definition_is_a_value_states_it(tmp_path):
    (lim,) = by_line(build_text(tmp_path, BOLD_TERMS))[7]
    assert (lim.subject, lim.value, lim.service) == ("Concurrent executions", 1000, "Lambda")


def test_a_bound_without_a_number_names_what_it_bounds_without_heading_numbering(tmp_path):
    subjects = {lim.subject for lim in build_text(tmp_path, BOLD_TERMS).limits(numeric_only=False)
                if lim.value is None}
    assert "number of messages in queue" in subjects
    assert not any(s.startswith("2.") for s in subjects)


def test_a_malformed_number_is_flagged_wherever_it_is_shown(tmp_path, run_cli):
    build_text(tmp_path, "# SQS\n- max 12,500,00 messages in flight\n").save(tmp_path / "g.json")
    code, out, _ = run_cli(["limits", "--graph", tmp_path / "g.json"])
    assert code == 0 and "unsure" in out
    code, out, _ = run_cli(["search", "messages in flight", "--json", "--graph", tmp_path / "g.json"])
    assert "12,500,00" in json.loads(out)[0]["unsure"]


def test_a_question_that_misspells_its_service_still_names_it(tmp_path):
    deck = "1 Q: How much memory can a Lamba function have?\n1 A: 128 MB and 10 GB.\n"
    (lim, other) = sorted(build_text(tmp_path, deck, "deck.txt").limits(), key=lambda lim: lim.base_value)
    assert (lim.service, other.service) == ("Lambda", "Lambda")


def test_a_bare_count_on_the_back_of_an_anki_note_answers_its_question(tmp_path):
    export = (
        "#separator:tab\n#html:true\n#tags column:3\n"
        "Lambda: how many concurrent executions per region by default?\t1000\taws::lambda\n"
        "SQS: what is a dead-letter queue?\ta queue for messages that failed 3 times\taws::sqs\n"
    )
    kg = build_text(tmp_path, export, "deck.txt")
    assert [(lim.service, lim.value, lim.source.line) for lim in kg.limits()] == [("Lambda", 1000, 4)]


STUDY_PLAN = """\
# Exam prep

## Schedule
- 3-4 weeks, 3 hours a day
- Practice tests: aim for 80%

## Lambda
- timeout up to 15 min
"""


def test_values_with_no_aws_service_in_sight_are_no_limits(tmp_path):
    kg = build_text(tmp_path, STUDY_PLAN)
    assert [(lim.service, lim.display) for lim in kg.limits(numeric_only=False)] == [("Lambda", "15 min")]


SUBJECT_SHAPES = """\
# DynamoDB

40k RCU and 40k WCU limit for on-demand tables.

DynamoDB has TTL available, delete items based on a timestamp, within 48 hours of expiration.

# Cheat sheet

| What | Value |
|---|---|
| SQS FIFO throughput | 300 msg/s (3,000 batched) |
| Snowcone capacity | 8 TB (HDD) / 14 TB (SSD) |
| gp3 base IOPS | 3,000 |
| Lambda timeout | 15 min (not unlimited) |

- EBS gp3 gives 3,000 IOPS baseline
"""


def _subjects(kg: awskg.KnowledgeGraph) -> dict[tuple[float, str | None], str]:
    return {(lim.value, lim.unit): lim.subject for lim in kg.limits()}


def test_a_value_before_another_is_not_part_of_its_subject(tmp_path):
    kg = build_text(tmp_path, SUBJECT_SHAPES)
    subjects = _subjects(kg)
    # `40k RCU and 40k WCU`: neither the `k` of 40k nor the first value's unit names the second.
    assert subjects[(40000.0, "wcu")].split()[0] == "WCU"
    assert not any(" k " in f" {s} " for s in subjects.values())


def test_parenthesised_words_beside_a_value_say_which_case_it_is(tmp_path):
    kg = build_text(tmp_path, SUBJECT_SHAPES)
    subjects = _subjects(kg)
    assert subjects[(300.0, "msg/s")] == "SQS FIFO throughput"
    assert subjects[(3000.0, "msg/s")] == "SQS FIFO throughput (batched)"
    assert subjects[(8.0, "TB")].endswith("(HDD)")
    assert subjects[(14.0, "TB")].endswith("(SSD)")
    # A negation or a kind in parentheses is no case of the subject.
    assert "not" not in subjects[(15.0, "min")]


def test_a_bare_number_counts_the_unit_its_label_names(tmp_path):
    kg = build_text(tmp_path, SUBJECT_SHAPES)
    units = {(lim.value, lim.source.line): lim.unit for lim in kg.limits()}
    assert units[(3000.0, 13)] == "iops"  # `| gp3 base IOPS | 3,000 |`
    assert units[(3000.0, 16)] == "iops"  # `3,000 IOPS baseline`: the unit ends the noun
    assert [lim.subject.split()[0] for lim in kg.limits() if lim.source.line == 16] == ["IOPS"]  # not `gives`


def test_what_a_service_is_said_to_have_is_the_subject_of_a_later_clause(tmp_path):
    kg = build_text(tmp_path, SUBJECT_SHAPES)
    assert _subjects(kg)[(48.0, "h")] == "TTL"


CRAM_SHEET = """\
=== CRAM SHEET ===

🔥 LAMBDA
timeout max 15 min (default 3s)
env vars <= 4KB total

📨 SQS
msg size <= 256KB
retention 60 seconds → 14 days
"""


def test_a_plain_text_cheat_sheet_is_read_under_its_capital_headings(tmp_path):
    # No `Q:`/`A:` cards and no Markdown heading: the lines are read as plain notes, and a short
    # line in capitals alone above them heads them (it names their service).
    kg = build_text(tmp_path, CRAM_SHEET, "cram.txt")
    found = {(lim.service, lim.value, lim.unit) for lim in kg.limits()}
    assert {("Lambda", 15.0, "min"), ("Lambda", 4.0, "KB"), ("SQS", 256.0, "KB")} <= found
    retention = next(lim for lim in kg.limits() if lim.source.line == 9)
    assert (retention.kind, retention.base_value, retention.base_value_max) == ("range", 60.0, 14 * 86400.0)


def test_a_capital_line_inside_markdown_with_headings_stays_a_line(tmp_path):
    kg = build_text(tmp_path, "# Notes\n\n## Lambda\n\nIMPORTANT\ntimeout max 15 min\n")
    assert [lim.service for lim in kg.limits()] == ["Lambda"]


PROSE_TRAPS = """\
# Lambda

- the maximum timeout used to be 5 minutes, now it is 15 minutes
- Memory: 128 MB to 10,240 MB (previously 3,008 MB)
- Env vars: `4 KB` total, handler in `index.handler`

# SQS

The visibility timeout defaults to 30 seconds and can be raised to a maximum of 12 hours.
"""


def test_a_value_the_notes_give_as_a_former_one_is_no_limit(tmp_path):
    kg = build_text(tmp_path, PROSE_TRAPS)
    values = {(lim.value, lim.unit) for lim in kg.limits()}
    assert (5.0, "min") not in values and (3008.0, "MB") not in values
    assert (15.0, "min") in values
    memory = next(lim for lim in kg.limits() if lim.source.line == 4)
    assert (memory.kind, memory.value, memory.value_max) == ("range", 128.0, 10240.0)


def test_a_cue_before_an_earlier_value_and_a_new_verb_is_that_values(tmp_path):
    kg = build_text(tmp_path, PROSE_TRAPS)
    kinds = {(lim.value, lim.unit): lim.kind for lim in kg.limits() if lim.service == "SQS"}
    assert kinds == {(30.0, "s"): "default", (12.0, "h"): "max"}


def test_a_value_set_in_code_is_a_value_and_code_is_not(tmp_path):
    kg = build_text(tmp_path, PROSE_TRAPS)
    assert [(lim.value, lim.unit) for lim in kg.limits() if lim.source.line == 5] == [(4.0, "KB")]


def test_each_labelled_clause_of_a_joined_line_names_its_own_value(tmp_path):
    # An Anki field's lines joined (`<br>` -> `; `) or a terse line: every clause has its label.
    line = "Timeout: 15 minutes; /tmp: up to 10 GB; Memory: 128 MB – 10,240 MB"
    kg = build_text(tmp_path, f"# Lambda\n\n{line}\n")
    subjects = {(lim.value, lim.unit): lim.subject for lim in kg.limits()}
    assert subjects[(15.0, "min")] == "Timeout"
    assert subjects[(10.0, "GB")].startswith("/tmp")
    assert subjects[(128.0, "MB")] == "Memory"


def test_advice_beside_an_answer_bounds_what_it_names_not_the_question(tmp_path):
    deck = ("Q: Largest message SQS accepts?\n"
            "A: 256 KB. Use the Extended Client Library with S3 for up to 2 GB.\n")
    kg = build_text(tmp_path, deck, "deck.txt")
    subjects = {lim.value: lim.subject for lim in kg.limits()}
    assert subjects[2.0].startswith("Extended Client Library")
    assert not any(lim.conflict for lim in kg.limits())


def test_a_bare_answer_takes_the_unit_its_question_asks_in(tmp_path):
    deck = ("Q: API Gateway integration timeout (seconds)?\nA: 29\n\n"
            "Q: SQS max retention in days?\nA: 14\n\n"
            "Q: How many Lambda layers per function?\nA: 5\n")
    kg = build_text(tmp_path, deck, "deck.txt")
    found = {lim.source.line: (lim.value, lim.unit, lim.base_value) for lim in kg.limits()}
    assert found[2] == (29.0, "s", 29.0)
    assert found[5] == (14.0, "day", 14 * 86400.0)
    assert found[8][1] is None  # a count stays a count


def test_a_number_wrapped_away_from_its_unit_takes_the_unit_of_the_next_line(tmp_path):
    kg = build_text(tmp_path, "# SQS\n\nThe largest message is 256\nKB for SQS messages.\n\n"
                              "- Lambda functions run for up to 15\n  minutes before they time out\n"
                              "- at most 10\n- KB is a unit\n")
    lines = by_line(kg)
    (size,) = lines[3]
    assert (size.value, size.unit, size.service_id) == (256, "KB", "sqs")
    assert [(lim.value, lim.unit) for lim in lines[6]] == [(15, "min")]
    assert all(lim.unit != "KB" for lim in lines.get(8, []))  # a new bullet is no wrap


def test_a_sentence_that_opens_with_its_own_label_names_its_subject(tmp_path):
    kg = build_text(tmp_path, "# DynamoDB\n\n- LSI: Max 5. GSI: Max 20\n"
                              "- Standard: unlimited TPS. FIFO: 300 TPS\n")
    lines = by_line(kg)
    assert sorted((lim.subject, lim.value) for lim in lines[3]) == [("GSI", 20), ("LSI", 5)]
    assert [lim.subject for lim in lines[4] if lim.value == 300] == ["TPS (FIFO)"]


def test_a_second_value_of_one_subject_on_a_line_is_marked_unsure_and_never_flagged_stale(tmp_path):
    kg = build_text(tmp_path, "# SQS\n\n"
                              "- message size: max 256 KB (bigger -> S3 + extended client, up to 2 GB)\n"
                              "- message size: max 256 KB or 512 KB\n"
                              "- throughput: 3,500 PUT/s, 5,500 GET/s\n")
    lines = by_line(kg)
    by_value = {lim.value: lim for lim in lines[3]}
    assert by_value[256].unsure is None
    assert "256 KB" in by_value[2].unsure and by_value[2].stale is None
    # Values listed one after another, and counts of other things, are no variants.
    assert all(lim.unsure is None for lim in lines[4] + lines[5])


PDF_COPY = """\
AWS Developer Study Guide                                    Page 12

3.2 Amazon SQS
The maximum size of a message in Amazon SQS is 256 KB. Use the Extended Cli-
ent Library for larger payloads.

AWS Developer Study Guide                                    Page 13

3.3 AWS Lambda
Lambda functions can run for a maximum of 15 minutes. The de-
ployment package limit is 50 MB zipped and 250 MB unzipped.
"""


def test_text_copied_out_of_a_pdf_reads_its_sections_and_not_its_page_headers(tmp_path):
    kg = build_text(tmp_path, PDF_COPY, "guide.txt")
    lines = by_line(kg)
    assert 1 not in lines and 3 not in lines  # a running header and a section number: no values
    assert [(lim.service_id, lim.value) for lim in lines[4]] == [("sqs", 256)]
    assert [(lim.service_id, lim.value) for lim in lines[10]] == [("lambda", 15)]
    # The hyphenated word is read whole, and each value keeps the case the line names.
    assert sorted((lim.subject, lim.value, lim.unsure) for lim in lines[11]) == [
        ("package limit (unzipped)", 250, None), ("package limit (zipped)", 50, None)]


def test_a_cram_line_reads_each_labelled_value_and_its_case(tmp_path):
    kg = build_text(tmp_path, "DDB\nitem 400KB | GSI 20 | LSI 5\n\nKINESIS\nshard: 1MB/s in, 2MB/s out\n"
                              "\nSQS\nvis timeout 0-12h (dflt 30s)\n", "cram.txt")
    lines = by_line(kg)
    assert sorted((lim.subject, lim.value) for lim in lines[2]) == [
        ("GSI", 20), ("LSI", 5), ("item size", 400)]
    assert sorted((lim.subject, lim.value, lim.unsure) for lim in lines[5]) == [
        ("shard throughput (in)", 1, None), ("shard throughput (out)", 2, None)]
    assert {(lim.subject, lim.kind) for lim in lines[8]} == {
        ("vis timeout", "default"), ("vis timeout", "range")}


def test_a_bare_count_answering_a_question_that_names_the_kind_takes_it(tmp_path):
    kg = build_text(tmp_path, "1 Q: S3 multipart upload: max number of parts?\n1 A: 10,000\n\n"
                              "2 Q: How many Elastic IPs per Region by default in EC2?\n2 A: 5\n", "deck.txt")
    lines = by_line(kg)
    assert [(lim.kind, lim.value) for lim in lines[2]] == [("max", 10000)]
    assert [(lim.kind, lim.value) for lim in lines[5]] == [("default", 5)]


def test_a_text_that_only_one_line_makes_look_like_a_deck_is_read_whole(tmp_path):
    text = ("Study guide, chapter 6\n\nThe default quota is 200 subnets per VPC.\n"
            "A VPC can have up to 5 CIDR blocks by default.\n"
            "Each route table holds at most 50 routes.\n\n"
            "Direct Connect: up to 20 virtual interfaces per connection\n")
    kg = build_text(tmp_path, text, "guide.txt")
    lines = by_line(kg)
    assert {3, 4, 5, 7} <= set(lines)  # the lines before the one flashcard-like front are read too
