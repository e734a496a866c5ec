"""The Markdown reader's block structure, read with markdown-it-py: what each line of a document is
(a heading, code, a list item and the item it is nested in, a table row, a definition, a quote), and
the notes-friendly choices made where CommonMark alone would read typed notes badly."""

from __future__ import annotations

from awskg.model import Card, NoteLine
from awskg.readers import markdown
from awskg.readers.markdown import segment
from awskg.readers.markdown_blocks import parse


def cards_of(text: str) -> list[Card]:
    return segment(text, "notes.md", "notes")


def lines_of(text: str) -> dict[int, NoteLine]:
    return {ln.number: ln for card in cards_of(text) for ln in card.lines}


def test_the_helpers_other_readers_use_are_still_imported_from_the_markdown_module() -> None:
    for name in ("segment", "looks_like_markdown", "service_spans", "exact_service", "opening_service",
                 "split_term", "inline_plain", "decode_entities", "merge_masks", "url_masks",
                 "resolve_services", "heading_services"):
        assert callable(getattr(markdown, name)), name


def test_a_hash_line_indented_four_columns_is_text_not_a_section() -> None:
    text = "## CloudWatch agent\nFrom a shell:\n\n    # install the agent\n    yum install -y agent\n"
    cards = cards_of(text)
    assert [c.front for c in cards] == ["CloudWatch agent"]
    assert lines_of(text)[4].plain == "# install the agent"


def test_hash_lines_in_fenced_code_are_code_even_when_the_fence_is_never_closed() -> None:
    text = "## SAM\n- template below\n```yaml\n# Timeout: 30\n## not a section\n"
    cards = cards_of(text)
    assert [c.front for c in cards] == ["SAM"]
    assert [(ln.number, ln.role) for ln in cards[0].lines] == [
        (2, "text"), (3, "code"), (4, "code"), (5, "code")]


def test_a_definition_list_makes_term_lines_of_each_definition() -> None:
    text = "## API Gateway\nLambda authorizer\n: returns an IAM policy\n: cached up to 3600 s\n"
    lines = lines_of(text)
    assert [(lines[n].term, lines[n].definition) for n in (3, 4)] == [
        ("Lambda authorizer", "returns an IAM policy"), ("Lambda authorizer", "cached up to 3600 s")]
    assert lines[4].plain == "Lambda authorizer: cached up to 3600 s"


def test_a_definition_may_stand_a_blank_line_below_its_term() -> None:
    lines = lines_of("## SQS\nVisibility timeout\n\n: max 12 hours\n")
    assert (lines[4].term, lines[4].definition) == ("Visibility timeout", "max 12 hours")


def test_bullets_typed_as_a_character_are_list_items() -> None:
    lines = lines_of("## Lambda\n• Timeout: max 15 min\n• Memory\n  • min 128 MB\n")
    assert [lines[n].plain for n in (2, 3, 4)] == ["Timeout: max 15 min", "Memory", "min 128 MB"]
    assert lines[2].term == "Timeout"
    assert lines[4].heading == "Memory"


def test_nested_items_take_the_item_they_are_nested_in_as_heading() -> None:
    text = "## Lambda\n1. Memory\n   - min 128 MB\n     - in 1 MB steps\n2. Timeout\n\t- max 15 min\n"
    lines = lines_of(text)
    assert [lines[n].heading for n in (2, 3, 4, 5, 6)] == [
        "Lambda", "Memory", "min 128 MB", "Lambda", "Timeout"]


def test_an_indented_line_under_an_item_continues_it() -> None:
    lines = lines_of("## Lambda\n- Memory\n  max 10,240 MB\n")
    assert (lines[3].plain, lines[3].heading) == ("max 10,240 MB", "Memory")


