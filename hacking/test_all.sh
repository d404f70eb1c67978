#!/usr/bin/env bash
# The steps of `make test` (call it through make: it prepares deps, .venv and the collection link,
# and sets PATH, PYTHONPATH and ANSIBLE_COLLECTIONS_PATH).
#
# Runs every step even when one fails, prints a summary with the time of each, exits non-zero when
# any failed, and ends with pytest's own summary line. Full logs: .build/test-results/.
#
# The first step builds the real Skupper router from source, or reuses the cached build (hacking/build_router.sh),
# prints its version, and exports SKUPPER_ROUTER_BIN and SKUPPER_SKMANAGE_BIN, so that tests/e2e and the network
# tests run the real skrouterd and skmanage (a SKUPPER_ROUTER_BIN set by the caller is kept). Under CI=true a
# test that needs the real router fails when it is missing (tests/support/real_router.py).
#
# Environment: VENV (default .venv), PYTEST_WORKERS (default 2), PYTEST_ARGS (extra pytest options),
# SKIP_STEPS (space-separated step names to leave out: router render pytest molecule sanity lint).
# The molecule step runs the scenario of the network role (hacking/molecule.sh) on the real router of the first step.
# The run_* functions are called through `step`, which shellcheck cannot follow:
# shellcheck disable=SC2317
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
VPY="$VENV/bin/python"
RESULTS="$ROOT/.build/test-results"
WORKERS="${PYTEST_WORKERS:-2}"
cd "$ROOT" || exit 1
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

declare -a NAMES=() STATUS=() SECONDS_TAKEN=()
FAILED=0

step() {
    # step NAME COMMAND...: run, record the exit code and the time.
    local name="$1" start rc
    shift
    case " ${SKIP_STEPS:-} " in *" $name "*) echo "=== $name: skipped (SKIP_STEPS)"; return 0 ;; esac
    echo
    echo "=== $name: $*"
    start=$(date +%s)
    "$@"
    rc=$?
    NAMES+=("$name")
    SECONDS_TAKEN+=("$(( $(date +%s) - start ))")
    if [ "$rc" -eq 0 ]; then STATUS+=("ok"); else STATUS+=("FAILED (exit $rc)"); FAILED=1; fi
    echo "=== $name: ${STATUS[-1]} in ${SECONDS_TAKEN[-1]} s"
    return 0
}

run_router() {
    # The real router: the caller's SKUPPER_ROUTER_BIN, else the build of hacking/build_router.sh (cached).
    local bin
    if [ -z "${SKUPPER_ROUTER_BIN:-}" ]; then
        bash "$ROOT/hacking/build_router.sh" || return 1
        bin=$(bash "$ROOT/hacking/build_router.sh" --print-bin --cached) || return 1
        export SKUPPER_ROUTER_BIN="$bin/skrouterd"
    fi
    [ -x "$SKUPPER_ROUTER_BIN" ] || { echo "router: SKUPPER_ROUTER_BIN=$SKUPPER_ROUTER_BIN is not executable"; return 1; }
    if [ -z "${SKUPPER_SKMANAGE_BIN:-}" ]; then
        export SKUPPER_SKMANAGE_BIN
        SKUPPER_SKMANAGE_BIN="$(dirname "$SKUPPER_ROUTER_BIN")/skmanage"
        [ -x "$SKUPPER_SKMANAGE_BIN" ] || SKUPPER_SKMANAGE_BIN=$(command -v skmanage || echo "$SKUPPER_SKMANAGE_BIN")
    fi
    echo "router: the tests run the real router $SKUPPER_ROUTER_BIN, version $("$SKUPPER_ROUTER_BIN" --version)"
    echo "router: skmanage $SKUPPER_SKMANAGE_BIN"
}

run_pytest() {
    # Everything under tests/; -rs lists every skip with its reason (tests/e2e needs the real router: it skips
    # without one, and fails under CI=true); --durations=15 ends the log with the 15 slowest tests (setup, call and
    # teardown each: a module fixture that builds a scenario shows as the setup of its first test).
    local extra=()
    read -r -a extra <<<"${PYTEST_ARGS:-}"
    "$VPY" -m pytest -rs --durations=15 -n "$WORKERS" --dist loadfile --junitxml="$RESULTS/junit.xml" "${extra[@]}" tests \
        2>&1 | tee "$RESULTS/pytest.log"
}

run_molecule() {
    VENV="$VENV" bash "$ROOT/hacking/molecule.sh" 2>&1 | tee "$RESULTS/molecule.log"
}

run_sanity() {
    # ansible-test prints every pip install of its per-test virtual environments: keep those in the log.
    VENV="$VENV" bash "$ROOT/hacking/run_sanity.sh" >"$RESULTS/sanity.log" 2>&1
    local rc=$?
    grep -E '^(Running sanity test|ERROR|FATAL|WARNING: (All targets|Skipping|Reviewing))' "$RESULTS/sanity.log"
    [ "$rc" -eq 0 ] || echo "(full output: $RESULTS/sanity.log)"
    return "$rc"
}

run_lint() {
    VENV="$VENV" bash "$ROOT/hacking/lint.sh" 2>&1 | tee "$RESULTS/lint.log"
}

TOTAL_START=$(date +%s)
# step runs its command in this shell: the exports of run_router reach the pytest step.
step router run_router
step render "$VPY" hacking/render_modules.py --check
step pytest run_pytest
step molecule run_molecule
step sanity run_sanity
step lint run_lint

echo
echo "=== summary (total $(( $(date +%s) - TOTAL_START )) s; logs in .build/test-results/)"
for i in "${!NAMES[@]}"; do
    printf '  %-8s %-18s %5s s\n' "${NAMES[$i]}" "${STATUS[$i]}" "${SECONDS_TAKEN[$i]}"
done
if [ "$FAILED" -ne 0 ]; then echo "make test: FAILED"; else echo "make test: all steps passed"; fi
# pytest's own closing line last, for whoever reads the end of the output.
if [ -f "$RESULTS/pytest.log" ]; then
    grep -E '^(=+ )?(no tests ran|[0-9]+ (passed|failed|errors?|skipped|xfailed|xpassed|deselected|warnings?)).* in [0-9.]+s' "$RESULTS/pytest.log" | tail -n 1
fi
exit "$FAILED"
