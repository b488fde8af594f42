# SPDX-License-Identifier: GPL-2.0-or-later
"""What differs between the ways a test vmcore is taken.

full   QEMU's dump-guest-memory over QMP, at the moment the truth is printed.
kdump  a real kdump: crashkernel=, kexec -p, sysrq c, makedumpfile -d 31/-d 1
       in the capture kernel onto virtio disks the host reads back.
live   crash itself runs inside the guest on /proc/kcore.
"""
import os


class Full:
    def __init__(self, args, kdir, work, out):
        self.a, self.kdir, self.work, self.out = args, kdir, work, out
        self.files = {}

    def initramfs_files(self):
        return []

    def modules(self):
        return []

    def cmdline(self):
        return ""

    def mem(self, mem):
        return mem

    def disks(self):
        return []

    def after_truth(self, qmp, proc, serial):
        qmp.cmd("stop")
        path = os.path.join(self.out, "vmcore")
        qmp.cmd("dump-guest-memory", paging=False, protocol=f"file:{path}",
                format="kdump-zlib")
        self.files["kdump-zlib"] = "vmcore"
        if self.a.elf:
            path = os.path.join(self.out, "vmcore.elf")
            qmp.cmd("dump-guest-memory", paging=False, protocol=f"file:{path}")
            self.files["elf"] = "vmcore.elf"
        qmp.cmd("quit")
        proc.wait(timeout=60)

    def dump_files(self):
        return self.files


def make(variant, args, kdir, work, out):
    if variant == "full":
        return Full(args, kdir, work, out)
    raise SystemExit(f"variant {variant} is not implemented yet")
