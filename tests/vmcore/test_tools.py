# SPDX-License-Identifier: GPL-2.0-or-later
"""The tools around the module: scripts/vmscope-triage (release from the
dump, vmlinux from a debuginfo root, top tasks against the kernel's own
smaps_rollup), scripts/vmscope-plot (well-formed SVG, hostile names) and the
packaging (make install, the RPM spec)."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import TOP, dumps, jsonl, run_crash, truth  # noqa: E402

TRIAGE = os.path.join(TOP, "scripts", "vmscope-triage")
PLOT = os.path.join(TOP, "scripts", "vmscope-plot")
SVG = "{http://www.w3.org/2000/svg}"
NO_SUCH_RELEASE = "0.0.1-vmscope-test-none"


def kdump_header(release, machine=b"x86_64"):
    """A kdump-compressed header (disk_dump_header) and nothing else."""
    uts = [b"Linux", b"host", release.encode(), b"#1 SMP", machine, b"(none)"]
    h = b"KDUMP   " + struct.pack("<i", 6) + b"".join(u.ljust(65, b"\0") for u in uts)
    return h.ljust(4096, b"\0")


def elf_with_vmcoreinfo(release):
    """An ELF64 core whose only segment is a VMCOREINFO note."""
    desc = f"OSRELEASE={release}\nPAGESIZE=4096\n".encode()
    note = struct.pack("<III", 11, len(desc), 0) + b"VMCOREINFO\0\0" + desc
    note = note.ljust((len(note) + 3) & ~3, b"\0")
    ehdr = (b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) +
            struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, 1, 64, 0, 0))
    phdr = struct.pack("<IIQQQQQQ", 4, 0, 64 + 56, 0, 0, len(note), len(note), 0)
    return ehdr + phdr + note


def flattened(image):
    """image in makedumpfile's flattened format, in two blocks out of order."""
    head = b"makedumpfile".ljust(16, b"\0") + struct.pack(">qq", 1, 1)
    head = head.ljust(4096, b"\0")
    half = len(image) // 2
    blocks = [(half, image[half:]), (0, image[:half])]
    body = b"".join(struct.pack(">qq", off, len(b)) + b for off, b in blocks)
    return head + body + struct.pack(">qq", -1, -1)


