#!/usr/bin/env bash
# `make demo` and `make demo-stop`: a demo network on this machine (two Linux sites, west and east, in two Skupper
# namespaces, linked; an HTTP GET from east's listener to a backend behind west's connector), on the real router.
#
#   demo.sh start   choose the router, choose free ports, run playbooks/demo.yml
#   demo.sh stop    teardown of both sites (playbooks/teardown.yml) and the demo's backend HTTP server
#
# The router: skrouterd on PATH (or SKUPPER_ROUTER_BIN), else the cached build of hacking/build_router.sh, else that
# build (about 3 minutes; it says so). The router stand-in (a test double) runs only when asked for by name:
# DEMO_ROUTER=stand-in.
# State: DEMO_DATA_HOME, default .build/demo of this checkout (each checkout its own; never another's routers).
# Ports: the backend and east's listener take free ports when the demo starts (kept in <state>/ports.env while the
# demo runs); the routers' ports are probed free by the render (from 5671, 55671 and 45671, as Skupper does).
# Environment from make: VENV (the virtual environment), and the collection on ANSIBLE_COLLECTIONS_PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
STATE="${DEMO_DATA_HOME:-$ROOT/.build/demo}"
INVENTORY="$ROOT/playbooks/inventory/demo.yml"
ACTION="${1:-start}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
export DEMO_DATA_HOME="$STATE"

# DEMO_ARGS: more ansible-playbook options (make demo DEMO_ARGS=-v).
EXTRA=()
read -r -a EXTRA <<<"${DEMO_ARGS:-}"

say() { echo "demo: $*"; }

free_port() {
    # A port nothing listens on now (the kernel's choice for port 0), avoiding the ones given as arguments.
    "$VENV/bin/python" - "$@" <<'EOF'
import socket, sys
taken = set(int(p) for p in sys.argv[1:])
while True:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    if port not in taken:
        print(port)
        break
EOF
}

choose_router() {
    # Sets ROUTER, SKMANAGE and ROUTER_ORIGIN.
    local bin start
    if [ "${DEMO_ROUTER:-}" = stand-in ]; then
        ROUTER="$ROOT/tests/support/bin/skrouterd"
        SKMANAGE="$ROOT/tests/support/bin/skmanage"
        ROUTER_ORIGIN="the router stand-in (a test double), as DEMO_ROUTER=stand-in asked"
        return
    fi
    if [ -n "${DEMO_ROUTER:-}" ]; then
        echo "demo: DEMO_ROUTER=$DEMO_ROUTER: only 'stand-in' is known (leave it unset for the real router)" >&2
        exit 2
    fi
    if [ -n "${SKUPPER_ROUTER_BIN:-}" ]; then
        ROUTER="$SKUPPER_ROUTER_BIN"; ROUTER_ORIGIN="SKUPPER_ROUTER_BIN"
    elif ROUTER=$(command -v skrouterd); then
        ROUTER_ORIGIN="skrouterd on PATH"
    elif bin=$(bash "$ROOT/hacking/build_router.sh" --print-bin --cached 2>/dev/null); then
        ROUTER="$bin/skrouterd"; ROUTER_ORIGIN="the cached build of make router"
    else
        say "no skrouterd on PATH and no cached build: building the Skupper router from source now (about 3 minutes" \
            "on 2 cores; once, then cached outside the checkout)"
        start=$(date +%s)
        bash "$ROOT/hacking/build_router.sh"
        bin=$(bash "$ROOT/hacking/build_router.sh" --print-bin --cached)
        ROUTER="$bin/skrouterd"; ROUTER_ORIGIN="built from source just now, in $(( $(date +%s) - start )) s"
    fi
    SKMANAGE="${SKUPPER_SKMANAGE_BIN:-$(dirname "$ROUTER")/skmanage}"
    [ -x "$SKMANAGE" ] || SKMANAGE=$(command -v skmanage || true)
    if [ -z "$SKMANAGE" ]; then
        echo "demo: no skmanage beside $ROUTER or on PATH (it comes with skrouterd)" >&2
        exit 2
    fi
}

start() {
    choose_router
    # One start at a time per state folder.
    exec 8>"$STATE/.lock"
    flock -n 8 || { echo "demo: another make demo of this checkout is running ($STATE)" >&2; exit 2; }
    local backend_port listener_port
    if [ -f "$STATE/ports.env" ]; then
        # shellcheck disable=SC1091
        . "$STATE/ports.env"
        backend_port="$DEMO_BACKEND_PORT"; listener_port="$DEMO_LISTENER_PORT"
        say "the demo of $STATE is running already: same ports (backend $backend_port, listener $listener_port)"
    else
        backend_port=$(free_port)
        listener_port=$(free_port "$backend_port")
        printf 'DEMO_BACKEND_PORT=%s\nDEMO_LISTENER_PORT=%s\n' "$backend_port" "$listener_port" >"$STATE/ports.env"
    fi
    say "router: $ROUTER ($ROUTER_ORIGIN), version $("$ROUTER" --version)"
    say "state: $STATE; backend 127.0.0.1:$backend_port; east's listener 127.0.0.1:$listener_port"
    "$VENV/bin/ansible-playbook" -i "$INVENTORY" "$ROOT/playbooks/demo.yml" \
        -e "skupper_router_binary=$ROUTER" -e "skupper_skmanage=$SKMANAGE" \
        -e "demo_backend_port=$backend_port" -e "demo_listener_port=$listener_port" \
        -e "demo_router_origin='$ROUTER_ORIGIN'" -e "skupper_verify_report_dir=$STATE/report" "${EXTRA[@]}"
    say "stop it with: make demo-stop"
}

stop() {
    local pid
    if [ -d "$STATE/namespaces" ]; then
        "$VENV/bin/ansible-playbook" -i "$INVENTORY" "$ROOT/playbooks/teardown.yml" "${EXTRA[@]}"
    fi
    if [ -f "$STATE/backend.pid" ]; then
        pid=$(cat "$STATE/backend.pid")
        # Only the demo's own backend: its command line names the backend folder of this state.
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "http.server"; then
            kill "$pid" && say "stopped the backend HTTP server (pid $pid)"
        fi
        rm -f "$STATE/backend.pid"
    fi
    rm -f "$STATE/ports.env"
    say "stopped; state kept in $STATE (make clean removes .build)"
}

case "$ACTION" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: demo.sh start|stop" >&2; exit 2 ;;
esac
