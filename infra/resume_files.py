"""Resume files to text: type sniffing, size/page limits, PDF/DOCX/text extraction, hidden text.

Plumbing shared by whoever takes a resume file: the gateway checks an upload with it before
storing anything, the ATS engine reads the stored file's text with it."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Kind = Literal["pdf", "docx", "text"]
_EXTENSIONS: dict[str, Kind] = {".pdf": "pdf", ".docx": "docx", ".txt": "text", ".md": "text",
                                ".text": "text"}
_MEDIA_TYPES: dict[str, Kind] = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/plain": "text", "text/markdown": "text",
}


class DocumentError(ValueError):
    """A file that cannot be taken as a resume; the message says why, for the uploader."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5_000_000
    max_pages: int = 20
    max_unzipped_bytes: int = 30_000_000
    max_zip_ratio: float = 100.0
    max_chars: int = 200_000


@dataclass(frozen=True)
class Extracted:
    """A file's text, and what the extraction saw that a reader would not."""

    kind: Kind
    text: str
    pages: int = 1
    hidden_text: list[str] = field(default_factory=list)
    images: int = 0


def kind_of(filename: str | None, media_type: str | None = None) -> Kind | None:
    """The type a file claims by its name or media type."""
    if filename:
        for extension, kind in _EXTENSIONS.items():
            if filename.lower().endswith(extension):
                return kind
    if media_type:
        return _MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
    return None


def sniff(content: bytes) -> Kind:
    """The type the bytes really have."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        return "docx"
    return "text"


def extract(content: bytes, claimed: Kind | None, limits: Limits) -> Extracted:
    """Text of a resume file; raises DocumentError with a plain reason on bad input."""
    if not content:
        raise DocumentError("the file is empty")
    if len(content) > limits.max_bytes:
        raise DocumentError(f"the file is {len(content):,} bytes; "
                            f"the limit is {limits.max_bytes:,}")
    actual = sniff(content)
    if claimed is not None and claimed != actual:
        raise DocumentError(f"the file claims to be {claimed} but its content is {actual}")
    if actual == "pdf":
        result = _pdf(content, limits)
    elif actual == "docx":
        result = _docx(content, limits)
    else:
        result = Extracted("text", _text(content))
    if len(result.text) > limits.max_chars:
        raise DocumentError(f"the text has {len(result.text):,} characters; "
                            f"the limit is {limits.max_chars:,}")
    return result


def _text(content: bytes) -> str:
    if b"\x00" in content:
        raise DocumentError("the text is not UTF-8 (it holds NUL bytes: binary or UTF-16)")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"the text is not UTF-8 (bad byte at offset {exc.start})") from exc
    if not text.strip():
        raise DocumentError("the file holds no text")
    return text


def _pdf(content: bytes, limits: Limits) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise DocumentError("the PDF is encrypted; upload it without a password")
        pages = len(reader.pages)
        if pages > limits.max_pages:
            raise DocumentError(f"the PDF has {pages} pages; the limit is {limits.max_pages}")
        texts: list[str] = []
        hidden: list[str] = []
        images = 0
        for page in reader.pages:
            texts.append(_page_text(page, hidden))
            images += _image_count(page)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, IndexError, AssertionError, ZeroDivisionError) as exc:
        raise DocumentError(f"the PDF is corrupt or unreadable ({type(exc).__name__})") from exc
    return Extracted("pdf", "\n".join(texts), pages, hidden, images)


_WHITE = 0.92
_TINY_PT = 2.0


def _page_text(page: Any, hidden: list[str]) -> str:
    """Page text; text drawn white, invisible (render mode 3) or microscopic goes to `hidden`."""
    state: dict[str, Any] = {"fill": (0.0, 0.0, 0.0), "mode": 0}
    stack: list[dict[str, Any]] = []

    def before(operator: bytes, operands: list[Any], cm: Any, tm: Any) -> None:
        try:
            if operator == b"q":
                stack.append(dict(state))
            elif operator == b"Q" and stack:
                state.update(stack.pop())
            elif operator in (b"rg", b"sc", b"scn") and len(operands) == 3:
                state["fill"] = tuple(float(v) for v in operands)
            elif operator == b"g" and len(operands) == 1:
                state["fill"] = (float(operands[0]),) * 3
            elif operator == b"k" and len(operands) == 4:
                c, m, y, k = (float(v) for v in operands)
                state["fill"] = tuple((1 - x) * (1 - k) for x in (c, m, y))
            elif operator == b"Tr" and operands:
                state["mode"] = int(operands[0])
        except (TypeError, ValueError):
            pass  # an operand we cannot read as a number: leave the state as it was

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        scale = abs(float(tm[3]) * float(cm[3])) or 1.0
        white = all(v >= _WHITE for v in state["fill"])
        if white or state["mode"] == 3 or 0 < size * scale < _TINY_PT:
            hidden.append(text.strip())

    return str(page.extract_text(visitor_operand_before=before, visitor_text=visit) or "")


def _image_count(page: Any) -> int:
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
    if not xobjects:
        return 0
    xobjects = xobjects.get_object()
    return sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")


def _docx(content: bytes, limits: Limits) -> Extracted:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError("the DOCX is corrupt (not a readable zip archive)") from exc
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        raise DocumentError("the zip archive is not a Word document (no word/document.xml)")
    unzipped = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if unzipped > limits.max_unzipped_bytes or unzipped / packed > limits.max_zip_ratio:
        raise DocumentError(f"the DOCX expands to {unzipped:,} bytes from {packed:,}: "
                            "refused as a possible zip bomb")
    import docx
    from docx.shared import RGBColor

    try:
        document = docx.Document(io.BytesIO(content))
        lines: list[str] = []
        hidden: list[str] = []
        for paragraph in _paragraphs(document):
            visible = []
            for run in paragraph.runs:
                color = run.font.color.rgb if run.font.color is not None and \
                    run.font.color.type is not None else None
                tiny = run.font.size is not None and run.font.size.pt < _TINY_PT
                invisible = run.font.hidden or tiny or color == RGBColor(0xFF, 0xFF, 0xFF)
                if invisible and run.text.strip():
                    hidden.append(run.text.strip())
                visible.append(run.text)
            lines.append("".join(visible) if paragraph.runs else paragraph.text)
    except DocumentError:
        raise
    except (KeyError, ValueError, AttributeError, zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(f"the DOCX is corrupt ({type(exc).__name__})") from exc
    return Extracted("docx", "\n".join(lines), 1, hidden)


def _paragraphs(document: Any) -> list[Any]:
    """Body paragraphs, then table cells' (resumes often lay sections out in tables)."""
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    return paragraphs


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    """Text without control characters, with normalised line ends."""
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


