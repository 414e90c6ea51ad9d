"""Lines generic extractors keep on Chinese pages but readers never want in a body.

Print/close links, font-size switches, share widgets, QR-code prompts, copyright and
site-registration lines, "related news" tails. Only short lines are judged, so a
paragraph that merely mentions 分享 or 版权 is never dropped.
"""

from __future__ import annotations

import re

# A short line matching one of these is navigation or chrome, not article text.
_CHROME = re.compile(
    r"^[\s【\[［(（]*(?:"
    r"打印(?:本页|此页|文章|正文)?|关闭(?:窗口|本页)?|保存|收藏(?:本页)?|纠错|我要纠错|返回顶部|"
    r"返回(?:首页|列表|上一页)?|字体|字号|分享|分享到|分享至|扫一扫|微信扫一扫|点击(?:图片)?查看"
    r"|打开微信|手机(?:看|阅读|扫码)|责任编辑|上一篇|下一篇|相关(?:链接|新闻|阅读|文章|稿件)"
    r"|延伸阅读|推荐阅读|热点推荐|更多(?:新闻|阅读)|附件(?:下载)?|下载(?:附件)?"
    r")[\s】\]］)）:：]*"
    r"(?:[【\[［(（]?\s*(?:打印|关闭|收藏|大|中|小|默认|分享|纠错|保存|加入收藏)\s*[】\]］)）]?[\s|｜/]*)*$")
_CHROME_ANYWHERE = re.compile(
    r"(?:分享到[:：]?|扫一扫|微信扫一扫|打开微信.{0,8}扫|【\s*打印\s*】|【\s*关闭\s*】|"
    r"\[\s*打印\s*\]|\[\s*关闭\s*\]|字体[:：]?\s*[【\[]?\s*大|字号[:：]?\s*[【\[]?\s*大|"
    r"(?:浏览|阅读|点击)(?:次数|量|数)[:：]?\s*\d*$|版权所有|Copyright\s*©|Copyright\s+\d{4}|"
    r"©\s*\d{4}|ICP(?:备|证)\s*\d|公网安备|网站标识码|主办单位[:：]|承办单位[:：]|"
    r"违法和不良信息举报|(?:未经|未经授权).{0,12}(?:转载|使用)|转载请注明|正文已结束|^点击进入|"
    r"下载地址|点击菜单栏|长按识别|扫描二维码|扫码关注|关注我们|点击上方|【在看】|暂无评论|"
    r"^自动播放$|^加载中|点击加载更多|我要吐槽|请填写原因|感谢您的反馈|^评论\s*[(（]\d+[)）]$|"
    r"后参与讨论|说点什么|^我要评论|^发表评论|^网友评论|^查看全部评论|^\d、回复【)", re.I)
# Promotions and cross-links that generic extractors keep between paragraphs.
_EN_CHROME = re.compile(
    r"^\[?(?:read more|related|see more|also read|also see|more|recommended|don't miss|"
    r"you may also like|you might also like|popular on [\w ]+|more from [\w ]+)\s*(?:[:.…]|$)|"
    r"^comments?$|^tell us what you think|^like this story\?|click(?:ing)? here|"
    r"(?:sign up|subscribe)\b.{0,80}\b(?:newsletter|inbox|e-?mail)|^thanks for signing up|"
    r"error processing your subscription|^follow\b.{0,80}\bon (?:twitter|facebook|instagram)|"
    # app, channel and support prompts, in the languages of the press
    r"\b(?:download|descarga|baixe|laden sie)\b.{0,60}\bapps?\b.{0,30}\b(?:ios|android)\b|"
    r"\bcanal de (?:youtube|telegram|whatsapp)\b|^(?:unterstütze|support us|apoya|soutenez)\b|"
    r"^video verfügbar bis\b", re.I)
