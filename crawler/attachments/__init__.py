"""Attachments of an article (PDF, Word, Excel): download once, extract text, bounded.

- :mod:`.sniff` says what a file really is from its first bytes, whatever its name says.
- :mod:`.limits` holds the bounds (pages, characters, unpacked size, time, memory).
- :mod:`.pdf`, :mod:`.office` (.docx, .xlsx) and :mod:`.legacy` (.doc, .wps, .xls through
  antiword or LibreOffice) extract one format each; :mod:`.extract` picks by type and
  turns every failure into an outcome.
- :mod:`.bounded` runs :func:`extract` in a child process with a memory limit and a
  deadline, so a pathological file can neither hang nor exhaust the crawl.
- :mod:`.fetching` is the spider's side: which links to fetch, requests, and the record
  of each attachment that the archive pipeline stores (``crawler.archive``).

See ``docs/crawling.md``, "Attachments".
"""

from crawler.attachments.extracted import Extraction
from crawler.attachments.limits import Limits

__all__ = ["Extraction", "Limits"]
