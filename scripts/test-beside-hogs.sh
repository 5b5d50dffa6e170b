#!/usr/bin/env bash
# Runs `npm test` N times in a row (default 3) with two CPU-bound processes beside it, as issue 15
# asks: the suite must stay green on this 2-core machine while other heavy work runs. Prints each
# run's summary line and duration, and exits non-zero if any run failed.
#   scripts/test-beside-hogs.sh [RUNS]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
hogs=()
for _ in 1 2; do
  node -e 'for (;;) {}' &
  hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
failed=0
for run in $(seq 1 "$runs"); do
  log=$(mktemp)
  started=$(date +%s)
  npm test >"$log" 2>&1
  status=$?
  summary=$(grep -E '^tests: [0-9]+ passed' "$log" | tail -n 1)
  echo "run $run/$runs: ${summary:-no summary (exit $status)} in $(( $(date +%s) - started )) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$status" -ne 0 ] && { failed=1; grep -E 'FAIL|✗|×' "$log" | head -n 20; }
  rm -f "$log"
done
exit "$failed"
