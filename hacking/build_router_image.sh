#!/usr/bin/env bash
# Builds a container image of the real Skupper router from the source build of hacking/build_router.sh,
# for hosts that cannot reach an image registry (and for the container tests). `make router-image` calls it.
#
# The image has the layout, user and entrypoint of Skupper's own router image: skrouterd, skmanage and
# skstat on PATH (the router prefix is installed at /usr), the user runner (uid 10000), QDROUTERD_HOME=
# /home/skrouterd and the command /home/skrouterd/bin/launch.sh, which writes the configuration named by
# QDROUTERD_CONF (a JSON text or files, QDROUTERD_CONF_TYPE json|conf) to /tmp with ${VAR}s expanded and
# runs skrouterd with it. The base is a Debian root filesystem made by debootstrap from the Debian mirror
# of this host's apt configuration (cached: it takes a few minutes once).
#
# Tag: ${APPNET_ROUTER_IMAGE:-localhost/appnet-skupper/skupper-router:<router version>}. An engine that
# already has an image of that tag made from the same router build and image recipe (label
# io.appnet-skupper.router-build) is left alone.
#
# Usage: build_router_image.sh [--engine podman|docker]... [--print-tag] [--rebuild]
#   --engine E    import into this engine (repeatable); default: podman and docker, each when it answers
#                 (`podman info`, `docker info`; DOCKER_HOST names another daemon)
#   --print-tag   print only the tag (builds the router when needed, never the image)
#   --rebuild     import again even when the engine has the tag
# Environment: APPNET_SKUPPER_CACHE (cache folder, as build_router.sh), APPNET_DEBIAN_MIRROR (a mirror URL,
# instead of the one of /etc/apt), APPNET_ROUTER_IMAGE (the tag).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENGINES=()
PRINT_TAG=0
REBUILD=0
while [ $# -gt 0 ]; do
    case "$1" in
        --engine) ENGINES+=("$2"); shift ;;
        --print-tag) PRINT_TAG=1 ;;
        --rebuild) REBUILD=1 ;;
        *) echo "build_router_image.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

note() { echo "router-image: $*" >&2; }

CACHE="${APPNET_SKUPPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appnet-skupper}"
mkdir -p "$CACHE"

# Debian packages of the base: what skrouterd links (python, ssl, sasl, uuid, nghttp2, websockets, unwind)
# and what launch.sh and skmanage need (bash, hostname, python3).
SUITE=bookworm
BASE_PACKAGES=libpython3.11,libssl3,libsasl2-2,libsasl2-modules,libuuid1,libnghttp2-14,libwebsockets17,libunwind8,python3-minimal,hostname
BASE_KEY="$(printf '%s %s 1' "$SUITE" "$BASE_PACKAGES" | sha256sum | cut -c1-12)"
BASE_TAR="$CACHE/image-base-$SUITE-$BASE_KEY.tar"

debian_mirror() {
    # The first Debian archive of this host's apt sources that carries the suite (deb822 or one-line form).
    if [ -n "${APPNET_DEBIAN_MIRROR:-}" ]; then echo "$APPNET_DEBIAN_MIRROR"; return; fi
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v suite="$SUITE" '
            /^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
            /^URIs:/ { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
            END { if (uri != "" && ok) print uri }' "$f"
    done | head -n1 | grep . && return
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk -v suite="$SUITE" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == suite) { print $i; exit } break } }' \
        | grep . && return
    note "no Debian $SUITE mirror in /etc/apt/sources.list(.d); set APPNET_DEBIAN_MIRROR"
    return 1
}

