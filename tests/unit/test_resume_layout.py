"""Reading order of positioned text: columns, rows lined up across a gutter, headings."""

from __future__ import annotations

import io

import docx
from fpdf import FPDF

from infra.resume_files import Limits, extract
from infra.resume_layout import Glyph, page_text


def line(text: str, x: float, y: float, size: float = 10.0, bold: bool = False) -> list[Glyph]:
    """Glyphs of `text` set from (x, baseline-ish y), each half the size wide."""
    width = size * 0.5
    return [Glyph(ch, x + i * width, x + (i + 1) * width, y - size, y, size, bold)
            for i, ch in enumerate(text)]


def test_a_sidebar_is_read_before_the_main_column() -> None:
    glyphs = line("Jane Doe", 40, 30, size=20)
    sidebar = ["CONTACT", "jane@example.com", "Chicago, IL", "SKILLS", "Python", "SQL",
               "Excel", "EDUCATION", "BSc Physics"]
    main = ["EXPERIENCE", "Analyst, Acme Jan 2020 - Present", "Built dashboards in Tableau",
            "Wrote SQL for finance", "Clerk, Shop Mar 2016 - Dec 2019", "Kept the books"]
    for i, text in enumerate(sidebar):
        glyphs += line(text, 40, 70 + i * 13, size=9)  # a pitch of its own: rows seldom meet
    for i, text in enumerate(main):
        glyphs += line(text, 200, 74 + i * 17)
    lines = [text for text in page_text(glyphs, 10).splitlines() if text]
    assert lines == ["Jane Doe", *sidebar, *main]


def test_rows_lined_up_across_a_gutter_are_read_row_by_row() -> None:
    glyphs: list[Glyph] = []
    y = 40.0
    for dates, role, bullets in [("Jan 2020 - Present", "Analyst, Acme", ["Built reports"]),
                                 ("Mar 2016 - Dec 2019", "Clerk, Shop", ["Kept books", "Paid"]),
                                 ("Jun 2014 - Feb 2016", "Intern, Bank", ["Filed"])]:
        glyphs += line(dates, 40, y) + line(role, 200, y, bold=True)
        for bullet in bullets:
            y += 14
            glyphs += line(bullet, 200, y)
        y += 28
    text = page_text(glyphs, 10)
    assert text.splitlines()[:3] == ["Jan 2020 - Present", "Analyst, Acme", "Built reports"]
    assert "Mar 2016 - Dec 2019\nClerk, Shop\nKept books\nPaid" in text


def test_a_heading_gets_a_blank_line_and_a_wide_gap_two_spaces() -> None:
    glyphs = line("Summary text goes here", 40, 20) + line("EXPERIENCE", 40, 40, size=14) + \
        line("Analyst", 40, 58) + line("2020 - 2024", 300, 58)
    assert page_text(glyphs, 10) == "Summary text goes here\n\nEXPERIENCE\nAnalyst  2020 - 2024"


def test_a_two_column_pdf_keeps_each_column_together() -> None:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=9)
    sidebar = ["SKILLS", "Python", "PostgreSQL", "Kafka", "EDUCATION", "MSc Computing",
               "TU Delft", "LANGUAGES", "English", "Dutch"]
    for i, text in enumerate(sidebar):
        document.text(12, 20 + i * 4.6, text)
    document.set_font("helvetica", size=11)
    main = ["EXPERIENCE", "Senior Engineer, Paylane Jan 2019 - Present",
            "Python services on PostgreSQL", "Engineer, Shipwise Jun 2015 - Dec 2018",
            "REST APIs in Java", "Mentored two juniors"]
    for i, text in enumerate(main):
        document.text(70, 21.5 + i * 6.3, text)
    text = extract(bytes(document.output()), "pdf", Limits()).text
    lines = [row for row in text.splitlines() if row]
    assert lines == sidebar + main


def test_white_text_on_a_dark_band_is_visible_not_hidden() -> None:
    document = FPDF()
    document.add_page()
    document.set_fill_color(30, 40, 60)
    document.rect(0, 0, 210, 30, style="F")
    document.set_font("helvetica", size=16)
    document.set_text_color(255, 255, 255)
    document.text(12, 18, "Jane Doe, Data Engineer")
    document.set_text_color(0, 0, 0)
    document.text(12, 50, "Experience")
    result = extract(bytes(document.output()), "pdf", Limits())
    assert result.hidden_text == []
    assert result.text.startswith("Jane Doe, Data Engineer")


def test_a_docx_table_reads_row_by_row_dates_beside_role() -> None:
    document = docx.Document()
    document.add_heading("Experience", level=1)
    table = document.add_table(rows=0, cols=2)
    for dates, role, bullet in [("Jan 2020 - Present", "Analyst, Acme", "Built reports"),
                                ("Mar 2016 - Dec 2019", "Clerk, Shop", "Kept the books")]:
        cells = table.add_row().cells
        cells[0].text = dates
        cells[1].text = role
        cells[1].add_paragraph(bullet)
    document.add_heading("Skills", level=1)
    document.add_paragraph("Excel, SQL")
    out = io.BytesIO()
    document.save(out)
    assert extract(out.getvalue(), "docx", Limits()).text == (
        "Experience\nJan 2020 - Present  Analyst, Acme\nBuilt reports\n"
        "Mar 2016 - Dec 2019  Clerk, Shop\nKept the books\n\nSkills\nExcel, SQL")
