"""``kind = "json"``: a JSON list API, read with dotted paths (``data.list``, ``0.url``)."""

from __future__ import annotations

import json
from typing import Any

from scrapy.http import Response

from crawler.spiders.base import ListEntry, SourceSpider


def dig(value: Any, path: str | None) -> Any:
    """Follow a dotted path; numbers index lists. ``""`` is the value itself."""
    if not path:
        return value
    for part in path.split("."):
        if isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
        if value is None:
            return None
    return value


def load_json(body: bytes) -> Any:
    """Parse a JSON answer; some sites pad it with whitespace or a BOM, or wrap it in a
    JavaScript callback (``cb({...})``)."""
    text = body.decode("utf-8-sig", errors="replace").strip()
    if text and text[0] not in "[{" and "(" in text and text.endswith((")", ");")):
        text = text[text.index("(") + 1:text.rstrip(";").rindex(")")]
    return json.loads(text)


class JsonListSpider(SourceSpider):
    """Generic spider for JSON list APIs (``scrapy crawl json -a source=<name>``)."""

    name = "json"

    def list_entries(self, response: Response) -> list[ListEntry]:
        spec = self.source.list
        try:
            data = load_json(response.body)
        except ValueError as exc:
            raise ValueError(f"not valid JSON ({exc})") from None
        items = dig(data, spec.get("items_path", ""))
        if items is None:
            return []
        if not isinstance(items, list):
            raise ValueError(f"list.items_path {spec.get('items_path')!r} is not an array")
        entries = []
        for item in items:
            link = dig(item, spec["link_path"])
            if not isinstance(link, str) or not link.strip():
                continue
            title, date = dig(item, spec.get("title_path")), dig(item, spec.get("date_path"))
            entries.append(ListEntry(
                url=response.urljoin(link.strip()),
                title=str(title).strip() if title not in (None, "") else None,
                date=str(date).strip() if date not in (None, "") else None))
        return entries

    def next_page_url(self, response: Response, page: int) -> str | None:
        """``pagination.next`` is a dotted path to the next page's URL here."""
        path = self.source.pagination.get("next")
        if path:
            value = dig(load_json(response.body), path)
            return str(value).strip() if isinstance(value, str) and value.strip() else None
        return super().next_page_url(response, page)
