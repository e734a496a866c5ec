"""The Markdown reader: sections to cards, markup to plain text, tables to clauses with subjects."""

from __future__ import annotations

import pytest

from awskg.model import Card, NoteLine
from awskg.quantities import find_quantities
from awskg.readers import detect_format
from awskg.readers.markdown import inline_plain, looks_like_markdown, segment

NOTES = """\
# DVA notes

Intro paragraph with no section of its own.

## S3

### Objects & uploads
- Objects can be up to 50 TB, but a single `PutObject` request tops out at 5 GB
- **Multipart upload**: parts go in parallel

## API Gateway

### Quotas (REST APIs unless noted)

| Quota | Value | Notes |
| --- | --- | --- |
| Payload size | 10 MB | same for HTTP APIs |
| Burst | 5,000 requests | size of the token bucket |

## Secrets Manager vs SSM Parameter Store

### Secrets Manager
- Secret value max 64 KB

### SSM Parameter Store
- **Standard** tier: value max 4 KB

## X-Ray
- Trace data is retained for 30 days
"""


def cards_of(text: str) -> list[Card]:
    return segment(text, "notes.md", "notes")


def card_by_front(cards: list[Card], front: str) -> Card:
    return next(c for c in cards if c.front == front)


def line_at(cards: list[Card], number: int) -> NoteLine:
    return next(ln for c in cards for ln in c.lines if ln.number == number)


def values(ln: NoteLine) -> list[float | None]:
    return [q.value for q in find_quantities(ln.plain, ln.masks, table=ln.role == "table")]


# --------------------------------------------------------------------------- sections and services


def test_sections_with_lines_become_cards_and_bare_parent_headings_do_not() -> None:
    cards = cards_of(NOTES)
    assert [c.front for c in cards] == [
        "Objects & uploads", "Quotas (REST APIs unless noted)", "Secrets Manager", "SSM Parameter Store",
        "X-Ray",
    ]
    assert [c.id for c in cards] == [f"card:notes:{n}" for n in range(1, 6)]
    assert all(c.fmt == "markdown" for c in cards)


def test_card_spans_count_every_physical_line() -> None:
    cards = cards_of(NOTES)
    objects = card_by_front(cards, "Objects & uploads")
    assert objects.front_lines == (7,)
    assert (objects.first_line, objects.last_line) == (8, 9)
    assert [ln.number for ln in objects.lines] == [8, 9]
    quotas = card_by_front(cards, "Quotas (REST APIs unless noted)")
    assert quotas.front_lines == (13,)
    assert (quotas.first_line, quotas.last_line) == (15, 18)


def test_heading_names_the_service_of_its_sections() -> None:
    cards = cards_of(NOTES)
    assert card_by_front(cards, "Objects & uploads").services[0] == "s3"
    assert card_by_front(cards, "Quotas (REST APIs unless noted)").services[0] == "api-gateway"
    assert card_by_front(cards, "X-Ray").services == ["x-ray"]


def test_subsection_headings_decide_the_service_under_a_comparison_heading() -> None:
    cards = cards_of(NOTES)
    assert card_by_front(cards, "Secrets Manager").services[0] == "secrets-manager"
    assert card_by_front(cards, "SSM Parameter Store").services[0] == "ssm-parameter-store"


def test_feature_heading_keeps_the_service_of_the_section_it_is_in() -> None:
    text = "## API Gateway\n\n### Lambda authorizer\n- result cached up to 3600 s\n\n" \
           "## DynamoDB\n\n### DynamoDB Streams retention\n- records kept 24 hours\n"
    cards = cards_of(text)
    assert cards[0].services[:2] == ["api-gateway", "lambda"]
    assert cards[1].services[:2] == ["dynamodb-streams", "dynamodb"]


