"""notebooks/evaluation.ipynb runs top to bottom on the recorded results alone (no `kb eval`)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("nbconvert", reason="pip install -e .[notebook]")
pytest.importorskip("matplotlib", reason="pip install -e .[notebook]")

import nbformat  # noqa: E402  (installed with nbconvert)
from nbconvert.preprocessors import ExecutePreprocessor  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "evaluation.ipynb"


@pytest.mark.timeout(90)
def test_notebook_plots_recorded_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(cell.get("outputs") for cell in nb.cells), "commit the notebook with cleared outputs"
    figure = tmp_path / "eval_mrr.png"
    monkeypatch.setenv("KB_EVAL_SETS", "")  # run nothing: plot docs/eval_results.json only
    monkeypatch.setenv("KB_EVAL_FIGURE", str(figure))  # keep docs/eval_mrr.png as it is
    ExecutePreprocessor(timeout=60, kernel_name="python3").preprocess(
        nb, {"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    printed = "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", []))
    assert "recorded " in printed and "banking77" in printed
    assert figure.stat().st_size > 10_000
