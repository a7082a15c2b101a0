#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the main job on the
# emulated OP-TEE stack. Until the workload runner lands (`teebench run workloads/release.json`),
# the main job is `teebench info` plus the built-in smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
./build/app/teebench info --target emu
echo
./build/app/teebench smoke --target emu "$@"