def test_comparison_section_lists_both_services_and_lines_name_their_own() -> None:
    text = "## Secrets Manager vs Parameter Store\n- Secrets Manager: secret max 64 KB\n" \
           "- Parameter Store: standard 4 KB, advanced 8 KB\n"
    card = cards_of(text)[0]
    assert card.services[:2] == ["secrets-manager", "ssm-parameter-store"]
    assert card.lines[0].service_hint is None  # the card's own service already
    assert card.lines[1].service_hint == "ssm-parameter-store"


def test_title_is_not_a_card_when_the_document_has_sections() -> None:
    cards = cards_of(NOTES)
    assert all("Intro" not in ln.plain for c in cards for ln in c.lines)


def test_level_one_headings_are_cards_when_there_are_no_deeper_ones() -> None:
    cards = cards_of("# SQS\n- max message 256 KB\n\n# SNS\n- max message 256 KB\n")
    assert [(c.front, c.services[0]) for c in cards] == [("SQS", "sqs"), ("SNS", "sns")]


def test_title_naming_a_service_gives_its_sections_that_service() -> None:
    cards = cards_of("# Lambda\n\n## Limits\n- timeout max 15 min\n\n## Concurrency\n- 1,000 per Region\n")
    assert [c.services[0] for c in cards] == ["lambda", "lambda"]
    assert cards[0].topic == "Limits"


def test_setext_headings_start_sections() -> None:
    cards = cards_of("Notes\n=====\n\nKinesis\n-------\n- shard write 1 MB/s\n")
    assert len(cards) == 1
    assert cards[0].front == "Kinesis" and cards[0].front_lines == (4,)
    assert cards[0].lines[0].number == 6


def test_front_matter_is_skipped_but_counted_in_line_numbers() -> None:
    text = "---\ntitle: notes\ntags: [aws]\n---\n## SQS\n- retention max 14 days\n"
    cards = cards_of(text)
    assert [c.front for c in cards] == ["SQS"]
    assert cards[0].lines[0].number == 6


# --------------------------------------------------------------------------- inline markup


def test_emphasis_links_and_bullet_markers_are_stripped_from_plain() -> None:
    text = "## S3\n- **Multipart upload** and _parts_; see [AWS quotas](https://docs.aws.amazon.com/x)\n"
    ln = cards_of(text)[0].lines[0]
    assert ln.plain == "Multipart upload and parts; see AWS quotas"
    assert ln.text == "- **Multipart upload** and _parts_; see [AWS quotas](https://docs.aws.amazon.com/x)"


def test_inline_code_is_masked_from_limits() -> None:
    plain, masks = inline_plain("call `GetItem 25` then wait 5 seconds")
    assert plain == "call GetItem 25 then wait 5 seconds"
    assert [plain[s:e] for s, e in masks] == ["GetItem 25"]
    assert [q.value for q in find_quantities(plain, masks)] == [5]


def test_urls_and_arns_are_masked() -> None:
    arn = "arn:aws:sqs:us-east-1:123456789012:q"
    plain, masks = inline_plain(f"see https://example.com/v2/limits?max=500 and {arn}")
    masked = [plain[s:e] for s, e in masks]
    assert masked == ["https://example.com/v2/limits?max=500", arn]


def test_snake_case_inside_code_keeps_its_underscores() -> None:
    plain, masks = inline_plain("`KEYS_ONLY` and `NEW_AND_OLD_IMAGES` views")
    assert plain == "KEYS_ONLY and NEW_AND_OLD_IMAGES views"
    assert len(masks) == 2


def test_html_break_in_markdown_becomes_a_clause_boundary() -> None:
    plain, _ = inline_plain("default 3 s<br>max 900 s")
    assert plain == "default 3 s; max 900 s"


# --------------------------------------------------------------------------- line roles


@pytest.mark.parametrize("line, term, definition", [
    ("- **Multipart upload**: parts go in parallel", "Multipart upload", "parts go in parallel"),
    ("- Presigned URL lifetime: max 7 days", "Presigned URL lifetime", "max 7 days"),
    ("- **User pool** = sign-up/sign-in directory", "User pool", "sign-up/sign-in directory"),
])
def test_term_lines_are_split_into_term_and_definition(line: str, term: str, definition: str) -> None:
    ln = cards_of(f"## Cognito\n{line}\n")[0].lines[0]
    assert (ln.role, ln.term, ln.definition) == ("term", term, definition)


