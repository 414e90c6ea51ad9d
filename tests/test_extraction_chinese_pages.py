"""Page shapes Chinese sites use, written by us: an old table-layout government page in GBK,
a news portal with comments and related lists, a blog, a WeChat-style article."""

from datetime import datetime, timezone

from crawler.extraction import extract
from crawler.extraction.dates import BEIJING

NOW = datetime(2025, 11, 29, 4, 0, tzinfo=timezone.utc)

GOV_PARAS = [
    "为深入贯彻落实国家关于推动制造业高质量发展的决策部署，加快培育新质生产力，市发展改革委会同有关部门研究制定了本实施方案。",
    "一、主要目标。到2027年，全市规模以上工业企业数字化改造基本完成，培育省级以上专精特新企业一百家，新增智能工厂二十个。",
    "二、重点任务。实施技术改造提升工程，支持企业开展设备更新和工艺升级；实施创新平台建设工程，推动产学研协同攻关。",
    "三、保障措施。加强组织领导，建立工作专班，强化要素保障，对成效明显的区县和企业给予通报表扬。",
]

GOV_PAGE = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>市发展改革委关于印发推动制造业高质量发展实施方案的通知</title></head>
<body><table width="1000" align="center"><tr><td class="top">今天是2025年11月29日 星期六 <a href="/">网站首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a></td></tr>
<tr><td><table><tr><td width="220" class="left"><ul><li><a href="/a">通知公告</a></li><li><a href="/b">政策文件</a></li><li><a href="/c">工作动态</a></li></ul></td>
<td class="right"><table width="100%">
<tr><td class="bt" align="center"><font size="4"><b>市发展改革委关于印发推动制造业高质量发展实施方案的通知</b></font></td></tr>
<tr><td align="center">发布日期：2025-11-03&nbsp;&nbsp;来源：市发展改革委&nbsp;&nbsp;浏览次数：<span>1024</span>&nbsp;&nbsp;【字体：<a>大</a> <a>中</a> <a>小</a>】</td></tr>
<tr><td class="nr">
<p align="center">市发改〔2025〕88号</p>
<p>各区县人民政府，市直各有关单位：</p>
{''.join(f'<p>　　{p}</p>' for p in GOV_PARAS)}
<p>附件：<a href="/attach/2025/11/方案.doc">推动制造业高质量发展实施方案.doc</a></p>
<p align="right">市发展改革委</p><p align="right">2025年11月1日</p>
</td></tr>
<tr><td align="center">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>
</table></td></tr></table></td></tr>
<tr><td class="foot">主办单位：某市发展和改革委员会 版权所有<br>网站标识码：3301000001 浙ICP备12345678号</td></tr></table></body></html>"""

NEWS_PARAS = [
    "本报讯（记者 李华）11月28日，全国首个跨省域低空物流航线在长三角地区正式开通，无人机可在两个小时内完成城市间的医疗物资配送。",
    "据了解，该航线全长约一百二十公里，沿线设置了六个起降点。运营方表示，航线开通后，急需药品的配送时间将缩短一半以上。",
    "业内人士认为，随着空域管理改革持续推进，低空经济的应用场景将从物流配送扩展到城市巡检、应急救援等更多领域。",
]

NEWS_PAGE = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>全国首个跨省域低空物流航线开通_财经频道_某某网</title>
<meta name="keywords" content="低空经济,无人机"></head><body>
<div class="header"><div class="nav"><a href="/">首页</a><a href="/news/">新闻</a><a href="/finance/">财经</a><a href="/tech/">科技</a></div></div>
<div class="main"><div class="left">
<h1 class="article-title">全国首个跨省域低空物流航线开通</h1>
<div class="article-info"><span class="time">2小时前</span><span class="source">来源：某某日报</span><span class="author">作者：李华</span></div>
<div class="article-body">{''.join(f'<p>{p}</p>' for p in NEWS_PARAS)}
<p class="editor">（责任编辑：王敏）</p></div>
<div class="share-box">分享到：<a>微信</a><a>微博</a><a>QQ空间</a></div>
<div class="related-news"><h3>相关新闻</h3><ul>
<li><a href="/n/1.html">低空经济产业规模突破五千亿元，多地出台扶持政策推动发展</a><span>2025-11-20</span></li>
<li><a href="/n/2.html">无人机配送试点扩大到二十个城市</a><span>2025-11-18</span></li></ul></div>
<div class="comment-list"><h3>网友评论</h3>
<div class="comment"><p>这个很方便，希望以后我们县城也能开通这样的航线，买药就不用跑远路了。</p><span>2025-11-29 11:30</span></div>
<div class="comment"><p>安全问题怎么保障？无人机掉下来砸到人谁负责？希望有关部门加强监管。</p><span>2025-11-29 11:45</span></div></div>
</div><div class="right"><div class="hot-rank"><h3>热门排行</h3><ol><li><a href="/h/1">热门文章一</a></li><li><a href="/h/2">热门文章二</a></li></ol></div></div></div>
<div class="footer">Copyright © 2025 某某网 版权所有 京ICP备00000000号</div></body></html>"""

