"""Article extraction: raw page bytes in, every field of an article out.

``extract(raw, url, ...)`` is the only entry point; the spiders and ``newswatch extract``
both call it. See docs/extraction.md for the layers and what each field means.
"""

from .extracted import Extracted
from .pipeline import extract

__all__ = ["Extracted", "extract"]