def test_colon_inside_code_or_after_a_sentence_is_not_a_term() -> None:
    cards = cards_of("## CloudFormation\n- `DeletionPolicy: Retain` keeps the resource\n"
                     "- It keeps 24 hours. Views: KEYS_ONLY\n")
    assert [ln.term for ln in cards[0].lines] == [None, None]


def test_lines_carry_their_section_heading() -> None:
    cards = cards_of(NOTES)
    assert line_at(cards, 8).heading == "Objects & uploads"


def test_nested_bullets_take_their_parent_item_as_heading() -> None:
    text = "## Lambda\n- Memory\n    - min 128 MB\n    - max 10,240 MB\n- Timeout: max 15 min\n"
    lines = cards_of(text)[0].lines
    assert [ln.heading for ln in lines] == ["Lambda", "Memory", "Memory", "Lambda"]
    assert [ln.plain for ln in lines[1:3]] == ["min 128 MB", "max 10,240 MB"]


def test_bold_only_line_heads_the_lines_below_it() -> None:
    text = "## Lambda\n**Concurrency**\n\n- 1,000 per Region by default\n"
    lines = cards_of(text)[0].lines
    assert lines[0].role == "heading" and lines[0].plain == "Concurrency"
    assert lines[1].heading == "Concurrency"


def test_numbered_list_markers_are_removed() -> None:
    ln = cards_of("## Lambda\n1. Env vars: 4 KB total\n")[0].lines[0]
    assert ln.plain == "Env vars: 4 KB total"
    assert values(ln) == [4]


def test_question_line_has_role_question() -> None:
    ln = cards_of("## SQS\n- What happens after 14 days?\n")[0].lines[0]
    assert ln.role == "question"


# --------------------------------------------------------------------------- tables


def test_table_rows_are_clauses_and_the_separator_row_is_skipped() -> None:
    cards = cards_of(NOTES)
    numbers = {ln.number: ln for ln in card_by_front(cards, "Quotas (REST APIs unless noted)").lines}
    assert 16 not in numbers  # | --- | --- | --- |
    row = numbers[17]
    assert row.role == "table"
    assert row.plain == "Payload size; 10 MB; same for HTTP APIs"
    assert values(row) == [10]
    assert values(numbers[18]) == [5000]  # a bare count in a cell is a quota


def test_table_row_takes_subject_from_row_and_column_headers() -> None:
    cards = cards_of(NOTES)
    assert line_at(cards, 17).subject_hint == "Payload size"  # "Value" says nothing
    text = "## Lambda\n| Resource | Max size |\n|---|---|\n| Deployment package | 50 MB |\n"
    assert cards_of(text)[0].lines[1].subject_hint == "Deployment package Max size"


def test_table_row_header_is_its_term() -> None:
    row = line_at(cards_of(NOTES), 17)
    assert (row.term, row.definition) == ("Payload size", "10 MB; same for HTTP APIs")


def test_table_rows_naming_services_give_service_hints() -> None:
    text = "## Messaging\n| Service | Max message size |\n| --- | --- |\n| SQS | 256 KB |\n| SNS | 256 KB |\n"
    rows = [ln for ln in cards_of(text)[0].lines if ln.role == "table"]
    assert [ln.service_hint for ln in rows] == ["sqs", "sns"]
    assert [ln.subject_hint for ln in rows] == ["Max message size", "Max message size"]
    assert all(ln.term is None for ln in rows)


def test_kind_columns_are_written_into_their_cells() -> None:
    text = "## SQS\n| Setting | Default | Max |\n| --- | --- | --- |\n| Visibility timeout | 30 s | 12 h |\n"
    row = cards_of(text)[0].lines[1]
    assert row.plain == "Visibility timeout; Default 30 s; Max 12 h"
    assert [q.kind for q in find_quantities(row.plain, row.masks, table=True)] == ["default", "max"]
    assert row.subject_hint == "Visibility timeout"


