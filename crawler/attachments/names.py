"""A readable name for each attachment: the link's text on the page (ministries write
the document's title there, the URL says ``P020250101123456.pdf``), else the server's
``Content-Disposition`` file name, else the URL's last segment."""

from __future__ import annotations

import re
from email.message import Message
from urllib.parse import unquote, urljoin, urlsplit

from crawler.attachments.sniff import extension

_NUMBER = "[0-9一二三四五六七八九十]*"
# "附件1：", "附表：", "附2." before the title; a bare 附 only with a number or a colon.
_LABEL = re.compile(rf"^\s*(?:(?:附件|附表)\s*{_NUMBER}\s*[:：.、]?|附\s*{_NUMBER}\s*[:：.、])\s*")
# Link texts that name no document.
_GENERIC = {"下载", "点击下载", "附件下载", "下载附件", "点此下载", "查看", "download", "pdf",
            "word", "附件"}
MAX_NAME = 160


def link_texts(response, urls: list[str]) -> dict[str, str]:
    """The text (or title) of the links on ``response`` that point at ``urls``."""
    wanted, found = set(urls), {}
    base = response.url
    for href in response.xpath("//base/@href").getall()[:1]:
        base = urljoin(response.url, href.strip())
    for link in response.xpath("//a[@href]"):
        url = urljoin(base, link.attrib["href"].strip())
        if url in wanted and url not in found:
            text = " ".join(" ".join(link.xpath(".//text()").getall()).split())
            found[url] = text or (link.attrib.get("title") or "").strip()
    return found


def file_name(url: str, link_text: str = "", disposition: str = "") -> str:
    """The name to show: "《…实施方案》.pdf" from the link, else the header's, else the URL's."""
    ext = extension(url)
    name = _LABEL.sub("", link_text or "").strip()
    if name.lower().strip("[]【】()（）:：") in _GENERIC:
        name = ""
    if name and ext and extension(name) != ext:
        name = f"{name}.{ext}"
    if not name and disposition:
        name = _disposition_name(disposition)
    if not name:
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url
    if len(name) > MAX_NAME:
        name = name[:MAX_NAME - len(ext) - 2] + "…" + (f".{ext}" if ext else "")
    return name


def _disposition_name(value: str) -> str:
    message = Message()
    message["content-disposition"] = value
    name = message.get_filename() or ""
    if name and not name.isascii():
        return name
    try:  # servers often send GBK or UTF-8 bytes without RFC 5987 marking
        raw = name.encode("latin-1")
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    except UnicodeEncodeError:
        pass
    return name
