"""The access classifier on answers modelled on real challenge pages, blocks and lists."""

from __future__ import annotations

import pytest

from crawler.access import classify, classify_failure
from crawler.access.classify import retry_after_seconds
from tests.support.challenge_server import article_html, challenge_script

LIST = ('<html><body><ul>' + "".join(f'<li><a href="/a{i}.html">通知{i}</a></li>'
                                     for i in range(20)) + "</ul>"
        '<script>document.cookie="_ga=1";</script></body></html>')


def test_a_412_cookie_script_is_a_js_cookie_challenge_with_advice():
    v = classify(412, {}, f"<html><head>{challenge_script('x', 'seed')}</head></html>",
                 "https://www.nhc.gov.cn/")
    assert (v.state, v.kind) == ("challenge", "js-cookie")
    assert 'render = "auto"' in v.message and "412" in v.message and "proxy" in v.message


@pytest.mark.parametrize("headers,body,vendor", [
    ({"Set-Cookie": "__jsluid_s=abc; path=/", "X-Via-JSL": "x"},
     "<script>document.cookie='__jsl_clearance_s=1';location.href=location.href</script>",
     "加速乐"),
    ({"Set-Cookie": "wzws_sessionid=abc"}, "<script>var wzwschallenge='1';</script>请开启JavaScript",
     "wzws"),
    ({}, "<script>var arg1='3A5B';function x(){document.cookie='acw_sc__v2='+a;"
         "document.location.reload();}</script>", "acw_sc__v2"),
    ({"Server": "cloudflare", "cf-mitigated": "challenge"},
     "<title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/h/b'></script>",
     "Cloudflare"),
])
def test_waf_pages_name_their_vendor(headers, body, vendor):
    v = classify(200, headers, body, "http://www.stats.gov.cn/")
    assert v.state == "challenge" and v.kind in ("waf", "js-cookie"), v
    assert vendor in (v.vendor or ""), v


def test_a_200_jiasule_page_is_a_waf_challenge():
    v = classify(200, [("Set-Cookie", "__jsluid_s=1"), ("X-Via-JSL", "y")],
                 f"<html><head>{challenge_script('__jsl_clearance_s', '1')}</head></html>")
    assert (v.state, v.kind) == ("challenge", "waf") and "加速乐" in v.vendor
    assert 'render = "auto"' in v.message


def test_521_jiasule_with_scrapy_headers_object():
    from scrapy.http import Headers

    h = Headers({"Set-Cookie": ["__jsluid_h=1; path=/"]})
    v = classify(521, h, b"<script>document.cookie=('_')+('_j')+('sl_clearance')+'=1';"
                         b"location.href=location.pathname</script>")
    assert (v.state, v.kind, v.vendor) == ("challenge", "js-cookie", "加速乐 (jiasule)")


def test_a_captcha_needs_a_person():
    v = classify(200, {}, "<script src=/geetest.js></script><div>请拖动滑块完成验证</div>")
    assert (v.state, v.kind) == ("challenge", "captcha")
    assert "person" in v.message


def test_forbidden_suggests_a_referer_on_the_site():
    v = classify(403, {}, "<h1>403 Forbidden</h1>", "https://www.miit.gov.cn/a/b.html")
    assert v.state == "forbidden"
    assert 'Referer = "https://www.miit.gov.cn/"' in v.message


@pytest.mark.parametrize("status,body", [
    (403, "<p>This service is not available in your region.</p>"),
    (200, "<p>对不起，您所在的地区暂不提供访问</p>"),
    (451, "Unavailable For Legal Reasons"),
])
def test_geo_blocks(status, body):
    v = classify(status, {}, body)
    assert v.state == "geo-blocked" and "proxy" in v.message


def test_rate_limits_carry_retry_after():
    v = classify(429, {"Retry-After": "120"}, "slow down")
    assert v.state == "rate-limited" and v.retry_after == 120
    assert "120" in v.message
    assert classify(503, {"Retry-After": "5"}, "").state == "rate-limited"
    assert classify(503, {}, "").state == "network"


def test_retry_after_as_an_http_date():
    from datetime import datetime, timezone

    now = datetime(2026, 12, 4, 3, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("Fri, 04 Dec 2026 03:01:30 GMT", now=now) == 90
    assert retry_after_seconds("soon") is None


def test_real_pages_are_ok():
    assert classify(200, {}, LIST, list_items=20).ok  # an analytics cookie script is fine
    assert classify(200, {}, article_html("x", 1)).ok
    big = "<html><script>document.cookie='a=1';location.reload()</script>" + "x" * 60000
    assert classify(200, {}, big).ok  # a challenge page is small


def test_a_list_that_answers_without_links_is_redesigned():
    v = classify(200, {}, "<html><body><div id=app></div></body></html>", list_items=0)
    assert v.state == "redesigned" and "selectors" in v.message
    assert classify(404, {}, "not found", list_items=0).state == "redesigned"


def test_network_failures_say_what_to_try():
    class ConnectionRefusedError_(Exception):
        pass
    ConnectionRefusedError_.__name__ = "ConnectionRefusedError"
    v = classify_failure(ConnectionRefusedError_("refused"), "https://www.caict.ac.cn/")
    assert v.state == "network" and "scheme_fallback = true" in v.message
    v = classify_failure(TimeoutError("took longer than 30 seconds"), "http://x.cn/")
    assert "timed out" in v.message and "scheme_fallback" not in v.message
    # No scheme gets past a name that does not resolve: plain HTTP is no advice then.
    class DNSLookupError(Exception):
        pass
    v = classify_failure(DNSLookupError("no such host"), "https://www.miit.gov.cn/")
    assert "host name not found" in v.message and "DNS" in v.message
    assert "scheme_fallback" not in v.message and "proxy" in v.message


def test_the_old_block_reason_asks_the_classifier():
    from crawler.blocking import block_reason

    assert "js-cookie" in block_reason(412, f"<html>{challenge_script('a', 'b')}</html>".encode())
    assert block_reason(200, LIST.encode()) is None


def test_lists_and_feeds_that_mention_the_words_are_ok():
    import json

    items = json.dumps({"data": [{"title": "商务部：境外投资保持增长", "url": "/a.html"},
                                 {"title": "验证码 captcha 新规", "url": "/b.html"}]},
                       ensure_ascii=False)
    assert classify(200, {"Content-Type": "application/json"}, items, list_items=2).ok
    feed = ("<?xml version='1.0'?><rss><channel><item><title>海外访问量创新高，"
            "您所在的地区也在其中</title><link>https://x.cn/1</link></item></channel></rss>")
    assert classify(200, {}, feed, list_items=1).ok