def test_several_value_columns_name_their_cells() -> None:
    text = "## SSM\n| Tier | Parameters | Value size |\n|--|--|--|\n| Standard | 10,000 | 4 KB |\n"
    row = cards_of(text)[0].lines[1]
    assert row.plain == "Standard; Parameters 10,000; Value size 4 KB"
    assert row.subject_hint == "Standard"


def test_code_in_a_table_cell_is_masked_at_its_place_in_the_row() -> None:
    text = "## DynamoDB\n| API | Limit |\n| --- | --- |\n| `BatchGetItem 2` | 100 items |\n"
    row = cards_of(text)[0].lines[1]
    assert [row.plain[s:e] for s, e in row.masks] == ["BatchGetItem 2"]
    assert values(row) == [100]


# --------------------------------------------------------------------------- code


def test_fenced_code_lines_are_role_code_and_fully_masked() -> None:
    text = "## SAM\n- template:\n\n```yaml\nTimeout: 30\n# not a heading\n```\n~~~\nMemorySize: 512\n~~~\n"
    cards = cards_of(text)
    assert len(cards) == 1
    code = [ln for ln in cards[0].lines if ln.role == "code"]
    assert [ln.number for ln in code] == [4, 5, 6, 7, 8, 9, 10]
    assert all(ln.masks == ((0, len(ln.plain)),) for ln in code)
    assert all(find_quantities(ln.plain, ln.masks) == [] for ln in code)


# --------------------------------------------------------------------------- detection


def test_markdown_is_detected_by_headings_tables_or_bullets_under_a_heading() -> None:
    assert looks_like_markdown(NOTES)
    assert looks_like_markdown("| a | b |\n| --- | --- |\n| 1 | 2 |\n")
    assert looks_like_markdown("# Lambda\n- timeout 15 min\n")
    assert detect_format(NOTES, ".txt") == "markdown"


def test_flashcard_export_is_not_markdown() -> None:
    deck = ("AWS notes\nLambda: layers\nmax 5 layers\n* versions\nSQS: what is it?\nqueue\n"
            "SNS: topics\n# of subscriptions: 12,500,000\nKinesis: shards\n1 MB/s\n")
    assert not looks_like_markdown(deck)


def test_anki_export_is_not_markdown() -> None:
    anki = "#separator:tab\n#html:true\nSQS: retention?\t4 days<br>max 14 days\taws::sqs\n"
    assert not looks_like_markdown(anki)


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("text", [
    "", "\x00\x01\x02", "#", "# \n## \n### ", "|||\n|-|-|\n||", "```", "~~~\n# x", "**" * 5000,
    "1 2 3 4 5\n6 7 8", "## S3\n" + "x" * 1_000_000, "## S3\n- " + "**a " * 20_000, "\ufeff## é\n- ü 5 MB",
    "---\n---", "## a\n\ue000\ue001 `x`", "<!--\n## hidden\n", "## x\n| a |\n| - |\n" + "| 1 |\n" * 300,
])
def test_reader_never_raises_on_arbitrary_text(text: str) -> None:
    cards = segment(text, "f.md", "f")
    for card in cards:
        for ln in card.lines:
            assert all(0 <= s < e <= len(ln.plain) for s, e in ln.masks)
    looks_like_markdown(text)


def test_comment_block_is_not_read() -> None:
    cards = cards_of("## SQS\n<!--\nmax 99 GB\n-->\n- retention max 14 days\n")
    assert [ln.plain for ln in cards[0].lines] == ["retention max 14 days"]


QUOTA_TABLE = """# Quotas I keep forgetting

| Service | Quota | Value | Notes |
|---------|-------|-------|-------|
| Lambda | Function timeout | 900 seconds | |
| SQS | In-flight messages (standard) | 120,000 | |

Notes on **CloudWatch**:
- Metrics are kept for 15 months.
- High-resolution metrics: 1 second granularity.
"""


