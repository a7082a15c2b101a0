#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, then build and pass every test
# in the three configurations: default, ASan+UBSan, TSan. `--quick` runs the default one only.
# Slow soak tests carry the ctest label `soak` and run only with TEEBENCH_SOAK=1.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

presets=(default asan tsan)
[ "${1:-}" = "--quick" ] && presets=(default)

# The arm64 cross build first: teebench, the TA built with each OP-TEE dev kit, the plugin. The
# default configuration's `qemu` tests boot the real OP-TEE with them.
# Each phase says when it ended (seconds since start), so the CI log shows where the time goes.
phase() { echo "== [${SECONDS}s] $*"; }
phase "arm64: build"
cmake --preset arm64 >/dev/null
cmake --build --preset arm64
exclude=()
[ "${TEEBENCH_SOAK:-0}" = "1" ] || exclude=(-LE soak)

for p in "${presets[@]}"; do
  phase "$p: build"
  cmake --preset "$p" >/dev/null
  cmake --build --preset "$p"
  phase "$p: test"
  # halt_on_error keeps sanitizer findings fatal; fibers are annotated (emu/optee_os/thread_stack.cc).
  # The qemu tests boot the real OP-TEE: once, in the default configuration (under a sanitizer
  # only the host side would change, and each boot costs seconds).
  skip=("${exclude[@]}")
  if [ "$p" != default ]; then
    if [ ${#skip[@]} -gt 0 ]; then skip=(-LE 'soak|qemu'); else skip=(-LE qemu); fi
  fi
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --preset "$p" "${skip[@]}"
done
phase "all tests passed in: ${presets[*]}"