def triage(args, timeout=1800):
    r = subprocess.run([TRIAGE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


class Triage(unittest.TestCase):
    """Three dumps: the first kernels' kdump-compressed dumps (QEMU's: no
    release in the header, no VMCOREINFO: the banner) and the last one's ELF
    dump, plus a dump of a release with no vmlinux anywhere."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="vmscope-test-tools.")
        cls.root = os.path.join(cls.tmp, "root")
        boot = os.path.join(cls.root, "usr", "lib", "debug", "boot")
        os.makedirs(boot)
        cls.cases = []          # (dump path, truth)
        names = sorted(dumps("full"))
        for i, name in enumerate(names):
            d = dumps("full")[name]
            t = truth(d)
            rel = t["kernel"]["release"]
            os.symlink(os.path.realpath(os.path.join(d, "vmlinux")),
                       os.path.join(boot, "vmlinux-" + rel))
            kind = "elf" if i == len(names) - 1 else "kdump-zlib"
            cls.cases.append((os.path.join(d, t["dumps"][kind]), t))
        cls.missing = os.path.join(cls.tmp, "no-vmlinux.vmcore")
        with open(cls.missing, "wb") as f:
            f.write(kdump_header(NO_SUCH_RELEASE))
        cls.args = ["--json", "--debuginfo-root", cls.root] + [c[0] for c in cls.cases] + [cls.missing]
        cls.rc, cls.out, cls.err = triage(cls.args)
        cls.reports = [json.loads(line) for line in cls.out.splitlines() if line.strip()]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_one_object_per_dump(self):
        self.assertEqual(len(self.reports), len(self.cases) + 1, self.err)
        self.assertEqual([r["dump"] for r in self.reports], [c[0] for c in self.cases] + [self.missing])

    def test_release_and_vmlinux(self):
        for (path, t), rep in zip(self.cases, self.reports):
            with self.subTest(dump=path):
                rel = t["kernel"]["release"]
                self.assertNotIn("error", rep, rep.get("errors"))
                self.assertEqual(rep["release"], rel)
                self.assertEqual(rep["vmlinux"],
                                 os.path.join(self.root, "usr/lib/debug/boot", "vmlinux-" + rel))

    def test_top_tasks(self):
        """The workload is among the top by Rss, with the kernel's own Rss;
        the rankings are sorted; the system settings are there."""
        for (path, t), rep in zip(self.cases, self.reports):
            with self.subTest(dump=path):
                procs = {p["pid"]: p for p in t["processes"]}
                wl = t["regions"]["written"]["pid"]
                by_rss = rep["tasks"]["by_rss"]
                got = {o["pid"]: o for o in by_rss}
                self.assertIn(wl, got)
                self.assertEqual(got[wl]["Rss"], procs[wl]["rollup"]["fields"]["Rss"])
                self.assertEqual(got[wl]["Anonymous"], procs[wl]["rollup"]["fields"]["Anonymous"])
                self.assertEqual(got[wl]["AnonHugePages"], procs[wl]["rollup"]["fields"]["AnonHugePages"])
                for key, field in (("by_rss", "Rss"), ("by_anon", "Anonymous"),
                                   ("by_thp", "AnonHugePages"), ("by_zero_waste", "zero_content_kb")):
                    vals = [o[field] for o in rep["tasks"][key]]
                    self.assertEqual(vals, sorted(vals, reverse=True), key)
                    self.assertLessEqual(len(vals), 5)
                self.assertIn(wl, [o["pid"] for o in rep["tasks"]["by_thp"]])
                # the workload wrote 256 pages of zeros into "written", and more
                waste = {o["pid"]: o for o in rep["tasks"]["by_zero_waste"]}
                self.assertIn(wl, waste)
                self.assertGreaterEqual(waste[wl]["zerofill"]["zero_content_pages"], 256)
                vm = "/proc/sys/vm/"
                thp = "/sys/kernel/mm/transparent_hugepage/"
                self.assertEqual(rep["sys"]["overcommit_memory"], int(t["sys"][vm + "overcommit_memory"]))
                self.assertEqual(rep["sys"]["overcommit_ratio"], int(t["sys"][vm + "overcommit_ratio"]))
                self.assertEqual(rep["sys"]["thp_enabled"], t["sys"][thp + "enabled"].strip())
                self.assertEqual(rep["errors"], [])

    def test_missing_vmlinux(self):
        self.assertEqual(self.rc, 1, self.err)
        rep = self.reports[-1]
        self.assertEqual(rep["release"], NO_SUCH_RELEASE)
        self.assertIn("no vmlinux", rep["error"])
        self.assertIsNone(rep["vmlinux"])

    def test_jobs(self):
        """--jobs 2: the same reports, in the same order."""
        rc, out, err = triage(["--jobs", "2"] + self.args)
        self.assertEqual(rc, self.rc, err)
        self.assertEqual([json.loads(line) for line in out.splitlines() if line.strip()], self.reports)
        self.assertEqual(err, "", "no progress line when stderr is not a terminal")

    def test_text(self):
        path, t = self.cases[0]
        rc, out, err = triage(["--debuginfo-root", self.root, "--top", "3", path, self.missing])
        self.assertEqual(rc, 1, err)
        self.assertIn(f"release   {t['kernel']['release']} (from the banner)", out)
        self.assertIn("Top by Rss:", out)
        self.assertIn("Top by zero-fill waste", out)
        wl = t["regions"]["written"]["pid"]
        rows = out.split("Top by Rss:")[1].split("\n\n")[0].splitlines()[2:]
        self.assertEqual(len(rows), 3)
        self.assertIn(str(wl), [r.split()[0] for r in rows])
        self.assertIn(f"== {self.missing}\nrelease   {NO_SUCH_RELEASE} (from the kdump header)\n"
                      "ERROR     no vmlinux", out)


class TriageRelease(unittest.TestCase):
    """Where the release comes from, on made-up files (no crash runs: the
    release has no vmlinux, so each dump ends with an error object)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="vmscope-test-release.")
        self.root = os.path.join(self.tmp, "root")
        os.makedirs(self.root)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def report(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        rc, out, err = triage(["--json", "--debuginfo-root", self.root, path], timeout=60)
        self.assertEqual(rc, 1, err)
        objs = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(objs), 1)
        return objs[0]

    def test_sources(self):
        rel = "6.7.8-test+1"
        for name, data, source in [
                ("kdump", kdump_header(rel), "kdump header"),
                ("flat", flattened(kdump_header(rel)), "kdump header"),
                ("elf", elf_with_vmcoreinfo(rel), "vmcoreinfo"),
                ("banner.elf", self.banner_elf(rel), "banner")]:
            with self.subTest(name=name):
                rep = self.report(name, data)
                self.assertEqual((rep["release"], rep["release_source"]), (rel, source))
                self.assertIn("no vmlinux for " + rel, rep["error"])

    @staticmethod
    def banner_elf(rel):
        """An ELF64 core with one PT_LOAD holding a kernel banner."""
        mem = (b"\0" * 5000 + f"Linux version {rel} (builder@host) (gcc 12) #1 SMP\n".encode()
               + b"\0" * 100)
        ehdr = (b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) +
                struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, 1, 64, 0, 0))
        phdr = struct.pack("<IIQQQQQQ", 1, 6, 64 + 56, 0, 0x1000000, len(mem), len(mem), 0)
        return ehdr + phdr + mem

    def test_hostile_release(self):
        """A release that would climb out of the debuginfo root is refused."""
        rep = self.report("evil", kdump_header("../../../../etc/passwd"))
        self.assertIsNone(rep["release"])
        self.assertIn("implausible kernel release", rep["error"])

    def test_not_a_dump(self):
        rep = self.report("text", b"hello\n" * 100)
        self.assertIn("not a dump", rep["error"])


