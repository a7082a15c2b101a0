#!/usr/bin/env bash
# Runs a workload (default: the 10-minute, 64-client soak) and samples the resident memory of the
# teebench process every 10 s; prints start and end RSS. Usage: scripts/soak-rss.sh [WORKLOAD] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:-soak}
out=${2:-results/soak-rss}
mkdir -p "$out"
./build/app/teebench run "$workload" --out "$out" > "$out/summary.txt" 2> "$out/progress.txt" &
pid=$!
: > "$out/rss.txt"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(date +%s) $rss" >> "$out/rss.txt"
  sleep 10
done
wait "$pid" || true
first=$(sed -n 2p "$out/rss.txt" | awk '{print $2}')   # after start-up and warm-up
last=$(tail -n 1 "$out/rss.txt" | awk '{print $2}')
echo "RSS after start-up: ${first} KiB; at the end: ${last} KiB; samples in $out/rss.txt"