def test_a_lead_in_right_under_a_list_without_a_blank_line_heads_the_next_list() -> None:
    text = "## Lambda\n- memory up to 10 GB\nLimits:\n- timeout 15 min\n"
    lines = lines_of(text)
    assert (lines[3].role, lines[3].plain) == ("heading", "Limits:")
    assert lines[4].heading == "Limits"


def test_a_heading_inside_a_quote_heads_the_lines_below_it_without_starting_a_section() -> None:
    text = "## SQS\n> ### Exam tip\n> retention max 14 days\n"
    cards = cards_of(text)
    assert [c.front for c in cards] == ["SQS"]
    lines = lines_of(text)
    assert (lines[2].role, lines[2].plain) == ("heading", "Exam tip")
    assert (lines[3].plain, lines[3].heading) == ("retention max 14 days", "Exam tip")


def test_a_setext_heading_over_several_lines_is_one_heading() -> None:
    cards = cards_of("Kinesis Data\nStreams\n-------\n- shard write 1 MB/s\n")
    assert [(c.front, c.front_lines) for c in cards] == [("Kinesis Data Streams", (1,))]
    assert [ln.number for ln in cards[0].lines] == [4]


def test_a_reference_definition_is_a_text_line_with_its_url_masked() -> None:
    ln = lines_of("## S3\n- see the quotas page\n\n[quotas]: https://docs.aws.amazon.com/s3/quotas-5\n")[4]
    assert ln.role == "text"
    assert [ln.plain[s:e] for s, e in ln.masks] == ["https://docs.aws.amazon.com/s3/quotas-5"]


def test_a_table_row_with_more_cells_than_its_header_keeps_them() -> None:
    row = lines_of("## EBS\n| Volume | Max IOPS |\n|---|---|\n| io2 | 64,000 | 256,000 Block Express |\n")[4]
    assert row.role == "table"
    assert row.cells == ("io2", "64,000", "256,000 Block Express")


def test_a_table_needs_a_delimiter_row_with_as_many_columns_as_its_header() -> None:
    lines = lines_of("## EBS\n| Volume | Max IOPS |\n|---|\n| io2 | 64,000 |\n")
    assert all(ln.role != "table" for ln in lines.values())


def test_a_lone_carriage_return_does_not_shift_line_numbers() -> None:
    lines = lines_of("## SQS\n- retention\r max 14 days\n- message max 256 KB\n")
    assert lines[3].plain == "message max 256 KB"


def test_lists_nested_deeper_than_the_parser_goes_are_still_read_line_by_line() -> None:
    depth = 120
    nested = "\n".join("  " * k + f"- level {k}" for k in range(depth))
    text = f"## S3\n{nested}\n## SQS\n- max 14 days\n"
    cards = cards_of(text)
    assert [ln.number for ln in cards[0].lines] == list(range(2, depth + 2))
    assert all(f"level {k}" in cards[0].lines[k].plain for k in range(depth))


def test_front_matter_lines_are_no_part_of_the_document() -> None:
    blocks = parse("+++\ntitle = 'x'\n---\n+++\n## SQS\n- max 14 days\n")
    assert blocks.start == 4
    assert [h.text for h in blocks.heads] == ["SQS"]
    assert not blocks.rules  # the `---` inside the front matter is no rule


def test_numbered_sections_head_plain_notes_and_page_headers_are_hidden():
    doc = parse("Guide  Page 1\n\n1.1 Amazon SQS\ntext\n1.2 AWS Lambda\ntext\nGuide  Page 2\n")
    assert [(h.index, h.level, h.text) for h in doc.heads] == [(2, 2, "Amazon SQS"), (4, 2, "AWS Lambda")]
    assert {0, 6} <= doc.hidden
    # One numbered line is a sentence, a number with a unit a value; a page number seen once is text.
    once = parse("2.1 Storage\nsome text\nPage 3 of the guide\n")
    assert once.heads == [] and not once.hidden
    values = parse("2.5 GB Max volume\n1.5 TB Max object\n")
    assert values.heads == []
