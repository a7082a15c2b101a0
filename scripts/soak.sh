#!/usr/bin/env bash
# A soak: the bundled `soak` workload (64 clients, open loop, 10k calls/s of mixed invokes) for
# DURATION (default 10m; the release soak is 1h) on the emulated stack. teebench samples its own
# resident memory, open descriptors and threads every interval (10 s) and judges each flat
# (rss_flat, fds_flat, threads_flat: docs/verdicts.md). Exit 0 only if the run passed and all three
# were judged.  Usage: scripts/soak.sh [DURATION] [OUT]; TEEBENCH=path/to/teebench.
set -euo pipefail
cd "$(dirname "$0")/.."
teebench=${TEEBENCH:-./build/app/teebench}
duration=${1:-10m}
out=${2:-results/soak-$duration}
[ -x "$teebench" ] || { echo "soak: $teebench not built: run scripts/test.sh first" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
rc=0
"$teebench" run soak --duration "$duration" --out "$out" --force > "$out.summary.txt" || rc=$?
grep -E '^verdicts:|process:|FAIL' "$out.summary.txt" || true
judged=$(grep -c '"name": "\(rss\|fds\|threads\)_flat"' "$out/results.json" || true)
echo "soak: teebench exited with $rc; $judged of 3 flatness verdicts judged; samples in $out/results.json (cases[0].metrics.process_resources)"
[ "$rc" -eq 0 ] && [ "$judged" -eq 3 ]
