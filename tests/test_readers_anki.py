"""The Anki plain-text export and CSV/TSV term-list readers."""

from __future__ import annotations

import pytest

from awskg.model import Card
from awskg.quantities import find_quantities
from awskg.readers import detect_format
from awskg.readers.anki import (
    html_plain,
    looks_like_anki,
    looks_like_csv,
    segment,
    segment_csv,
    tag_service,
)

EXPORT = (
    "#separator:tab\n"
    "#html:true\n"
    "#tags column:3\n"
    "SQS: message retention period?\tDefault is <b>4 days</b>.<br>Configurable from 60 seconds up to "
    "14 days (<code>MessageRetentionPeriod</code>).\taws::sqs dva-c02 limits\n"
    "SQS: visibility timeout – default &amp; max?\tdefault 30&nbsp;sec, max 12 hours<br>Worker needs "
    "longer? Call <code>ChangeMessageVisibility</code>.\taws::sqs dva-c02\n"
    "SNS → SQS: what permission is needed?\tallow <code>sqs:SendMessage</code>\taws::sns aws::sqs\n"
    "What are the two workflow types?\t<ul><li>Standard: up to 1 year</li><li>Express: max 5 minutes"
    "</li></ul>\taws::stepfunctions dva-c02\n"
)


def cards_of(text: str) -> list[Card]:
    return segment(text, "deck.txt", "deck")


def values(plain: str, masks: tuple[tuple[int, int], ...]) -> list[float | None]:
    return [q.value for q in find_quantities(plain, masks)]


# --------------------------------------------------------------------------- notes to cards


def test_each_note_is_a_card_on_its_physical_line_after_the_header_lines() -> None:
    cards = cards_of(EXPORT)
    assert [c.id for c in cards] == ["card:deck:1", "card:deck:2", "card:deck:3", "card:deck:4"]
    assert [c.front_lines for c in cards] == [(4,), (5,), (6,), (7,)]
    assert [(c.first_line, c.last_line) for c in cards] == [(4, 4), (5, 5), (6, 6), (7, 7)]
    assert [[ln.number for ln in c.lines] for c in cards] == [[4], [5], [6], [7]]
    assert all(c.fmt == "anki" for c in cards)


def test_front_is_plain_text_and_tags_come_from_the_tags_column() -> None:
    card = cards_of(EXPORT)[1]
    assert card.front == "SQS: visibility timeout – default & max?"
    assert card.tags == ["aws::sqs", "dva-c02"]


def test_a_back_is_shown_as_anki_shows_it_not_as_its_html() -> None:
    ln = cards_of(EXPORT)[0].lines[0]
    assert ln.plain == ("Default is 4 days. Configurable from 60 seconds up to 14 days "
                        "(MessageRetentionPeriod).")
    assert ln.text == ln.plain and "<b>" not in ln.text  # what a student sees behind an answer
    assert values(ln.plain, ln.masks) == [4, 60]


def test_anki_html_entities_decoded_and_br_becomes_clause_break() -> None:
    plain, _ = html_plain("default 30&nbsp;sec, max 12 hours<br>Worker&nbsp;&amp; queue -&gt; DLQ")
    assert plain == "default 30 sec, max 12 hours; Worker & queue -> DLQ"


def test_list_items_and_divs_become_separate_clauses() -> None:
    plain, _ = html_plain("<ul><li>50 MB zipped</li><li>250 MB unzipped</li></ul>")
    assert plain == "50 MB zipped; 250 MB unzipped"
    plain, _ = html_plain("Limits<div>max 5 layers</div><div>4 KB env vars</div>")
    assert plain == "Limits; max 5 layers; 4 KB env vars"


def test_code_tags_are_masked_from_limits() -> None:
    plain, masks = html_plain("<code>BatchWriteItem 25</code>: up to 25 put/delete requests")
    assert [plain[s:e] for s, e in masks] == ["BatchWriteItem 25"]
    assert values(plain, masks) == [25]
    assert find_quantities(plain, masks)[0].start > masks[0][1]


