#!/usr/bin/env bash
# ansible-lint over the whole collection (the repository root, with .ansible-lint: its exclude_paths and
# skip_list say what is left out and why). The one lint command of `make lint` and `make test`.
# Extra arguments go to ansible-lint (make lint LINT_ARGS=...). Call it through make (PATH, collections).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
cd "$ROOT"
exec "$VENV/bin/ansible-lint" --nocolor --offline "$@"
