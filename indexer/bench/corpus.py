"""Synthetic FAQ knowledge bases for `kb bench`: Chinese questions, similar questions and answers.

Words are real Chinese words from jieba's dictionary, ranked by their corpus frequency, plus a small
customer-service lexicon at the top ranks, drawn with a Zipf law over the rank; some questions and
answers carry model numbers and error codes. Dense vectors are not embeddings: `text_vectors` gives
every text a fixed random unit vector (seeded by a hash of the text), so a 100k-chunk build takes
seconds instead of hours of encoder time.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple

import numpy as np

from indexer.chunking import chunk_article
from indexer.documents import Article

# fmt: off
DOMAIN_NOUNS = (
    "电脑", "笔记本", "手机", "平板", "打印机", "路由器", "耳机", "显示器", "键盘", "鼠标", "电池",
    "充电器", "屏幕", "系统", "驱动", "蓝牙", "网络", "账号", "密码", "订单", "发票", "快递", "退款",
    "保修", "会员", "优惠券", "积分", "地址", "套餐", "流量", "话费", "银行卡", "余额", "验证码",
    "固件", "内存", "硬盘", "摄像头",
)
DOMAIN_VERBS = (
    "开机", "充电", "连接", "登录", "注册", "退货", "换货", "支付", "安装", "升级", "重置", "下载",
    "激活", "绑定", "解绑", "取消", "修改", "查询", "申请", "更新", "恢复", "备份", "关机", "重启",
    "打印", "扫描", "同步", "注销", "开通", "投诉",
)
QUESTIONS = (
    "{n}{v}不了怎么办", "如何{v}{n}", "{n}为什么无法{v}", "{p}的{n}在哪里{v}", "怎么{v}{n}{n2}",
    "{v}{n}需要多长时间", "{p}{v}时提示{c}怎么处理", "{p}出现{c}是什么原因", "可以{v}{n}吗",
    "{n}和{n2}有什么区别", "{p}{n}{v}失败", "{n}{v}后{n2}不见了", "请问{n}怎么{v}", "{v}{n}时{n2}一直{v2}",
)
# fmt: on
PREFIXES = ("", "", "", "请问", "你好，", "我想问一下", "麻烦问下")
SUFFIXES = ("", "？", "？", "呢？", "啊")
CATEGORIES = ("账户", "支付", "物流", "售后", "设备", "网络", "会员", "发票", "安装", "故障", "活动", "隐私")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


class Keys(NamedTuple):
    """The words an FAQ is about; its questions and the benchmark's queries are built from them."""

    n: str
    n2: str
    v: str
    v2: str
    p: str  # a model number
    c: str  # an error code


class Query(NamedTuple):
    text: str
    vector: np.ndarray  # a noisy copy of the target question's vector (cosine `QUERY_COSINE`)
    article_id: int


@dataclass
class SyntheticKb:
    articles: list[Article]
    n_chunks: int
    keys: dict[int, Keys] = field(default_factory=dict)


QUERY_COSINE = 0.85