def test_code_after_a_break_is_masked_where_it_lands() -> None:
    plain, masks = html_plain("first<br><code>PutItem</code> then 400 KB")
    assert plain == "first; PutItem then 400 KB"
    assert [plain[s:e] for s, e in masks] == ["PutItem"]


def test_urls_in_a_back_are_masked() -> None:
    plain, masks = html_plain('see <a href="https://x.io/a">https://docs.aws.amazon.com/l/500</a>')
    assert [plain[s:e] for s, e in masks] == ["https://docs.aws.amazon.com/l/500"]


def test_html_false_keeps_tags_as_written() -> None:
    text = "#separator:tab\n#html:false\nLambda: tags?\tkeep <b>tags</b> &amp; 10 MB\n"
    ln = cards_of(text)[0].lines[0]
    assert ln.plain == "keep <b>tags</b> &amp; 10 MB"


# --------------------------------------------------------------------------- quoting and line numbers


def test_quoted_field_with_newline_keeps_physical_line_numbers() -> None:
    text = (
        "#separator:comma\n#html:false\n"
        'SQS: max size?,"256 KB by default,\nup to 2 GB with the extended client",aws::sqs\n'
        "Lambda: timeout?,max 900 s,aws::lambda\n"
    )
    cards = cards_of(text)
    assert [c.front for c in cards] == ["SQS: max size?", "Lambda: timeout?"]
    assert [ln.number for ln in cards[0].lines] == [3, 4]
    back = ["256 KB by default,", "up to 2 GB with the extended client"]
    assert [ln.plain for ln in cards[0].lines] == back
    assert (cards[0].first_line, cards[0].last_line) == (3, 4)
    assert cards[1].front_lines == (5,) and cards[1].lines[0].number == 5


def test_unbalanced_quote_does_not_swallow_the_notes_after_it() -> None:
    lines = ['SQS: "quoted front\tmax 14 days\taws::sqs'] + [f"Lambda: q{i}?\tmax {i} s\taws::lambda" for i in
                                                             range(1, 60)]
    cards = cards_of("#separator:tab\n" + "\n".join(lines) + "\n")
    assert len(cards) == 60
    assert cards[0].lines[0].plain == "max 14 days"
    assert cards[-1].front_lines == (61,)


def test_doubled_quotes_inside_a_quoted_field_are_one_quote() -> None:
    text = '#separator:comma\nLambda: limit?,"max 15 min ""hard"" limit",aws::lambda\n'
    assert cards_of(text)[0].lines[0].plain == 'max 15 min "hard" limit'


def test_meta_columns_are_neither_front_nor_back() -> None:
    text = (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
        "a1b2\tBasic\tAWS::DVA\tDynamoDB: max item size?\t400 KB\taws::dynamodb\n"
    )
    card = cards_of(text)[0]
    assert card.front == "DynamoDB: max item size?"
    assert [ln.plain for ln in card.lines] == ["400 KB"]
    assert card.tags == ["aws::dynamodb"]


def test_tags_column_is_recognised_without_a_header_saying_so() -> None:
    text = "SQS: retention?\t4 days\taws::sqs dva-c02\nSNS: size?\t256 KB\taws::sns\n"
    cards = cards_of(text)
    assert [c.tags for c in cards] == [["aws::sqs", "dva-c02"], ["aws::sns"]]
    assert [[ln.plain for ln in c.lines] for c in cards] == [["4 days"], ["256 KB"]]


def test_third_column_of_sentences_is_an_answer_not_tags() -> None:
    text = "SQS: retention?\t4 days\tmax 14 days, configurable\nSNS: size?\t256 KB\tup to 2 GB\n"
    cards = cards_of(text)
    assert [c.tags for c in cards] == [[], []]
    assert [ln.plain for ln in cards[0].lines] == ["4 days", "max 14 days, configurable"]


