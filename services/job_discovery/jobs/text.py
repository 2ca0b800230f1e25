"""Text folding shared by the normalisers: one spelling per word, whatever the source."""

from __future__ import annotations

import re
import unicodedata

# "+" and "#" carry meaning in titles ("C++", "C#"); every other non-word character is noise.
_NOISE = re.compile(r"[^\w+#]+|_+")


def fold(value: str) -> str:
    """Case-folded, NFKC, punctuation turned into single spaces."""
    text = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(_NOISE.sub(" ", text).split())


def tidy(value: str) -> str:
    """NFKC with runs of whitespace collapsed: the display form of a name."""
    return " ".join(unicodedata.normalize("NFKC", value).split())
