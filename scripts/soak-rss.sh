#!/usr/bin/env bash
# Runs a workload (default: the 10-minute, 64-client soak) and samples the resident memory of the
# teebench process every 10 s; prints the RSS after start-up and at the end, and fails (exit 1) if
# it grew by more than 15 %. Usage: scripts/soak-rss.sh [WORKLOAD] [OUT]; TEEBENCH=path/to/teebench.
set -euo pipefail
cd "$(dirname "$0")/.."
teebench=${TEEBENCH:-./build/app/teebench}
workload=${1:-soak}
out=${2:-results/soak-rss}
mkdir -p "$out"
"$teebench" run "$workload" --out "$out" > "$out/summary.txt" 2> "$out/progress.txt" &
pid=$!
: > "$out/rss.txt"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(date +%s) $rss" >> "$out/rss.txt"
  sleep 10
done
rc=0
wait "$pid" || rc=$?
first=$(sed -n 2p "$out/rss.txt" | awk '{print $2}')   # after start-up and warm-up
[ -n "$first" ] || first=$(sed -n 1p "$out/rss.txt" | awk '{print $2}')
last=$(tail -n 1 "$out/rss.txt" | awk '{print $2}')
echo "RSS after start-up: ${first} KiB; at the end: ${last} KiB; samples in $out/rss.txt"
[ "$rc" -eq 0 ] || { echo "soak: teebench exited with $rc"; exit 1; }
if [ "$last" -gt $((first * 115 / 100)) ]; then
  echo "soak: resident memory grew by more than 15 %"
  exit 1
fi
