#!/usr/bin/env bash
# The collection's documentation site (make docs): HTML in .build/docs/html (DOCS_OUT to change .build/docs).
#
# 0. antsibull-docs lint-collection-docs --plugin-docs: the documentation of every plugin and role (argument specs)
#    and the extra docs of docs/docsite/ are valid (a reference to a missing module or option fails here).
# 1. antsibull-docs writes the reStructuredText of every module, filter and role (with its argument spec) and the
#    collection's index, extra docs (docs/docsite/extra-docs.yml) and links (docs/docsite/links.yml), as for every
#    collection on docs.ansible.com: from the collection installed in ANSIBLE_COLLECTIONS_PATH (--use-current).
# 2. The guides: each page of docs/docsite/rst/ stands for the guide of the same name in docs/ (it is valid
#    reStructuredText with the guide's title and label, which is what antsibull-docs lints and links). Here the
#    page is replaced by the Markdown guide itself, under the same label, with the images it shows; myst-parser
#    reads it (links between guides become links between pages).
# 3. sphinx-build with warnings as errors (-W), every reference checked (-n), nothing read from the network
#    (hacking/docsite/conf.py: the labels of docs.ansible.com come from hacking/docsite/ansible_devel.txt).
# Needs the Python packages of requirements-dev.txt (antsibull-docs, sphinx, sphinx-ansible-theme, myst-parser).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${DOCS_OUT:-$ROOT/.build/docs}"
BIN="${VENV:+$VENV/bin/}"

(cd "$ROOT" && "${BIN}antsibull-docs" lint-collection-docs --plugin-docs .)

rm -rf "$OUT"
mkdir -p "$OUT/rst"
chmod og-w "$OUT/rst"  # antsibull-docs wants its output folder writable by its owner only
"${BIN}antsibull-docs" collection --use-current --fail-on-error --cleanup everything --dest-dir "$OUT/rst" \
    appnet.skupper
cp "$ROOT/hacking/docsite/index.rst" "$OUT/rst/index.rst"
# The labels of docs.ansible.com the pages refer to, as a Sphinx inventory (intersphinx; hacking/docsite/conf.py).
"${BIN}python" - "$ROOT/hacking/docsite/ansible_devel.txt" "$OUT/ansible_devel.inv" <<'PY'
import sys
import zlib
with open(sys.argv[1], encoding='utf-8') as handle:
    lines = [line for line in handle if line.strip() and not line.startswith('#')]
with open(sys.argv[2], 'wb') as handle:
    handle.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
                 b'# The remainder of this file is compressed using zlib.\n')
    handle.write(zlib.compress(''.join(lines).encode('utf-8')))
PY

docsite="$OUT/rst/collections/appnet/skupper/docsite"
for page in "$ROOT"/docs/docsite/rst/*.rst; do
    name="$(basename "$page" .rst)"
    label="$(sed -n '1s/^\.\. _\(.*\):$/\1/p' "$page")"
    [ -n "$label" ] || { echo "docs: $page does not start with its label" >&2; exit 1; }
    [ -f "$ROOT/docs/$name.md" ] || { echo "docs: $page stands for docs/$name.md, which does not exist" >&2; exit 1; }
    rm "$docsite/$name.rst"
    # the label; code blocks without a language stay plain text, as on GitHub (not the site's YAML default)
    fence='```'
    { printf '(%s)=\n\n%s{highlight} none\n%s\n\n' "$label" "$fence" "$fence"; cat "$ROOT/docs/$name.md"; } >"$docsite/$name.md"
done
cp -r "$ROOT/docs/images" "$docsite/images"

"${BIN}sphinx-build" -b html -W --keep-going -n -q -c "$ROOT/hacking/docsite" -d "$OUT/doctrees" "$OUT/rst" "$OUT/html"
echo "docs: $OUT/html/index.html"