# The same in the other languages of the press: cross-links ("Lea también: …", "À lire
# aussi", "Mehr zum Thema"), sharing, newsletter and comment prompts, category lines.
_PROMO = re.compile(
    r"^[\s\[(]*(?:(?:lea (?:también|más)|lee también|vea también|ver también|puedes ver|"
    r"le puede interesar|te puede interesar|mira|mire|notas relacionadas|contenido relacionado|"
    r"à lire aussi|a lire aussi|lire aussi|voir aussi|lesen sie (?:auch|mehr)|auch interessant|"
    r"das könnte (?:sie|dich) auch interessieren|mehr zum thema|zum weiterlesen|"
    r"weitere (?:aktuelle )?(?:themen|artikel|beiträge)|leggi anche|vedi anche|"
    r"leia também|veja também|czytaj (?:też|także|również)|zobacz (?:też|także))\b\s*[:.…]|"
    r"(?:notas relacionadas|contenido relacionado|à lire aussi|lire aussi|schon gelesen\??|"
    r"auch interessant|mehr zum thema.{0,30}|weiterlesen|teilen(?: sie dies)? mit:?|teilen mit:?|"
    r"wird geladen\.*|bewerten:|kommentare insgesamt:?\s*\d*|view comments|beiträge aus dem forum|"
    r"zum newsletter anmelden|newsletter abonnieren|jetzt abonnieren|pour lire la suite.{0,40}|"
    r"pour accéder en illimité.{0,60}|subscribe now\b.{0,80}|sign up to\b.{0,80})\s*[)\]]?$|"
    r"(?:kategorie|category|catégorie|categoría|rubrik)\s*:|"
    r"(?:lea|mehr themen|weitere themen|top-themen\b.{0,30}|lust auf mehr|keine kommentare|"
    r"kommentierte artikel|kategorien|más sobre\b.{0,40}|s[ií]guenos en\b.{0,60}|"
    r"zapraszamy (?:też )?do subskrypcji.{0,40}|materiał chroniony prawem.{0,40})\s*[:?!.]?\s*$)",
    re.I)
# A disclaimer paragraph, however long, is the publisher's, not the article's.
_NOTICE = re.compile(r"^[\s【\[(（]*(?:免责声明|特别声明|版权声明|郑重声明|声明)[\s】\])）]*[:：]")
# A tail section starts with one of these headings; everything after it is dropped.
_TAIL_HEADING = re.compile(
    r"^[\s【\[]*(?:相关(?:新闻|阅读|链接|文章|报道|稿件|推荐)|延伸阅读|推荐阅读|热点推荐|猜你喜欢|"
    r"热门推荐|精彩推荐|更多推荐|为你推荐|为您推荐|网友评论|热门评论|最新评论|文章关键词|关键词|"
    r"标签|(?:您|你)可能(?:感兴趣|喜欢|还想看)[^\s]{0,6}|"
    r"更多精彩|往期回顾|Related (?:news|stories|articles)|Read more)[\s】\]:：]*$", re.I)
_SHORT = 60
_CHROME_WORDS = {
    "打印", "打印本页", "打印此页", "关闭", "关闭窗口", "关闭本页", "收藏", "加入收藏", "保存",
    "纠错", "我要纠错", "返回顶部", "返回", "返回首页", "返回列表", "大", "中", "小", "默认",
    "分享", "分享到", "字体", "字号", "Print", "Close", "Share", "E-mail", "Email", "Top",
    "Back to top", "Favorite", "Tweet",
}
_TOKENS = re.compile(r"[\s【】\[\]［］()（）|｜/:：·•]+")


# "+1", "0", "|", "09/07", "19:02": counters, stray marks, date fragments of a header
_WIDGET = re.compile(r"^(?:[+\-]?\d{0,3}\W{0,2}|[\d\s:/.\-]{1,8})$")
_PAGER = re.compile(r"^(?:\s*(?:【\d+】|\[\d+\]|\d{1,2}|上一页|下一页|首页|尾页|末页|\.\.\.|…)\s*)+$")


def is_chrome(line: str) -> bool:
    """A short line that is page chrome (print, share, copyright...), not text."""
    line = line.strip()
    if not line:
        return True
    if len(line) <= 300 and _NOTICE.match(line):
        return True
    if len(line) <= 160 and (_EN_CHROME.search(line) or _PROMO.match(line)):
        return True
    if len(line) > _SHORT:
        return False
    if _PAGER.match(line) or _WIDGET.match(line):
        return True
    tokens = [t for t in _TOKENS.split(line) if t]
    if tokens and all(t in _CHROME_WORDS for t in tokens):
        return True
    return bool(_CHROME.match(line) or _CHROME_ANYWHERE.search(line))


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop chrome lines, and a related-links tail once most of the text is behind us."""
    kept: list[str] = []
    total = sum(len(p) for p in paragraphs) or 1
    seen = 0
    for i, para in enumerate(paragraphs):
        late = i >= len(paragraphs) // 2 or seen >= 0.4 * total
        if i > 0 and late and _TAIL_HEADING.match(para.strip()):
            break
        seen += len(para)
        if is_chrome(para):
            continue
        kept.append(para)
    return kept
