"""Positioned glyphs of a page to reading-order text: lines, columns, headings.

Pure geometry, no PDF library: the PDF reader hands over each glyph's box, size and boldness.
A page with a vertical gutter that no word crosses (a sidebar beside the main column) is read
column by column; a gutter whose two sides line up row by row (dates left, role right) is read
row by row. Each visual line stays a line, and a heading gets a blank line before it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Glyph:
    """One drawn character; y grows downwards from the top of the page."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False


Word = Glyph  # a word is a run of glyphs, with the same fields
Row = list[Word]

_WORD_GAP = 0.25  # a gap wider than this share of the font size splits two words
_WIDE_GAP = 1.2  # ... and wider than this (tab stop, right-aligned dates) joins with two spaces
_MIN_GUTTER = 6.0  # points of blank between two columns
_SIDE_SPAN = 0.3  # each column covers at least this share of the text's height
_ALIGNED = 0.75  # share of the sparser side's rows that sit level with a row of the other
_DENSE = 0.3  # a column's lines cover at least this share of its height (not a few dates)


def body_size(glyphs: Iterable[Glyph]) -> float:
    """The font size most of the text is set in."""
    sizes = Counter(round(g.size * 2) / 2 for g in glyphs if not g.text.isspace())
    return sizes.most_common(1)[0][0] if sizes else 10.0


def page_text(glyphs: Sequence[Glyph], body: float) -> str:
    """The page's text in reading order, one visual line a line."""
    rows = _by_row(_words(glyphs))
    out: list[str] = []
    after_heading = False  # a heading wrapped onto two lines stays together
    for line, beside in _reading_order(rows):
        text = _join(line)
        if not text:
            if out and out[-1]:
                out.append("")
            continue
        heading = _heading(line, text, body)
        if heading and out and out[-1] and not after_heading and not beside:
            out.append("")
        out.append(text)
        after_heading = heading
    return "\n".join(out).strip("\n")


def lines(glyphs: Sequence[Glyph]) -> list[str]:
    """Each visual line's text, top to bottom, with no column logic (for hidden text)."""
    return [text for text in (_join(row) for row in _by_row(_words(glyphs))) if text]


def _by_row(items: Iterable[Glyph]) -> list[list[Glyph]]:
    """Items on one visual row, top to bottom: each overlaps the row's first item by half its
    height (top-aligned and baseline-aligned text of mixed sizes alike)."""
    rows: list[list[Glyph]] = []
    for item in sorted(items, key=lambda g: (g.top, g.x0)):
        if rows:
            first = rows[-1][0]
            overlap = min(first.bottom, item.bottom) - max(first.top, item.top)
            smaller = min(first.bottom - first.top, item.bottom - item.top)
            if overlap >= 0.5 * smaller:
                rows[-1].append(item)
                continue
        rows.append([item])
    return [sorted(row, key=lambda g: g.x0) for row in rows]


def _words(glyphs: Iterable[Glyph]) -> list[Word]:
    """Glyphs merged into words; a glyph drawn twice on itself (fake bold) counts once."""
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for glyph in glyphs:
        key = (glyph.text, round(glyph.x0), round(glyph.top))
        if key not in seen:
            seen.add(key)
            unique.append(glyph)
    words: list[Word] = []
    for row in _by_row(unique):
        run: list[Glyph] = []
        for glyph in row:
            if glyph.text.isspace():
                words += _word(run)
                run = []
                continue
            if run and glyph.x0 - run[-1].x1 > _WORD_GAP * max(glyph.size, run[-1].size):
                words += _word(run)
                run = []
            run.append(glyph)
        words += _word(run)
    return words


def _word(run: list[Glyph]) -> list[Word]:
    if not run:
        return []
    return [Word("".join(g.text for g in run), run[0].x0, max(g.x1 for g in run),
                 min(g.top for g in run), max(g.bottom for g in run),
                 max(g.size for g in run), all(g.bold for g in run))]


def _join(row: Row) -> str:
    parts: list[str] = []
    for index, word in enumerate(row):
        if index:
            gap = word.x0 - row[index - 1].x1
            parts.append("  " if gap > _WIDE_GAP * max(word.size, row[index - 1].size) else " ")
        parts.append(word.text)
    return "".join(parts)


def _heading(row: Row, text: str, body: float) -> bool:
    """Short, and set larger, in bold, or in capitals."""
    if len(row) > 6 or len(text) > 48:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    size = max(w.size for w in row)
    capitals = len(letters) >= 3 and all(ch.isupper() for ch in letters) and size >= body
    return size >= body * 1.15 or all(w.bold for w in row) or capitals


