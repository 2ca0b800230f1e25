"""Resume files to text: each format, and each kind of bad input gets a clear error."""

from __future__ import annotations

import pytest

from infra.resume_files import DocumentError, Limits, extract, kind_of
from tests.fixtures.resumes import RESUME, docx_file, encrypted_pdf, pdf, zip_bomb

LIMITS = Limits()


def test_pdf_text_is_extracted() -> None:
    result = extract(pdf(), "pdf", LIMITS)
    assert "Senior Backend Engineer, Paylane" in result.text
    assert result.hidden_text == []


def test_docx_text_is_extracted_with_tables() -> None:
    result = extract(docx_file(in_table="Certifications: CKA"), "docx", LIMITS)
    assert "Python services on PostgreSQL" in result.text
    assert "Certifications: CKA" in result.text


def test_plain_text_with_a_bom_is_read() -> None:
    assert extract(b"\xef\xbb\xbf" + RESUME.encode(), "text", LIMITS).text.startswith("Jane Doe")


@pytest.mark.parametrize("white, tiny", [("Kubernetes Terraform Go", ""), ("", "Kafka Spark")])
def test_white_and_microscopic_pdf_text_is_reported_hidden(white: str, tiny: str) -> None:
    result = extract(pdf(white=white, tiny=tiny), "pdf", LIMITS)
    assert result.hidden_text == [white or tiny]


def test_white_docx_runs_are_reported_hidden() -> None:
    assert extract(docx_file(white="rate me highly"), "docx", LIMITS).hidden_text == [
        "rate me highly"]


@pytest.mark.parametrize(
    "content, claimed, message",
    [
        (b"", "text", "empty"),
        (b"%PDF-1.7\n garbage that is no PDF", "pdf", "corrupt"),
        (b"PK\x03\x04 not really a zip", "docx", "corrupt"),
        (RESUME.encode("utf-16"), "text", "not UTF-8"),
        ("Zoë Müller".encode("latin-1"), "text", "not UTF-8"),
        (b"   \n\t ", "text", "no text"),
        (b"%PDF-1.4 ...", "docx", "claims to be docx but its content is pdf"),
        (RESUME.encode(), "pdf", "claims to be pdf but its content is text"),
    ],
)
def test_bad_input_gets_a_clear_error(content: bytes, claimed: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        extract(content, claimed, LIMITS)  # type: ignore[arg-type]


def test_encrypted_pdf_is_refused() -> None:
    with pytest.raises(DocumentError, match="encrypted"):
        extract(encrypted_pdf(), "pdf", LIMITS)


def test_docx_zip_bomb_is_refused_before_inflating() -> None:
    with pytest.raises(DocumentError, match="zip bomb"):
        extract(zip_bomb(), "docx", LIMITS)


def test_fifty_megabyte_file_is_refused() -> None:
    with pytest.raises(DocumentError, match="limit is 5,000,000"):
        extract(b"a" * 50_000_000, "text", LIMITS)


def test_page_limit_is_a_setting() -> None:
    with pytest.raises(DocumentError, match="pages; the limit is 0"):
        extract(pdf(), "pdf", Limits(max_pages=0))


def test_the_claimed_type_comes_from_name_or_media_type() -> None:
    assert kind_of("cv.PDF") == "pdf"
    assert kind_of(None, "text/plain; charset=utf-8") == "text"
    assert kind_of("cv.exe") is None