def text_vectors(texts: list[str], dim: int) -> np.ndarray:
    """A fixed random unit vector per text (the same text always gets the same vector); float32 (n, dim)."""
    out = np.empty((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
        out[i] = np.random.default_rng(seed).standard_normal(dim, dtype=np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


class Zipf:
    """Draw words with probability proportional to 1 / rank**s."""

    def __init__(self, words: list[str], s: float = 1.05) -> None:
        self.words = words
        weights = 1.0 / np.arange(1, len(words) + 1) ** s
        self.cdf = np.cumsum(weights / weights.sum())

    def draw(self, rng: np.random.Generator, k: int) -> list[str]:
        idx = np.minimum(np.searchsorted(self.cdf, rng.random(k)), len(self.words) - 1)
        return [self.words[i] for i in idx]


def _dictionary() -> list[tuple[str, int, str]]:
    """(word, frequency, tag) of jieba's main dictionary, pure-Han words only, most frequent first."""
    text = (resources.files("jieba") / "dict.txt").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and _HAN.fullmatch(parts[0]) and len(parts[0]) <= 4:
            rows.append((parts[0], int(parts[1]), parts[2]))
    rows.sort(key=lambda r: -r[1])
    return rows


def _codes(rng: np.random.Generator, n: int, kind: str) -> list[str]:
    letters = "ABCDEGKMPRSTXY"
    out: list[str] = []
    while len(out) < n:
        d = int(rng.integers(1, 100_000))
        a, b = letters[int(rng.integers(len(letters)))], letters[int(rng.integers(len(letters)))]
        if kind == "model":
            forms = [f"{a}{d % 10000}{b}", f"{a}{b}{d % 1000}", f"i{5 + 2 * (d % 3)}-{d % 9000 + 1000}P"]
        else:
            forms = [f"E{d % 1000:03d}", f"0x{d * 7919:08X}", f"ERR-{d % 10000:04d}", f"{a}{b}-{d % 1000}"]
        out.append(forms[int(rng.integers(len(forms)))])
    return list(dict.fromkeys(out))


class FaqFactory:
    """Deterministic (per seed) synthetic FAQs; see module doc."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        rows = _dictionary()
        nouns = [w for w, _, t in rows if t in ("n", "vn", "nz") and len(w) >= 2][:20_000]
        verbs = [w for w, _, t in rows if t in ("v", "vn") and len(w) >= 2][:8_000]
        general = [w for w, _, t in rows if not t.startswith(("nr", "ns", "nt"))][:50_000]
        self.nouns = Zipf(list(dict.fromkeys([*DOMAIN_NOUNS, *nouns])))
        self.verbs = Zipf(list(dict.fromkeys([*DOMAIN_VERBS, *verbs])))
        self.general = Zipf(general)
        self.models = Zipf(_codes(self.rng, 3000, "model"))
        self.errors = Zipf(_codes(self.rng, 3000, "error"))

    def keys(self) -> Keys:
        rng = self.rng
        n, n2 = self.nouns.draw(rng, 2)
        v, v2 = self.verbs.draw(rng, 2)
        return Keys(n, n2, v, v2, self.models.draw(rng, 1)[0], self.errors.draw(rng, 1)[0])

    def question(self, keys: Keys, marker: str = "") -> str:
        rng = self.rng
        body = QUESTIONS[int(rng.integers(len(QUESTIONS)))].format(**keys._asdict())
        return f"{rng.choice(PREFIXES)}{marker}{body}{rng.choice(SUFFIXES)}"

    def answer(self, keys: Keys) -> str:
        rng = self.rng
        sentences = []
        for _ in range(int(rng.integers(3, 16))):
            words = self.general.draw(rng, int(rng.integers(4, 12)))
            if rng.random() < 0.5:
                words.insert(int(rng.integers(len(words) + 1)), str(rng.choice([keys.n, keys.v, keys.n2])))
            if rng.random() < 0.08:
                words.insert(int(rng.integers(len(words) + 1)), f" {rng.choice([keys.p, keys.c])} ")
            commas = rng.random(len(words)) < 0.15
            sentences.append("".join(w + ("，" if c else "") for w, c in zip(words, commas, strict=True)))
        if rng.random() < 0.4:
            return "\n".join(f"{i}. {s.rstrip('，')}。" for i, s in enumerate(sentences, 1))
        return "".join(s.rstrip("，") + "。" for s in sentences)

    def faq(self, article_id: int, keys: Keys | None = None, marker: str = "", version: int = 1) -> Article:
        """One FAQ: a standard question, 1-6 similar questions and an answer (its chunks: ~5)."""
        rng = self.rng
        keys = keys or self.keys()
        similar = tuple(self.question(keys) for _ in range(int(rng.choice([1, 2, 2, 3, 3, 4, 5, 6]))))
        return Article(
            id=article_id,
            type="faq",
            title=self.question(keys, marker),
            similar_questions=similar,
            answer=self.answer(keys),
            category=str(rng.choice(CATEGORIES)),
            products=(str(keys.p),) if rng.random() < 0.3 else (),
            tags=tuple(rng.choice(CATEGORIES, size=int(rng.integers(0, 3)), replace=False).tolist()),
            version=version,
        )

    def corpus(self, n_chunks: int, max_chars: int) -> SyntheticKb:
        """FAQs with ids 1, 2, ... until they make at least `n_chunks` chunks (as the index chunks them)."""
        kb = SyntheticKb([], 0)
        while kb.n_chunks < n_chunks:
            keys = self.keys()
            article = self.faq(len(kb.articles) + 1, keys)
            kb.articles.append(article)
            kb.keys[article.id] = keys
            kb.n_chunks += len(chunk_article(article, max_chars))
        return kb

    def queries(self, kb: SyntheticKb, count: int, dim: int) -> list[Query]:
        """Paraphrases (60 %), keyword (25 %) and code (15 %) queries about random FAQs of `kb`."""
        rng, out = self.rng, []
        ids = rng.choice([a.id for a in kb.articles], size=count)
        titles = {a.id: a.title for a in kb.articles}
        for article_id in ids.tolist():
            k, roll = kb.keys[article_id], rng.random()
            if roll < 0.6:
                text = self.question(k)
            elif roll < 0.85:
                text = f"{k.n} {k.v}" if rng.random() < 0.5 else f"{k.v}{k.n}{k.n2}"
            else:
                text = f"{k.c}怎么解决" if rng.random() < 0.5 else f"{k.p} {k.n}"
            out.append(Query(text, self.query_vector(titles[article_id], dim), article_id))
        return out

    def query_vector(self, text: str, dim: int) -> np.ndarray:
        """A unit vector at cosine `QUERY_COSINE` to `text_vectors([text])` (the "right" chunk)."""
        target = text_vectors([text], dim)[0]
        noise = self.rng.standard_normal(dim).astype(np.float32)
        noise -= noise.dot(target) * target
        noise /= np.linalg.norm(noise)
        vec = QUERY_COSINE * target + np.sqrt(1 - QUERY_COSINE**2) * noise
        return (vec / np.linalg.norm(vec)).astype(np.float32)
