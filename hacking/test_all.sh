#!/usr/bin/env bash
# The steps of `make test` (call it through make: it prepares deps, .venv and the collection link,
# and sets PATH, PYTHONPATH and ANSIBLE_COLLECTIONS_PATH).
#
# Runs every step even when one fails, prints a summary with the time of each, exits non-zero when
# any failed, and ends with pytest's own summary line. Full logs: .build/test-results/.
#
# Environment: VENV (default .venv), PYTEST_WORKERS (default 2), PYTEST_ARGS (extra pytest options),
# SKIP_STEPS (space-separated step names to leave out: render pytest sanity lint).
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

run_pytest() {
    # Everything under tests/ (tests/e2e skips itself without a real router: the skips stay visible).
    local extra=()
    read -r -a extra <<<"${PYTEST_ARGS:-}"
    "$VPY" -m pytest -n "$WORKERS" --dist loadfile --junitxml="$RESULTS/junit.xml" "${extra[@]}" tests \
        2>&1 | tee "$RESULTS/pytest.log"
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
step render "$VPY" hacking/render_modules.py --check
step pytest run_pytest
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
