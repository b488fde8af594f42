# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn the test guest's serial console into the ground truth (truth.json).

The guest's truth program (guest/truth.c) prints the kernel's own files as
hex.  This module decodes them and parses smaps into per-VMA records, keeping
the raw bytes too (as hex) so that tests can compare byte for byte.

truth.json layout:
  processes: [{pid, comm, comm_hex, stable, smaps_hex, rollup_hex,
               vmas: [{start, end, perms, offset, dev, inode, name, name_hex,
                       fields: {Size: kB, ...}, THPeligible, VmFlags, ...}],
               rollup: {fields...}, status: {...},
               pagemap: [[vaddr, count, first_entry, delta]...],   # nonzero runs
               content: [[vaddr, count, state]...],                # 0 data, 1 zero, 2 unreadable
               kpageflags: [[vaddr, count, flags]...]}]            # of present pages
  regions: {name: {pid, start, length}}   # what the workload says it made
  zombie: pid of an exited, unreaped child (no mm)
  sys: {path: text}
"""
import re

HEADER = re.compile(rb"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\d+)(?: +(.*))?$")
FIELD = re.compile(rb"^([A-Za-z_]+):\s+(\d+) kB$")


class TruthError(Exception):
    pass


def parse_smaps(raw):
    """Split smaps text into VMA records; unknown lines are kept in 'other'."""
    vmas = []
    for line in raw.split(b"\n"):
        if not line:
            continue
        m = HEADER.match(line)
        if m:
            name = m.group(8) or b""
            vmas.append({
                "start": int(m.group(1), 16), "end": int(m.group(2), 16),
                "perms": m.group(3).decode(), "offset": int(m.group(4), 16),
                "dev": (m.group(5) + b":" + m.group(6)).decode(),
                "inode": int(m.group(7)),
                "name": name.decode("utf-8", "backslashreplace"),
                "name_hex": name.hex(), "header_hex": line.hex(),
                "fields": {}, "order": [],
            })
            continue
        if not vmas:
            raise TruthError(f"smaps line before any header: {line[:80]!r}")
        v = vmas[-1]
        m = FIELD.match(line)
        key = line.split(b":", 1)[0].decode("ascii", "replace")
        v["order"].append(key)
        if m:
            v["fields"][key] = int(m.group(2))
        elif line.startswith(b"VmFlags:"):
            v["VmFlags"] = line[8:].decode().strip()
        elif line.startswith(b"THPeligible:"):
            v["THPeligible"] = int(line.split()[1])
        elif line.startswith(b"ProtectionKey:"):
            v["ProtectionKey"] = int(line.split()[1])
        else:
            v.setdefault("other", []).append(line.decode("utf-8", "backslashreplace"))
    return vmas


def parse_kv(raw):
    """'Key:   value [kB]' lines (status, meminfo) into {key: text}."""
    out = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def parse_serial(log):
    blobs, sums, done = {}, {}, False
    procs, order, regions, ready, zombie = {}, [], {}, [], None
    for raw in log.split(b"\n"):
        line = raw.rstrip(b"\r")
        i = line.find(b"VMS ")
        if i < 0:
            continue
        f = line[i:].decode("ascii", "replace").split(" ")
        kind = f[1]
        if kind == "HEX":
            blobs.setdefault(f[2], bytearray()).extend(bytes.fromhex(f[3]))
        elif kind == "END":
            sums[f[2]] = (int(f[3]), int(f[4]))
        elif kind == "REGION":
            regions[f[3]] = {"pid": int(f[2]), "start": int(f[4], 16), "length": int(f[5], 16)}
        elif kind == "ZOMBIE":
            zombie = int(f[2])
        elif kind == "READY":
            ready = [int(x) for x in f[2:]]
        elif kind == "PROC":
            pid = int(f[2])
            procs[pid] = {"pid": pid, "pagemap": [], "content": [], "kpageflags": []}
            order.append(pid)
        elif kind == "PM":
            procs[int(f[2])]["pagemap"].append([int(f[3], 16), int(f[4]), int(f[5], 16), int(f[6])])
        elif kind == "ZERO":
            procs[int(f[2])]["content"].append([int(f[3], 16), int(f[4]), int(f[5])])
        elif kind == "KPF":
            procs[int(f[2])]["kpageflags"].append([int(f[3], 16), int(f[4]), int(f[5], 16)])
        elif kind == "STABLE":
            procs[int(f[2])]["stable"] = f[3] == "1"
        elif kind in ("GONE", "PMERR", "MISSING"):
            raise TruthError("guest truth: " + " ".join(f))
        elif kind == "TRUTH-DONE":
            done = True
    if not done:
        raise TruthError("the serial log has no VMS TRUTH-DONE")
    for tag, data in blobs.items():
        n, s = sums.get(tag, (-1, -1))
        chk = 0
        for c in data:
            chk = (chk * 31 + c) & 0xffffffff
        if n != len(data) or s != chk:
            raise TruthError(f"blob {tag} is damaged on the console ({len(data)} of {n} bytes)")

    out = {"processes": [], "regions": regions, "ready": ready, "zombie": zombie, "sys": {}}
    for pid in order:
        p = procs[pid]
        comm = bytes(blobs[f"comm.{pid}"]).rstrip(b"\n")
        p["comm"] = comm.decode("utf-8", "backslashreplace")
        p["comm_hex"] = comm.hex()
        smaps = bytes(blobs[f"smaps.{pid}"])
        p["smaps_hex"] = smaps.hex()
        p["vmas"] = parse_smaps(smaps)
        rollup = bytes(blobs[f"rollup.{pid}"])
        p["rollup_hex"] = rollup.hex()
        r = parse_smaps(rollup)
        p["rollup"] = r[0] if r else None
        p["status"] = parse_kv(bytes(blobs[f"status.{pid}"]))
        out["processes"].append(p)
    for tag, data in blobs.items():
        if tag.startswith("sys:"):
            out["sys"][tag[4:]] = bytes(data).decode("utf-8", "replace")
    return out
