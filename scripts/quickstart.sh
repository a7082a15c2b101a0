#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the main job on the
# emulated OP-TEE stack: `teebench info`, then the pre-release workload (under 3 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
./build/app/teebench info --target emu
echo
./build/app/teebench run release --target emu "$@"
