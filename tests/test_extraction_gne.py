"""Hand-checked expectations on real Chinese pages (GeneralNewsExtractor's test folder).

Each expectation was read off the page itself (headline, dateline or date meta, the first
words of the article) — the pages are not in this repository: they are read from
../shared/data/gne-pages and the test skips when that folder is absent.
"""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.extraction import extract

REPO = Path(__file__).resolve().parent.parent
GNE = next((p for p in (REPO.parent / "shared" / "data" / "gne-pages",
                        Path("/work/shared/data/gne-pages")) if (p / "tests").is_dir()), None)

pytestmark = pytest.mark.skipif(GNE is None, reason="../shared/data/gne-pages not present")

# page: (title, published (ISO, Beijing time unless the page gave another), body starts with,
#        body must also contain, fetched_at for pages that print a date without its year)
CHECKED = {
    "163/1": ('多地项目连环爆雷 狂奔的龙湖集团"暗伤"曝露？', "2019-09-07T13:43:45+08:00",
              "（原标题：多地项目连环爆雷", "2019年，龙湖集团即将迎来赴港上市10周年", None),
    "163/5": ("女警打百个电话遭停机 评:运营商识别诈骗智商感人", "2019-09-07T16:28:35+08:00",
              "（原标题：民警电话遭停机", "认定诈骗和骚扰，不能省略必要的核实程序", None),
    "163/8": ("国务院联防联控机制:湖北和武汉要严格管控防输出", "2020-02-29T18:34:31+08:00",
              "（原标题：国务院联防联控机制印发通知", "新华社北京2月29日电", None),
    "baijiahao/2": ("日本最后一家传呼机公司停止服务，殡仪馆为BB机送终", "2019-09-30T22:46:00+08:00",
                    "IT之家9月30日消息", "日本电信电话公社从1968年开始提供传呼机业务",
                    datetime(2019, 10, 1, tzinfo=timezone.utc)),
    "cjn/1": ("外媒眼中的武汉长假：蓬勃发展，欢声笑语", "2020-10-04T20:30:00+08:00",
              "长江网10月4日讯", "国庆中秋长假过半", None),
    "people/1": ("女儿出嫁，郑板桥画了几笔兰花当嫁妆", "2019-06-15T08:18:00+08:00",
                 "", "父亲的教诲像一盏灯，为我们照亮前行的路", None),
    "xinhuanet/1": ("法国全国大罢工再次严重影响交通", "2019-12-10T07:57:40+08:00",
                    "", "新华社巴黎12月9日电（记者唐霁）", None),
    "gzggw/1": ("1-10月德清县固定资产投资结构趋稳趋优", "2016-11-22T09:53:00+08:00",
                "1-10月，全县固定资产投资完成246.79亿元", "（德清县发改局）", None),
    "thepaper/5": ("柳叶刀：味觉嗅觉丧失是新冠感染最强预测指标，优于发烧咳嗽",
                   "2020-06-06T10:08:00+08:00", "此前，发烧、咳嗽被认为是新冠病毒感染的最主要症状",
                   "味觉嗅觉丧失", None),
    "ifeng/1": ("女童眼睛被塞几十片纸，“无法用科学解释”", "2019-11-25T16:04:30+08:00",
                "澎湃新闻记者 段彦超 廖艳", "7岁小花（化名）", None),
    "sina/sina": ("最强“中国芯”本月商用 华为抢跑5G芯片大战", "2019-09-07T06:52:51+08:00",
                  "原标题：最强“中国芯”本月商用", "用户对性能永无止境的追求", None),
    "qq/2": ("棱镜|数据业大整顿：爬虫与现金贷共生共荣，用户信息几元不等",
             "2019-09-23T07:48:00+08:00", "划重点", "一位接近监管的人士对《棱镜》表示", None),
    "guancha/2": ("我国集成电路进口突破3000亿美元！魏少军：产业结构扭曲，没将产品作为中心",
                  "2019-09-07T15:10:53+08:00", "9月3日，在第二届全球IC企业家大会",
                  "魏少军教授在演讲中分析了", None),
    "huanqiu/1": ("补壹刀：别笑！18人的“新八国联军”今天成立了", "2020-06-05T20:35:00+08:00",
                  "", "西方世界的一些反华分子正试图串联起来", None),
    "shanxi/1": ("山西品牌丝路行（南美站）正式启动", "2019-09-18T06:23:00+08:00",
                 "图为山西品牌丝路行（南美站）启动仪式", "跨越千山万水，行程近两万公里", None),
    "toutiao/3": ("海螺沟寻子一个月：儿子消失在眼前十几米，搜寻无果母亲不舍离去",
                  "2019-09-09T16:01:46+08:00", "8岁儿子在四川海螺沟景区失联的第32天",
                  "温先生启程返回湖北十堰", None),
    "wechat/1": ("三星 Galaxy S20 系列手机正式发布", "2020-02-12T22:17:54+08:00",
                 "今天凌晨，三星在美国旧金山举行发布会", "Galaxy S20 Ultra", None),
    "csdn/1": ("第三届知道安全论坛鸟巢举办 知道创宇发布新版ZoomEye", "2014-08-24T21:30:00+08:00",
               "2014年8月22日，由北京知道创宇联合知乎网主办", "ZoomEye", None),
    "zsnews/1": ("顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作",
                 "2019-03-06T00:00:00+08:00", "2019年2月27日下午，佛山顺德区大良街道",
                 "众创金融街", None),
    "sxmu/1": ("中华人民共和国监察法", "2018-05-17T00:00:00+08:00",
               "《中华人民共和国监察法》是为了推进全面依法治国", "第六十九条", None),
    "cjddsb/1": ("常德市金融系统积极开展“金融知识普及月 金融知识进万家”活动",
                 "2019-09-23T14:34:05+08:00", "为持续推动金融消费者教育和金融知识普及工作",
                 "刘玺东", None),
    "hexun/1": ("交通运输部：着力打造京津冀区域综合立体交通网络", "2019-09-26T10:56:28+08:00",
                "据财联社9月26日消息", "1.5小时交通圈", None),
    "xds/1": ("【资讯汇总】9月26日盘中重要资讯汇总 准确把握市场走向", "2019-09-26T15:10:00+08:00",
              "", "A股三大股指9月26日集体回调", None),
    "gsc/1": ("2019年中国人文地理学术年会在重庆•西南大学成功举行！", "2019-05-18T00:00:00+08:00",
              "5月10-12日，2019年中国人文地理学术年会", "人文地理学", None),
    "stcn/1": ("午间公告：天奇股份中标广汽丰田项目；运达股份中标7亿元项目",
               "2019-09-26T12:11:00+08:00", "证券时报e公司讯", "当升科技", None),
}
# Lines no article body here should keep: portal chrome, disclaimers, comment prompts.
NEVER_IN_BODY = ("免责声明", "分享到", "扫一扫", "版权所有", "登录超时", "跟贴", "Copyright")


@pytest.mark.parametrize("page", sorted(CHECKED))
def test_hand_checked_page(page):
    title, published, starts, contains, fetched_at = CHECKED[page]
    raw = (GNE / "tests" / f"{page}.html").read_bytes()
    result = extract(raw, f"http://{page.split('/')[0]}.example/article.html",
                     fetched_at=fetched_at)
    assert result.title == title
    assert result.published is not None
    assert result.published == datetime.fromisoformat(published)
    assert result.body.startswith(starts)
    assert contains in result.body
    for junk in NEVER_IN_BODY:
        assert junk not in result.body, junk
    assert result.lang == "zh"


def test_every_page_gets_title_date_and_body():
    pages = sorted((GNE / "tests").glob("*/*.html"))
    assert len(pages) >= 60
    missing = []
    for path in pages:
        result = extract(path.read_bytes(), "http://example.cn/article.html")
        if not (result.title and result.published and len(result.body) >= 50):
            missing.append(path.relative_to(GNE).as_posix())
    assert missing == []
