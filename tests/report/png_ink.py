#!/usr/bin/env python3
"""Prints how much of a PNG screenshot is drawn on: the share of pixels that are not near-white
and the number of distinct colours. A blank or failed page is ~0 and 1-2. Standard library only
(zlib), for the 8-bit RGB/RGBA non-interlaced PNGs Chromium writes."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                sys.exit(f"{path}: unsupported PNG (depth {depth}, colour type {colour})")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return rows, bpp


rows, bpp = pixels(sys.argv[1])
ink, colours, total = 0, set(), 0
for line in rows[::4]:  # every 4th row and pixel: plenty for a share, and quick in Python
    for i in range(0, len(line), bpp * 4):
        r, g, b = line[i], line[i + 1], line[i + 2]
        total += 1
        colours.add((r >> 3, g >> 3, b >> 3))
        if r + g + b < 3 * 235:
            ink += 1
print(f"{ink / max(total, 1):.4f} {len(colours)}")
