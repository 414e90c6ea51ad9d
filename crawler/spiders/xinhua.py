"""Xinhua's Chinese channels (www.news.cn): each channel page names its list's data source.

A channel page holds ``<ul class="wz-list" data="datasource:<id>">``, filled by script from
``ds_<id>.json`` next to the page (``{datasource: [{title, publishUrl, publishTime, ...}]}``,
RSSHub ``news/xhsxw.ts``). The id is read from the page on every run, so a changed id is
followed, and a page without one is an ``empty`` run. The seed's ``[list]`` JSON paths
read the ``ds_<id>.json`` answer; a start URL that is already a ``.json`` list is read as is.
"""

from __future__ import annotations

import re

from scrapy.http import Response

from crawler.spiders.base import text_response
from crawler.spiders.json_list import JsonListSpider

_DATASOURCE = re.compile(r"datasource:\s*([0-9A-Za-z_-]+)")


def datasource_ids(response: Response) -> list[str]:
    """The data source ids a channel page's lists name, in page order, once each."""
    ids = []
    for value in response.xpath("//*[starts-with(normalize-space(@data), 'datasource:')]/@data"
                                ).getall():
        m = _DATASOURCE.search(value)
        if m and m.group(1) not in ids:
            ids.append(m.group(1))
    return ids


class XinhuaChannelsSpider(JsonListSpider):
    """Channel page → ``ds_<id>.json`` → articles (``-a source=xinhua-zh``)."""

    name = "xinhua_channels"

    def start_list_requests(self):
        for url in self.source.start_urls:
            if url.split("?")[0].endswith(".json"):
                yield self.list_request(url, page=1)
            else:
                yield self.list_request(url, page=1, callback=self.parse_channel)

    def parse_channel(self, response: Response):
        if self.record_block(response):
            return
        try:
            ids = datasource_ids(text_response(response))
        except ValueError as exc:
            self.tally.list_failed += 1
            self.tally.error(response.url, f"could not read the channel page: {exc}")
            return
        if not ids:
            self.tally.pages += 1
            self.tally.empty_pages += 1
            self.tally.error(response.url, "0 items: no list with data=\"datasource:<id>\" "
                                           "on the channel page (layout changed?)")
            return
        for ds in ids[:1]:  # the channel's main list comes first
            yield self.list_request(response.urljoin(f"ds_{ds}.json"), page=1,
                                    headers={"Referer": response.url})
