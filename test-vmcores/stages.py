# SPDX-License-Identifier: GPL-2.0-or-later
"""What differs between the ways a test vmcore is taken.

full   QEMU's dump-guest-memory over QMP, at the moment the truth is printed.
kdump  a real kdump: crashkernel=, kexec -p, sysrq c, makedumpfile -d 31/-d 1
       in the capture kernel onto virtio disks the host reads back.
live   crash itself runs inside the guest on /proc/kcore.

kdump writes DIR/vmcore-d31 and DIR/vmcore-d1 (kdump-compressed, zlib, made
by makedumpfile 1.7.6 of Debian trixie in the capture kernel; -R on the host).

live writes
  DIR/live.out   crash's output (stdout and stderr), line-buffered
  DIR/live.cmds  the command file crash ran, placeholders expanded
  DIR/live.json  {"rc": crash's exit status, "pids": [...],
                  "commands": [{"n": N, "command": TEXT, "output": TEXT}]}
The command file given with --live-commands holds crash commands, one a line
(blank lines and lines starting with # are skipped).  {PIDS} is replaced by
the workload's pids (space-separated, as in /tmp/ready), {PID0}, {PID1} and
{PID2} by each of them (parent, child, nothp child).  Before the commands
crash runs "extend /mnt/vmscope.so"; every command, the extend included, is
preceded by a marker command "!echo @@vmscope-live@@ N" (N = 0 for the
extend, then 1, 2, ... for the lines of the file), and "!echo @@vmscope-live@@
end" ends the file, so live.out splits on lines "@@vmscope-live@@ N|end"; what
precedes marker 0 is crash's start-up.  live.json has "complete": true when
the end marker came (the make fails otherwise).
"""
import gzip
import json
import os
import shutil
import stat
import subprocess
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.join(HERE, "guest")
TOP = os.path.dirname(HERE)
CACHE = os.environ.get("VMSCOPE_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "vmscope")

S_IFDIR = 0o040000
S_IFLNK = 0o120000
MARKER = "@@vmscope-live@@"


def log(msg):
    import sys
    print(f"make-vmcore: {msg}", file=sys.stderr, flush=True)


def ldd(path):
    """The shared libraries (and the ELF interpreter) ldd names for PATH."""
    out = subprocess.run(["ldd", path], stdout=subprocess.PIPE, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        w = line.split()
        if "=>" in w:
            i = w.index("=>")
            if i + 1 < len(w) and w[i + 1].startswith("/"):
                libs.append(w[i + 1])
        elif w and w[0].startswith("/"):
            libs.append(w[0])
    return libs


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Tree:
    """Files for an initramfs: make_initramfs' (name, data, mode) triples,
    with the parent directories first (the kernel does not make them)."""

    def __init__(self):
        self.items, self.dirs = [], set()

    def _parents(self, name):
        parts = name.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.dirs:
                self.dirs.add(d)
                self.items.append((d, b"", S_IFDIR | 0o755))

    def file(self, name, data, mode=0o644):
        name = name.lstrip("/")
        self._parents(name)
        self.items.append((name, data, mode))

    def symlink(self, name, target):
        name = name.lstrip("/")
        self._parents(name)
        self.items.append((name, target.encode(), S_IFLNK | 0o777))

    def program(self, path, dest=None):
        """A dynamically linked program and the libraries ldd names, at their paths."""
        self.file(dest or path, read(path), 0o755)
        for lib in ldd(path):
            if lib.lstrip("/") not in {i[0] for i in self.items}:
                self.file(lib, read(lib), 0o755)


def sh(cmd, **kw):
    return subprocess.run(["bash", "-c", cmd], check=True, **kw)


class Full:
    def __init__(self, args, kdir, work, out, host=None):
        self.a, self.kdir, self.work, self.out, self.host = args, kdir, work, out, host
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


# ---- kdump ----------------------------------------------------------------

MAKEDUMPFILE_VERSION = "1:1.7.6-1"


def makedumpfile_capture():
    """makedumpfile 1.7.6 of trixie (bookworm's 1.7.2 writes 6.12 dumps crash
    9.0.2 cannot open), downloaded once into the cache and unpacked."""
    ver = MAKEDUMPFILE_VERSION.split(":")[-1]
    dest = os.path.join(CACHE, f"makedumpfile-{ver}")
    binary = os.path.join(dest, "usr", "bin", "makedumpfile")
    if os.path.exists(binary):
        return binary
    dl = os.path.join(CACHE, "debs", "trixie")
    os.makedirs(dl, exist_ok=True)
    debs = [f for f in os.listdir(dl) if f.startswith("makedumpfile_") and ver in f]
    if not debs:
        common = os.path.join(TOP, "scripts", "lib", "common.sh")
        sh(f'. "{common}" && cd "{dl}" && '
           f'apt_suite trixie apt-get -q download makedumpfile={MAKEDUMPFILE_VERSION} >&2')
        debs = [f for f in os.listdir(dl) if f.startswith("makedumpfile_") and ver in f]
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", os.path.join(dl, debs[0]), tmp], check=True)
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    return binary


def sparse(path, size):
    with open(path, "wb") as f:
        f.truncate(size)


class Kdump(Full):
    LEVELS = (31, 1)
    CAPTURE_APPEND = "console=ttyS0 nokaslr reset_devices irqpoll nr_cpus=1 nousb panic=-1 loglevel=4"

    def capture_initramfs(self):
        h = self.host
        c = h.Cpio()
        for d in ("bin", "dev", "proc", "sys", "tmp", "lib", "lib/modules", "usr", "usr/bin"):
            c.dir(d)
        bb = h.busybox_path()
        c.file("bin/busybox", read(bb), 0o755)
        for a in subprocess.run([bb, "--list"], stdout=subprocess.PIPE, text=True).stdout.split():
            if a != "busybox":
                c.symlink(f"bin/{a}", "busybox")
        c.file("init", read(os.path.join(GUEST, "kdump-init.sh")), 0o755)
        t = Tree()
        t.dirs.update(("lib", "usr", "usr/bin"))
        t.program(makedumpfile_capture(), "usr/bin/makedumpfile")
        for name, data, mode in t.items:
            if stat.S_ISDIR(mode):
                c.dir(name)
            else:
                c.file(name, data, mode)
        h.add_modules(c, os.path.join(self.kdir, "modules"), ["virtio_pci", "virtio_blk"])
        return gzip.compress(c.bytes(), compresslevel=6)

    def initramfs_files(self):
        t = Tree()
        t.dirs.update(("bin", "lib", "usr", "usr/bin", "etc", "var", "tmp"))
        t.program("/usr/sbin/kexec")
        t.file("kdump/vmlinuz", read(os.path.join(self.kdir, "vmlinuz")))
        t.file("kdump/initrd.gz", self.capture_initramfs())
        t.file("kdump/cmdline", self.CAPTURE_APPEND.encode() + b"\n")
        t.file("stage.sh", read(os.path.join(GUEST, "stage-kdump.sh")), 0o755)
        return t.items

    def cmdline(self):
        # vdso=0: the vDSO page is mapped by every process, so its mapcount
        # (and every task's Pss) moves when truth or the panicking shell
        # come and go between the capture and the dump.
        return "crashkernel=256M vdso=0"

    def mem(self, mem):
        return max(mem, 1024)

    def disks(self):
        out = []
        for lvl in self.LEVELS:
            img = os.path.join(self.work, f"d{lvl}.img")
            sparse(img, 4 << 30)
            out.append((img, f"kdump-d{lvl}", False))
        return out

    def after_truth(self, qmp, proc, serial):
        t0 = time.time()
        timeout = max(self.a.timeout, 1200)
        if not self.host.wait_serial(serial, "VMS KDUMP-DONE", proc, timeout):
            raise SystemExit(f"make-vmcore: the capture kernel did not finish (see {serial})")
        try:
            proc.wait(timeout=120)     # reboot -f ends QEMU (-no-reboot)
        except subprocess.TimeoutExpired:
            proc.kill()
        with open(serial, "rb") as f:
            log_ = f.read()
        log(f"capture kernel done after {time.time() - t0:.0f} s")
        for lvl in self.LEVELS:
            if f"VMS KDUMP d{lvl} rc=0".encode() not in log_:
                raise SystemExit(f"make-vmcore: makedumpfile -d {lvl} failed in the capture "
                                 f"kernel (see {serial})")
            name = f"vmcore-d{lvl}"
            path = os.path.join(self.out, name)
            if os.path.exists(path):
                os.unlink(path)
            with open(os.path.join(self.work, f"d{lvl}.img"), "rb") as img:
                subprocess.run(["makedumpfile", "-R", path], stdin=img, check=True,
                               stdout=subprocess.DEVNULL)
            self.files[f"kdump-d{lvl}"] = name


# ---- live -------------------------------------------------------------------

LIBSTDBUF = "/usr/libexec/coreutils/libstdbuf.so"


def live_commands(path):
    """The user's command lines, and the command file crash runs in the guest."""
    cmds = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                cmds.append(line)
    out = [f"!echo {MARKER} 0", "extend /mnt/vmscope.so"]
    for n, c in enumerate(cmds, 1):
        out += [f"!echo {MARKER} {n}", c]
    out.append(f"!echo {MARKER} end")
    return cmds, "\n".join(out) + "\n"


def split_live(text, cmds):
    """live.out cut at the markers: [{n, command, output}], and whether the
    end marker came (crash ran to the end of the file)."""
    parts, cur = [], None
    for line in text.splitlines(keepends=True):
        w = line.split()
        if len(w) == 2 and w[0] == MARKER and w[1] == "end":
            return parts, True
        if len(w) == 2 and w[0] == MARKER and w[1].isdigit():
            n = int(w[1])
            cur = {"n": n, "command": cmds[n] if n < len(cmds) else None, "output": ""}
            parts.append(cur)
        elif cur is not None:
            cur["output"] += line
    return parts, False


class Live(Full):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        for opt in ("crash", "extension", "live_commands"):
            v = getattr(self.a, opt)
            if not v or not os.path.exists(v):
                raise SystemExit(f"make-vmcore: the live variant needs --{opt.replace('_', '-')} "
                                 f"(an existing file, not {v!r})")

    def initramfs_files(self):
        t = Tree()
        t.file("stage.sh", read(os.path.join(GUEST, "stage-live.sh")), 0o755)
        return t.items

    def cmdline(self):
        # crash runs as one more process: keep the vDSO page (mapped by all)
        # out of the workload's Pss, as for kdump.
        return "vdso=0"

    def mem(self, mem):
        return max(mem, 3072)

    def disks(self):
        d = os.path.join(self.work, "live")
        os.makedirs(os.path.join(d, "root"))
        shutil.copy(self.a.crash, os.path.join(d, "crash"))
        subprocess.run(["strip", os.path.join(d, "crash")], check=True)
        libs = set(ldd(self.a.crash)) | set(ldd(self.a.extension)) | {LIBSTDBUF}
        libs |= set(ldd(LIBSTDBUF))
        for lib in sorted(libs):
            dst = os.path.join(d, "root", lib.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(lib, dst)      # follows symlinks
        try:        # mke2fs -d copies it anyway: a hard link saves a copy
            os.link(os.path.join(self.kdir, "vmlinux"), os.path.join(d, "vmlinux"))
        except OSError:
            shutil.copy(os.path.join(self.kdir, "vmlinux"), os.path.join(d, "vmlinux"))
        shutil.copy(self.a.extension, os.path.join(d, "vmscope.so"))
        _, text = live_commands(self.a.live_commands)
        with open(os.path.join(d, "cmds"), "w") as f:
            f.write(text)
        size = 0
        for root, _, files in os.walk(d):
            for fn in files:
                size += os.path.getsize(os.path.join(root, fn))
        size = (size * 11 // 10 + (64 << 20)) >> 20
        img = os.path.join(self.work, "live.img")
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", d, img, f"{size}M"],
                       check=True, stdout=subprocess.DEVNULL)
        shutil.rmtree(d)
        outimg = os.path.join(self.work, "liveout.img")
        sparse(outimg, 1 << 30)
        return [(img, "vms-live", True), (outimg, "vms-liveout", False)]

    def after_truth(self, qmp, proc, serial):
        t0 = time.time()
        timeout = max(self.a.timeout, 1500)
        if not self.host.wait_serial(serial, "VMS LIVE-DONE", proc, timeout):
            raise SystemExit(f"make-vmcore: crash did not finish in the guest (see {serial})")
        log(f"live crash done after {time.time() - t0:.0f} s")
        try:
            qmp.cmd("quit")
        except (OSError, RuntimeError):
            pass
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        got = {}
        try:
            with tarfile.open(os.path.join(self.work, "liveout.img"), "r:") as tf:
                for m in tf.getmembers():
                    if m.isfile():
                        got[m.name.lstrip("./")] = tf.extractfile(m).read()
        except tarfile.TarError as e:
            raise SystemExit(f"make-vmcore: no output from the guest's crash ({e}; see {serial})")
        for need in ("cmds", "live.out", "live.rc"):
            if need not in got:
                raise SystemExit(f"make-vmcore: the guest's output lacks {need} (see {serial})")
        with open(os.path.join(self.out, "live.out"), "wb") as f:
            f.write(got["live.out"])
        with open(os.path.join(self.out, "live.cmds"), "wb") as f:
            f.write(got["cmds"])
        # The commands as run: each follows its marker line.
        ran = got["cmds"].decode("utf-8", "replace").splitlines()[1:-1:2]
        rc = int(got["live.rc"].split()[0])
        pids = []
        with open(serial, "rb") as f:
            for line in f.read().split(b"\n"):
                i = line.find(b"VMS LIVE START")
                if i >= 0:
                    pids = [int(x) for x in line[i:].split()[3:]]
        parts, complete = split_live(got["live.out"].decode("utf-8", "replace"), ran)
        with open(os.path.join(self.out, "live.json"), "w") as f:
            json.dump({"rc": rc, "pids": pids, "complete": complete, "commands": parts}, f,
                      indent=1)
        if rc not in (0, 1):     # 1 is crash's status at the end of its input
            log(f"warning: crash exited with status {rc} in the guest (see live.out)")
        if not complete:
            raise SystemExit("make-vmcore: crash did not run all the commands in the guest "
                             f"(see {os.path.join(self.out, 'live.out')})")
        self.files["live"] = "live.out"


def make(variant, args, kdir, work, out, host=None):
    cls = {"full": Full, "kdump": Kdump, "live": Live}.get(variant)
    if cls is None:
        raise SystemExit(f"variant {variant} is not implemented")
    return cls(args, kdir, work, out, host)
