#!/usr/bin/env bash
# Install everything the tests need, then run them all (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-env.sh
exec bash scripts/run-tests.sh "$@"
