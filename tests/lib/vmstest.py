# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared helpers for vmscope's tests on real vmcores.

Every expected value a test checks comes from the dump's truth.json (the
kernel's own smaps, pagemap, /proc and /sys, captured in the guest), never
from vmscope's output.
"""
import functools
import json
import os
import re
import subprocess
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VMSCOPE = os.path.join(TOP, "scripts", "vmscope")
ENSURE = os.path.join(TOP, "test-vmcores", "ensure")
MARK = "@@vmscope-test@@"


@functools.lru_cache(maxsize=None)
def dumps(variant="full"):
    """{kernel name: dump directory} for a variant, made if missing."""
    r = subprocess.run([ENSURE, "--variant", variant, "--json"], stdout=subprocess.PIPE,
                       text=True, check=True)
    out = {}
    for line in r.stdout.splitlines():
        d = json.loads(line)
        out[d["kernel"]] = d["dir"]
    return out


@functools.lru_cache(maxsize=None)
def truth(dump_dir):
    with open(os.path.join(dump_dir, "truth.json")) as f:
        return json.load(f)


def run_crash(dump_dir, commands, vmcore="vmcore", crash=None, module=None, timeout=900,
              vmlinux=None):
    """Run commands in one batch session; return the raw output of each.

    Output of command i is everything the session printed (stdout and
    stderr merged) between its marker and the next.  Markers come from the
    module's hidden vmscope_mark, printed in the stream of crash's output
    and flushed (crash's echo and !echo are child processes whose output
    overtakes crash's buffer), so a command's error lines (stderr, not
    buffered) land in its own part, before its regular output."""
    return split_output(run_crash_raw(dump_dir, commands, vmcore, crash, module, timeout, vmlinux),
                        len(commands))


def run_crash_raw(dump_dir, commands, vmcore="vmcore", crash=None, module=None, timeout=900,
                  vmlinux=None):
    """The whole session's output (start-up and extend included), markers in."""
    args = [VMSCOPE]
    if crash:
        args += ["--crash", crash]
    if module:
        args += ["--module", module]
    args += [vmlinux or os.path.join(dump_dir, "vmlinux"), os.path.join(dump_dir, vmcore)]
    for i, c in enumerate(commands):
        args += ["-c", f"vmscope_mark {MARK} {i}", "-c", c]
    args += ["-c", f"vmscope_mark {MARK} end"]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return r.stdout


def split_output(raw, n):
    parts = re.split(rb"^" + MARK.encode() + rb" (\d+|end)\n", raw, flags=re.M)
    out = [None] * n
    for i in range(1, len(parts) - 1, 2):
        tag = parts[i].decode()
        if tag != "end":
            out[int(tag)] = parts[i + 1]
    if any(o is None for o in out):
        raise AssertionError("crash session ended early:\n" + raw.decode("utf-8", "replace")[-3000:])
    return out


def jsonl(raw):
    """Parse JSON Lines; every line must be a JSON object."""
    objs = []
    for line in raw.decode("utf-8").splitlines():
        if line.strip():
            objs.append(json.loads(line))
    return objs


def workload_pids(t):
    return [p["pid"] for p in t["processes"]]


def region(t, name):
    return t["regions"][name]


def pagemap_entries(proc):
    """{page address: pagemap entry} for every non-zero entry."""
    out = {}
    for vaddr, count, first, delta in proc["pagemap"]:
        for i in range(count):
            out[vaddr + i * 4096] = first + i * delta
    return out


PM_PRESENT = 1 << 63
PM_SWAP = 1 << 62
PFN_MASK = (1 << 55) - 1


class DumpTest(unittest.TestCase):
    """Tests over every kernel's dump; each test body runs in a subTest."""
    variant = "full"

    def each_dump(self):
        return [(name, d, truth(d)) for name, d in sorted(dumps(self.variant).items())]


KPF_COMPOUND_HEAD = 1 << 15
KPF_COMPOUND_TAIL = 1 << 16
KPF_HUGE = 1 << 17


def zero_pfns(t):
    """The 4 KiB zero page's pfn and the huge zero page's first pfn, as the
    kernel's pagemap showed them in the regions the workload read-faulted."""
    procs = {p["pid"]: p for p in t["processes"]}
    r = t["regions"]["read_nothp"]
    pm = pagemap_entries(procs[r["pid"]])
    zero = {pm[a] & PFN_MASK for a in range(r["start"], r["start"] + r["length"], 4096)}
    assert len(zero) == 1, zero
    r = t["regions"]["read_thp"]
    huge = pagemap_entries(procs[r["pid"]])[r["start"]] & PFN_MASK
    assert huge % 512 == 0
    return zero.pop(), huge


def per_page(runs):
    """{page address: value} from the truth's (first address, pages, value) runs."""
    return {vaddr + i * 4096: value for vaddr, count, value in runs for i in range(count)}


def kpageflags(proc):
    """{page address: kpageflags} of present pages."""
    return per_page(proc["kpageflags"])


def content(proc):
    """{page address: 0 data, 1 all zero, 2 unreadable} of present pages."""
    return per_page(proc["content"])


def is_anonymous(vma):
    """vma_is_anonymous(): no file and no vm_ops (special mappings have them)."""
    return vma["inode"] == 0 and vma["dev"] == "00:00" and vma["name"] in ("", "[heap]", "[stack]")


def page_states(t, proc, vma):
    """Per-page classification of a VMA from the kernel's pagemap."""
    zero, huge = zero_pfns(t)
    pm = pagemap_entries(proc)
    out = {}
    for a in range(vma["start"], vma["end"], 4096):
        e = pm.get(a, 0)
        if e & PM_PRESENT:
            pfn = e & PFN_MASK
            if pfn == zero:
                out[a] = ("zero", pfn)
            elif huge <= pfn < huge + 512:
                out[a] = ("huge_zero", pfn)
            else:
                out[a] = ("present", pfn)
        elif e & PM_SWAP:
            out[a] = ("swap", (e & 0x1f, (e & PFN_MASK) >> 5))
        else:
            out[a] = ("none", None)
    return out
