"""The product catalogue: GET / PUT with compare-and-set, validation, roles, and the rebuild a save starts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from indexer.catalogue import CatalogueProduct
from kb_service.auth import Actor
from kb_service.db import make_engine, migrate
from kb_service.errors import Conflict
from kb_service.models import AuditEvent, KnowledgeBase
from kb_service.schemas.catalogue import Catalogue
from kb_service.services.catalogue import put_catalogue
from kb_service.services.listener import NoIndex
from tests.conftest import Api
from tests.kb_service.helpers import FAQ, create

URL = "/v1/kbs/default/catalogue"
PRODUCTS: list[dict[str, Any]] = [
    {"name": "小新 Pro 14", "series": "小新", "aliases": ["xiaoxin pro 14", "小新pro14 2024"]},
    {"name": "拯救者 Y9000P", "series": "拯救者", "aliases": ["Y9000P", "9000p"]},
    {"name": "ThinkPad X1 Carbon Gen 11", "series": "ThinkPad", "aliases": ["X1C", "x1carbon"]},
    {"name": "moto g54", "series": None, "aliases": []},
]


def put(api: Api, body: dict[str, Any], role: str = "editor", kb: str = "default") -> Any:
    return api.client.put(f"/v1/kbs/{kb}/catalogue", json=body, headers=api.headers(role))


def test_round_trip_and_versions(api: Api) -> None:
    editor = api.headers("editor")
    empty = api.client.get(URL, headers=editor)
    assert empty.status_code == 200 and empty.json() == {"version": 1, "products": []}
    saved = put(api, {"version": 1, "products": PRODUCTS})
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"version": 2, "products": PRODUCTS}
    assert api.client.get(URL, headers=editor).json() == saved.json()
    # surrounding spaces are trimmed; a product without series or aliases gets them as null / []
    trimmed = put(api, {"version": 2, "products": [{"name": "  YOGA 14s ", "aliases": [" yoga14s"]}]})
    assert trimmed.json() == {
        "version": 3,
        "products": [{"name": "YOGA 14s", "series": None, "aliases": ["yoga14s"]}],
    }
    with Session(api.client.app.state.engine) as session:  # type: ignore[attr-defined]
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "update_catalogue")).all()
    assert [(e.actor, e.target_id, e.details) for e in events] == [
        ("editor-key", "default", {"products": 4, "aliases": 6}),
        ("editor-key", "default", {"products": 1, "aliases": 1}),
    ]


def test_an_edit_made_to_an_older_version_is_refused(api: Api) -> None:
    """Two editors load version 1; the second save would silently drop the first one's products."""
    first = put(api, {"version": 1, "products": PRODUCTS[:1]})
    assert first.status_code == 200 and first.json()["version"] == 2
    second = put(api, {"version": 1, "products": PRODUCTS[1:2]})
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "conflict" and "version 2" in error["message"] and "version 1" in error["message"]
    assert error["details"][0]["field"] == "version"
    assert api.client.get(URL, headers=api.headers("editor")).json() == first.json()
    ahead = put(api, {"version": 9, "products": []})
    assert ahead.status_code == 409 and "does not exist yet" in ahead.json()["error"]["message"]
    again = put(api, {"version": 2, "products": PRODUCTS[:2]})
    assert again.status_code == 200 and again.json()["version"] == 3
    bad = put(api, {"version": 0, "products": []})
    assert bad.status_code == 422 and "version" in bad.json()["error"]["message"]


@pytest.mark.parametrize(
    ("products", "field", "words"),
    [
        ([{"name": ""}], "body.products.0.name", ["at least 1 character"]),
        ([{"name": "   "}], "body.products.0.name", ["at least 1 character"]),
        ([{"name": "a" * 101}], "body.products.0.name", ["at most 100"]),
        ([{"name": "T14", "series": " "}], "body.products.0.series", ["at least 1 character"]),
        ([{"name": "T14", "series": "s" * 101}], "body.products.0.series", ["at most 100"]),
        ([{"name": "T14", "aliases": ["ok", ""]}], "body.products.0.aliases.1", ["at least 1 character"]),
        ([{"name": "T14", "aliases": ["a\nb"]}], "body.products.0.aliases.0", ["line breaks"]),
        (
            [{"name": "T14", "aliases": [f"t{i}" for i in range(51)]}],
            "body.products.0.aliases",
            ["at most 50"],
        ),
        ([{"name": "T14", "colour": "red"}], "body.products.0.colour", ["Extra inputs"]),
        ([{"name": "\u200b"}], "products[0].name", ["no visible characters"]),
        (
            [{"name": "ThinkPad T14"}, {"name": "ＴＨＩＮＫＰＡＤ  t 14"}],
            "products[1].name",
            ["products[1].name", "duplicates the name of", "'ThinkPad T14'", "products[0].name"],
        ),
        (
            [
                {"name": "ThinkPad T14", "aliases": ["T14"]},
                {"name": "ThinkPad T14s"},
                {"name": "E14", "aliases": ["e 14", "t14"]},
            ],
            "products[2].aliases[1]",
            ["products[2].aliases[1]", "'E14'", "'ThinkPad T14'", "products[0].aliases[0]"],
        ),
        (
            [{"name": "拯救者 Y9000P"}, {"name": "Y9000X", "aliases": ["拯救者y9000p"]}],
            "products[1].aliases[0]",
            ["'Y9000X'", "would also name", "'拯救者 Y9000P'", "products[0].name"],
        ),
    ],
)
def test_bad_catalogues_are_refused_with_the_field(
    api: Api, products: list[dict[str, Any]], field: str, words: list[str]
) -> None:
    r = put(api, {"products": products})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    detail = next(d for d in error["details"] if d["field"] == field)
    assert all(w in detail["message"] for w in words), detail
    assert api.client.get(URL, headers=api.headers("editor")).json()["version"] == 1  # nothing saved