build_base() {
    [ -s "$BASE_TAR" ] && return
    exec 8>"$CACHE/.image-base.lock"
    flock 8
    [ -s "$BASE_TAR" ] && return
    command -v debootstrap >/dev/null || { note "debootstrap is not installed (make deps installs it)"; exit 1; }
    local mirror dir started
    mirror="$(debian_mirror)"
    dir="$(mktemp -d "$CACHE/.image-base-XXXXXX")"
    started=$SECONDS
    note "debootstrap $SUITE (minbase + $BASE_PACKAGES) from $mirror: a few minutes, once"
    if ! debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$dir" "$mirror" >"$dir.log" 2>&1; then
        tail -n 20 "$dir.log" >&2
        rm -rf "$dir"
        note "debootstrap failed (log above)"
        exit 1
    fi
    # Nothing of the package manager's caches, and no host-specific files.
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/*.log "$dir"/etc/hostname
    tar -C "$dir" -cf "$BASE_TAR.part" .
    mv "$BASE_TAR.part" "$BASE_TAR"
    rm -rf "$dir" "$dir.log"
    note "base root filesystem cached ($BASE_TAR, $((SECONDS - started)) s)"
}

PREFIX="$(bash "$ROOT/hacking/build_router.sh" --print-prefix)"
VERSION="$(cat "$PREFIX/VERSION")"
# What the image is made of: the router build, and this script and the launch script (a change of either
# makes a new image under the same tag).
BUILD_ID="$(basename "$PREFIX")/$(cat "${BASH_SOURCE[0]}" "$ROOT/hacking/router_image/launch.sh" | sha256sum | cut -c1-12)"
TAG="${APPNET_ROUTER_IMAGE:-localhost/appnet-skupper/skupper-router:$VERSION}"
if [ "$PRINT_TAG" = 1 ]; then echo "$TAG"; exit 0; fi

if [ "${#ENGINES[@]}" = 0 ]; then
    for engine in podman docker; do
        if ! command -v "$engine" >/dev/null; then
            note "$engine: not installed, skipped"
        elif ! err="$("$engine" info 2>&1 >/dev/null)"; then
            note "$engine: does not answer, skipped ($(echo "$err" | tail -n1))"
        else
            ENGINES+=("$engine")
        fi
    done
    [ "${#ENGINES[@]}" -gt 0 ] || { note "neither podman nor docker answers here"; exit 1; }
fi

# One build or import at a time per cache (test modules may ask for the image at once).
exec 7>"$CACHE/.image.lock"
flock 7

has_image() {
    # has_image ENGINE: the engine has TAG, made from this router build.
    local label
    label="$("$1" image inspect --format '{{ index .Config.Labels "io.appnet-skupper.router-build" }}' "$TAG" 2>/dev/null)" || return 1
    [ "$label" = "$BUILD_ID" ]
}

todo=()
for engine in "${ENGINES[@]}"; do
    if [ "$REBUILD" = 0 ] && has_image "$engine"; then
        note "$engine: $TAG is there (router build $BUILD_ID), reused"
    else
        todo+=("$engine")
    fi
done
[ "${#todo[@]}" -gt 0 ] || { echo "$TAG"; exit 0; }

[ "$(id -u)" = 0 ] || { note "building the image needs root (debootstrap, chroot, files owned by uid 10000)"; exit 1; }
started=$SECONDS
build_base
ROOTFS="$(mktemp -d "$CACHE/.image-rootfs-XXXXXX")"
trap 'rm -rf "$ROOTFS"' EXIT
tar -C "$ROOTFS" -xf "$BASE_TAR"

# The router prefix at /usr: skrouterd, skmanage, skstat, the router's Python package and schema.
# skrouterd looks for its Python package at the build prefix compiled into it, and fails when that is
# not there: /usr/sbin/skrouterd runs the binary with -I /usr/lib/skupper-router/python (a later -I wins).
mkdir -p "$ROOTFS/usr/libexec/skupper-router"
cp -a "$PREFIX/sbin/skrouterd" "$ROOTFS/usr/libexec/skupper-router/skrouterd"
printf '%s\n' '#!/bin/sh' \
    '# The router built by appnet.skupper (hacking/build_router_image.sh), with the Python path of this image.' \
    'exec /usr/libexec/skupper-router/skrouterd -I /usr/lib/skupper-router/python "$@"' >"$ROOTFS/usr/sbin/skrouterd"
chmod 0755 "$ROOTFS/usr/sbin/skrouterd"
cp -a "$PREFIX/lib/skupper-router" "$ROOTFS/usr/lib/"
mkdir -p "$ROOTFS/usr/share/skupper-router"
cp -a "$PREFIX/share/skupper-router/." "$ROOTFS/usr/share/skupper-router/"
# python-qpid-proton (what skmanage/skstat import) from the prefix's venv into the image's Python.
SITE="$(echo "$PREFIX"/venv/lib/python3*/site-packages)"
DIST="$ROOTFS/usr/lib/python3/dist-packages"
mkdir -p "$DIST"
for item in "$SITE"/proton "$SITE"/cproton.py "$SITE"/cproton_ffi.abi3.so "$SITE"/cffi "$SITE"/_cffi_backend.*.so \
        "$SITE"/pycparser; do
    cp -a "$item" "$DIST/"
done
# skmanage and skstat with the image's paths: /usr/bin/python3 and /usr/lib/skupper-router/python.
for tool in skmanage skstat; do
    sed -e "1s|^#!.*|#!/usr/bin/python3|" -e "s|$PREFIX/|/usr/|g" "$PREFIX/bin/$tool" >"$ROOTFS/usr/bin/$tool"
    chmod 0755 "$ROOTFS/usr/bin/$tool"
done
# The user of Skupper's image, and its home with the launch script.
chroot "$ROOTFS" /usr/sbin/useradd --uid 10000 --create-home --home-dir /home/runner runner
mkdir -p "$ROOTFS/home/skrouterd/bin" "$ROOTFS/home/skrouterd/etc"
install -m 0755 "$ROOT/hacking/router_image/launch.sh" "$ROOTFS/home/skrouterd/bin/launch.sh"
chown -R 10000:10000 "$ROOTFS/home/skrouterd"
chroot "$ROOTFS" /usr/sbin/skrouterd --version >/dev/null \
    || { note "skrouterd does not run in the image root filesystem"; exit 1; }
chroot "$ROOTFS" /usr/bin/skmanage --help >/dev/null || { note "skmanage does not run in the image root filesystem"; exit 1; }

CHANGES=(
    --change 'USER 10000'
    --change 'WORKDIR /home/skrouterd/bin'
    --change 'ENV QDROUTERD_HOME=/home/skrouterd'
    --change "ENV VERSION=$VERSION"
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change "LABEL io.appnet-skupper.router-build=$BUILD_ID"
    --change "LABEL io.appnet-skupper.router-version=$VERSION"
    --change 'EXPOSE 5672' --change 'EXPOSE 55672' --change 'EXPOSE 5671'
    --change 'CMD ["/home/skrouterd/bin/launch.sh"]'
)
for engine in "${todo[@]}"; do
    note "$engine: importing $TAG"
    quiet=()
    [ "$engine" = podman ] && quiet=(--quiet)
    tar -C "$ROOTFS" -c . | "$engine" import "${quiet[@]}" "${CHANGES[@]}" - "$TAG" >/dev/null
    has_image "$engine" || { note "$engine: $TAG was imported but its label is not there"; exit 1; }
done
note "built $TAG for ${todo[*]} in $((SECONDS - started)) s"
echo "$TAG"
