#!/usr/bin/env bash
# Run `ansible-test sanity` on a clean copy of the collection.
#
# ansible-test needs the collection at .../ansible_collections/appnet/skupper/. The copy, under
# .build/sanity/ (recreated every run), holds the files git knows (tracked, and untracked ones that are not ignored), so nothing local (.venv, .build,
# tests/output, __pycache__) reaches the `symlinks`, `line-endings` or `shebang` tests.
#
# Usage: hacking/run_sanity.sh [ansible-test sanity options...]   e.g. --test pep8, -v
# Environment: VENV (default .venv), PYTHON_VERSION (default: the venv's X.Y)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
PYTHON="$VENV/bin/python"
PYTHON_VERSION="${PYTHON_VERSION:-$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')}"
DEST="$ROOT/.build/sanity/ansible_collections/appnet/skupper"

# ansible-test downloads a get-pip script for every virtual environment it creates: pre-seed it.
"$PYTHON" "$ROOT/hacking/bootstrap_ansible_test.py" --python "$PYTHON"

rm -rf "$DEST"
mkdir -p "$DEST"
cd "$ROOT"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # -z: names with any characters; deleted-but-tracked files are skipped by the existence test.
    git ls-files -z -co --exclude-standard | while IFS= read -r -d '' path; do
        if [ -e "$path" ] || [ -L "$path" ]; then
            printf '%s\0' "$path"
        fi
    done | tar --null --no-recursion -T - -cf - | tar -xf - -C "$DEST"
else
    tar --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./tests/output \
        --exclude='__pycache__' --exclude='*.pyc' --exclude=./.pytest_cache --exclude='*.tar.gz' \
        -cf - . | tar -xf - -C "$DEST"
fi

cd "$DEST"
# A repository of its own: ansible-test walks up to the nearest .git to list the collection's files,
# and the checkout's repository ignores .build/ (it would list nothing).
git init -q . && git add -A
export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/sanity"
set -x
exec "$VENV/bin/ansible-test" sanity --local --python "$PYTHON_VERSION" --color no "$@"
