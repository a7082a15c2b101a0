#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, then build and pass every test
# in the three configurations: default, ASan+UBSan, TSan. `--quick` runs the default one only.
# Slow soak tests carry the ctest label `soak` and run only with TEEBENCH_SOAK=1.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

presets=(default asan tsan)
[ "${1:-}" = "--quick" ] && presets=(default)

# Each phase says when it began (seconds since start), so the CI log shows where the time goes.
phase() { echo "== [${SECONDS}s] $*"; }

# The arm64 cross build first: teebench, the TA built with each OP-TEE dev kit, the plugin. The
# default configuration's `qemu` tests boot the real OP-TEE with them.
phase "arm64: build"
cmake --preset arm64 >/dev/null
cmake --build --preset arm64
# ctest label regexes left out: soak unless asked for, and qemu where it does not run.
if [ "${TEEBENCH_SOAK:-0}" = "1" ]; then
  skip=(); skip_qemu=(-LE qemu)
else
  skip=(-LE soak); skip_qemu=(-LE 'soak|qemu')
fi

# halt_on_error keeps sanitizer findings fatal; fibers are annotated (emu/optee_os/thread_stack.cc).
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

# The qemu tests boot the real OP-TEE: once, in the default configuration (under a sanitizer only
# the host side would change, and each boot costs seconds). They keep about one of the two CPUs
# busy for ~110 s (QEMU's single TCG thread; measured 61 % busy), so they run in the background
# while the ASan build fills the other CPU, and are waited for before any timing-sensitive test
# starts. Their timeouts are generous (120 s boot, 600 s silence) and the icount comparisons count
# instructions, not host time, so the build beside them changes nothing they judge.
qemu_pid=""
qemu_log=build/qemu-tests.log
stop_qemu_tests() { [ -n "$qemu_pid" ] && kill -- "-$qemu_pid" 2>/dev/null || true; }
trap stop_qemu_tests EXIT
wait_qemu_tests() {
  [ -n "$qemu_pid" ] || return 0
  phase "default: waiting for the qemu tests"
  local rc=0
  wait "$qemu_pid" || rc=$?
  qemu_pid=""
  cat "$qemu_log"
  if [ "$rc" != 0 ]; then
    echo "== the qemu tests failed (exit $rc): $qemu_log"
    exit "$rc"
  fi
}

for p in "${presets[@]}"; do
  phase "$p: build"
  cmake --preset "$p" >/dev/null
  cmake --build --preset "$p"
  wait_qemu_tests
  phase "$p: test"
  if [ "$p" = default ]; then
    if [ ${#presets[@]} -gt 1 ]; then
      ctest --preset default "${skip_qemu[@]}"
      set -m  # its own process group, so that an early exit stops QEMU too
      ctest --preset default -L qemu > "$qemu_log" 2>&1 &
      qemu_pid=$!
      set +m
    else
      ctest --preset default "${skip[@]}"
    fi
  else
    ctest --preset "$p" "${skip_qemu[@]}"
  fi
done
wait_qemu_tests
phase "all tests passed in: ${presets[*]}"
