#!/usr/bin/env bash
# Builds the real Skupper router (skrouterd, skmanage, skstat) from source into a cache outside the
# checkout, and reuses it while its sources are unchanged. `make router` calls this; `make test`,
# `make demo` and `make router-image` find the result with `--print-bin`.
#
# Sources, first found wins:
#   1. SKUPPER_ROUTER_SOURCE: a skupper-router tarball or directory (Proton then comes from
#      SKUPPER_PROTON_SOURCE, or the vendor folder below);
#   2. the vendor folder: APPNET_SKUPPER_VENDOR, else ../shared/vendor beside the checkout
#      (skupper-router-*.tar.gz and qpid-proton-*.tar.gz);
#   3. GitHub's source archives of the pinned upstream commits below (needs the network), downloaded and
#      checked against the pinned digest of their files.
# Cache: ${APPNET_SKUPPER_CACHE:-${XDG_CACHE_HOME:-~/.cache}/appnet-skupper}/router-<version>-<key>, where <key>
# is a digest of the sources and of RECIPE: a change of either builds a new prefix (bump RECIPE when the
# build steps below change; comments and reporting do not need a rebuild).
# Concurrent calls take turns (flock); a half-built prefix is never used (it is renamed into place last).
#
# Usage: build_router.sh [--print-bin | --print-prefix | --version]
#   (no option)     build when needed, print version, prefix and build time
#   --print-bin     build when needed, print only the directory holding skrouterd, skmanage and skstat
#   --print-prefix  build when needed, print only the install prefix
#   --cached        with --print-bin/--print-prefix: print the cached build, never build (exit 3 if none)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE=report
CACHED_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --print-bin) MODE=bin ;;
        --print-prefix) MODE=prefix ;;
        --version) MODE=version ;;
        --cached) CACHED_ONLY=1 ;;
        *) echo "build_router.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

# Pinned upstream sources (used only when neither SKUPPER_ROUTER_SOURCE nor a vendor folder is there): one
# commit of the main branch of skupper-router (3.0.0-137, no release) and of qpid-proton, as GitHub's source
# archive of the commit serves them. The vendor tarballs hold the same commits (`zcat X.tar.gz |
# git get-tar-commit-id` prints them). GitHub keeps the files of a commit's archive stable, but not the bytes
# of the compressed archive, and names its top folder after the repository and the ref in the URL; so the
# pinned digest is of the files (tree_digest: each file's path below the top folder and its sha256), computed
# from the vendor tarballs' files.
PIN_ROUTER_COMMIT=e2ec51a412fe9132279c79c27a52a96622b2963b
PIN_ROUTER_URL="https://github.com/skupperproject/skupper-router/archive/${PIN_ROUTER_COMMIT}.tar.gz"
PIN_ROUTER_TREE_SHA256=85b78a9aa5562489241e69aff79290f9b9216534b86290610abd5030d8031314
PIN_PROTON_COMMIT=caf0f45c5652d1576ca5af882fbc2be9b53800c0
PIN_PROTON_URL="https://github.com/apache/qpid-proton/archive/${PIN_PROTON_COMMIT}.tar.gz"
PIN_PROTON_TREE_SHA256=a5a101852208c1c9e21c67646006458a72a74d9b0915a32e5c54257268dba22d
# The router's version string when the source carries none (a tarball of main has no tag):
# skupper-router main at e2ec51a412fe is 3.0.0-137 commits.
declare -A KNOWN_VERSIONS=([e2ec51a412fe]=3.0.0-137-ge2ec51a412fe)
RECIPE=1
# python-qpid-proton for skmanage/skstat (PyPI); the router's own management package comes with it.
PYTHON_QPID_PROTON="python-qpid-proton==0.40.0"

CACHE="${APPNET_SKUPPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appnet-skupper}"
mkdir -p "$CACHE"

say() { if [ "$MODE" = report ]; then echo "router: $*" >&2; fi; }
note() { echo "router: $*" >&2; }

vendor_dir() {
    local dir="${APPNET_SKUPPER_VENDOR:-$ROOT/../shared/vendor}"
    [ -d "$dir" ] && ls "$dir"/skupper-router-*.tar.gz >/dev/null 2>&1 && (cd "$dir" && pwd)
}

first_file() {
    # The first of the paths given (a glob's expansion) that exists.
    local path
    for path in "$@"; do
        if [ -e "$path" ]; then echo "$path"; return 0; fi
    done
    return 1
}

