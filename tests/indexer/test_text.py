"""indexer.text: normalisation and its offset map."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.text import _ONE_TO_ONE, _normalize_by_cluster, normalize, normalize_with_offsets, to_simplified

SAMPLES = [
    "  我的電腦開不了機了，螢幕顯示藍屏代碼０ｘ0000007Ｂ？ ",
    "ThinkPad X1\u3000Carbon\n\n电池\t不充电",
    "ＡＢＣ１２３ｘｙｚ，！？",
    "ﬁle Straße ÉCOLE e\u0301cole",
    "乾隆皇帝乾燥 瞭解 反覆 示覆",
    "零宽\u200b字符\ufeff和软\u00ad连字符",
    "",
    "   ",
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３，！？", "abc123,!?"),  # full width → half width, lower case
        ("我的電腦開不了機", "我的电脑开不了机"),  # traditional → simplified
        ("ThinkPad  X1\n\tCarbon ", "thinkpad x1 carbon"),  # whitespace collapsed
        ("乾隆 乾燥", "乾隆 干燥"),  # phrase-level conversion
        ("零宽\u200b字符", "零宽字符"),
        ("Straße", "strasse"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", SAMPLES)
def test_normalize_is_idempotent(raw: str) -> None:
    assert normalize(normalize(raw)) == normalize(raw)


@pytest.mark.parametrize("raw", SAMPLES)
def test_offsets_agree_with_normalize(raw: str) -> None:
    norm, offsets = normalize_with_offsets(raw)
    assert norm == normalize(raw)
    assert len(offsets) == len(norm)
    assert offsets == sorted(offsets)
    assert all(0 <= o < len(raw) for o in offsets)


def test_offsets_point_at_source_characters() -> None:
    raw = "  電腦 ＡＢ\n\nC"
    norm, offsets = normalize_with_offsets(raw)
    assert norm == "电脑 ab c"
    assert [raw[o] for o in offsets] == ["電", "腦", " ", "Ａ", "Ｂ", "\n", "C"]


def test_fast_path_matches_opencc_on_simplified_text() -> None:
    from opencc import OpenCC

    cc = OpenCC("t2s")
    text = "我的电脑开不了机了，屏幕显示蓝屏代码，请问怎么办？联想小新的电池不充电，售后服务网点在哪里"
    assert to_simplified(text) == cc.convert(text) == text


def test_conversion_keeps_length() -> None:
    """normalize_with_offsets relies on t2s never changing the length."""
    text = "".join(SAMPLES) + "後來發現這個軟體裡麵包含乾燥劑與瞭望臺"
    assert len(to_simplified(text)) == len(text)


def test_normalize_is_fast() -> None:
    """Runs on every query: a short simplified query costs a few µs (measured ~6 µs)."""
    query = "我的电脑开不了机了，屏幕显示蓝屏代码0x0000007B，请问怎么办？"
    normalize(query)
    start = time.perf_counter()
    for _ in range(1000):
        normalize(query)
    assert (time.perf_counter() - start) / 1000 < 200e-6  # generous bound for a shared machine


# Characters that take each branch of normalize_with_offsets: one-to-one ones (CJK, full width,
# upper case, whitespace) and ones that expand, vanish or combine (ligature, ß, soft hyphen,
# combining accent and kana voicing marks, half-width kana, squared units).
MIXED = "我的電腦開機，螢幕藍屏 \n\t\u3000ＡＢcdE0x7B-乾燥後來" + (
    "ß\u0130\u00ade\u0301\u3099かｶﾞ\u309b\u00a8ﬁ①㎏\u200b한"
)


@given(st.text(alphabet=MIXED, max_size=24) | st.text(max_size=24))
def test_offsets_are_the_same_on_the_fast_path_and_per_cluster(raw: str) -> None:
    """Texts of one-to-one characters skip the per-character loop; the result must not change."""
    assert normalize_with_offsets(raw) == _normalize_by_cluster(raw)


def test_fast_path_takes_ordinary_chinese_and_english_text() -> None:
    assert _ONE_TO_ONE.fullmatch("联想小新Pro 14（2023）开机蓝屏，错误代码0x0000007B！怎么办？")
    assert not _ONE_TO_ONE.fullmatch("ﬁle")  # expands: per cluster


def test_ideographs_and_hangul_taken_as_they_are_need_no_normalising() -> None:
    """The fast path takes U+4E00-9FFF and Hangul syllables unscanned: NFKC and case folding keep them."""
    for code in [*range(0x4E00, 0xA000), *range(0xAC00, 0xD7A4)]:
        ch = chr(code)
        assert unicodedata.normalize("NFKC", ch).casefold() == ch and not unicodedata.combining(ch)
