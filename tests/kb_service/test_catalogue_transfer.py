"""The product catalogue travels with the KB: JSONL / XLSX export and import, backup and restore, and
the sample data the `default` KB starts with."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import openpyxl

from kb_service.schemas.catalogue import Catalogue
from kb_service.services.bootstrap import SAMPLE_DIR
from tests.conftest import Api, api_on
from tests.kb_service.helpers import FAQ, GUIDE, create
from tests.kb_service.test_backup import kb, kb_state

PRODUCTS: list[dict[str, Any]] = [
    {"name": "小新 Pro 14", "series": "小新", "aliases": ["Xiaoxin Pro 14", "小新Pro14 2024"]},
    {"name": "拯救者 Y9000P", "series": "拯救者", "aliases": ["Y9000P", "9000P"]},
    {"name": "moto g54", "series": None, "aliases": []},
]


def catalogue_of(api: Api, slug: str = "default") -> dict[str, Any]:
    r = api.client.get(f"/v1/kbs/{slug}/catalogue", headers=api.headers("editor"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def set_catalogue(api: Api, products: list[dict[str, Any]], slug: str = "default") -> int:
    r = api.client.put(
        f"/v1/kbs/{slug}/catalogue", json={"products": products}, headers=api.headers("editor")
    )
    assert r.status_code == 200, r.text
    return int(r.json()["version"])


def upload(api: Api, slug: str, filename: str, content: bytes, **params: str) -> Any:
    return api.client.post(
        f"/v1/kbs/{slug}/imports",
        params=params,
        files={"file": (filename, content)},
        headers=api.headers("editor"),
    )


def new_kb(api: Api, slug: str) -> None:
    r = api.client.post("/v1/kbs", json={"slug": slug, "name": slug}, headers=api.headers())
    assert r.status_code == 201, r.text


# ---- export / import ------------------------------------------------------------------------------
def test_jsonl_export_carries_the_catalogue_and_imports_back(api: Api) -> None:
    create(api, {**FAQ, "external_id": "faq-boot", "status": "published"})
    create(api, GUIDE)
    version = set_catalogue(api, PRODUCTS)
    r = api.client.get("/v1/kbs/default/export?format=jsonl", headers=api.headers("editor"))
    first, *articles = [json.loads(line) for line in r.content.decode().splitlines()]
    assert first == {"type": "catalogue", "version": version, "products": PRODUCTS}
    assert len(articles) == 2

    new_kb(api, "copy")
    dry = upload(api, "copy", "export.jsonl", r.content, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["catalogue"] == {"action": "replaced", "products": 3, "aliases": 4}
    assert catalogue_of(api, "copy") == {"version": 1, "products": []}  # a dry run saves nothing

    done = upload(api, "copy", "export.jsonl", r.content)
    assert done.status_code == 200, done.text
    assert (done.json()["created"], done.json()["catalogue"]["action"]) == (2, "replaced")
    assert catalogue_of(api, "copy") == {"version": 2, "products": PRODUCTS}
    again = upload(api, "copy", "export.jsonl", r.content)
    assert (again.json()["unchanged"], again.json()["catalogue"]["action"]) == (2, "unchanged")
    assert catalogue_of(api, "copy")["version"] == 2  # an unchanged catalogue is not saved again

    # the import reached the index of `copy`: its config holds the products, its tokenizer the aliases
    manager = api.client.app.state.index  # type: ignore[attr-defined]
    manager.wait(timeout=120)
    handle = manager.indexes["copy"]
    assert [p.name for p in handle.config.catalogue] == [p["name"] for p in PRODUCTS]
    assert "小新pro14" in handle.tokenizer.tokenize_query("小新Pro14 开不了机")


def test_an_export_without_catalogue_leaves_the_target_catalogue_alone(api: Api) -> None:
    create(api, FAQ)
    plain = api.client.get("/v1/kbs/default/export?format=jsonl", headers=api.headers("editor")).content
    assert all(json.loads(line).get("type") != "catalogue" for line in plain.decode().splitlines())
    new_kb(api, "copy")
    set_catalogue(api, PRODUCTS, "copy")
    result = upload(api, "copy", "export.jsonl", plain).json()
    assert result["created"] == 1 and result["catalogue"] is None
    assert catalogue_of(api, "copy") == {"version": 2, "products": PRODUCTS}


def test_xlsx_export_has_a_catalogue_sheet_that_imports_back(api: Api) -> None:
    create(api, {**FAQ, "external_id": "faq-boot"})
    set_catalogue(api, PRODUCTS)
    r = api.client.get("/v1/kbs/default/export?format=xlsx", headers=api.headers("editor"))
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["articles", "catalogue"]
    rows = list(book["catalogue"].iter_rows(values_only=True))
    assert rows == [
        ("name", "series", "aliases"),
        ("小新 Pro 14", "小新", "Xiaoxin Pro 14\n小新Pro14 2024"),
        ("拯救者 Y9000P", "拯救者", "Y9000P\n9000P"),
        ("moto g54", None, None),
    ]
    new_kb(api, "copy")
    done = upload(api, "copy", "export.xlsx", r.content)
    assert done.status_code == 200, done.text
    assert (done.json()["created"], done.json()["catalogue"]["action"]) == (1, "replaced")
    assert catalogue_of(api, "copy")["products"] == PRODUCTS
    # a KB with a catalogue and no articles yet exports and imports back too
    new_kb(api, "bare")
    set_catalogue(api, PRODUCTS, "bare")
    empty = api.client.get("/v1/kbs/bare/export?format=xlsx", headers=api.headers("editor")).content
    new_kb(api, "bare-copy")
    done = upload(api, "bare-copy", "bare.xlsx", empty)
    assert done.status_code == 200 and done.json()["created"] == 0, done.text
    assert catalogue_of(api, "bare-copy")["products"] == PRODUCTS


def _workbook(catalogue_rows: list[tuple[Any, ...]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "FAQ"
    sheet.append(["标准问题", "答案"])
    sheet.append(["电脑开不了机怎么办", "先充电。"])
    products = book.create_sheet("Catalogue")
    for row in catalogue_rows:
        products.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_bad_catalogue_rejects_the_import_naming_the_row_and_field(api: Api) -> None:
    sheet = _workbook(
        [
            ("名称", "系列", "别名"),
            ("拯救者 Y9000P", "拯救者", "Y9000P | 9000P"),
            (None, None, None),
            ("拯救者 Y9000X", "拯救者", "Y9000X\n9000p"),  # 9000p is the Y9000P's already
        ]
    )
    r = upload(api, "default", "faqs.xlsx", sheet)
    assert r.status_code == 422, r.text
    [problem] = r.json()["error"]["details"]
    assert problem["file"] == "faqs.xlsx (sheet Catalogue)" and problem["row"] == 4
    assert problem["field"] == "products[1].aliases[1]"
    assert "'拯救者 Y9000X'" in problem["message"] and "'拯救者 Y9000P'" in problem["message"]
    assert catalogue_of(api)["version"] == 1
    assert api.client.get("/v1/kbs/default/articles", headers=api.headers("editor")).json()["total"] == 0

    partial = upload(api, "default", "faqs.xlsx", sheet, partial="true")
    assert partial.status_code == 200, partial.text
    assert (partial.json()["created"], partial.json()["catalogue"]) == (1, None)
    assert catalogue_of(api)["version"] == 1  # the articles went in, the bad catalogue did not

    blank = b'{"type": "catalogue", "products": [{"name": "T14", "aliases": ["  "]}]}\n'
    r = upload(api, "default", "c.jsonl", blank)
    assert r.status_code == 422
    [problem] = r.json()["error"]["details"]
    assert (problem["row"], problem["field"]) == (1, "products[0].aliases[0]")
    two = b'{"type": "catalogue", "products": []}\n{"type": "catalogue", "products": []}\n'
    r = upload(api, "default", "c.jsonl", two)
    assert r.status_code == 422 and "a second product catalogue" in r.text


# ---- backup / restore -----------------------------------------------------------------------------
def test_backup_carries_the_catalogue_and_restores_it(database_url: str, tmp_path: Path) -> None:
    with api_on(database_url, tmp_path) as api:
        new_kb(api, "shop")
        create(api, FAQ, kb="shop")
        set_catalogue(api, PRODUCTS[:1], "shop")
        # Two saves in a row start two rebuilds of one KB; the second has been seen to fail writing
        # its snapshot (see the stop-18 note: a race in IndexManager.dictionary_changed, not in the
        # catalogue). Let the first settle: this test is about the backup.
        api.client.app.state.index.wait(timeout=300)  # type: ignore[attr-defined]
        set_catalogue(api, PRODUCTS, "shop")  # version 3
        api.client.app.state.index.wait(timeout=300)  # type: ignore[attr-defined]
    data_dir, file = tmp_path / "var", tmp_path / "shop.kbbak"
    header = json.loads(kb(database_url, data_dir, "backup", "--kb", "shop", "--out", str(file)).stdout)
    assert header["format_version"] == 2 and header["counts"]["catalogue_products"] == 3
    kb(database_url, data_dir, "restore", str(file), "--kb", "shop-copy")
    source, restored = kb_state(database_url, "shop"), kb_state(database_url, "shop-copy")
    assert (restored["kb"]["catalogue"], restored["kb"]["catalogue_version"]) == (PRODUCTS, 3)
    assert restored["kb"] == source["kb"]


def _as_format_1(file: Path, target: Path) -> Path:
    """The file as kbsearch wrote it before the catalogue existed: no catalogue fields, format 1."""
    header, first, *rest = gzip.decompress(file.read_bytes()).splitlines(keepends=True)
    record = json.loads(first)
    del record["catalogue"], record["catalogue_version"]
    lines = [json.dumps(record, ensure_ascii=False).encode() + b"\n", *rest]
    meta = json.loads(header)
    meta["format_version"] = 1
    meta["counts"].pop("catalogue_products")
    meta["body_sha256"] = hashlib.sha256(b"".join(lines)).hexdigest()
    target.write_bytes(gzip.compress(json.dumps(meta).encode() + b"\n" + b"".join(lines)))
    return target


def test_an_older_backup_restores_with_an_empty_catalogue(tmp_path: Path) -> None:
    url, data_dir = f"sqlite:///{tmp_path / 'kb.sqlite3'}", tmp_path / "var"
    with api_on(url, tmp_path) as api:
        new_kb(api, "shop")
        create(api, FAQ, kb="shop")
        set_catalogue(api, PRODUCTS, "shop")
    file = tmp_path / "shop.kbbak"
    kb(url, data_dir, "backup", "--kb", "shop", "--out", str(file))
    old = _as_format_1(file, tmp_path / "old.kbbak")
    summary = json.loads(kb(url, data_dir, "restore", str(old), "--replace").stdout)
    assert summary["articles"] == 1
    state = kb_state(url, "shop")["kb"]
    assert (state["catalogue"], state["catalogue_version"]) == ([], 1)

    header, first, *rest = gzip.decompress(file.read_bytes()).splitlines(keepends=True)
    record = json.loads(first)
    record["catalogue"][1]["aliases"] = ["Xiaoxin Pro 14"]  # now two products claim it
    lines = [json.dumps(record, ensure_ascii=False).encode() + b"\n", *rest]
    meta = json.loads(header) | {"body_sha256": hashlib.sha256(b"".join(lines)).hexdigest()}
    bad = tmp_path / "bad.kbbak"
    bad.write_bytes(gzip.compress(json.dumps(meta).encode() + b"\n" + b"".join(lines)))
    refused = kb(url, data_dir, "restore", str(bad), "--replace", ok=False)
    assert "invalid content" in refused.stderr and "nothing was restored" in refused.stderr
    assert kb_state(url, "shop")["kb"]["catalogue"] == []


# ---- sample data ----------------------------------------------------------------------------------
def test_the_default_kb_starts_with_the_sample_catalogue(sample_api: Api) -> None:
    sample = Catalogue.model_validate_json((SAMPLE_DIR / "dict" / "catalogue.json").read_bytes())
    got = catalogue_of(sample_api)
    assert got["version"] == 2
    assert got["products"] == [p.model_dump() for p in sample.products]
    names = {p["name"] for p in got["products"]}
    # every product the sample articles name is in the catalogue, spelled as they spell it
    r = sample_api.client.get("/v1/kbs/default/articles?limit=200", headers=sample_api.headers("editor"))
    assert {p for a in r.json()["items"] for p in a["products"]} <= names
    manager = sample_api.client.app.state.index  # type: ignore[attr-defined]
    handle = manager.indexes["default"]
    assert [p.name for p in handle.config.catalogue] == [p.name for p in sample.products]
    assert {"x1c", "9000p", "小新pro14"} <= set(
        handle.tokenizer.tokenize_query("X1C、9000P 和小新 Pro14 哪个好")
    )