directory_digest() {
    # The digest of a directory's files: their names (relative to it) and contents.
    (cd "$1" && find . -type f ! -path './.git/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64
}

tree_digest() {
    # The digest of the files of a tarball with one top folder, whatever that folder's name.
    local dir status=0
    dir=$(mktemp -d "$CACHE/downloads/.check-XXXXXX")
    tar -xzf "$1" -C "$dir" --strip-components=1 && directory_digest "$dir" || status=1
    rm -rf "$dir"
    return "$status"
}

fetch_pinned() {
    # fetch_pinned URL TREE_SHA256 NAME: into $CACHE/downloads, its files checked against the pinned digest.
    local url="$1" sum="$2" out="$CACHE/downloads/$3" found
    mkdir -p "$CACHE/downloads"
    if [ ! -f "$out" ]; then
        note "downloading $url"
        curl -fsSL --retry 2 -o "$out.part" "$url" || {
            rm -f "$out.part"
            note "cannot download $url, and there is neither SKUPPER_ROUTER_SOURCE nor a vendor folder (../shared/vendor or APPNET_SKUPPER_VENDOR)"
            exit 1
        }
        mv "$out.part" "$out"
    fi
    found=$(tree_digest "$out") || found="(not a gzipped tar)"
    if [ "$found" != "$sum" ]; then
        note "checksum mismatch: the files of $url have digest $found, the pinned commit's have $sum; removed $out, nothing built"
        rm -f "$out"
        exit 1
    fi
    echo "$out"
}

# Pick the sources.
if [ -n "${SKUPPER_ROUTER_SOURCE:-}" ]; then
    ROUTER_SRC="$SKUPPER_ROUTER_SOURCE"
    [ -e "$ROUTER_SRC" ] || { note "SKUPPER_ROUTER_SOURCE=$ROUTER_SRC does not exist"; exit 1; }
    if [ -n "${SKUPPER_PROTON_SOURCE:-}" ]; then
        PROTON_SRC="$SKUPPER_PROTON_SOURCE"
    elif vdir=$(vendor_dir); then
        PROTON_SRC=$(first_file "$vdir"/qpid-proton-*.tar.gz)
    else
        PROTON_SRC=$(fetch_pinned "$PIN_PROTON_URL" "$PIN_PROTON_TREE_SHA256" "qpid-proton-${PIN_PROTON_COMMIT:0:12}.tar.gz")
    fi
    ORIGIN="SKUPPER_ROUTER_SOURCE"
elif vdir=$(vendor_dir); then
    ROUTER_SRC=$(first_file "$vdir"/skupper-router-*.tar.gz)
    PROTON_SRC=$(first_file "$vdir"/qpid-proton-*.tar.gz)
    ORIGIN="vendor folder $vdir"
else
    ROUTER_SRC=$(fetch_pinned "$PIN_ROUTER_URL" "$PIN_ROUTER_TREE_SHA256" "skupper-router-${PIN_ROUTER_COMMIT:0:12}.tar.gz")
    PROTON_SRC=$(fetch_pinned "$PIN_PROTON_URL" "$PIN_PROTON_TREE_SHA256" "qpid-proton-${PIN_PROTON_COMMIT:0:12}.tar.gz")
    ORIGIN="GitHub archives of the pinned commits"
fi

ROUTER_SRC=$(realpath "$ROUTER_SRC")
PROTON_SRC=$(realpath "$PROTON_SRC")

digest_of() {
    # A tarball's sha256, or a directory's digest over its files' names and contents.
    if [ -d "$1" ]; then
        directory_digest "$1"
    else
        sha256sum "$1" | cut -c1-64
    fi
}

source_version() {
    # The router version: VERSION env, else a known commit in the source's name, else 0.0.0+<name>.
    if [ -n "${SKUPPER_ROUTER_VERSION:-}" ]; then echo "$SKUPPER_ROUTER_VERSION"; return; fi
    local base commit
    base=$(basename "$1"); base=${base%.tar.gz}; base=${base%.tgz}
    commit=${base##*-}
    if [ -n "${KNOWN_VERSIONS[$commit]:-}" ]; then echo "${KNOWN_VERSIONS[$commit]}"; else echo "0.0.0+$base"; fi
}

VERSION=$(source_version "$ROUTER_SRC")
KEY=$( { digest_of "$ROUTER_SRC"; digest_of "$PROTON_SRC"; echo "$RECIPE $PYTHON_QPID_PROTON $VERSION"; } \
    | sha256sum | cut -c1-12)
PREFIX="$CACHE/router-$VERSION-$KEY"

report() {
    case "$MODE" in
        bin) echo "$PREFIX/sbin" ;;
        prefix) echo "$PREFIX" ;;
        version) cat "$PREFIX/VERSION" ;;
        report)
            echo "router: version $(cat "$PREFIX/VERSION") ($("$PREFIX/sbin/skrouterd" --version 2>/dev/null || echo '?'))"
            echo "router: skrouterd $PREFIX/sbin/skrouterd"
            echo "router: skmanage  $PREFIX/sbin/skmanage"
            echo "router: build time $(cat "$PREFIX/BUILD_SECONDS") s (built $(cat "$PREFIX/BUILT_AT"), from $(cat "$PREFIX/ORIGIN"))"
            ;;
    esac
}

