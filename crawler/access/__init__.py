"""Getting through: know what answered, and the remedies, cheapest first.

- :mod:`.classify`: :func:`classify` (status, headers, body, url) → :class:`Verdict`
  and :func:`classify_failure` for requests that got no answer;
- :mod:`.proxy`: the seed's or the global ``proxy`` on every request;
- :mod:`.scheme_fallback`: plain ``http://`` when ``https://`` gets no answer;
- :mod:`.retry_after`: a ``429``/``503`` with ``Retry-After`` pauses the host;
- :mod:`.cookies`: a source's cookies kept between runs (beside the archive);
- :mod:`.render`: ``render = "auto" | "always"``: a browser where a site needs one;
- :mod:`.chromium`: the system Chromium: where it is, its flags, scrapy-playwright's settings;
- :mod:`.browser`: the download handler that drives it.

See ``docs/crawling.md``, "Getting through".
"""

from crawler.access.classify import Verdict, advice, classify, classify_failure

__all__ = ["Verdict", "advice", "classify", "classify_failure"]