BLOG_PARAS = [
    "最近把家里的旧笔记本改造成了一台家庭服务器，用来跑相册备份和下载任务，记录一下过程，也许对有同样想法的朋友有用。",
    "第一步是装系统。我选了一个轻量的发行版，安装过程很顺利，唯一需要注意的是要在设置里关掉合盖休眠，否则一合上屏幕服务就断了。",
    "第二步是配置存储。原来的机械硬盘速度比较慢，我换成了一块二手的固态硬盘，再外接一个大容量硬盘专门放照片，整体体验好了很多。",
    "用了一个月下来，功耗大约十几瓦，比想象中省电。唯一的缺点是风扇有点吵，后来清了一次灰就安静多了。",
]

BLOG_PAGE = f"""<html><head><meta charset="utf-8"><title>旧笔记本改造家庭服务器记录 | 小明的博客</title>
<meta property="og:site_name" content="小明的博客"></head><body class="single">
<div id="page" class="hfeed site"><header class="site-header"><h1 class="site-title"><a href="/">小明的博客</a></h1>
<nav><a href="/">首页</a><a href="/about">关于</a><a href="/archives">归档</a></nav></header>
<div id="content" class="site-content"><article class="post">
<h2 class="entry-title">旧笔记本改造家庭服务器记录</h2>
<div class="entry-meta">发表于 2025年11月2日 由 小明 | <a href="#comments">3 条评论</a></div>
<div class="entry-content">{''.join(f'<p>{p}</p>' for p in BLOG_PARAS)}</div>
<footer class="entry-footer">分类：<a>折腾</a> 标签：<a>服务器</a> <a>Linux</a></footer></article>
<div id="comments" class="comments-area"><h3>3 条评论</h3>
<ol><li><div class="comment-meta">小红 2025年11月3日 10:20</div><p>请问用的是什么发行版？我也想试试，家里正好有一台闲置的电脑放着没用。</p></li></ol></div>
</div><aside class="widget-area"><h3>近期文章</h3><ul><li><a>另一篇文章</a></li></ul></aside>
<footer class="site-footer">© 2025 小明的博客 · 由 WordPress 强力驱动</footer></div></body></html>"""


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


def test_old_gbk_government_page():
    raw = GOV_PAGE.encode("gbk")
    url = "https://fzggw.example.gov.cn/art/2025/11/3/art_1229_5.html"
    result = extract(raw, url, fetched_at=NOW)
    assert result.encoding == "gb18030"
    assert result.title == "市发展改革委关于印发推动制造业高质量发展实施方案的通知"
    assert result.published == datetime(2025, 11, 3, tzinfo=BEIJING)  # not today's header date
    assert result.published_text == "2025-11-03"
    assert result.original_source == "市发展改革委"
    assert result.doc_number == "市发改〔2025〕88号"
    assert result.attachments == ["https://fzggw.example.gov.cn/attach/2025/11/方案.doc"]
    paras = paragraphs(result.body)
    for p in GOV_PARAS:
        assert p in paras
    for junk in ("今天是", "网站首页", "浏览次数", "打印本页", "关闭窗口", "版权所有", "ICP", "字体"):
        assert junk not in result.body


def test_news_portal_with_comments_and_related_lists():
    url = "https://finance.example.com.cn/news/20251129/a123.html"
    result = extract(NEWS_PAGE.encode(), url, fetched_at=NOW)
    assert result.title == "全国首个跨省域低空物流航线开通"
    # "2小时前" counted from the fetch, and agreeing with the URL's day
    assert result.published == datetime(2025, 11, 29, 10, 0, tzinfo=BEIJING)
    assert result.original_source == "某某日报"
    assert result.author == "李华"
    assert result.editor == "王敏"
    assert paragraphs(result.body) == NEWS_PARAS
    assert result.lang == "zh"


def test_blog_post():
    url = "https://blog.example.org/2025/11/02/home-server/"
    result = extract(BLOG_PAGE.encode(), url, fetched_at=NOW)
    assert result.title == "旧笔记本改造家庭服务器记录"
    assert result.published == datetime(2025, 11, 2, tzinfo=BEIJING)
    assert result.site == "小明的博客"
    assert paragraphs(result.body) == BLOG_PARAS


def test_wechat_style_article_with_script_time_and_hidden_content():
    paras = ["今天凌晨，一家国产手机厂商发布了新一代旗舰机型，搭载自研芯片，支持卫星通信功能。",
             "新机采用了新的散热结构，官方称在高负载下温度比上一代降低了五度，续航也有明显提升。",
             "价格方面，标准版起售价为四千九百九十九元，将于下周一正式开售。"]
    page = f"""<html><head><meta charset="utf-8"><title>新一代旗舰手机发布</title></head><body>
    <div id="js_article" class="rich_media"><h1 class="rich_media_title" id="activity-name">新一代旗舰手机发布</h1>
    <div id="meta_content" class="rich_media_meta_list"><span id="profileBt"><a>科技观察</a></span><em id="publish_time"></em></div>
    <div class="rich_media_content" id="js_content" style="visibility: hidden;">{''.join(f'<p><span>{p}</span></p>' for p in paras)}</div>
    <div class="qr_code_pc"><p>微信扫一扫<br>关注该公众号</p></div></div>
    <script>var ct = "1764237600"; var msg_title = "新一代旗舰手机发布";</script></body></html>"""
    result = extract(page.encode(), "https://mp.weixin.qq.com/s/AbCdEf", fetched_at=NOW)
    assert result.title == "新一代旗舰手机发布"
    assert result.published == datetime(2025, 11, 27, 10, 0, tzinfo=timezone.utc)
    assert result.date_source == "script"
    assert paragraphs(result.body) == paras
