"""MIIT (www.miit.gov.cn): what its seeds cannot say in TOML.

``miit_columns``: a column page is a JavaScript shell. Its ``<script parseType="buildstatic"
url=... queryData="{'webId':..., 'pageId':..., ...}">`` names the unit API that returns
the list as ``{success, message, data: {html}}``. The shell is read on every run, since
``pageId`` may change; list pages are the unit API with ``paramJson={"pageNo":N,...}``,
the column page as ``Referer``. The seed's ``[list]`` selectors apply to ``data.html``.

``miit_policy``: the policy-document search API (``p=<page>``); results sit in
``data.searchResult.dataResults[].groupData[0].data``, dates in epoch milliseconds; the
issuing body (``publishgroupname``) and column go to the article's ``extra``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import HtmlResponse, Response

from crawler.spiders.base import ListEntry, SourceSpider, text_response
from crawler.spiders.html_list import HtmlListSpider
from crawler.spiders.json_list import dig, load_json

UNIT_PAGE_SIZE = "24"
BEIJING = timezone(timedelta(hours=8))


def shell_query(response: Response) -> tuple[str, dict] | None:
    """The unit API URL and its queryData fields from a column shell, or None."""
    script = response.xpath("//script[@parsetype='buildstatic' or @parseType='buildstatic']")
    if not script:
        return None
    url = script.xpath("@url").get()
    raw = script.xpath("@querydata").get() or script.xpath("@queryData").get()
    if not url or not raw:
        return None
    try:
        # The attribute is a JavaScript object literal in single quotes.
        fields = json.loads(raw.replace("'", '"'))
    except ValueError:
        return None
    return response.urljoin(url), {k: "" if v is None else str(v) for k, v in fields.items()}


def unit_url(api: str, fields: dict, page: int) -> str:
    params = {**fields, "paramJson": json.dumps({"pageNo": page, "pageSize": UNIT_PAGE_SIZE},
                                                 separators=(",", ":"))}
    return f"{api}?{urlencode(params)}"


class MiitColumnsSpider(HtmlListSpider):
    """MIIT column shells → unit API → articles (``-a source=miit-news``)."""

    name = "miit_columns"

    def setup(self, settings) -> None:
        super().setup(settings)
        self._units: dict[str, tuple[str, dict, str]] = {}  # pageId → (api, fields, shell)

    def start_list_requests(self):
        for url in self.source.start_urls:
            yield self.list_request(url, page=1, callback=self.parse_shell,
                                    meta={"nw_shell": True})

    def parse_shell(self, response: Response):
        if self.record_block(response):
            return
        try:
            found = shell_query(text_response(response))
        except ValueError as exc:  # not a text page
            self.tally.list_failed += 1
            self.tally.error(response.url, f"could not read the column page: {exc}")
            return
        if found is None:
            # A shell without its script is how a redesign shows itself here.
            self.tally.pages += 1
            self.tally.empty_pages += 1
            self.tally.error(response.url, "0 items: no <script parseType=\"buildstatic\"> "
                                           "with url and queryData in the column page")
            return
        api, fields = found
        self._units[fields.get("pageId", "")] = (api, fields, response.url)
        yield self.list_request(unit_url(api, fields, 1), page=1,
                                headers={"Referer": response.url})

    def next_page_url(self, response: Response, page: int) -> str | None:
        unit = self._unit_for(response.url)
        return unit_url(unit[0], unit[1], page + 1) if unit else None

    def list_request(self, url: str, *, page: int = 1, **kwargs):
        unit = self._unit_for(url)
        if unit is not None:
            # Every unit API page names its column page as the Referer.
            kwargs["headers"] = {"Referer": unit[2], **kwargs.get("headers", {})}
        return super().list_request(url, page=page, **kwargs)

    def _unit_for(self, url: str) -> tuple[str, dict, str] | None:
        query = dict(parse_qsl(urlsplit(url).query))
        return self._units.get(query.get("pageId", "")) if "paramJson" in query else None

    def parse_list(self, response: Response):
        if response.meta.get("nw_page", 1) > 1 and self._past_the_end(response):
            self.tally.pages += 1  # past the last page: the list simply ends
            return
        yield from super().parse_list(response)

    @staticmethod
    def _past_the_end(response: Response) -> bool:
        """A successful unit API answer whose html lists nothing (not a block, not an error)."""
        try:
            data = json.loads(response.text)
        except (ValueError, AttributeError):
            return False
        if not isinstance(data, dict) or not data.get("success", True):
            return False
        html = (data.get("data") or {}).get("html") or ""
        return not re.search(r"<li\b", html)

    def list_entries(self, response: Response) -> list[ListEntry]:
        data = json.loads(text_response(response).text)
        if not isinstance(data, dict) or not data.get("success", True):
            message = data.get("message") if isinstance(data, dict) else data
            raise ValueError(f"unit API answered without success: {message!r}")
        html = (data.get("data") or {}).get("html") or ""
        fragment = HtmlResponse(url=response.url, body=html.encode("utf-8"), encoding="utf-8")
        return super().list_entries(fragment)


def beijing_text(value: Any) -> str | None:
    """Epoch milliseconds (the API's dates) as Beijing wall time text."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        ms = int(value)
        return datetime.fromtimestamp(ms / 1000, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    return str(value) if value else None


class MiitPolicySpider(SourceSpider):
    """MIIT policy-document search API (``-a source=miit-policy``)."""

    name = "miit_policy"
    EXTRA_FIELDS = {"publishgroupname": "issuing_body", "columnname": "column"}

    def parse_list(self, response: Response):
        if response.meta.get("nw_page", 1) > 1 and response.status == 200:
            try:
                results = dig(load_json(response.body), self.source.list["items_path"])
            except (ValueError, AttributeError):
                results = None
            if results == []:
                self.tally.pages += 1  # past the last page: the list simply ends
                return
        yield from super().parse_list(response)

    def list_entries(self, response: Response) -> list[ListEntry]:
        data = load_json(response.body)
        spec = self.source.list
        items = dig(data, spec.get("items_path", ""))
        if not isinstance(items, list):
            raise ValueError(f"no list at {spec.get('items_path')!r} in the search answer")
        record_path = spec["link_path"].rsplit(".", 1)[0] if "." in spec["link_path"] else ""
        entries = []
        for item in items:
            link = dig(item, spec["link_path"])
            if not link:
                continue
            record = dig(item, record_path) if record_path else item
            extra = {name: record[key] for key, name in self.EXTRA_FIELDS.items()
                     if isinstance(record, dict) and record.get(key)}
            entries.append(ListEntry(
                url=response.urljoin(str(link)),
                title=dig(item, spec["title_path"]) if spec.get("title_path") else None,
                # deploytime, else publishtime (as RSSHub reads them)
                date=beijing_text((dig(item, spec["date_path"]) if spec.get("date_path")
                                   else None) or dig(record, "publishtime")),
                extra=extra))
        return entries

    def next_page_url(self, response: Response, page: int) -> str | None:
        parts = urlsplit(response.url)
        query = [(k, str(page + 1) if k == "p" else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        return urlunsplit(parts._replace(query=urlencode(query)))
