#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed inputs of fuzz_walk (tests/fuzz/corpus/); see the format
at the top of fuzz_walk.c.  Run again after changing that format."""
import os
import struct
import sys

def swp(t, off):
    return (t << 59) | (((~off) << 14) & ((1 << 64) - 1)) >> 5

def rec(op, a, b, v):
    return struct.pack('<BBHQ', op, a, b, v & ((1 << 64) - 1))

def table(page, idx, target, flags=0x67):
    return rec(0x11, page, idx, (flags << 32) | target)

def leaf(page, idx, pfn, flags=0x25):
    return rec(0x01, page, idx, (flags << 32) | pfn)

def raw(page, idx, v):
    return rec(0x00, page, idx, v)

def header(flags, npages, ranges, lens, seeds, excl=0, unread=0, kcap=3, memmap_excl=0,
           hz=1, vmaflags=0, fmt=0):
    h = bytes([flags, npages - 2, excl, unread, kcap, ranges - 1, 7, 0, memmap_excl, hz])
    h += bytes(lens + [0] * (4 - len(lens))) + bytes([vmaflags, fmt])
    h += struct.pack('<QQ', *seeds)
    assert len(h) == 32
    return h

def basic():
    """root -> PUD -> PMD: a PTE table, a THP PMD, a huge zero PMD"""
    r = table(0, 0, 1) + table(1, 0, 2) + table(2, 0, 3)
    r += rec(0x21, 2, 1, (0xa5 << 32) | 1)			# PMD leaf at pfn 512 (a THP)
    r += rec(0x21, 2, 2, (0xa5 << 32) | 0)			# PMD leaf at pfn 0 (huge zero)
    for i in range(8):
        r += leaf(3, i, 2 + i * 37, 0x25 | (0x40 if i & 1 else 0))
    r += leaf(3, 8, 1, 0x225)					# the zero page
    r += raw(3, 9, swp(0, 5)) + raw(3, 10, swp(1, 7))
    r += raw(3, 11, swp(24, 3)) + raw(3, 12, swp(27, 4))	# migration, device (6.12 layout)
    r += rec(0x03, 1, 5, 2) + rec(0x03, 1, 7, 1)		# swap_map counts
    r += rec(0x02, 3, 40, 0) + rec(0x82, 0, 41, 40)		# a broken compound head
    r += rec(0x03, 0, 3, 0x10000)				# content in data page 3
    return r

def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {
        'basic-4level': header(0x30, 4, 3, [10, 13, 0], [0, 0x200000], hz=0) + basic(),
        'folio-612': header(0x36, 4, 2, [10, 9], [0x1000, 0x201000], hz=0) + basic(),
        'five-level': header(0x01, 5, 2, [12, 3], [0, 0x3000]) +
            table(0, 0, 1) + table(1, 0, 2) + table(2, 0, 3) + table(3, 0, 4) +
            leaf(4, 3, 7) + raw(4, 4, swp(2, 99)),
        'self-loop': header(0x00, 2, 1, [14], [0, 0]) +
            b''.join(table(0, i, 0) for i in range(0, 512, 51)),
        'damaged': header(0xc8, 3, 4, [6, 8, 14, 3], [0x7ffffffff000, 0x40000000],
                          excl=0x4, memmap_excl=0x1) +
            table(0, 0, 1) + table(1, 1, 2) + raw(2, 0, ~0) + raw(2, 1, 0x100) +
            rec(0x21, 1, 2, (0xa5 << 32) | 1),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)

if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus'))
