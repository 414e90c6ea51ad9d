"""English and Chinese labels. Templates write ``_("English text")``; the Chinese comes
from :data:`ZH` (``tests/test_web_pages.py`` checks every label used has one).

The language is the ``lang`` cookie (set by the switch in the page header), else the
best of ``Accept-Language``, else English.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

ZH = {
    "Matches": "匹配",
    "All topics": "全部主题",
    "Search": "搜索",
    "Topics": "主题",
    "Sources": "来源",
    "Deliveries": "投递",
    "Feeds": "订阅源",
    "Export": "导出",
    "Log in": "登录",
    "Log out": "退出",
    "User name": "用户名",
    "Password": "密码",
    "Wrong user name or password.": "用户名或密码错误。",
    "Signed in as": "当前用户",
    "read-only": "只读",
    "No accounts are configured: this interface is open to anyone on this machine and "
    "listens on the loopback address only. Add an account with `newswatch web user add` "
    "to serve other addresses.":
        "尚未配置账户：本界面对本机所有用户开放，且只监听本地回环地址。"
        "使用 `newswatch web user add` 添加账户后才能在其他地址提供服务。",
    "Topic": "主题",
    "Source": "来源",
    "Language": "语言",
    "From": "起始日期",
    "To": "截止日期",
    "Filter": "筛选",
    "any": "全部",
    "Published": "发布时间",
    "Original source": "原始来源",
    "Also published by": "同时刊发",
    "Older": "更早",
    "Newest": "最新",
    "No matches.": "没有匹配。",
    "Title": "标题",
    "Field": "字段",
    "Fields": "字段",
    "Value": "值",
    "Where it came from": "来源方式",
    "Story": "报道",
    "Other articles of this story": "同一报道的其他文章",
    "Topics matched": "匹配的主题",
    "Terms": "命中词",
    "Matched": "匹配时间",
    "Open the original": "打开原文",
    "Body": "正文",
    "Query": "查询",
    "Invalid query": "查询无效",
    "at column": "位置：第",
    "results": "条结果",
    "Read": "已读取",
    "articles": "篇文章",
    "full-text index + matcher": "全文索引 + 匹配器",
    "matcher walk": "匹配器逐篇检查",
    "Stopped after reading this many articles; continue with older ones.":
        "已读取上限数量的文章；可继续查看更早的文章。",
    "Continue": "继续",
    "Name": "名称",
    "Mode": "模式",
    "Channels": "渠道",
    "Last match": "最近匹配",
    "Stories alerted": "已提醒报道",
    "New topic": "新建主题",
    "Edit": "编辑",
    "Save": "保存",
    "Languages": "语言",
    "Maximum age": "最长时效",
    "Preview": "预览",
    "Preview over the last": "预览最近",
    "days": "天",
    "would have matched": "将匹配",
    "of": "共",
    "articles read": "篇已读取",
    "Saved. The running service reloads its topics.": "已保存。运行中的服务将重新加载主题。",
    "Saved. No service is running; it will read the topics when it starts.":
        "已保存。当前没有运行的服务；服务启动时会读取主题。",
    "comma-separated": "逗号分隔",
    "Delete topic": "删除主题",
    "Cancel": "取消",
    "Its past matches stay in the archive; the running service stops matching it when it "
    "reloads its topics.": "已有的匹配记录保留在存档中；运行中的服务重新加载主题后不再匹配它。",
    "Deleted. Its past matches stay in the archive.": "已删除。已有的匹配记录保留在存档中。",
    "The running service reloads its topics.": "运行中的服务将重新加载主题。",
    "No service is running; it will read the topics when it starts.":
        "当前没有运行的服务；服务启动时会读取主题。",
    "File": "文件",
    "Health": "状态",
    "Last crawl": "上次抓取",
    "Next crawl": "下次抓取",
    "New items per day, last 30 days": "近30天每日新增",
    "Last errors": "最近错误",
    "Crawl now": "立即抓取",
    "Crawl requested: the running service starts it within seconds.":
        "已请求抓取：运行中的服务将在几秒内开始。",
    "No service is running: start `newswatch run` to crawl.":
        "当前没有运行的服务：请启动 `newswatch run` 进行抓取。",
    "A crawl of this source is already requested.": "此来源的抓取已在请求中。",
    "State": "状态",
    "Channel": "渠道",
    "Kind": "类型",
    "Created": "创建时间",
    "Due": "计划时间",
    "Attempts": "尝试次数",
    "Last error": "最近错误",
    "Sent": "发送时间",
    "Retry": "重试",
    "Retry all dead letters": "重试全部死信",
    "Requeued.": "已重新排队。",
    "At": "时间",
    "Outcome": "结果",
    "Status": "状态码",
    "Error": "错误",
    "Duration": "耗时",
    "No deliveries.": "没有投递。",
    "all": "全部",
    "Create a feed": "创建订阅源",
    "Copy this address now: it is shown only once.": "请立即复制此地址：它只显示一次。",
    "Last used": "最近使用",
    "Revoke": "撤销",
    "All matches": "全部匹配",
    "never": "从未",
    "Matches as CSV": "匹配导出为 CSV",
    "Matches as JSON": "匹配导出为 JSON",
    "Search results as CSV": "搜索结果导出为 CSV",
    "Search results as JSON": "搜索结果导出为 JSON",
    "Download": "下载",
    "Not found.": "未找到。",
    "Forbidden: this account is read-only.": "禁止：此账户为只读。",
    "Article": "文章",
    "crawl requested": "已请求抓取",
    "running": "抓取中",
    "Author": "作者",
    "Editor": "编辑",
    "Document number": "文号",
    "Site": "网站",
    "Fetched": "抓取时间",
    "Date as written": "原文日期",
    "Attachments": "附件",
    "Address": "网址",
    "baseline": "基线",
    "similarity": "相似度",
    "Joined by": "加入方式",
    "Linked to": "关联文章",
    "Shared": "共同要素",
    "this article": "本文",
    "started the story": "首发",
    "same text": "文本相同",
    "names it as its source": "注明来源",
    "shared facts": "共同事实",
    "Delete": "删除",
    "Service": "服务",
    "not running": "未运行",
    "running, pid": "运行中，进程号",
    "days back": "天内",
}


def pick(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = tag.strip().lower().split("-")[0]
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def translator(lang: str):
    if lang == "zh":
        return lambda text: ZH.get(text, text)
    return lambda text: text
