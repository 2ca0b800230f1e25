"""Resume files to text: the types taken, type sniffing, size/page limits, PDF/DOCX/text
extraction, hidden text.

Plumbing shared by whoever takes a resume file: the gateway checks an upload with it before
storing anything, the ATS engine reads the stored file's text with it. Only PDF, DOCX and
plain text are taken, by name and by content; whatever a parser raises on a hostile file
becomes a DocumentError, so an upload is answered with a reason, never a server error."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
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


TAKEN = ", ".join(_EXTENSIONS)


def kind_of(filename: str | None, media_type: str | None = None) -> Kind | None:
    """The type a file claims by its name or media type."""
    if filename:
        for extension, kind in _EXTENSIONS.items():
            if filename.lower().endswith(extension):
                return kind
    if media_type:
        return _MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
    return None


def allowed_kind(filename: str | None, media_type: str | None) -> Kind:
    """The type an upload claims, if it is one taken; DocumentError otherwise.

    A name with an extension decides (cv.exe is refused whatever it holds); a name without
    one needs a media type that is taken."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    extension = PurePosixPath(name).suffix.lower()
    kind = _EXTENSIONS.get(extension) if extension else kind_of(None, media_type)
    if kind is None:
        what = f"a {extension} file" if extension else "a file of unknown type"
        raise DocumentError(f"{what} is not taken as a resume; send one of {TAKEN}")
    return kind


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
    try:
        if actual == "pdf":
            result = _pdf(content, limits)
        elif actual == "docx":
            result = _docx(content, limits)
        else:
            result = Extracted("text", _text(content))
    except DocumentError:
        raise
    except Exception as exc:
        # The parsers (lxml, python-docx, pdfminer) raise what they like on hostile input:
        # broken XML, entity expansion, nesting past the recursion limit.
        raise DocumentError(f"the {_NAMES[actual]} is corrupt or unreadable "
                            f"({type(exc).__name__})") from exc
    if len(result.text) > limits.max_chars:
        raise DocumentError(f"the text has {len(result.text):,} characters; "
                            f"the limit is {limits.max_chars:,}")
    return result


_NAMES: dict[Kind, str] = {"pdf": "PDF", "docx": "DOCX", "text": "text"}
# A page, not a text: a document type or root element of HTML, XML or SVG, or active content.
_MARKUP = re.compile(r"\A\s*<(?:!doctype|\?xml|html|head|body|svg)\b"
                     r"|<(?:script|iframe|object|embed|applet|meta|link)\b", re.I)


def _text(content: bytes) -> str:
    if b"\x00" in content:
        raise DocumentError("the text is not UTF-8 (it holds NUL bytes: binary or UTF-16)")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"the text is not UTF-8 (bad byte at offset {exc.start})") from exc
    if not text.strip():
        raise DocumentError("the file holds no text")
    if markup := _MARKUP.search(text):
        raise DocumentError(f"the text is markup ({markup.group().strip()!r}), not a "
                            "plain-text resume; send it as PDF, DOCX or plain text")
    return text


def _pdf(content: bytes, limits: Limits) -> Extracted:
    from infra.resume_pdf import extract_pdf  # pdfminer loads only when a PDF comes

    return extract_pdf(content, limits)


_TINY_PT = 2.0


def _docx(content: bytes, limits: Limits) -> Extracted:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError("the DOCX is corrupt (not a readable zip archive)") from exc
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        raise DocumentError("the zip archive is not a Word document (no word/document.xml)")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise DocumentError("the Word document holds macros; save it as a plain .docx")
    unzipped = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if unzipped > limits.max_unzipped_bytes or unzipped / packed > limits.max_zip_ratio:
        raise DocumentError(f"the DOCX expands to {unzipped:,} bytes from {packed:,}: "
                            "refused as a possible zip bomb")
    import docx

    document = docx.Document(io.BytesIO(content))
    lines: list[str] = []
    hidden: list[str] = []
    _docx_blocks(document, lines, hidden)
    return Extracted("docx", "\n".join(lines).strip("\n"), 1, hidden)


def _docx_blocks(container: Any, lines: list[str], hidden: list[str]) -> None:
    """Paragraphs and tables in document order; a heading gets a blank line before it."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            _docx_table(block, lines, hidden)
            continue
        style = block.style.name if block.style is not None else ""
        if style.startswith(("Heading", "Title")) and lines and lines[-1]:
            lines.append("")
        _hidden_runs(block, hidden)
        lines.append(block.text)


def _docx_table(table: Any, lines: list[str], hidden: list[str]) -> None:
    """Row by row: the cells' first lines side by side ("dates  role"), then the rest of each
    cell in order; a merged cell is read once."""
    seen: dict[int, Any] = {}  # holding the elements keeps their ids unique
    for row in table.rows:
        cells: list[list[str]] = []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen[id(cell._tc)] = cell._tc
            inner: list[str] = []
            _docx_blocks(cell, inner, hidden)
            cells.append([line for line in inner if line.strip()])
        firsts = [cell[0] for cell in cells if cell]
        if firsts:
            lines.append("  ".join(firsts))
        for cell in cells:
            lines.extend(cell[1:])


def _hidden_runs(paragraph: Any, hidden: list[str]) -> None:
    """Runs set hidden, white or microscopic, hyperlinks' runs included."""
    from docx.shared import RGBColor
    from docx.text.hyperlink import Hyperlink

    for item in paragraph.iter_inner_content():
        for run in item.runs if isinstance(item, Hyperlink) else [item]:
            color = run.font.color.rgb if run.font.color is not None and \
                run.font.color.type is not None else None
            tiny = run.font.size is not None and run.font.size.pt < _TINY_PT
            invisible = run.font.hidden or tiny or color == RGBColor(0xFF, 0xFF, 0xFF)
            if invisible and run.text.strip():
                hidden.append(run.text.strip())


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


def resume_folder(candidate_id: uuid.UUID) -> str:
    """The folder of every resume file of the candidate (erasure removes it whole)."""
    return f"resumes/{candidate_id}/"


def resume_blob_key(candidate_id: uuid.UUID, version_id: uuid.UUID, extension: str) -> str:
    """Where a version's file lives: named by its content, so storing it twice is harmless."""
    return f"{resume_folder(candidate_id)}{version_id}.{extension}"


def check_file(content: bytes, filename: str | None, media_type: str | None,
               limits: Limits) -> CheckedFile:
    """The checks an uploader waits for; DocumentError with a plain reason, before any storing."""
    extracted = extract(content, allowed_kind(filename, media_type), limits)
    return CheckedFile(extracted.kind, hashlib.sha256(content).hexdigest(), extracted)
