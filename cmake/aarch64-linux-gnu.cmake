# Cross build for arm64 with Debian's cross toolchain (g++-aarch64-linux-gnu) and arm64 -dev
# packages installed through multiarch (scripts/setup.sh --arm64). The binaries are linked
# statically so that one file runs on any arm64 Linux: a board, or the qemu target's initramfs.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: arm64 libraries and their CMake packages live under /usr/lib/aarch64-linux-gnu;
# headers are shared in /usr/include.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(TEEBENCH_STATIC ON CACHE BOOL "Link teebench statically")
