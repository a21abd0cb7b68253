"""Which human queue a conversation belongs to: the categories of the best hits, else the words used."""

from __future__ import annotations

import re
from collections import Counter

from indexer.ranking import Hit
from indexer.text import normalize
from kb_service.schemas.kbs import KbSettings

# Words that name the kind of problem, for questions the KB has no good article for.
CATEGORY_CUES: dict[str, re.Pattern[str]] = {
    "repair": re.compile(
        r"维修|修理|坏了|故障|开不了机|无法开机|黑屏|蓝屏|死机|花屏|进水|碎屏|不充电|充不进|异响|"
        r"repair|broken|crack|won'?t turn on|not charging|blue screen"
    ),
    "pre_sales": re.compile(
        r"购买|想买|买哪|多少钱|价格|报价|配置|推荐|区别|优惠|促销|price|buy|which model|discount"
    ),
    "after_sales": re.compile(
        r"退货|退款|换货|保修|延保|发票|快递|物流|订单|发货|售后|return|refund|warranty|invoice|deliver|shipping|order"
    ),
    "billing": re.compile(r"扣费|扣款|账单|付款|支付|多扣|charged|bill|payment"),
    "account": re.compile(r"账号|帐号|密码|登录|登陆|注册|实名|account|password|log ?in|sign ?in"),
}


def category_from_words(query: str) -> str | None:
    text = normalize(query)
    for category, pattern in CATEGORY_CUES.items():
        if pattern.search(text):
            return category
    return None


def queue_for(settings: KbSettings, hits: list[Hit], query: str, confident: bool) -> str:
    """The queue of the best hits' category when retrieval is confident, else of the query's words."""
    category = None
    if confident and hits:
        votes = Counter(h.category for h in hits[:3] if h.category)
        top = hits[0].category
        category = top if top else (votes.most_common(1)[0][0] if votes else None)
    category = category or category_from_words(query)
    if category is None and hits and hits[0].category:
        category = hits[0].category
    return queue_of_category(settings, category)


def queue_of_category(settings: KbSettings, category: str | None) -> str:
    if category is None:
        return settings.default_queue
    return settings.queue_map.get(category, settings.default_queue)
