"""Find new articles on a site with no known list page by probing growing numeric ids.

Outlook New Era serves ``info_view.php?VID=<n>`` on two hosts (www.outlooknewera.com.cn,
www.lwxsd.com): one site, one VID. A run first re-reads the highest VID archived for the
site (the anchor: if it no longer answers with an article the site changed, and the run
is ``empty``), then asks for the next VIDs one at a time until ``max_misses`` VIDs in a
row are missing or ``max_probes`` were tried. Every VID is asked of the first template;
a host that fails (5xx, refused, time-out) hands that VID to the next one, while a 404 or
an empty page is a miss (the hosts serve one site). Seed options (``[options]``):

- ``url_templates``: URLs with ``{id}``, tried in order (default: the start URL with its
  ``VID=<n>`` turned into ``VID={id}``);
- ``start_id``: the first VID when the archive holds none of the site (default: the start
  URL's VID); ``max_misses`` (default 5); ``max_probes`` (default 50).
"""

from __future__ import annotations

import re

import scrapy
from scrapy.http import Response

from crawler.blocking import block_reason
from crawler.database import is_postgres
from crawler.spiders.base import ListEntry, SourceSpider, failure_message

_VID = re.compile(r"(VID=)(\d+)", re.IGNORECASE)
# A VID that does not exist may still answer 200 with the page frame: demand some text.
MIN_BODY_CHARS = 80


class VidProbeSpider(SourceSpider):
    """Probes ``VID`` numbers above the highest archived (``-a source=outlook-new-era``)."""

    name = "vid_probe"

    def setup(self, settings) -> None:
        super().setup(settings)
        opts = self.source.options
        first = self.source.start_urls[0]
        self.templates = [str(t) for t in opts.get("url_templates") or []] or [
            _VID.sub(r"\1{id}", first)]
        bad = [t for t in self.templates if "{id}" not in t]
        if bad:
            raise ValueError(f"{self.source.path}: field 'options.url_templates': "
                             f"each must contain {{id}}, got {bad[0]!r}")
        found = _VID.search(first)
        self.start_id = int(opts.get("start_id") or (found.group(2) if found else 1))
        self.max_misses = int(opts.get("max_misses", 5))
        self.max_probes = int(opts.get("max_probes", 50))
        self.misses = 0
        self.probes = 0

    def highest_archived(self) -> int | None:
        if self.known.db is None:
            return None
        numeric = ("site_id ~ '^[0-9]+$'" if is_postgres(self.known.db)
                   else "site_id GLOB '[0-9]*'")
        row = self.known.db.execute(
            "SELECT MAX(CAST(site_id AS BIGINT)) FROM articles "
            f"WHERE site = ? AND {numeric}", [self.source.site]).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def start_list_requests(self):
        top = self.highest_archived()
        if top is None:
            yield self.probe(self.start_id)
        else:
            yield self.anchor(top, 0)

    def anchor(self, vid: int, host: int) -> scrapy.Request:
        """Re-read the highest archived VID (revalidated, so usually a cheap 304)."""
        request = self.list_request(self.templates[host].format(id=vid), page=1,
                                    callback=self.parse_anchor,
                                    meta={"nw_vid": vid, "nw_host": host})
        return request.replace(errback=self.anchor_failed)

    def anchor_failed(self, failure):
        request = failure.request
        vid, host = request.meta["nw_vid"], request.meta["nw_host"]
        response = getattr(failure.value, "response", None)
        reason = block_reason(response.status, response.body) if response is not None else None
        if reason:
            self.tally.blocked += 1
            self.tally.error(request.url, f"blocked: {reason}")
            return
        if host + 1 < len(self.templates):
            yield self.anchor(vid, host + 1)  # the other host serves the same VIDs
            return
        self.tally.list_failed += 1
        self.tally.error(request.url, f"anchor VID {vid}: {failure_message(failure)}")
        yield from self.next_probe(vid)

    def probe(self, vid: int, host: int = 0) -> scrapy.Request:
        self.probes += 1
        return scrapy.Request(
            self.templates[host].format(id=vid), callback=self.parse_probe,
            errback=self.probe_failed, headers=dict(self.source.headers), dont_filter=True,
            meta={"nw_role": "article", "nw_vid": vid, "nw_host": host, "dont_cache": True,
                  "handle_httpstatus_list": [404, 410], "nw_tries": 1})

    def next_probe(self, vid: int):
        if self.misses < self.max_misses and self.probes < self.max_probes:
            yield self.probe(vid + 1)

    def _article(self, response: Response):
        """The extracted item when the page holds an article, else None."""
        if response.status != 200:
            return None
        found = _VID.search(response.url)
        if found is None or int(found.group(2)) != response.meta.get("nw_vid"):
            return None  # redirected elsewhere (a home page): not this VID's article
        item = self.build_item(response, ListEntry(response.url))
        if item is None or not item.title or len(item.body or "") < MIN_BODY_CHARS:
            return None
        return item

    def parse_anchor(self, response: Response):
        vid = response.meta["nw_vid"]
        if self.record_block(response):
            return
        self.tally.pages += 1
        if response.status == 304 or self._article(response) is not None:
            self.tally.items_found += 1
            self.tally.items_known += 1
        else:
            self.tally.empty_pages += 1
            self.tally.error(response.url, f"0 items: the highest archived VID {vid} no "
                                           f"longer answers with an article (site changed?)")
        yield from self.next_probe(vid)

    def parse_probe(self, response: Response):
        vid = response.meta["nw_vid"]
        if self.record_block(response):
            return  # probing a blocked site only deepens the block
        self.tally.pages += 1
        site_id = self.source.site_id(response.url)
        if not self.refresh and self.known.is_known(response.url, site_id):
            self.tally.items_found += 1
            self.tally.items_known += 1
            self.misses = 0
        else:
            try:
                item = self._article(response)
            except Exception as exc:  # one bad page must not end the probe
                item = None
                self.tally.error(response.url, f"extraction failed: {type(exc).__name__}: {exc}")
            if item is None:
                self.misses += 1
            else:
                self.misses = 0
                self.tally.items_found += 1
                yield from self.attachments.start(item, response)  # item, or its files first
        yield from self.next_probe(vid)

    def probe_failed(self, failure):
        request = failure.request
        vid, host = request.meta["nw_vid"], request.meta["nw_host"]
        response = getattr(failure.value, "response", None)
        if response is not None and block_reason(response.status, response.body):
            self.tally.blocked += 1
            self.tally.error(request.url, f"blocked: {block_reason(response.status, response.body)}")
            return
        following = (host + 1) % len(self.templates)
        if request.meta.get("nw_tries", 1) < len(self.templates):
            # The other host serves the same VIDs.
            retry = self.probe(vid, following)
            self.probes -= 1  # the same VID, not a new probe
            retry.meta["nw_tries"] = request.meta.get("nw_tries", 1) + 1
            yield retry
            return
        self.tally.error(request.url, f"probe of VID {vid}: {failure_message(failure)}")
        self.misses += 1
        yield from self.next_probe(vid)