if [ -f "$PREFIX/.complete" ]; then
    say "cached build reused"
    report
    exit 0
fi
if [ "$CACHED_ONLY" = 1 ]; then
    note "no cached build at $PREFIX (run: make router)"
    exit 3
fi

# One build at a time per cache.
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
    note "another build of the router is running; waiting for it"
    flock 9
fi
if [ -f "$PREFIX/.complete" ]; then report; exit 0; fi

for tool in cmake make gcc g++ pkg-config python3; do
    command -v "$tool" >/dev/null || { note "missing build tool $tool (make deps installs the build packages)"; exit 1; }
done

note "building skupper-router $VERSION from $ORIGIN into $PREFIX (about 3 minutes on 2 cores)"
START=$(date +%s)
WORK="$CACHE/.work-$KEY"
STAGE="$CACHE/.stage-$KEY"
rm -rf "$WORK" "$STAGE" "$PREFIX"
mkdir -p "$WORK/src" "$STAGE"
trap 'rm -rf "$WORK" "$STAGE"' EXIT

unpack() {
    # unpack SRC DEST: a tarball with one top directory, or a directory, into DEST.
    mkdir -p "$2"
    if [ -d "$1" ]; then cp -a "$1/." "$2/"; else tar -xzf "$1" -C "$2" --strip-components=1; fi
}
# (the router's cmake writes a config.sh into the current directory: build from inside the work folder)
cd "$WORK"
unpack "$PROTON_SRC" "$WORK/src/proton"
unpack "$ROUTER_SRC" "$WORK/src/router"
JOBS=$(nproc 2>/dev/null || echo 2)
LOG="$WORK/build.log"

run_logged() {
    "$@" >>"$LOG" 2>&1 || { note "build step failed: $*"; tail -n 40 "$LOG" >&2; exit 1; }
}

# Proton (static, with TLS), installed into the final prefix through DESTDIR, so that the paths
# compiled into the router are those of the final prefix.
run_logged cmake -S "$WORK/src/proton" -B "$WORK/proton" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBUILD_TLS=ON -DSSL_IMPL=openssl -DBUILD_STATIC_LIBS=ON -DBUILD_BINDINGS="" -DBUILD_PYTHON=OFF \
    -DBUILD_TESTING=OFF -DBUILD_EXAMPLES=OFF -DENABLE_WARNING_ERROR=OFF -DPython_EXECUTABLE=/usr/bin/python3 \
    -DCMAKE_INSTALL_PREFIX="$PREFIX"
run_logged make -C "$WORK/proton" -j"$JOBS"
run_logged make -C "$WORK/proton" install DESTDIR="$STAGE"
run_logged cmake -S "$WORK/src/router" -B "$WORK/router" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DProton_USE_STATIC_LIBS=ON -DProton_DIR="$STAGE$PREFIX/lib/cmake/Proton" \
    -DPython_EXECUTABLE=/usr/bin/python3 -DBUILD_TESTING=OFF -DENABLE_FUZZ_TESTING=OFF \
    -DVERSION="$VERSION" -DCMAKE_INSTALL_PREFIX="$PREFIX"
run_logged make -C "$WORK/router" -j"$JOBS"
run_logged make -C "$WORK/router" install DESTDIR="$STAGE"

mv "$STAGE$PREFIX" "$PREFIX"
# skmanage and skstat are Python programs that need python-qpid-proton: a venv of their own in the prefix.
run_logged python3 -m venv "$PREFIX/venv"
run_logged "$PREFIX/venv/bin/pip" install --quiet --disable-pip-version-check "$PYTHON_QPID_PROTON"
for tool in skmanage skstat; do
    sed -i "1s|^#!.*|#!$PREFIX/venv/bin/python3|" "$PREFIX/bin/$tool"
    ln -sfn ../bin/$tool "$PREFIX/sbin/$tool"
done
"$PREFIX/sbin/skmanage" --help >/dev/null 2>&1 || { note "skmanage does not run"; exit 1; }
echo "$VERSION" >"$PREFIX/VERSION"
echo "$ORIGIN" >"$PREFIX/ORIGIN"
date -u +%Y-%m-%dT%H:%M:%SZ >"$PREFIX/BUILT_AT"
echo $(( $(date +%s) - START )) >"$PREFIX/BUILD_SECONDS"
touch "$PREFIX/.complete"
note "built in $(cat "$PREFIX/BUILD_SECONDS") s"
report
