#!/usr/bin/env bash
# Build the one-folder bundle from a clean virtual environment, then smoke-test it.
#   scripts/build_bundle.sh            -> dist/community-trigger/community-trigger
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build/bundle-venv build/community-trigger dist/community-trigger
python3 -m venv build/bundle-venv
build/bundle-venv/bin/pip install -q . "pyinstaller>=6.10"
build/bundle-venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build build.spec
scripts/smoke_test_bundle.sh dist/community-trigger/community-trigger
