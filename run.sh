#!/usr/bin/env bash
# Quick start. `./run.sh` installs what is missing, builds, and serves on the embedded SQLite
# default (http://localhost:8080). `./run.sh test` does the same and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps
scripts/build
case "${1:-serve}" in
  serve) shift || true; exec "${BUILD_DIR:-build}/bin/marketsage" serve "$@" ;;
  test)  shift; exec tests/run "$@" ;;
  *) echo "usage: ./run.sh [serve [--config FILE] | test [ctest options]]" >&2; exit 2 ;;
esac
