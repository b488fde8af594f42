# SPDX-License-Identifier: GPL-2.0-or-later
"""Damaged copies of a test dump, for tests/vmcore/test_damage.py.

A copy of an ELF vmcore is made sparsely in a temporary directory (the
1 GiB dump of the tests holds ~120 MiB of non-zero data) and patched at
physical addresses: the PT_LOAD program headers map them to file offsets.
What to patch is found with crash itself on the intact dump (vtop -c for a
user address's page-table entries, vm for vm_area_structs, gdb's p for
offsets and sizes); the parsers for that output live here too.
"""
import contextlib
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile

PT_LOAD = 1


class ElfDump:
    """An ELF vmcore opened for reading and patching by physical address."""

    def __init__(self, path, writable=False):
        self.path = path
        self.f = open(path, "r+b" if writable else "rb")
        hdr = self.f.read(64)
        if hdr[:4] != b"\x7fELF" or hdr[4] != 2 or hdr[5] != 1:
            raise ValueError(f"{path}: not a little-endian ELF64 file")
        phoff, = struct.unpack_from("<Q", hdr, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", hdr, 0x36)
        self.loads = []     # (paddr, filesz, offset)
        for i in range(phnum):
            self.f.seek(phoff + i * phentsize)
            p_type, _flags, p_offset, _vaddr, p_paddr, p_filesz = struct.unpack(
                "<IIQQQQ", self.f.read(40))
            if p_type == PT_LOAD and p_filesz:
                self.loads.append((p_paddr, p_filesz, p_offset))

    def close(self):
        self.f.close()

    def offset(self, paddr, size=1):
        """The file offset of [paddr, paddr + size), which one PT_LOAD must hold."""
        for start, filesz, off in self.loads:
            if start <= paddr and paddr + size <= start + filesz:
                return off + paddr - start
        raise ValueError(f"physical {paddr:#x}+{size:#x} is in no PT_LOAD of {self.path}")

    def holds(self, paddr, size=1):
        try:
            self.offset(paddr, size)
            return True
        except ValueError:
            return False

    def read(self, paddr, size):
        self.f.seek(self.offset(paddr, size))
        return self.f.read(size)

    def write(self, paddr, data):
        self.f.seek(self.offset(paddr, len(data)))
        self.f.write(data)
        self.f.flush()

    def u64(self, paddr):
        return struct.unpack("<Q", self.read(paddr, 8))[0]

    def put_u64(self, paddr, value):
        self.write(paddr, struct.pack("<Q", value & (2**64 - 1)))

    def put_u32(self, paddr, value):
        self.write(paddr, struct.pack("<I", value & (2**32 - 1)))

    def scribble(self, paddr, size, seed):
        """Overwrite [paddr, paddr + size) with reproducible random bytes."""
        self.write(paddr, random.Random(seed).randbytes(size))

    def isolate(self, paddr, size, seed):
        """Give [paddr, paddr + size) a PT_LOAD of its own, its bytes moved to
        the end of the file, and fill the place they leave with garbage: the
        memory is the same, but a reader that runs on past a segment's end
        reads garbage.  The PT_LOAD holding the range is split in three.
        crash reads the program headers and notes from before the first
        segment's data, where QEMU leaves no room, so the two new headers
        take the place of the two highest PT_LOADs, which must be above
        3 GiB: the PCI hole's device memory and firmware that QEMU dumps
        after RAM, which neither crash nor vmscope reads."""
        self.f.seek(0)
        hdr = self.f.read(64)
        phoff, = struct.unpack_from("<Q", hdr, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", hdr, 0x36)
        self.f.seek(phoff)
        phdrs = [bytearray(self.f.read(phentsize)) for _ in range(phnum)]

        def fields(ph):     # p_type, p_offset, p_paddr, p_filesz, p_memsz
            t, _, off, _, start, filesz, memsz = struct.unpack_from("<IIQQQQQ", ph)
            return t, off, start, filesz, memsz
        loads = sorted((i for i, ph in enumerate(phdrs) if fields(ph)[0] == PT_LOAD),
                       key=lambda i: fields(phdrs[i])[2])
        spare = loads[-2:]
        if len(loads) < 3 or any(fields(phdrs[i])[2] < 0xc0000000 for i in spare):
            raise ValueError(f"{self.path}: no two PT_LOADs above 3 GiB to give up")
        for i in loads[:-2]:
            _, off, start, filesz, memsz = fields(phdrs[i])
            if start < paddr and paddr + size < start + filesz and memsz == filesz:
                break
        else:
            raise ValueError(f"physical {paddr:#x}+{size:#x} is not inside one PT_LOAD")
        data = self.read(paddr, size)
        self.f.seek(0, os.SEEK_END)
        new_off = self.f.tell()
        self.f.write(data)
        self.scribble(paddr, size, seed)

        def load(ph, pstart, length, foff):
            struct.pack_into("<QQQQQ", ph, 8, foff, 0, pstart, length, length)
        tail = paddr + size
        load(phdrs[spare[0]], paddr, size, new_off)
        load(phdrs[spare[1]], tail, start + filesz - tail, off + tail - start)
        load(phdrs[i], start, paddr - start, off)
        self.f.seek(phoff)
        for ph in phdrs:
            self.f.write(ph)
        self.f.flush()
        self.f.close()
        self.__init__(self.path, writable=True)

    def end_of_memory(self):
        """The first physical address above every PT_LOAD."""
        return max(start + filesz for start, filesz, _ in self.loads)


@contextlib.contextmanager
def damaged_copy(src):
    """A sparse copy of the ELF dump src, opened for patching; removed after."""
    tmp = tempfile.mkdtemp(prefix="vmscope-damage-")
    try:
        dst = os.path.join(tmp, os.path.basename(src))
        subprocess.run(["cp", "--sparse=always", src, dst], check=True)
        os.chmod(dst, 0o600)
        dump = ElfDump(dst, writable=True)
        try:
            yield dump
        finally:
            dump.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- crash's output ---------------------------------------------------------

def parse_vtop(out):
    """vtop -c PID ADDR: {"PGD"|"P4D"|"PUD"|"PMD"|"PTE": (entry paddr, value)},
    plus "PAGE": the struct page address when crash printed the kmem line."""
    text = out.decode("utf-8", "replace")
    res = {}
    for m in re.finditer(r"^\s*(PGD|P4D|PUD|PMD|PTE): ([0-9a-f]+) => ([0-9a-f]+)", text, re.M):
        res[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    # the kmem line (its header is printed once per session): "PAGE PHYSICAL ..."
    m = re.search(r"^\s*PAGE: ([0-9a-f]+)", text, re.M)
    if m:
        m = re.search(r"^([0-9a-f]{16})\s+%s\s+[0-9a-f]+\s" % m.group(1), text, re.M)
        if m:
            res["PAGE"] = int(m.group(1), 16)
    return res


def parse_vm(out):
    """vm PID: (mm, pgd, [(vma address, start, end)])."""
    text = out.decode("utf-8", "replace")
    m = re.search(r"^\s*MM\s+PGD.*\n\s*([0-9a-f]+)\s+([0-9a-f]+)", text, re.M)
    if not m:
        raise ValueError("no MM/PGD line in vm output:\n" + text)
    vmas = [(int(a, 16), int(s, 16), int(e, 16)) for a, s, e in
            re.findall(r"^([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+", text, re.M)]
    return int(m.group(1), 16), int(m.group(2), 16), vmas


def parse_p(out):
    """gdb's p through crash: the value (an integer) of "$N = ..." or "x = $N = ..."."""
    text = out.decode("utf-8", "replace")
    m = re.search(r"\$\d+ = (?:\([^)]*\) )?(0x[0-9a-f]+|\d+)", text)
    if not m:
        raise ValueError("no value in p output:\n" + text)
    return int(m.group(1), 0)


def parse_vtop_kernel(out):
    """vtop KVADDR: the physical address."""
    text = out.decode("utf-8", "replace")
    m = re.search(r"^VIRTUAL\s+PHYSICAL\s*\n[0-9a-f]+\s+([0-9a-f]+)", text, re.M)
    if not m:
        raise ValueError("no translation in vtop output:\n" + text)
    return int(m.group(1), 16)