class ResumeFileSettings(BaseSettings):
    """Upload limits, from `JAMS_*` variables; the same for every service that takes a file."""

    model_config = SettingsConfigDict(env_prefix="JAMS_", extra="ignore")

    max_upload_bytes: int = Field(default=5_000_000, ge=1, description="Largest resume file")
    max_pdf_pages: int = Field(default=20, ge=1, description="Most pages of a PDF resume")
    max_unzipped_bytes: int = Field(default=30_000_000, ge=1,
                                    description="Most bytes a DOCX may expand to")

    def limits(self) -> Limits:
        return Limits(max_bytes=self.max_upload_bytes, max_pages=self.max_pdf_pages,
                      max_unzipped_bytes=self.max_unzipped_bytes)


_EXTENSION: dict[Kind, str] = {"pdf": "pdf", "docx": "docx", "text": "txt"}


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: what it is, its digest, and its text."""

    kind: Kind
    sha256: str
    extracted: Extracted

    @property
    def extension(self) -> str:
        return _EXTENSION[self.kind]


RESUME_NAMESPACE = uuid.UUID("0b7d2c55-1f0e-4c1a-8f6e-4f7a8f1d2e3c")


def resume_version_id(candidate_id: uuid.UUID, sha256: str) -> uuid.UUID:
    """The same bytes for the same candidate are the same version, whoever stores them."""
    return uuid.uuid5(RESUME_NAMESPACE, f"{candidate_id}:{sha256}")


def resume_blob_key(candidate_id: uuid.UUID, version_id: uuid.UUID, extension: str) -> str:
    """Where a version's file lives: named by its content, so storing it twice is harmless."""
    return f"resumes/{candidate_id}/{version_id}.{extension}"


def check_file(content: bytes, filename: str | None, media_type: str | None,
               limits: Limits) -> CheckedFile:
    """The checks an uploader waits for; DocumentError with a plain reason, before any storing."""
    extracted = extract(content, kind_of(filename, media_type), limits)
    return CheckedFile(extracted.kind, hashlib.sha256(content).hexdigest(), extracted)
