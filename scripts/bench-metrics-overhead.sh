#!/usr/bin/env bash
# The cost of --serve: null-invoke throughput (the closed-loop client of workloads/null.json) with
# and without the exporter while a real Prometheus scrapes it every second. Runs alternate (A B A B
# ...) so drift on a shared machine hits both alike; Prometheus runs in both, so only the
# exporter's own work differs. Prints each run's figure, the medians and the difference.
# Usage: scripts/bench-metrics-overhead.sh [PAIRS=7] [DURATION_S=8]; TEEBENCH=path/to/teebench.
set -euo pipefail
cd "$(dirname "$0")/.."
teebench=${TEEBENCH:-./build/app/teebench}
pairs=${1:-7}
duration=${2:-8}
port=${TEEBENCH_SERVE_PORT:-19464}
dir=$(mktemp -d /tmp/teebench-overhead-XXXXXX)
trap 'kill $prom 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT

cat > "$dir/prometheus.yml" <<YML
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: teebench_live
    static_configs: [{targets: ['127.0.0.1:$port']}]
YML
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address=127.0.0.1:0 > "$dir/prometheus.log" 2>&1 &
prom=$!
sleep 2

throughput() {  # results.json -> calls/s of closed/nop
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print([o["throughput_per_s"] for o in d["cases"][0]["operations"] if o["group"]=="closed"][0])' "$1"
}
off=(); on=()
for i in $(seq "$pairs"); do
  "$teebench" run null --set duration_s="$duration" --out "$dir/off$i" > /dev/null 2>&1
  off+=("$(throughput "$dir/off$i/results.json")")
  "$teebench" run null --set duration_s="$duration" --out "$dir/on$i" \
    --serve "127.0.0.1:$port" --serve-linger 5 > /dev/null 2> "$dir/on$i.err"
  on+=("$(throughput "$dir/on$i/results.json")")
  echo "pair $i: without ${off[-1]} calls/s, with --serve ${on[-1]} calls/s"
done
python3 - "${off[*]}" "${on[*]}" <<'PY'
import statistics, sys
off = [float(x) for x in sys.argv[1].split()]
on = [float(x) for x in sys.argv[2].split()]
mo, mn = statistics.median(off), statistics.median(on)
print(f"median without: {mo:.0f} calls/s (min {min(off):.0f}, max {max(off):.0f})")
print(f"median with --serve scraped every 1 s: {mn:.0f} calls/s (min {min(on):.0f}, max {max(on):.0f})")
print(f"difference: {100 * (mn - mo) / mo:+.2f} %")
PY
