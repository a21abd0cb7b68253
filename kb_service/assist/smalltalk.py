"""Small talk: greetings, thanks, acknowledgements, "在吗", farewells, and yes / no answers.

A message made only of such phrases (and fillers such as 亲 / 呀 / "so much") gets a polite reply, not a
search; a greeting or thanks around a question is cut off so that the question is what retrieval sees.
"""

from __future__ import annotations

import re
from typing import Literal

from indexer.text import normalize

SmallTalkKind = Literal["greeting", "presence", "thanks", "ack", "farewell"]
SMALL_TALK_KINDS: tuple[SmallTalkKind, ...] = ("greeting", "presence", "thanks", "ack", "farewell")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Phrases written without spaces: messages are compared with spaces and punctuation removed.
_PHRASES: dict[str, tuple[str, ...]] = {
    "greeting": _words(
        "你好 您好 你们好 大家好 哈喽 哈啰 嗨 喂 早上好 上午好 中午好 下午好 晚上好 早安 早 "
        "hello hallo hi hey heythere hithere goodmorning goodafternoon goodevening greetings yo"
    ),
    "presence": _words(
        "在吗 在么 在嘛 在不在 还在吗 在线吗 有人吗 有人在吗 有没有人 人呢 在线 客服在吗 "
        "anyonethere isanyonethere areyouthere anybodythere isanybodythere anyonehere youthere"
    ),
    "thanks": _words(
        "谢谢 谢谢你 谢谢您 多谢 感谢 感谢你 感谢您 谢啦 谢了 辛苦了 辛苦 麻烦了 麻烦你了 "
        "thanks thank thankyou thx ty cheers appreciateit muchappreciated"
    ),
    "ack": _words(
        "好的 好滴 好哒 好吧 好 嗯 嗯嗯 哦 哦哦 噢 喔 收到 知道了 明白了 明白 了解 了解了 懂了 "
        "行 行吧 可以 可以了 没问题 ok okay okey k gotit isee alright allright sure cool great "
        "nice understood noted 是的 是 对 对的 对呀 yes yeah yep yup"
    ),
    # "it is fixed": after an answer, a thank-you in all but words
    "resolved": _words(
        "好了 已经好了 现在好了 可以了 现在可以了 解决了 已解决 已经解决了 问题解决了 搞定了 搞定 能用了 "
        "修好了 正常了 恢复了 itworks itworksnow worksnow thatworked fixed fixedit solved solvedit "
        "allgood allsorted sorted"
    ),
    "farewell": _words(
        "再见 拜拜 拜 回见 回头见 下次见 88 886 bye byebye goodbye seeyou seeya 没事了 没有了 "
        "没别的了 没其他问题了 没问题了 不用了 先这样 就这样 thatsall thatsit nothingelse"
    ),
}
# Words that soften a phrase without changing it.
_FILLERS = _words(
    "亲 亲亲 客服 小姐姐 小哥哥 您 你 你们 啊 呀 啦 哈 哈哈 哈哈哈 呢 哦 嘛 吧 哟 非常 太 "
    "真 了 的 帮助 帮忙 解答 耐心 支持 so much very a lot you guys all again team there for "
    "your help the info sir madam oh ah um hmm really please bro"
)
_YES = _words(
    "是的 是 对 对的 对呀 对啊 嗯 嗯嗯 没错 正确 就是 就是这个 是这个 yes yeah yep yup "
    "correct right exactly thatsit thatsright sure ok okay"
)
_NO = _words(
    "不是 不对 都不是 不是的 不是这个 错了 不 否 no nope notreally noneofthese neither "
    "wrong notthat thatsnotit"
)

_KIND_OF = {
    p: ("thanks" if kind == "resolved" else kind) for kind, phrases in _PHRASES.items() for p in phrases
}
# what a message of several kinds is answered as
_PRIORITY: tuple[SmallTalkKind, ...] = ("farewell", "thanks", "presence", "greeting", "ack")
_SEPARATORS = re.compile(r"[\s\W_]+")  # spaces, punctuation, emoji


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_TOKEN = re.compile(f"(?:{_alternation(list(_KIND_OF))})|(?P<filler>{_alternation(_FILLERS)})")
_WHOLE = re.compile(f"(?:{_alternation(list(_KIND_OF) + list(_FILLERS))})+")
_YES_RE = re.compile(f"(?:(?:{_alternation(_YES)})(?:{_alternation(_FILLERS)})*)+")
_NO_RE = re.compile(f"(?:(?:{_alternation(_NO)})(?:{_alternation(_FILLERS)})*)+")
# A greeting or presence check in front of a question, thanks behind it.
_LEADING = re.compile(
    f"^\\W*(?:(?:{_alternation(_PHRASES['greeting'] + _PHRASES['presence'])})"
    f"(?:\\s*(?:{_alternation(_FILLERS)}))*[\\s,，.。!！~～、:：;；?？]*)+",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    f"[\\s,，.。!！~～、;；]*(?:{_alternation(_PHRASES['thanks'] + ('谢谢啦', '先谢谢了', '提前谢谢'))})"
    f"(?:\\s*(?:{_alternation(_FILLERS)}))*\\W*$",
    re.IGNORECASE,
)


def _squeeze(text: str) -> str:
    return _SEPARATORS.sub("", normalize(text).replace("\u2019", "'").replace("'", ""))


def small_talk(text: str) -> SmallTalkKind | None:
    """The kind of small talk when the whole message is small talk ("你好", "好的谢谢", "thanks a lot");
    None for anything else (a message with a question in it, fillers alone, an empty message)."""
    squeezed = _squeeze(text)
    if not squeezed or len(squeezed) > 40:
        return None
    if _WHOLE.fullmatch(squeezed) is None:
        return None
    kinds = {_KIND_OF[m.group()] for m in _TOKEN.finditer(squeezed) if m.group("filler") is None}
    if not kinds:  # fillers only ("哈哈", "嗯呢"): nothing asked
        return "ack"
    return next(k for k in _PRIORITY if k in kinds)


def is_yes(text: str) -> bool:
    """A confirmation: 是的 / 对 / 嗯 / yes (fillers allowed)."""
    squeezed = _squeeze(text)
    return bool(squeezed) and _YES_RE.fullmatch(squeezed) is not None


def is_no(text: str) -> bool:
    """A refusal: 不是 / 都不是 / no."""
    squeezed = _squeeze(text)
    return bool(squeezed) and _NO_RE.fullmatch(squeezed) is not None


def strip_pleasantries(text: str) -> str:
    """The question inside "你好，电脑开不了机，谢谢": greetings in front and thanks behind cut off (the
    message itself when nothing would be left)."""
    rest = _TRAILING.sub("", _LEADING.sub("", text, count=1), count=1).strip()
    return rest if _SEPARATORS.sub("", rest) else text
