#!/usr/bin/env bash
# Installs everything the tests need into .venv (or $KB_VENV) and runs lint, type checks and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${KB_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
# torch must be pinned (the CPU build on this machine's disk) before sentence-transformers asks for any torch.
"$VENV/bin/python" -m pip install -q torch==2.13.0
"$VENV/bin/python" -m pip install -q -e '.[dev,st]'
"$VENV/bin/ruff" check kb_service indexer tests benchmarks
"$VENV/bin/mypy"
# The browser tests drive Debian's chromium headless; a CJK font keeps their screenshots readable.
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"$VENV/bin/python" -m pytest -q "$@"
