"""The printed pages are worked out before printing, so the contents can give page numbers:
the cover stands alone, the key messages and what changed open a page, a block that does not
fit opens the next one (and the page marks it), nothing is split, and a heading never ends a
page without what it heads."""

from orchestration.lib.report.document import Bullets, Paragraph, Question, Report, Section
from orchestration.lib.report.html import render_page
from orchestration.lib.report.pagination import BODY, PAGE_HEIGHT, PAGE_WIDTH, lines, paginate
from tests.report.builders import PRODUCED_ON

SENTENCE = "In 230 cases (95%) the IRO was satisfied that quality of life has improved. " * 2


def report(*sections: Section) -> Report:
    return Report(
        time_period="2023",
        period_label="2023",
        title="Annual Care Plan Audit 2023",
        subtitle="Hampshire Independent Reviewing Service",
        authors=None,
        sections=sections,
        audits=240,
        produced_on=PRODUCED_ON,
        rounding_rule="rounded half up",
    )


def test_text_wraps_at_the_width_of_the_page():
    assert lines("Key messages", PAGE_WIDTH) == 1
    one_line_of_words = "word " * 10
    assert lines(one_line_of_words * 20, PAGE_WIDTH) > lines(one_line_of_words * 10, PAGE_WIDTH)
    assert lines(SENTENCE, PAGE_WIDTH) == 2  # about 100 characters a line at 10 pt
    assert lines(SENTENCE, PAGE_WIDTH / 2) > lines(SENTENCE, PAGE_WIDTH)


def test_the_cover_stands_alone_and_the_key_messages_and_what_changed_open_a_page():
    layout = paginate(
        report(
            Section("key_messages", "Key messages", [Paragraph("Short.")]),
            Section("what_changed", "What changed since last year", [Paragraph("Short.")]),
            Section("background", "Background", [Paragraph("Short.")]),
            Section("impact", "Findings: Impact", [Paragraph("Short.")]),
        ),
        {},
    )
    assert layout.pages == {"key_messages": 2, "what_changed": 3, "background": 3, "impact": 3}
    assert layout.page_count == 3


def test_a_list_too_long_for_a_page_goes_on_between_its_items_and_the_page_says_so():
    findings = Bullets(tuple(SENTENCE for _ in range(60)), finding=True)
    long = Section("impact", "Findings: Impact", [Question("Does the child feel ...?"), findings])
    after = Section("care_plan", "Findings: The Care Plan", [Paragraph("Short.")])
    layout = paginate(report(Section("key_messages", "Key messages", []), long, after), {})
    items_per_page = int(PAGE_HEIGHT // (2 * BODY.leading + 2.8))
    assert layout.pages["impact"] == 2 and layout.pages["care_plan"] >= 3
    opened = sorted(item for block, item in layout.starts if block == id(findings))
    assert opened and all(0 < item < 60 for item in opened)  # between items, never inside one
    assert opened[0] <= items_per_page
    html, _ = render_page(report(Section("key_messages", "Key messages", []), long, after), "v1")
    assert html.count('<li class="page-start">') == len(opened)
    assert '<span class="page-number" aria-hidden="true">2</span>' in html


def test_a_heading_is_never_the_last_thing_on_a_page():
    filler = Paragraph("\n".join(["A line."] * int(PAGE_HEIGHT // BODY.leading - 6)))
    question = Question("Who has signed the care plan?")
    answer = Paragraph(SENTENCE * 3)
    layout = paginate(
        report(Section("key_messages", "Key messages", [filler, question, answer])), {}
    )
    assert layout.opens_page(question)  # it goes over with the finding it heads
    assert not layout.opens_page(answer)
