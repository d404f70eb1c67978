#!/usr/bin/env bash
# The molecule scenario of the network role (extensions/molecule/network): three Linux sites on network-namespace
# hosts with sshd, the real router; create, prepare, converge, idempotence, verify, destroy. `make molecule` and
# the molecule step of `make test` (call it through make: PATH, PYTHONPATH and ANSIBLE_COLLECTIONS_PATH).
#
# Needs root, iproute2 and openssh-server (tests/support/netns_hosts.py): without them it says why and exits 0,
# except under CI=true, where that is a failure. The real router: SKUPPER_ROUTER_BIN (skmanage beside it), else the
# build of hacking/build_router.sh (built when missing). Its state (molecule's ephemeral directory: instance config,
# inventory, the hosts' keys and data homes, router logs, the picture of the network) is a temporary folder of its
# own, removed at the end; the hosts take a free slot, so runs in several checkouts do not collide.
# Extra arguments go to `molecule test` (make molecule MOLECULE_ARGS=...).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
VPY="$VENV/bin/python"
cd "$ROOT"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$ROOT/.build/collections}"

reason=$("$VPY" -c 'from tests.support.netns_hosts import available; print(available() or "")')
if [ -n "$reason" ]; then
    case "${CI:-}" in
        1 | true | TRUE | True | yes)
            echo "molecule: CI=true and no network namespace hosts: $reason" >&2
            exit 1
            ;;
    esac
    echo "molecule: skipped: no network namespace hosts: $reason"
    exit 0
fi

if [ -z "${SKUPPER_ROUTER_BIN:-}" ]; then
    SKUPPER_ROUTER_BIN="$(bash "$ROOT/hacking/build_router.sh" --print-bin | tail -n 1)/skrouterd"
    export SKUPPER_ROUTER_BIN
fi
echo "molecule: the real router $SKUPPER_ROUTER_BIN, version $("$SKUPPER_ROUTER_BIN" --version)"

MOLECULE_EPHEMERAL_DIRECTORY="$(mktemp -d "${TMPDIR:-/tmp}/appnet-molecule.XXXXXX")"
export MOLECULE_EPHEMERAL_DIRECTORY
# Whatever happens to molecule (a failure, a signal), nothing of this run is left behind. (Called by the trap,
# which shellcheck cannot follow.)
# shellcheck disable=SC2317
cleanup() {
    "$VPY" -m tests.support.netns_hosts destroy "$MOLECULE_EPHEMERAL_DIRECTORY/netns" >/dev/null || true
    rm -rf "$MOLECULE_EPHEMERAL_DIRECTORY"
}
trap cleanup EXIT
echo "molecule: state in $MOLECULE_EPHEMERAL_DIRECTORY"

start=$(date +%s)
rc=0
"$VENV/bin/molecule" test -s network "$@" || rc=$?
echo "molecule: scenario network exit $rc in $(( $(date +%s) - start )) s"
exit "$rc"
