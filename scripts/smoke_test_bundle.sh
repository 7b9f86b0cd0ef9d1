#!/usr/bin/env bash
# Smoke-test a built bundle: it reports its version and passes its own self-test offscreen.
set -euo pipefail
exe="${1:-dist/community-trigger/community-trigger}"
expected=$(python3 -c "import re,pathlib; print(re.search(r'__version__ = \"(.+?)\"', pathlib.Path('app/__init__.py').read_text()).group(1))")
version=$("$exe" --version)
echo "$version"
case "$version" in *"$expected"*) ;; *) echo "bundle reports the wrong version (expected $expected)"; exit 1 ;; esac
QT_QPA_PLATFORM=offscreen "$exe" --self-test
