#!/usr/bin/env python3
"""Writes the qemu target's pflash1 image: a U-Boot environment for Debian's u-boot-qemu
(qemu_arm64: environment in flash at the start of pflash1, 0x40000 bytes, no redundant copy;
layout = CRC-32 of the data, little-endian, then NUL-separated key=value pairs, then a NUL).
The kernel goes to 0x42200000, above OP-TEE's static shared memory at 0x42000000-0x421fffff
(CFG_SHMEM_START/SIZE of the qemu_v8 build), where U-Boot's default address would overlap it.
Both come in over fw_cfg (`qfw load`); the device tree is the one QEMU built and OP-TEE amended."""
import struct
import sys
import zlib

ENV_SIZE = 0x40000
FLASH_SIZE = 64 << 20  # QEMU's virt machine maps each pflash bank as 64 MiB

settings = [
    ("bootdelay", "0"),
    ("kernel_addr_r", "0x42200000"),
    ("ramdisk_addr_r", "0x46000000"),
    ("fdt_high", "0xffffffff"),
    ("initrd_high", "0xffffffff"),
    ("bootcmd", "qfw load ${kernel_addr_r} ${ramdisk_addr_r} && "
                "booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdtcontroladdr}"),
]
data = b"".join(f"{k}={v}".encode() + b"\0" for k, v in settings) + b"\0"
data = data.ljust(ENV_SIZE - 4, b"\0")
image = struct.pack("<I", zlib.crc32(data)) + data
with open(sys.argv[1], "wb") as f:
    f.write(image.ljust(FLASH_SIZE, b"\xff"))