def test_size_limit_and_own_alias_repeating_the_name(api: Api) -> None:
    many = [{"name": f"model {i}"} for i in range(5001)]
    r = put(api, {"products": many})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.products"
    # a product may list its own name (in another spelling) among its aliases
    r = put(api, {"products": [{"name": "小新 Pro 14", "aliases": ["小新Pro14"]}]})
    assert r.status_code == 200, r.text
    assert put(api, {}).status_code == 422  # no accidental wipe: products must be sent


def test_roles_and_unknown_kb(api: Api) -> None:
    for role in ("agent", "bot"):
        assert api.client.get(URL, headers=api.headers(role)).status_code == 403
        assert put(api, {"products": PRODUCTS}, role=role).status_code == 403
    assert api.client.get(URL).status_code == 401
    assert put(api, {"products": PRODUCTS}, role="admin").status_code == 200
    r = api.client.get("/v1/kbs/nowhere/catalogue", headers=api.headers("editor"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert put(api, {"products": []}, kb="nowhere").status_code == 404
    other = api.client.post("/v1/kbs", json={"slug": "other", "name": "Other"}, headers=api.headers())
    assert other.status_code == 201
    scoped = api.new_key("editor", kbs=["other"])
    assert api.client.get(URL, headers=scoped).status_code == 403
    assert api.client.get("/v1/kbs/other/catalogue", headers=scoped).json() == {"version": 1, "products": []}


def test_a_save_rebuilds_the_index_with_the_catalogue(api: Api) -> None:
    """The index manager rebuilds the KB: its config holds the products and the tokenizer keeps a
    product's name and alias whole, so a model in a message is one token."""
    create(api, {**FAQ, "question": "小新Pro14怎么进BIOS", "status": "published", "products": []})
    manager = api.client.app.state.index  # type: ignore[attr-defined]
    before = manager.indexes["default"].tokenizer.tokenize_query("小新 Pro14怎么进BIOS")
    assert "小新pro14" not in before
    assert put(api, {"products": PRODUCTS}).status_code == 200
    manager.wait(timeout=120)
    handle = manager.indexes["default"]
    assert handle.config.catalogue == (
        CatalogueProduct("小新 Pro 14", "小新", ("xiaoxin pro 14", "小新pro14 2024")),
        CatalogueProduct("拯救者 Y9000P", "拯救者", ("Y9000P", "9000p")),
        CatalogueProduct("ThinkPad X1 Carbon Gen 11", "ThinkPad", ("X1C", "x1carbon")),
        CatalogueProduct("moto g54", None, ()),
    )
    assert "小新pro14" in handle.tokenizer.tokenize_query("小新 Pro14怎么进BIOS")
    assert "xiaoxinpro14" in handle.tokenizer.tokenize_query("Xiaoxin Pro 14 进不了 BIOS")
    assert "拯救者y9000p" in handle.tokenizer.tokenize_query("拯救者 Y9000P 蓝屏")
    found = api.client.post(
        "/v1/kbs/default/search",
        json={"query": "小新 Pro14 BIOS", "mode": "bm25"},
        headers=api.headers("agent"),
    )
    assert found.status_code == 200 and found.json()["results"][0]["title"] == "小新Pro14怎么进BIOS"


# ---- the compare-and-set itself, below the API ------------------------------------------------------
@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    with Session(engine) as session:
        session.add(KnowledgeBase(slug="cat", name="cat"))
        session.commit()
    yield engine
    engine.dispose()


def load(session: Session) -> KnowledgeBase:
    return session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == "cat")).one()


def test_a_save_that_commits_after_this_one_read_the_row_wins_and_this_one_is_refused(engine: Engine) -> None:
    """Request A reads the row, request B saves, then A saves without naming a version: A must not
    overwrite B (the version check alone, done on A's stale copy, would let it through)."""
    t14 = Catalogue.model_validate({"products": [{"name": "ThinkPad T14"}]})
    e14 = Catalogue.model_validate({"products": [{"name": "ThinkPad E14"}]})
    with Session(engine) as a, Session(engine) as b:
        stale = load(a)
        assert stale.catalogue_version == 1
        put_catalogue(b, load(b), t14, Actor("editor-b"), NoIndex())
        with pytest.raises(Conflict, match="version 2"):
            put_catalogue(a, stale, e14, Actor("editor-a"), NoIndex())
        assert stale.catalogue_version == 2  # refreshed, so a retry reads what B saved
    with Session(engine) as c:
        kb = load(c)
        assert (kb.catalogue, kb.catalogue_version) == (
            [{"name": "ThinkPad T14", "series": None, "aliases": []}],
            2,
        )
        both = Catalogue.model_validate(
            {"products": [*t14.model_dump()["products"], {"name": "ThinkPad E14"}], "version": 2}
        )
        saved = put_catalogue(c, kb, both, Actor("a"), NoIndex())
        assert saved["version"] == 3 and [p["name"] for p in saved["products"]] == [
            "ThinkPad T14",
            "ThinkPad E14",
        ]