def _reading_order(rows: list[Row]) -> list[tuple[Row, bool]]:
    """Visual lines in reading order, each flagged when it sat beside the line before it
    (the right half of a row split at the gutter); an empty row stands for a blank line."""
    found = _gutter(rows)
    if found is None:
        return [(row, False) for row in rows]
    x, aligned = found
    out: list[tuple[Row, bool]] = []
    left_block: list[Row] = []
    right_block: list[Row] = []

    def flush() -> None:
        out.extend((row, False) for row in left_block)
        if left_block and right_block:
            out.append(([], False))
        out.extend((row, False) for row in right_block)
        if left_block or right_block:
            out.append(([], False))
        left_block.clear()
        right_block.clear()

    for row in rows:
        left = [w for w in row if w.x1 <= x]
        right = [w for w in row if w.x0 >= x]
        if _spans(row, left, right):
            flush()
            out.append((row, False))
        elif aligned:
            out.extend((part, index == 1 and bool(left))
                       for index, part in enumerate((left, right)) if part)
        else:
            if left:
                left_block.append(left)
            if right:
                right_block.append(right)
    flush()
    return out


def _spans(row: Row, left: Row, right: Row) -> bool:
    """A full-width line: a word crosses the gutter, or only a word space stands in it."""
    if len(left) + len(right) < len(row):
        return True
    if not left or not right:
        return False
    gap = right[0].x0 - left[-1].x1
    return gap < max(_MIN_GUTTER, 0.6 * max(left[-1].size, right[0].size))


def _gutter(rows: list[Row]) -> tuple[float, bool] | None:
    """The x of a blank vertical band with text on both sides down most of the page, and
    whether its two sides line up row by row; None for a single column."""
    words = [w for row in rows for w in row]
    if len(rows) < 6:
        return None
    left_edge, right_edge = min(w.x0 for w in words), max(w.x1 for w in words)
    height = max(w.bottom for w in words) - min(w.top for w in words)
    crossing = Counter[int]()
    for row in rows:
        # Clamped: a hostile file may place a glyph at any coordinate, infinity included.
        covered = {x for w in row for x in range(int(_clamp(w.x0)) + 1, int(_clamp(w.x1)) + 1)}
        crossing.update(covered)
    low, high = int(left_edge + 0.1 * (right_edge - left_edge)), \
        int(right_edge - 0.1 * (right_edge - left_edge))
    best: tuple[float, float, bool] | None = None  # the widest band at the lowest level
    for allowed in range(max(2, len(rows) // 10) + 1):  # fewest crossing rows first
        start: int | None = None
        for x in range(low, high + 2):
            if x <= high and crossing[x] <= allowed:
                start = x if start is None else start
                continue
            if start is not None and x - start >= _MIN_GUTTER \
                    and (best is None or x - start > best[0]):
                kind = _kind(rows, (start + x) / 2, height)
                if kind is not None:
                    best = (x - start, (start + x) / 2, kind)
            start = None
        if best is not None:
            return best[1], best[2]
    return None


def _kind(rows: list[Row], x: float, height: float) -> bool | None:
    """Aligned rows (True), independent columns (False), or no gutter at all (None)."""
    sides = [[part for part in ([w for w in row if w.x1 <= x] for row in rows) if part],
             [part for part in ([w for w in row if w.x0 >= x] for row in rows) if part]]
    if min(len(side) for side in sides) < 2 or any(
            _span(side) < _SIDE_SPAN * height for side in sides):
        return None
    if _aligned(rows, x):
        return True
    dense = all(_inked(side) >= _DENSE * _span(side) for side in sides)
    return False if dense and min(len(side) for side in sides) >= 3 else None


def _span(side: list[Row]) -> float:
    return max(w.bottom for w in side[-1]) - min(w.top for w in side[0])


def _inked(side: list[Row]) -> float:
    """Height covered by the side's lines: running text covers most of its span."""
    return sum(max(w.bottom for w in part) - min(w.top for w in part) for part in side)


def _aligned(rows: list[Row], x: float) -> bool:
    """Most rows of the sparser side sit level with text on the other side: tops or bottoms
    within a quarter of the font size (cells of one table row; not two columns that meet by
    chance)."""
    left = [row for row in rows if any(w.x1 <= x for w in row)]
    right = [row for row in rows if any(w.x0 >= x for w in row)]
    sparse = min(left, right, key=len)
    return sum(1 for row in sparse if _level(row, x)) >= _ALIGNED * len(sparse)


def _level(row: Row, x: float) -> bool:
    before = [w for w in row if w.x1 <= x]
    after = [w for w in row if w.x0 >= x]
    if not before or not after:
        return False
    a, b = before[-1], after[0]
    tolerance = 0.25 * min(a.size, b.size)
    return abs(a.top - b.top) <= tolerance or abs(a.bottom - b.bottom) <= tolerance


_FAR = 20_000.0  # points: far beyond any page a resume prints on


def _clamp(x: float) -> float:
    return max(-_FAR, min(_FAR, x)) if x == x else 0.0  # NaN reads as 0