def test_separator_header_selects_the_delimiter() -> None:
    text = "#separator:semicolon\n#html:false\nKinesis: shard write?;1 MB/s or 1,000 records/s;aws::kinesis\n"
    card = cards_of(text)[0]
    assert card.lines[0].plain == "1 MB/s or 1,000 records/s"
    assert card.services[0] == "kinesis-data-streams"


def test_cloze_note_reads_its_facts_from_the_first_field() -> None:
    text = "#separator:tab\n#html:true\nSQS retention is {{c1::4 days}} by default\t\taws::sqs\n"
    card = cards_of(text)[0]
    assert card.front == "SQS retention is 4 days by default"
    assert [ln.plain for ln in card.lines] == ["SQS retention is 4 days by default"]


def test_nested_clozes_read_as_their_text() -> None:
    # Anki 2.1.56+ nests clozes: `{{c1::... {{c2::29 seconds}}}}` reads from the inside out.
    text = ("#separator:tab\n#html:true\n"
            "{{c1::API Gateway integration timeout is {{c2::29 seconds}}}}\t\taws::apigateway\n")
    card = cards_of(text)[0]
    assert card.front == "API Gateway integration timeout is 29 seconds"


# --------------------------------------------------------------------------- services and topics


def test_front_prefix_names_the_service() -> None:
    cards = cards_of(EXPORT)
    assert cards[0].services[0] == "sqs"
    assert cards[2].services[:2] == ["sns", "sqs"]  # `SNS → SQS`: the first named
    assert all(ln.service_hint == c.services[0] for c in cards for ln in c.lines)


def test_tags_give_service_when_front_names_none() -> None:
    card = cards_of(EXPORT)[3]
    assert card.services[0] == "step-functions"


@pytest.mark.parametrize("tag, service", [
    ("aws::sqs", "sqs"),
    ("AWS::Lambda", "lambda"),
    ("aws::stepfunctions", "step-functions"),
    ("kinesisdatastreams", "kinesis-data-streams"),
    ("aws_step_functions", "step-functions"),
    ("Cloud::AWS::DynamoDB", "dynamodb"),
    ("awslambda", "lambda"),
    ("dva-c02", None),
    ("limits", None),
])
def test_tag_names_a_service(tag: str, service: str | None) -> None:
    assert tag_service(tag) == service


def test_front_mention_gives_service_when_neither_prefix_nor_tags_do() -> None:
    card = cards_of("#separator:tab\nWhat is the max size of an SQS message?\t256 KB\tlimits\n")[0]
    assert card.services[0] == "sqs"


def test_topic_is_the_front_without_service_prefix_and_question_mark() -> None:
    cards = cards_of(EXPORT)
    assert cards[0].topic == "message retention period"
    assert cards[0].lines[0].heading == "message retention period"
    assert cards[3].topic == "What are the two workflow types"


# --------------------------------------------------------------------------- CSV / TSV term lists


def test_csv_header_row_is_skipped_and_rows_become_cards() -> None:
    text = 'term,definition\n"SQS retention","4 days default, max 14 days"\nDynamoDB item size,400 KB\n'
    cards = segment_csv(text, "terms.csv", "terms")
    assert [c.front for c in cards] == ["SQS retention", "DynamoDB item size"]
    assert [c.front_lines for c in cards] == [(2,), (3,)]
    assert cards[0].lines[0].plain == "4 days default, max 14 days"
    assert [c.services[0] for c in cards] == ["sqs", "dynamodb"]
    assert all(c.fmt == "csv" for c in cards)


def test_tab_separated_term_list_reads_like_csv() -> None:
    text = "Lambda timeout\tmax 900 s\nSQS visibility timeout\tdefault 30 s\n"
    cards = segment_csv(text, "t.tsv", "t")
    assert [(c.front, c.lines[0].plain) for c in cards] == [
        ("Lambda timeout", "max 900 s"), ("SQS visibility timeout", "default 30 s"),
    ]


# --------------------------------------------------------------------------- detection

