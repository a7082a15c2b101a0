#!/usr/bin/env bash
# False alarms under host load: runs a workload (default: release) N times (default 20) on the
# emulated stack while `stress-ng --cpu 2` keeps the host busy, and counts the runs that failed
# (exit 1). A healthy stack must fail none: invariants hold on any host, and expectations are not
# judged in cases where other processes kept the host busy (docs/verdicts.md).
#   scripts/false-alarms.sh [RUNS] [WORKLOAD] [STRESS_CPUS]
# Prints one line per run and a total; the runs' folders stay in $TMPDIR/teebench-false-alarms.
set -u
runs=${1:-20}
workload=${2:-release}
stress_cpus=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
teebench=${TEEBENCH:-$root/build/app/teebench}
[ -x "$teebench" ] || { echo "false-alarms: $teebench not built: run scripts/test.sh first" >&2; exit 2; }
command -v stress-ng > /dev/null || { echo "false-alarms: stress-ng missing: run scripts/setup.sh" >&2; exit 2; }
out=${TMPDIR:-/tmp}/teebench-false-alarms
rm -rf "$out" && mkdir -p "$out"
stress-ng --cpu "$stress_cpus" --timeout 0 --quiet &
stress=$!
trap 'kill $stress 2>/dev/null; wait $stress 2>/dev/null' EXIT
failed=0
start=$(date +%s)
for i in $(seq 1 "$runs"); do
  "$teebench" run "$workload" --out "$out/run$i" > "$out/run$i.txt" 2> "$out/run$i.err"
  rc=$?
  verdicts=$(grep -m1 '^verdicts:' "$out/run$i.txt")
  echo "run $i: exit $rc; $verdicts"
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    grep '^  FAIL' "$out/run$i.txt" | sort -u | head -5
  fi
done
echo "false alarms: $failed of $runs runs of $workload failed under stress-ng --cpu $stress_cpus ($(( $(date +%s) - start )) s)"
[ "$failed" -eq 0 ]