class Plot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="vmscope-test-plot.")
        name = sorted(dumps("full"))[0]
        d = dumps("full")[name]
        t = truth(d)
        cls.pid = t["regions"]["file_hostile"]["pid"]
        runs, smaps = run_crash(d, [f"pageruns -j {cls.pid}", f"smaps -j {cls.pid}"])
        cls.runs = os.path.join(cls.tmp, "runs.json")
        cls.smaps = os.path.join(cls.tmp, "smaps.json")
        with open(cls.runs, "wb") as f:
            f.write(runs)
        with open(cls.smaps, "wb") as f:
            f.write(smaps)
        cls.kinds = {o["kind"] for o in jsonl(runs)}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def plot(self, *args, stdin=None):
        r = subprocess.run([PLOT, "--no-png"] + list(args), input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def rects(self, root):
        out = {}
        for e in root.iter(SVG + "rect"):
            c = (e.get("class") or "").split()
            if len(c) == 2:
                out.setdefault(c[0], set()).add(c[1])
        return out

    def test_svg(self):
        out = os.path.join(self.tmp, "map.svg")
        self.plot("--smaps", self.smaps, "-o", out, self.runs)
        root = ET.parse(out).getroot()
        self.assertEqual(root.tag, SVG + "svg")
        rects = self.rects(root)
        self.assertTrue(self.kinds)
        self.assertLessEqual(self.kinds, rects["run"])
        self.assertLessEqual(self.kinds, rects["legend"])
        texts = [e.text or "" for e in root.iter(SVG + "text")]
        # the hostile file name, escaped, one line; the workload's own names
        evil = [s for s in texts if "evil" in s]
        self.assertTrue(evil)
        for s in evil:
            self.assertNotIn("\n", s)
            self.assertIn("\\x0aname", s)
        self.assertTrue(any("[heap]" in s for s in texts))
        self.assertTrue(any(f"pid {self.pid}" in s for s in texts))
        self.assertLess(os.path.getsize(out), 1 << 20)

    def test_stdin(self):
        with open(self.runs, "rb") as f:
            svg = self.plot(stdin=f.read())
        root = ET.fromstring(svg)
        self.assertLessEqual(self.kinds, self.rects(root)["run"])

    def test_hostile_text(self):
        """Names, commands and titles with markup, controls, NUL and bytes
        that are not UTF-8 stay text."""
        evil = "</text><script>alert(1)</script>&amp;\"'\x00\x1b[31m\udcff\u2028"
        runs = [{"type": "run", "pid": 7, "comm": evil, "start": "1000", "end": "3000", "pages": 2,
                 "kind": "file", "file": evil, "vma_start": "1000"},
                {"type": "run", "pid": 7, "comm": evil, "start": "3000", "end": "4000", "pages": 1,
                 "kind": "nonsense<>", "vma_start": "1000"}]
        smaps = [{"type": "vma", "pid": 7, "start": "1000", "end": "4000", "perms": "r<&p",
                  "name": evil, "name_hex": "3c2f746578743efffe0a"}]
        data = ("crash noise line\n" + "\n".join(json.dumps(r) for r in runs) + "\n").encode()
        sm = os.path.join(self.tmp, "evil-smaps.json")
        with open(sm, "w") as f:
            f.write("\n".join(json.dumps(o) for o in smaps) + "\n")
        for args in ([], ["--smaps", sm], ["--title", evil.replace("\x00", "")]):
            with self.subTest(args=args):
                root = ET.fromstring(self.plot(*args, stdin=data))
                self.assertFalse([e for e in root.iter() if "script" in e.tag])
                texts = "".join(e.text or "" for e in root.iter(SVG + "text"))
                self.assertIn("</text><script>", texts)
                self.assertNotIn("\x00", texts)
                self.assertNotIn("\x1b", texts)


class Packaging(unittest.TestCase):
    def test_make_install(self):
        with tempfile.TemporaryDirectory(prefix="vmscope-test-install.") as dest:
            r = subprocess.run(["make", "-s", "install", f"DESTDIR={dest}"], cwd=TOP,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
            self.assertEqual(r.returncode, 0, r.stdout)
            so = os.path.join(dest, "usr", "lib", "crash", "extensions", "vmscope.so")
            with open(so, "rb") as f:
                self.assertEqual(f.read(4), b"\x7fELF")
            self.assertTrue(os.access(so, os.R_OK))

    def test_rpmspec(self):
        if not shutil.which("rpmspec"):
            self.skipTest("no rpmspec (Debian: apt-get install rpm)")
        r = subprocess.run(["rpmspec", "-P", os.path.join(TOP, "packaging", "rpm", "vmscope.spec")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("License:        GPL-2.0-or-later", r.stdout)
        self.assertIn("/crash/extensions/vmscope.so", r.stdout)


if __name__ == "__main__":
    unittest.main()