def test_a_service_column_table_takes_its_subject_from_the_name_column() -> None:
    cards = cards_of(QUOTA_TABLE)
    assert line_at(cards, 5).subject_hint == "Function timeout"
    assert line_at(cards, 6).subject_hint == "In-flight messages (standard)"
    assert [line_at(cards, n).service_hint for n in (5, 6)] == ["lambda", "sqs"]


def test_a_lead_in_naming_one_service_gives_it_to_the_lines_below() -> None:
    cards = cards_of(QUOTA_TABLE)
    assert [line_at(cards, n).service_hint for n in (9, 10)] == ["cloudwatch", "cloudwatch"]
    # A lead-in naming two services, or none, gives none of its own.
    two = cards_of("# Notes\n\nLambda and SQS together:\n- up to 10 messages per batch\n")
    assert line_at(two, 4).service_hint is None


def test_org_notes_are_read_as_the_markdown_they_would_be_and_shown_as_written():
    from awskg.readers import detect_format
    from awskg.readers.org import as_markdown, segment

    org = ("#+TITLE: notes\n* TODO SQS :exam:\n:PROPERTIES:\n:ID: 1\n:END:\n"
           "- retention :: max 14 days\n#+BEGIN_SRC python\nx = 5  # * not a heading\n#+END_SRC\n"
           "|---+---|\n")
    assert as_markdown(org) == ["# notes", "# SQS", "", "", "", "- retention: max 14 days", "```",
                                "x = 5  # * not a heading", "```", "|---|---|", ""]
    assert detect_format(org) == "org" and detect_format("* a bullet\n* another\n") != "org"
    (card,) = [c for c in segment(org, "n.org", "n") if c.front == "SQS"]
    retention = next(ln for ln in card.lines if ln.number == 6)
    assert retention.term == "retention" and retention.text == "- retention :: max 14 days"


def test_a_toggle_summary_heads_what_the_toggle_holds():
    from awskg.readers.markdown import segment

    text = ("# My AWS notes\n\n## Intro\n\nstudy plan\n\n<details>\n<summary><b>Lambda</b></summary>\n\n"
            "- timeout max 15 min\n\n</details>\n")
    lambda_card = next(c for c in segment(text, "n.md", "n") if c.front == "Lambda")
    assert lambda_card.services == ["lambda"]
    assert [ln.number for ln in lambda_card.lines if ln.plain] == [10]


def test_an_html_table_written_a_row_a_line_is_a_table_and_a_one_line_one_reads_as_clauses():
    from awskg.readers.markdown import segment

    text = ("## Lambda\n\n<table>\n<tr><th>Limit</th><th>Value</th></tr>\n"
            "<tr><td>Concurrent executions</td><td>1,000 per region</td></tr>\n</table>\n\n"
            "<table><tr><td>Timeout</td><td>15 min</td></tr><tr><td>Memory</td><td>10 GB</td></tr></table>\n")
    (card,) = segment(text, "n.md", "n")
    row = next(ln for ln in card.lines if ln.number == 5)
    assert row.role == "table" and row.cells == ("Concurrent executions", "1,000 per region")
    one_line = next(ln for ln in card.lines if ln.number == 8)
    assert one_line.plain.startswith("Timeout: 15 min; Memory: 10 GB")


def test_a_callout_label_is_no_term_and_a_property_or_wiki_link_reads_as_text():
    from awskg.readers.markdown import segment

    text = "## DynamoDB\n\n- 💡 **Tip:** item size max 400 KB\n- [[GSI]] per table:: 20\n"
    (card,) = segment(text, "n.md", "n")
    tip, gsi = card.lines
    assert tip.term is None and "item size max 400 KB" in tip.plain
    assert (gsi.term, gsi.definition) == ("GSI per table", "20")
