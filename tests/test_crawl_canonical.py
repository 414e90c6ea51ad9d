"""Canonical URLs: one article reached two ways has one key."""

import pytest

from crawler.canonical import canonical_url


@pytest.mark.parametrize("url,expected", [
    ("HTTP://WWW.NDRC.GOV.CN:80/xwdt/a.html", "http://www.ndrc.gov.cn/xwdt/a.html"),
    ("https://www.gov.cn:443/a.htm#top", "https://www.gov.cn/a.htm"),
    ("https://x.cn/a?utm_source=wx&utm_medium=s&id=5", "https://x.cn/a?id=5"),
    ("https://x.cn/a?spm=a.b.c&from=timeline&id=5", "https://x.cn/a?id=5"),
    ("http://www.lwxsd.com/pcen/info_view.php?tab=mynews&VID=71312",
     "http://www.lwxsd.com/pcen/info_view.php?VID=71312&tab=mynews"),
    ("https://x.cn", "https://x.cn/"),
    ("https://x.cn//a//b.html", "https://x.cn/a/b.html"),
    ("https://x.cn/新闻/a.html", "https://x.cn/%E6%96%B0%E9%97%BB/a.html"),
    ("https://x.cn:8080/a", "https://x.cn:8080/a"),
])
def test_canonical_forms(url, expected):
    assert canonical_url(url) == expected


def test_path_case_is_kept_and_same_page_collapses():
    assert canonical_url("https://x.cn/A.html") != canonical_url("https://x.cn/a.html")
    assert canonical_url("https://X.cn/a.html?b=2&a=1#x") == canonical_url(
        "https://x.cn/a.html?a=1&b=2&utm_campaign=z")
