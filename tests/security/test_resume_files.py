"""Hostile resume files: only PDF, DOCX and plain text are taken, by name and by content, and
whatever a parser trips over is a DocumentError (a 422 at the upload), never a crash."""

from __future__ import annotations

import contextlib
import random
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from infra.resume_files import DocumentError, Limits, check_file
from tests.fixtures.resumes import (
    ENTITY_EXPANSION,
    RESUME,
    WORD_NS,
    docx_file,
    docx_with_part,
    pdf,
)

LIMITS = Limits()
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/auth/me')</script>Jane</body></html>"


def refused(name: str, content: bytes, media_type: str | None = None) -> str:
    with pytest.raises(DocumentError) as caught:
        check_file(content, name, media_type, LIMITS)
    return str(caught.value)


@pytest.mark.parametrize("name, content, media_type, reason", [
    ("cv.exe", HTML, None, "a .exe file is not taken"),
    ("cv.html", HTML, "text/html", "a .html file is not taken"),
    ("cv.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", None, "a .svg file"),
    ("cv.txt.exe", RESUME.encode(), None, "a .exe file"),
    ("C:\\Users\\jane\\cv.exe", RESUME.encode(), "text/plain", "a .exe file"),
    ("resume", RESUME.encode(), "application/octet-stream", "unknown type"),
    ("resume", RESUME.encode(), None, "unknown type"),
    ("cv.txt", HTML, "text/plain", "markup"),
    ("cv.txt", b"\n  <html><body>Jane Doe</body></html>", None, "markup"),
    ("cv.md", b"# Jane Doe\n<iframe src='https://evil.example'></iframe>", None, "markup"),
    ("cv.txt", b"<?xml version='1.0'?><resume>Jane</resume>", None, "markup"),
])
def test_only_pdf_docx_and_plain_text_are_taken(name: str, content: bytes,
                                                media_type: str | None, reason: str) -> None:
    assert reason in refused(name, content, media_type)


@pytest.mark.parametrize("name, content, media_type", [
    ("resume", RESUME.encode(), "text/plain"),
    ("cv.md", b"# Jane Doe\nLatency < 5 ms, p99 <= 20 ms<br>\nPython, Go", None),
    ("Jane Doe CV.PDF", pdf(), None),
    ("cv.docx", docx_file(), None),
])
def test_honest_files_of_the_types_taken_pass(name: str, content: bytes,
                                              media_type: str | None) -> None:
    assert "Jane Doe" in check_file(content, name, media_type, LIMITS).extracted.text


def test_a_docx_with_broken_xml_is_refused_with_a_reason() -> None:
    broken = f'<w:document xmlns:w="{WORD_NS}"><w:body><w:p><w:r><w:t>Jane'.encode()
    assert "corrupt or unreadable (XMLSyntaxError)" in refused(
        "cv.docx", docx_with_part("word/document.xml", broken))


def test_a_docx_with_entity_expansion_is_refused_without_expanding() -> None:
    assert "corrupt or unreadable" in refused(
        "cv.docx", docx_with_part("word/document.xml", ENTITY_EXPANSION))


def test_a_docx_never_reads_a_file_named_by_an_external_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the server's secret")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
           f'<w:document xmlns:w="{WORD_NS}"><w:body><w:p><w:r><w:t>Jane &x;</w:t></w:r>'
           "</w:p></w:body></w:document>").encode()
    try:
        text = check_file(docx_with_part("word/document.xml", xxe), "cv.docx", None,
                          LIMITS).extracted.text
    except DocumentError:
        return
    assert "secret" not in text


def test_a_word_document_with_macros_is_refused() -> None:
    macro = docx_with_part("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro storage")
    assert "macros" in refused("cv.docx", macro)


def _mutations(content: bytes, count: int, seed: int) -> list[bytes]:
    """Truncated and byte-flipped copies of `content`, the same on every run."""
    chance = random.Random(seed)
    out = []
    for _ in range(count):
        data = bytearray(content[:chance.randrange(len(content) // 4, len(content))])
        for _ in range(chance.randrange(1, 8)):
            data[chance.randrange(len(data))] = chance.randrange(256)
        out.append(bytes(data))
    return out


def _parsed_or_refused(name: str, content: bytes) -> None:
    """Read, or refused with a reason: any other exception fails the test."""
    with contextlib.suppress(DocumentError):
        check_file(content, name, None, LIMITS)


def test_mangled_word_xml_is_refused_never_raised() -> None:
    document = docx_file()
    xml = zipfile.ZipFile(BytesIO(document)).read("word/document.xml")
    for mangled in _mutations(xml, 60, seed=15):
        _parsed_or_refused("cv.docx", docx_with_part("word/document.xml", mangled, document))


def test_mangled_pdfs_are_refused_never_raised() -> None:
    for mangled in _mutations(pdf(), 60, seed=15):
        if mangled.startswith(b"%PDF-"):
            _parsed_or_refused("cv.pdf", mangled)
