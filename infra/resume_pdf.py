"""PDF resumes to text through pdfminer: every glyph with its box, font and colour, laid out.

Text drawn white on no dark fill, invisible (render mode 3) or microscopic is reported as
hidden: a reader cannot see it, a keyword-stuffer hopes the parser will."""

from __future__ import annotations

import io
import itertools
import unicodedata
from collections.abc import Sequence
from typing import Any

from pdfminer.layout import LTChar
from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import (
    PDFGraphicState,
    PDFPageInterpreter,
    PDFResourceManager,
    PDFTextState,
)
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream
from pdfminer.utils import Matrix, PathSegment, apply_matrix_pt, apply_matrix_rect

from infra.resume_files import DocumentError, Extracted, Limits
from infra.resume_layout import Glyph, body_size, lines, page_text

WHITE = 0.92  # every channel at least this light
DARK = 0.6  # a fill under white text with every channel below this makes the text visible
TINY_PT = 2.0
_INVISIBLE = 3  # text render mode: neither fill nor stroke
_FAKE_BOLD = 2  # fill then stroke: how browsers embolden a font that has no bold face
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")


def _rgb(color: Any) -> tuple[float, ...] | None:
    """A fill colour as RGB, whatever its colour space; None for patterns."""
    if isinstance(color, int | float):
        return (float(color),) * 3
    if isinstance(color, tuple) and all(isinstance(v, int | float) for v in color):
        if len(color) == 3:
            return tuple(float(v) for v in color)
        if len(color) == 4:
            c, m, y, k = (float(v) for v in color)
            return tuple((1 - v) * (1 - k) for v in (c, m, y))
        if len(color) == 1:
            return (float(color[0]),) * 3
    return None


def _readable(text: str) -> str:
    """Ligatures split, icon-font glyphs (Unicode private use) dropped."""
    if any("\ufb00" <= ch <= "\ufb06" for ch in text):
        text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not "\ue000" <= ch <= "\uf8ff")


class _Glyphs(PDFTextDevice):
    """A pdfminer device that keeps each page's glyphs, hidden glyphs and image count."""

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources)
        self.pages: list[list[Glyph]] = []
        self.hidden: list[list[Glyph]] = []
        self.images = 0
        self._height = 0.0
        self._mode = 0
        self._fills: list[tuple[tuple[float, float, float, float], bool]] = []

    def begin_page(self, page: PDFPage, ctm: Matrix) -> None:
        _, y0, _, y1 = apply_matrix_rect(ctm, page.mediabox)
        self._height = abs(y1 - y0)
        self._fills = []
        self.pages.append([])
        self.hidden.append([])

    def render_image(self, name: str, stream: PDFStream) -> None:
        self.images += 1

    def paint_path(self, gstate: PDFGraphicState, stroke: bool, fill: bool, evenodd: bool,
                   path: Sequence[PathSegment]) -> None:
        """Remember filled shapes: white text on a dark box is plain to see."""
        if not fill or self.ctm is None:
            return
        numbers = [float(v) for segment in path for v in segment[1:]
                   if isinstance(v, int | float)]
        points = [apply_matrix_pt(self.ctm, (numbers[i], numbers[i + 1]))
                  for i in range(0, len(numbers) - 1, 2)]
        if not points:
            return
        color = _rgb(gstate.ncolor)
        dark = color is not None and all(v < DARK for v in color)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self._fills.append(((min(xs), min(ys), max(xs), max(ys)), dark))

    def render_string(self, textstate: PDFTextState, seq: Any, ncs: Any,
                      graphicstate: PDFGraphicState) -> None:
        self._mode = textstate.render
        super().render_string(textstate, seq, ncs, graphicstate)

    def render_char(self, matrix: Matrix, font: PDFFont, fontsize: float, scaling: float,
                    rise: float, cid: int, ncs: Any, graphicstate: PDFGraphicState) -> float:
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = f"(cid:{cid})" if cid else ""  # glyph 0 is the missing-glyph box
        char = LTChar(matrix, font, fontsize, scaling, rise, text, font.char_width(cid),
                      font.char_disp(cid), ncs, graphicstate)
        text = _readable(text)
        if text:
            bold = self._mode == _FAKE_BOLD or any(
                name in font.fontname.lower() for name in _BOLD_NAMES)
            glyph = Glyph(text, char.x0, char.x1, self._height - char.y1,
                          self._height - char.y0, char.size, bold)
            self.pages[-1].append(glyph)
            if self._hidden(char, graphicstate):
                self.hidden[-1].append(glyph)
        return char.adv

    def _hidden(self, char: LTChar, graphicstate: PDFGraphicState) -> bool:
        if self._mode == _INVISIBLE or 0 < char.size < TINY_PT:
            return True
        color = _rgb(graphicstate.ncolor)
        if color is None or not all(v >= WHITE for v in color):
            return False
        x, y = (char.x0 + char.x1) / 2, (char.y0 + char.y1) / 2
        under = [dark for (x0, y0, x1, y1), dark in self._fills
                 if x0 <= x <= x1 and y0 <= y <= y1]
        return not (under and under[-1])


def extract_pdf(content: bytes, limits: Limits) -> Extracted:
    """A PDF's text in reading order with its hidden text; DocumentError on bad input."""
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfexceptions import PDFException
    from pdfminer.psexceptions import PSException

    try:
        document = PDFDocument(PDFParser(io.BytesIO(content)))
        if document.encryption is not None:
            raise DocumentError("the PDF is encrypted; upload it without a password")
        pages = list(itertools.islice(PDFPage.create_pages(document), limits.max_pages + 1))
        if len(pages) > limits.max_pages:
            count = _page_count(document, len(pages))
            raise DocumentError(f"the PDF has {count} pages; the limit is {limits.max_pages}")
        resources = PDFResourceManager()
        device = _Glyphs(resources)
        interpreter = PDFPageInterpreter(resources, device)
        for page in pages:
            interpreter.process_page(page)
    except DocumentError:
        raise
    except PDFPasswordIncorrect as exc:
        raise DocumentError("the PDF is encrypted; upload it without a password") from exc
    except (PDFException, PSException, ValueError, KeyError, TypeError, AttributeError,
            OSError, RecursionError, IndexError, AssertionError, ZeroDivisionError,
            UnicodeDecodeError) as exc:
        raise DocumentError(f"the PDF is corrupt or unreadable ({type(exc).__name__})") from exc
    try:
        body = body_size(g for page in device.pages for g in page)
        text = "\n\n".join(page_text(glyphs, body) for glyphs in device.pages)
        hidden = [line for glyphs in device.hidden for line in lines(glyphs)]
    except (ValueError, OverflowError, ZeroDivisionError, IndexError) as exc:
        raise DocumentError(f"the PDF's layout cannot be read ({type(exc).__name__})") from exc
    return Extracted("pdf", text, len(pages), hidden, device.images)


def _page_count(document: PDFDocument, at_least: int) -> int:
    """The page count the catalogue declares, for the message (at least what was seen)."""
    from pdfminer.pdftypes import resolve1

    try:
        declared = resolve1(resolve1(document.catalog["Pages"])["Count"])
    except (KeyError, TypeError, AttributeError):
        return at_least
    return declared if isinstance(declared, int) and declared >= at_least else at_least
