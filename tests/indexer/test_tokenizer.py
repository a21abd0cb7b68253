"""indexer.tokenizer: codes, phrases, stop words, n-grams, synonyms, hashing, threads."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.lexicon import parse_user_word
from indexer.tokenizer import Tokenizer, TokenizerConfig
from indexer.word_segmenter import UserWord

from .sample_texts import SAMPLE_KB, sample_texts


def tok(**kwargs: object) -> Tokenizer:
    """A tokenizer with every option off unless given."""
    options: dict[str, object] = {"char_ngrams": 0, "stopwords": False, "english_stems": False, **kwargs}
    return Tokenizer(TokenizerConfig(**options))  # type: ignore[arg-type]


def test_defaults_are_the_tuned_ones() -> None:
    """docs/tokenizer_eval.md: character unigrams and stop words helped on the DEV sets."""
    assert TokenizerConfig() == TokenizerConfig(
        char_ngrams=1, search_mode=False, stopwords=True, english_stems=True
    )
    tokens = Tokenizer(TokenizerConfig()).tokenize("请问电脑怎么还款？")
    assert tokens == ["电脑", "怎么", "还款", "#请", "#问", "#电", "#脑", "#怎", "#么", "#还", "#款"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("蓝屏代码0x0000007B怎么办", "0x0000007b"),
        ("错误E-102。", "e-102"),
        ("CPU是i7-1360P的", "i7-1360p"),
        ("BIOS版本N3XET45W(1.30)", "n3xet45w"),
        ("开机提示2100: Detection error", "2100"),
        ("拯救者Y9000P开不了机", "y9000p"),
        ("usb3.0接口", "usb3.0"),
        ("热线400-990-8888", "400-990-8888"),
    ],
)
def test_codes_stay_whole(text: str, code: str) -> None:
    assert code in tok().tokenize(text)


def test_code_parts_only_in_search_mode() -> None:
    assert tok().tokenize("i7-1360P") == ["i7-1360p"]
    assert tok(search_mode=True).tokenize("i7-1360P") == ["i7-1360p", "i7", "1360p"]


def test_words_without_digits_split_like_w_plus() -> None:
    assert tok().tokenize("Wi-Fi can't connect, e.g. now") == [
        "wi",
        "fi",
        "can",
        "t",
        "connect",
        "e",
        "g",
        "now",
    ]


def test_english_words_add_their_stems_beside_the_surface_form() -> None:
    tokens = tok(english_stems=True).tokenize("Refunds refunded for ThinkPad i7-1360P 退款")
    assert tokens[:6] == ["refunds", "refunded", "for", "thinkpad", "i7-1360p", "退款"]
    assert tokens[6:] == ["~refund", "~refund", "~for", "~thinkpad"]  # codes and Han words get none
    query = tok(english_stems=True).tokenize_query("refunding")
    assert "~refund" in query and "refunds" not in query


def test_punctuation_never_becomes_a_token() -> None:
    assert tok().tokenize("，。！？!?…（）【】“”——、;:  \n") == []
    assert tok(char_ngrams=2, search_mode=True).tokenize("...!!!") == []


def test_phrase_user_words_yield_phrase_and_parts() -> None:
    t = tok(user_words=("thinkpad x1 carbon", "小新pro14"))
    assert t.tokenize("ThinkPad  X1 Carbon开不了机") == [
        "thinkpad x1 carbon",
        "thinkpad",
        "x1",
        "carbon",
        "开",
        "不了",
        "机",
    ]
    assert t.tokenize("小新Pro14电池")[:3] == ["小新pro14", "小新", "pro14"]
    assert t.tokenize("x1 carbon") == ["x1", "carbon"]  # a partial mention still matches the parts
    spaced = tok(user_words=("x1carbon", "小新pro14"))
    assert spaced.tokenize("X1 Carbon") == ["x1carbon", "x1", "carbon"]  # spacing does not matter
    assert spaced.tokenize("x1carbon") == ["x1carbon"]
    assert spaced.tokenize("小新 Pro14")[0] == "小新pro14"


def test_han_user_words_go_to_jieba() -> None:
    assert tok().tokenize("拯救者开不了机") == ["拯救", "者", "开", "不了", "机"]
    assert tok(user_words=("拯救者", "开不了机 10 v")).tokenize("拯救者开不了机") == ["拯救者", "开不了机"]


def test_search_mode_adds_jieba_sub_words() -> None:
    assert tok(search_mode=True).tokenize("售后服务网点") == ["售后", "服务", "售后服务", "网点"]


def test_char_ngrams_of_han_runs() -> None:
    assert tok(char_ngrams=2).tokenize("屏幕不亮abc") == ["屏幕", "不亮", "abc", "#屏幕", "#幕不", "#不亮"]
    assert tok(char_ngrams=1).tokenize("借钱") == ["借钱", "#借", "#钱"]
    assert tok(char_ngrams=1, stopwords=True).tokenize("的") == ["#的"]  # stop words spare n-grams


def test_stopwords_drop_particles_but_keep_question_words() -> None:
    text = "请问我的电脑开不了机了怎么办呢？how do I fix the screen"
    tokens = tok(stopwords=True).tokenize(text)
    assert not {"请问", "的", "了", "呢", "i", "the", "do"} & set(tokens)
    assert {"怎么办", "电脑", "how", "fix", "screen"} <= set(tokens)
    assert "的" in tok().tokenize(text)


def test_synonyms_meet_on_both_sides() -> None:
    t = tok(synonyms=(("开不了机", "无法开机", "不开机"), ("购买", "买")))
    doc, query = t.tokenize("笔记本无法开机怎么处理"), t.tokenize_query("电脑开不了机")
    assert "≡开不了机" in doc and "≡开不了机" in query
    assert "无法" in doc  # surface tokens stay
    assert t.tokenize("买单").count("≡购买") == 0  # one-character terms only match whole tokens
    assert t.tokenize("买电脑 购买").count("≡购买") == 2


def test_tokenize_query_equals_tokenize() -> None:
    t = tok(synonyms=(("开不了机", "无法开机"),), search_mode=True, char_ngrams=2)
    for text in sample_texts()[:50]:
        assert t.tokenize_query(text) == t.tokenize(text)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("云计算 5 n", UserWord("云计算", 5, "n")),
        ("云计算 5", UserWord("云计算", 5, None)),
        ("凯特琳 nz", UserWord("凯特琳", None, "nz")),
        ("ThinkPad 3000 nz", UserWord("thinkpad", 3000, "nz")),
        ("ThinkPad X1 Carbon", UserWord("thinkpad x1 carbon", None, None)),
        ("ThinkPad X1 Carbon 500 nz", UserWord("thinkpad x1 carbon", 500, "nz")),
        ("iPad Pro", UserWord("ipad pro", None, None)),
        ("Windows 11", UserWord("windows", 11, None)),  # jieba's reading
        ("Windows 11 100", UserWord("windows 11", 100, None)),
        ("Windows 11\t30\tnz", UserWord("windows 11", 30, "nz")),
        ("Windows 11\t\t", UserWord("windows 11", None, None)),
        ("   ", None),
    ],
)
def test_parse_user_word(line: str, expected: UserWord | None) -> None:
    assert parse_user_word(line) == expected


def test_parse_user_word_refuses_bad_frequencies() -> None:
    for line in ("坏词\t0", "坏词\tabc", "坏词 0"):
        with pytest.raises(ValueError):
            parse_user_word(line)


def test_the_repository_dictionary_parses() -> None:
    path = SAMPLE_KB.parent / "dict" / "user_dict.txt"
    if not path.exists():
        pytest.skip("no data/dict/user_dict.txt")
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]
    words = [parse_user_word(x) for x in lines]
    assert all(w is not None and " " not in w.word and w.freq for w in words)
    tokens = Tokenizer(TokenizerConfig(user_words=tuple(lines))).tokenize("拯救者Y9000P和小新Pro14开不了机")
    assert tokens[:2] == ["拯救者y9000p", "拯救者"]
    assert "小新pro14" in tokens


def test_config_hash_is_stable_and_sensitive() -> None:
    base = TokenizerConfig(user_words=("拯救者",), synonyms=(("开不了机", "无法开机"),))
    code = (
        "from indexer.tokenizer import TokenizerConfig;"
        "print(TokenizerConfig(user_words=('拯救者',), synonyms=(('开不了机','无法开机'),)).config_hash())"
    )
    other_process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other_process.stdout.strip() == base.config_hash()
    variants = [
        TokenizerConfig(user_words=("拯救者 5",), synonyms=base.synonyms),
        TokenizerConfig(user_words=base.user_words, synonyms=(("无法开机", "开不了机"),)),
        TokenizerConfig(user_words=base.user_words, synonyms=base.synonyms, search_mode=True),
        TokenizerConfig(user_words=base.user_words, synonyms=base.synonyms, char_ngrams=2),
        TokenizerConfig(user_words=base.user_words, synonyms=base.synonyms, stopwords=False),
    ]
    assert len({base.config_hash(), *(v.config_hash() for v in variants)}) == 6


def test_config_round_trips_through_dict() -> None:
    config = TokenizerConfig(user_words=("a b",), synonyms=(("x", "y"),), char_ngrams=2, stopwords=True)
    assert TokenizerConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError):
        TokenizerConfig(char_ngrams=-1)


def test_threads_get_the_same_tokens() -> None:
    t = tok(user_words=("thinkpad x1 carbon", "拯救者"), synonyms=(("开不了机", "无法开机"),), char_ngrams=2)
    texts = sample_texts() * 5
    serial = [t.tokenize(x) for x in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(t.tokenize, texts)) == serial