FLASHCARDS = (
    "AWS notes\nLambda: layers\nmax 5 layers per function\n* versions\nimmutable, numbered\n"
    "SQS: what is it?\nfully managed queue, retention up to 14 days\nSNS: topics\npush to subscribers\n"
)
MARKDOWN = "# Notes\n\n## SQS\n- retention max 14 days\n\n## SNS\n- 256 KB messages\n"


def test_anki_is_detected_by_header_lines_or_tab_separated_fields() -> None:
    assert looks_like_anki(EXPORT)
    assert looks_like_anki("#html:true\nfront\tback\n")
    assert looks_like_anki("SQS: retention?\t4 days\taws::sqs\nSNS: size?\t256 KB\taws::sns\n")
    assert detect_format(EXPORT, ".md") == "anki"


def test_flashcards_and_markdown_are_not_anki_or_csv() -> None:
    for text in (FLASHCARDS, MARKDOWN):
        assert not looks_like_anki(text)
        assert not looks_like_csv(text)
    assert detect_format(FLASHCARDS, ".txt") == "flashcards"
    assert detect_format(MARKDOWN, ".txt") == "markdown"


def test_csv_is_detected_by_its_header_or_two_fields_per_line() -> None:
    assert looks_like_csv("front,back\nSQS retention,4 days\n")
    assert looks_like_csv('"SQS retention","4 days, max 14"\n"Lambda timeout","900 s"\n"DynamoDB","400 KB"\n')
    assert detect_format("term,definition\nSQS retention,4 days\n", ".txt") == "csv"


def test_prose_with_commas_is_not_csv() -> None:
    prose = "SQS keeps messages, by default, for four days.\nYou can raise it.\nLambda, however, differs.\n"
    assert not looks_like_csv(prose)


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("text", [
    "", "\x00", "\x00\t\x00\n\x00", "\t\t\t\n\t\t", ",,,,\n,,,", '"', '"""\n"\t"', "#separator:\n#html:\n",
    "#tags column:99\na\tb\n", "#separator:tab\n" + "a\tb" * 300_000, "1\t2\n3\t4\n5",
    "x\t" + "y" * 1_000_000,
    "#separator:comma\n" + '"a,' * 5000, "é\t💥<b>\t&#99999999;\n", "{{c1::\t}}\n<code>\t</code",
    "#separator:pipe\n|||\n", "#separator:space\na b c\n",
])
def test_readers_never_raise_on_arbitrary_text(text: str) -> None:
    for read in (segment, segment_csv):
        for card in read(text, "f.txt", "f"):
            assert card.front_lines[0] >= 1
            for ln in card.lines:
                assert all(0 <= s < e <= len(ln.plain) for s, e in ln.masks)
    looks_like_anki(text)
    looks_like_csv(text)


def test_a_note_types_field_names_say_which_field_asks_and_which_hold_no_fact():
    from awskg.readers.anki import Field, note_card

    fields = [Field("SQS", 1, "Service"), Field("Max delay of a delay queue (minutes)?", 2, "Question"),
              Field("15", 3, "Answer"), Field("10 fingers, 5 toes", 4, "Mnemonic"),
              Field("https://docs.aws.amazon.com/sqs", 5, "Source")]
    card = note_card(fields, tags=[], deck=None, is_html=True, file="d.apkg", stem="d", number=1, fmt="apkg")
    assert card.front == "SQS: Max delay of a delay queue (minutes)?" and card.front_lines == (2,)
    assert [(ln.number, ln.plain) for ln in card.lines] == [(3, "15")]
    assert card.services[0] == "sqs"
    # Stock note types keep their order: the first field asks.
    stock = note_card([Field("What is the SQS max message size?", 1, "Front"), Field("256 KB", 2, "Back")],
                      tags=[], deck=None, is_html=True, file="d.apkg", stem="d", number=2, fmt="apkg")
    assert stock.front.startswith("What is") and [ln.number for ln in stock.lines] == [2]

