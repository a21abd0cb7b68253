"""Conversation intents: asking for a human, saying the last answer failed, picking a listed option."""

from __future__ import annotations

import re

from indexer.text import normalize
from kb_service.assist.options import pick_option
from kb_service.assist.overlap import word_set

__all__ = ["is_failed_followup", "pick_option", "wants_human"]

# Explicit hand-off requests: enough on their own, whatever else the message says.
_ZH_HANDOFF = re.compile(
    "转人工|找人工|要人工|接人工|换人工|联系人工|人工坐席|转接人工|转客服|转接客服|"
    "(?:转|找|要|换|和|跟|让)真人|真人客服|我(?:要|想)投诉|投诉你们|"
    "(?:我要|我想|让|叫|找)(?:你们)?(?:的)?(?:领导|经理|主管|负责人)|"
    "(?:不要|别用|不想和|不想跟|不跟|不和)机器人|机器人.{0,4}(?:听不懂|没用|不懂)"
)
# "人工" in compounds that are not people: AI, labour cost, manual inspection...
_ZH_HUMAN = re.compile("人工(?!智能|费|成本|检测|耗材|操作|识别|审核|翻译|降雨|湖|合成|呼吸)|真人")
_ZH_ASKING = re.compile("吗|是不是|是否|是真人|是人工")  # "你是真人吗" asks what the bot is
_ZH_SERVICE = re.compile("人工(?:客服|服务)|客服人员")
# Questions about the service itself (phone number, hours, price) are FAQs, not hand-off requests.
_ZH_INFO = re.compile("电话|热线|号码|几点|时间|上班|下班|营业|多少钱|收费|联系方式|是什么")
_EN_HANDOFF = re.compile(
    r"\b(?:talk|speak|chat|connect|transfer|put me through)\b[^.!?\n]{0,40}?"
    r"\b(?:humans?|person|agents?|representatives?|rep|operator|someone|somebody|supervisor|manager|staff)\b"
    r"|\b(?:real|live|actual)\s+(?:person|human|agent|people)\b"
    r"|\bhuman\s+(?:agent|operator|representative|support)\b"
    r"|\b(?:i want|i'd like|i need|get me|give me)\b[^.!?\n]{0,20}?"
    r"\b(?:human|agent|representative|operator)\b"
    r"|\b(?:i want|i'd like|i would like|i wish) to (?:file |make |lodge )?(?:a )?complain(?:t)?\b"
    r"|\bfile a complaint\b"
)
_EN_TARGETS = word_set("human agent representative rep operator person people someone real live")
_EN_FILLERS = word_set("please pls plz a an the me i want need now just can you hello hi to talk speak")
_EN_NOT = re.compile(r"\b(?:don't|do not|dont|no need|never)\b[^.!?\n]{0,25}$")


def _short_core(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def wants_human(text: str) -> bool:
    """True when the customer asks for a human agent (转人工, "talk to an agent", 我要投诉)."""
    norm = normalize(text).replace("\u2019", "'")
    if _ZH_HANDOFF.search(norm):
        return True
    core = _short_core(norm)
    if _ZH_SERVICE.search(norm) and not _ZH_INFO.search(norm):
        return True
    if _ZH_HUMAN.search(core) and len(core) <= 10 and not (_ZH_INFO.search(core) or _ZH_ASKING.search(core)):
        return True  # a bare "人工" / "真人" / "给我人工"
    for match in _EN_HANDOFF.finditer(norm):
        if not _EN_NOT.search(norm[: match.start()]):
            return True
    words = re.findall(r"[a-z']+", norm)
    rest = [w for w in words if w not in _EN_FILLERS]
    return bool(rest) and len(words) <= 6 and all(w in _EN_TARGETS for w in rest)


# "Your answer did not help". Strong phrases say it on their own; weak ones ("不行",
# "not working") also open brand-new questions, so they only count in a very short reply.
_STRONG_FAIL = re.compile(
    "(?:还是|依然|仍然|仍旧|依旧|照样|还)(?:不行|没用|不管用|没反应|一样|这样|老样子|没好|不好|没解决|没变化|"
    "黑屏|蓝屏|打不开|开不了|连不上|不能用|不亮|没声音)|"
    "没用(?!过|完)|没有用(?!过|完)|不管用|没解决|没有解决|试过了|都试过|试了(?:还是|也|都|没)|没效果|没有效果|"
    "无效|问题依旧|白弄|不起作用|"
    r"still (?:not|doesn't|does not|isn't|won't|can't|the same|broken|happening|no)|"
    r"(?:didn't|did not|doesn't|does not) (?:help|fix|change|solve)|same (?:problem|issue|error|thing)|"
    r"tried (?:that|it|this|those|all|everything)|already (?:tried|did that|done that)|"
    r"no luck|nothing changed|no change|"
    r"no difference|not helpful|useless"
)
_WEAK_FAIL = re.compile(
    r"不行|没反应|不好使|没好|^没有[啊呀哦]?$|"
    r"not working|doesn't work|does not work|didn't work|^no(?:pe)?\b(?!,? thank)"
)
# "试过了，好了" / "tried that, works now": the fix worked after all.
_SUCCESS = re.compile(
    r"(?<![没不])(?:好了|解决了|可以了|能用了|正常了|修好了)|\b(?:works|working) now\b|\bit works\b|"
    r"\bthat worked\b|\b(?:fixed|solved|resolved) (?:it|now)\b"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z0-9']+")
STRONG_MAX_UNITS = 24  # about one short sentence; longer messages are new questions
WEAK_MAX_UNITS = 8
DOMINANT_SHARE = 0.4


def _units(text: str) -> float:
    """Length in Chinese-character equivalents (an English word counts as one and a half)."""
    return len(_CJK.findall(text)) + 1.5 * len(_LATIN_WORD.findall(text))


def is_failed_followup(text: str) -> bool:
    """True for a follow-up saying the previous answer did not help ("还是不行", "didn't help").

    A message counts when it is short (at most `STRONG_MAX_UNITS` units with a strong phrase,
    `WEAK_MAX_UNITS` with a weak one such as 不行) or when failure phrases make up at least
    `DOMINANT_SHARE` of it; a longer message is a new question even if it contains 不行.
    """
    norm = normalize(text).replace("\u2019", "'")
    units = _units(norm)
    if units == 0 or _SUCCESS.search(norm):
        return False
    strong = list(_STRONG_FAIL.finditer(norm))
    if strong:
        covered = sum(_units(m.group()) for m in strong)
        if units <= STRONG_MAX_UNITS or covered / units >= DOMINANT_SHARE:
            return True
    return units <= WEAK_MAX_UNITS and bool(_WEAK_FAIL.search(norm))
