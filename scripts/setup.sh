#!/usr/bin/env bash
# Installs every Debian package teebench needs to build, test and run, including the qemu target
# (QEMU, the arm64 cross toolchain and arm64 -dev packages through multiarch, the TA dev kit's
# signing tool), then builds the qemu target's guest from Debian's arm64 packages. Idempotent:
# what is present is skipped, so a second run does nothing and needs no network.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libbenchmark-dev libgtest-dev libgmock-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libboost-context-dev
  clang-format
  # metrics: the exporters (prometheus-cpp, libcurl for the Pushgateway), and the real Prometheus,
  # Pushgateway and promtool the integration tests run against
  prometheus-cpp-dev libcurl4-openssl-dev curl prometheus prometheus-pushgateway
  # the oracle the comparison statistics are tested against (SciPy's Mann-Whitney U)
  python3-scipy
  # the false-alarm check loads the host while the release workload runs (scripts/false-alarms.sh)
  stress-ng
  # the report tests render report.html and the compare page in a real headless browser
  chromium
  # the qemu target: a real OP-TEE under QEMU, teebench and the TA cross-built for arm64
  qemu-system-arm cpio xz-utils python3 python3-cryptography
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
  libfmt-dev:arm64 libboost-context1.74-dev:arm64 libgtest-dev:arm64 optee-client-dev:arm64
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: not root and no sudo: run scripts/setup.sh as root" >&2; exit 2; }
  sudo=sudo
fi

updated=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "setup: adding the arm64 architecture (multiarch) for the cross build"
  $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq
  updated=1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  [ $updated = 1 ] || $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The dashboards' type check (dashboards/schema-check): Grafana's published schema and TypeScript
# from the npm registry, at the versions package-lock.json pins. Node.js comes with the machine;
# Debian's is installed only where there is none.
if ! command -v npm >/dev/null; then
  echo "setup: installing Debian's nodejs and npm"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi
check=dashboards/schema-check
if [ ! -f $check/node_modules/.package-lock.json ] ||
   [ $check/package-lock.json -nt $check/node_modules/.package-lock.json ]; then
  echo "setup: npm ci in $check"
  (cd $check && npm ci --no-audit --no-fund --loglevel=error) ||
    echo "setup: warning: npm ci failed: the dashboard schema test will be skipped" >&2
fi

# The qemu target's normal world (Debian's arm64 kernel, busybox, tee-supplicant): downloaded and
# unpacked, never installed.
./scripts/qemu/make-guest.sh
