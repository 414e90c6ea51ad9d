"""The article text: the source's selector, else trafilatura on the already-parsed tree.

trafilatura copies the tree it is given, so the caller's tree stays intact for the other
fields, and the page is parsed once.
"""

from __future__ import annotations

import logging
import re

import trafilatura
from trafilatura.settings import Extractor

from .text import element_text

# One options object per mode: building one per page costs a config parse. The fast mode
# (no readability/jusText comparison) scores nearly as well on news pages at half the
# time; when it finds under RESCUE_BELOW characters (a short article, or one it cut
# short), the full mode runs too and the longer text is kept (trafilatura-eval: body F1
# 0.924 with 200, 0.930 with 1,000, and no slower than trafilatura's own default).
_FAST = Extractor(output_format="txt", comments=False, tables=True, fast=True)
_FULL = Extractor(output_format="txt", comments=False, tables=True)
RESCUE_BELOW = 1000
# Body containers of the CMSs Chinese government and press sites run on (TRS, UCAP...).
CMS_BODY_CLASSES = {"TRS_Editor", "TRS_UEDITOR", "pages_content", "article-content"}
CMS_BODY_IDS = {"UCAP-CONTENT", "zoom", "con_con", "detailContent", "rwb_zw", "p-detail",
                "Content", "content_text"}

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def generic_body(tree) -> str:
    """trafilatura's text for the page (lines = paragraphs), or '' when it finds none."""
    try:
        text = trafilatura.extract(tree, options=_FAST) or ""
        if len(text) < RESCUE_BELOW:
            text = max(text, trafilatura.extract(tree, options=_FULL) or "", key=len)
    except Exception:  # a generic extractor must never sink the other fields
        return ""
    return text


def cms_body(tree) -> str:
    """The text of the first known CMS body container that holds some text."""
    for el in tree.iter("div", "td", "span", "section", "article"):
        if el.get("id") in CMS_BODY_IDS or (
                el.get("class") and not CMS_BODY_CLASSES.isdisjoint(el.get("class").split())):
            text = element_text(el)
            if len(text) >= 20:
                return text
    return ""


def paragraphs(text: str) -> list[str]:
    """Split body text into trimmed, non-empty paragraphs."""
    lines = re.split(r"\n+", text.replace("\r", "\n"))
    return [re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip() for line in lines if line.strip()]


_SENTENCE_END = re.compile(r"[。！？；!?]")


def sentence_chars(text: str) -> int:
    """Characters in paragraphs that read as prose (end a sentence), not menus or links."""
    return sum(len(p) for p in text.split("\n") if len(p) >= 15 and _SENTENCE_END.search(p))


def choose_chinese(generic: str, dense: str, cms: str) -> tuple[str, str]:
    """The body of a Chinese page: a known CMS container, the densest element, or trafilatura.

    trafilatura keeps the article on Chinese pages but also comments, related links and
    disclaimers, which add prose of their own; the densest element is the article alone
    unless it is a small part of the prose trafilatura found.
    """
    s_generic, s_dense, s_cms = sentence_chars(generic), sentence_chars(dense), sentence_chars(cms)
    # A CMS container wins when it holds the prose without much more than the densest part.
    if (cms and s_cms >= 0.7 * s_dense and s_cms >= 0.25 * s_generic
            and len(cms) <= 1.3 * len(dense) + 100):
        return cms, "cms"
    if dense and s_dense >= max(0.25 * s_generic, 1):
        return dense, "density"
    return generic, "trafilatura"
