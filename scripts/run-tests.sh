#!/usr/bin/env bash
# Run the whole suite (fast tests, real-browser and real-Kolibri end-to-end tests) plus lint.
set -euo pipefail
cd "$(dirname "$0")/.."
export OERPACK_KOLIBRI_VENV=${OERPACK_KOLIBRI_VENV:-$(cat .venv/kolibri-venv-path 2>/dev/null || true)}
.venv/bin/python -m ruff check oerpack tests benchmarks
.venv/bin/python -m ruff format --check oerpack tests benchmarks templates manifests
.venv/bin/python -m mypy oerpack
exec .venv/bin/python -m pytest "$@"
