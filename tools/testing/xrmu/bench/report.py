#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: turn the guests' BENCH lines into a table and results.json.

Every ratio is computed here from numbers measured in the same run; nothing
is assumed.  Usage:
  report.py --json OUT.json [--mode det|wall] [options] guest-*.txt
  report.py --insn-log QEMU-LOG      (det: the counter's marks, the traced
                                      accesses counted between them)
  report.py --compare A.json B.json [--tolerance 0.01]   (repeatability)
"""

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict

SETUPS = ["none", "intel-iommu", "virtio-iommu", "xrmu", "xrmu-nocheck"]
MODES = ["none", "strict", "lazy"]
PT_CASES = ["4k-contig", "4k-scatter", "4k-x512", "2m", "1g"]
# xrmu_pgtable_bench's formats: generic_pt's xrmu (the driver's), vtdss,
# x86_64, amdv1, and io-pgtable-arm's LPAE (the page-table target's peer).
PT_FMTS = ["xrmu", "vtdss", "x86_64", "amdv1", "arm-lpae"]
TARGETS = {
    "strict": 0.7,  # xrmu strict map+unmap <= 0.7 x intel-iommu strict
    "lazy": 0.6,  # xrmu lazy map+unmap <= 0.6 x intel-iommu lazy
    "pgtable": 0.8,  # generic_pt xrmu map+unmap <= 0.8 x io-pgtable-arm
    "fio": 0.9,  # xrmu lazy IOPS >= 0.9 x no IOMMU
}


def num(v):
    try:
        return int(v)
    except ValueError:
        return float(v)


def parse(paths):
    recs = defaultdict(list)
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                w = line.split()
                if len(w) < 2 or w[0] != "BENCH":
                    continue
                kv = dict(x.split("=", 1) for x in w[2:] if "=" in x)
                recs[w[1]].append({k: num(v) if k not in (
                    "setup", "mode", "fmt", "case", "op", "rw", "bs", "buf",
                    "dev", "iommu", "type", "reg", "phase", "ev") else v
                    for k, v in kv.items()})
    return recs


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def fmt_r(r):
    return "-" if r is None else "%.2f" % r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--mode", default="wall", choices=("det", "wall"))
    ap.add_argument("--insn-log")
    ap.add_argument("--compare", nargs=2)
    ap.add_argument("--tolerance", type=float, default=0.01)
    ap.add_argument("--plot")
    ap.add_argument("--kernel-sha")
    ap.add_argument("--qemu-sha")
    ap.add_argument("--cmd-latency-ns", type=int)
    ap.add_argument("--seconds", type=int)
    ap.add_argument("--fio-seconds", type=int)
    ap.add_argument("--kernel")
    ap.add_argument("--load-start", help="/proc/loadavg at the start")
    ap.add_argument("--load-end", help="/proc/loadavg at the end")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.insn_log:
        return insn_log(a.insn_log)
    if a.compare:
        return compare(a.compare[0], a.compare[1], a.tolerance)
    if not a.json or not a.files:
        ap.error("--json and guest files are required")
    if a.mode == "det":
        return det_main(a)
    recs = parse(a.files)
    res = {"meta": {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "kernel": a.kernel, "dma_seconds": a.seconds,
                    "fio_seconds": a.fio_seconds, "accel": "tcg",
                    "host_loadavg_start": a.load_start,
                    "host_loadavg_end": a.load_end,
                    "endpoint": "edu (dma_mask full), 32-bit DMA mask",
                    "disk": "QEMU nvme, 256 MiB raw image"},
           "attach": recs["attach"]}
    out = []

    # 1. DMA map/unmap.
    fine = {(r["setup"], r["mode"], r["threads"], r["granule"]): r
            for r in recs["fine"]}
    tool = {(r["setup"], r["mode"], r["threads"], r["granule"]): r
            for r in recs["dmabench"]}
    dma = []
    out.append("1. Streaming DMA map/unmap on edu, ns per operation "
               "(xrmu_dma_bench: mean, sd of the samples, median; ratios "
               "of the medians of map+unmap; 'tool': the kernel's "
               "dma_map_benchmark, us, 0.1 us resolution)")
    out.append("%-12s %-6s %1s %2s %17s %5s %17s %5s %9s %6s %6s" % (
        "setup", "mode", "t", "pg", "map mean (sd)", "med",
        "unmap mean (sd)", "med", "tool m/u", "/intel", "/none"))
    for s in SETUPS:
        for m in MODES:
            for t in (1, 2):
                for g in (1, 16):
                    r = fine.get((s, m, t, g))
                    if not r:
                        continue
                    mp, up = r["map_ps"] / 1000, r["unmap_ps"] / 1000

                    def med(x):
                        return (x["map_med_ps"] + x["unmap_med_ps"]) / 1000

                    ref = fine.get(("intel-iommu", m, t, g))
                    none = fine.get(("none", "none", t, g))
                    ri = ratio(med(r), med(ref) if ref else None)
                    rn = ratio(med(r), med(none) if none else None)
                    ri_mean = ratio(mp + up, (ref["map_ps"] + ref["unmap_ps"])
                                    / 1000 if ref else None)
                    tr = tool.get((s, m, t, g))
                    row = {"setup": s, "mode": m, "threads": t, "granule": g,
                           "loops": r["loops"], "map_ns": round(mp, 1),
                           "map_sd_ns": round(r["map_sd_ps"] / 1000, 1),
                           "unmap_ns": round(up, 1),
                           "unmap_sd_ns": round(r["unmap_sd_ps"] / 1000, 1),
                           "map_median_ns": r["map_med_ps"] / 1000,
                           "unmap_median_ns": r["unmap_med_ps"] / 1000,
                           "mean_ratio_to_intel_iommu": ri_mean,
                           "clock_read_ns": round(r["clock_ps"] / 1000, 1),
                           "ratio_to_intel_iommu": ri, "ratio_to_none": rn}
                    if tr:
                        row["tool"] = {k: tr[k] for k in (
                            "map_us", "map_sd_us", "unmap_us", "unmap_sd_us")}
                    dma.append(row)
                    out.append("%-12s %-6s %1d %2d %7.0f (%7.0f) %5.0f %7.0f (%7.0f) %5.0f %4s/%-4s %6s %6s" % (
                        s, m, t, g, mp, r["map_sd_ps"] / 1000,
                        r["map_med_ps"] / 1000, up, r["unmap_sd_ps"] / 1000,
                        r["unmap_med_ps"] / 1000,
                        tr["map_us"] if tr else "-",
                        tr["unmap_us"] if tr else "-", fmt_r(ri), fmt_r(rn)))
    res["dma_map"] = dma

    # 1b. The cost of the model's invalidation checker: xrmu (checker on,
    # as in every test) against xrmu-nocheck (stale-check=off), same rows.
    cost = []
    for d in dma:
        if d["setup"] != "xrmu":
            continue
        o = next((x for x in dma if x["setup"] == "xrmu-nocheck" and
                  x["mode"] == d["mode"] and x["threads"] == d["threads"] and
                  x["granule"] == d["granule"]), None)
        if not o:
            continue
        on = d["map_median_ns"] + d["unmap_median_ns"]
        off = o["map_median_ns"] + o["unmap_median_ns"]
        cost.append({"mode": d["mode"], "threads": d["threads"],
                     "granule": d["granule"], "checker_on_ns": on,
                     "checker_off_ns": off, "ratio": ratio(on, off)})
    if cost:
        out.append("")
        out.append("1b. Model checker cost: median map+unmap ns, xrmu "
                   "(stale-check on) / xrmu-nocheck (off)")
        out.append("%-6s %1s %2s %9s %9s %6s" % ("mode", "t", "pg", "on",
                                                 "off", "on/off"))
        for c in cost:
            out.append("%-6s %1d %2d %9.0f %9.0f %6s" % (
                c["mode"], c["threads"], c["granule"], c["checker_on_ns"],
                c["checker_off_ns"], fmt_r(c["ratio"])))
    res["checker_cost"] = cost
    if recs["fine"]:
        out.append("   (each sample includes one clock read: %.0f ns here)" %
                   (recs["fine"][0]["clock_ps"] / 1000))

    # 2. Page-table microbenchmark (ABBA passes averaged).
    pt = defaultdict(list)
    for r in recs["pt"]:
        pt[(r["fmt"], r["case"], r["op"])].append(r)

    def pt_ns(fmt, case, op):
        """(median, mean, sd) in ns, the two passes averaged."""
        v = pt.get((fmt, case, op))
        if not v:
            return None
        return tuple(sum(x[k] for x in v) / len(v) / 1000
                     for k in ("med_ps", "mean_ps", "sd_ps"))

    def pt_sum(fmt, case):
        m, u = pt_ns(fmt, case, "map"), pt_ns(fmt, case, "unmap")
        return (m[0] + u[0], m[1] + u[1], None) if m and u else None

    ptres = []
    peers = PT_FMTS[1:]
    out.append("")
    out.append("2. Page-table code, ns per call of one page (4k-x512: per "
               "page of 512-page calls), the two passes averaged")
    out.append("2a. Median over rounds; ratios of xrmu's median to each "
               "peer's (formats not built show '-')")
    out.append("%-10s %-12s" % ("case", "op") +
               "".join(" %9s" % f for f in PT_FMTS) +
               "".join(" %7s" % ("/" + f.split("-")[0]) for f in peers))
    rows2b = []
    for c in PT_CASES:
        for op in ("map", "unmap", "iova_to_phys", "map+unmap"):
            v = {f: pt_sum(f, c) if op == "map+unmap" else pt_ns(f, c, op)
                 for f in PT_FMTS}
            x = v["xrmu"]
            if x is None:
                continue
            row = {"case": c, "op": op}
            for f in PT_FMTS:
                k = f.replace("-", "_")
                y = v[f]
                row[k + "_median_ns"] = y and round(y[0], 2)
                row[k + "_mean_ns"] = y and round(y[1], 2)
                row[k + "_sd_ns"] = y and y[2] and round(y[2], 2)
                if f != "xrmu":
                    row["ratio_to_" + k] = ratio(x[0], y and y[0])
            # The target's ratio: xrmu / io-pgtable-arm.
            row["ratio"] = row["ratio_to_arm_lpae"]
            ptres.append(row)
            out.append("%-10s %-12s" % (c, op) +
                       "".join(" %9s" % ("-" if v[f] is None else
                                         "%.1f" % v[f][0]) for f in PT_FMTS) +
                       "".join(" %7s" % fmt_r(row["ratio_to_" +
                                                  f.replace("-", "_")])
                               for f in peers))
            if op != "map+unmap":
                rows2b.append("%-10s %-12s" % (c, op) + "".join(
                    " %15s" % ("-" if v[f] is None else
                               "%.1f/%.1f" % (v[f][1], v[f][2]))
                    for f in PT_FMTS))
    out.append("2b. Mean/sd over rounds")
    out.append("%-10s %-12s" % ("case", "op") +
               "".join(" %15s" % f for f in PT_FMTS))
    out.extend(rows2b)
    res["pgtable"] = ptres

    # 3. fio.
    fio = {(r["setup"], r["mode"], r["rw"]): r for r in recs["fio"]}
    fres = []
    out.append("")
    out.append("3. fio on nvme (libaio, O_DIRECT): 4K randread QD32, 128K "
               "read QD8; ratios to no IOMMU")
    out.append("%-13s %-6s %10s %6s %11s %6s" % ("setup", "mode", "4K IOPS",
                                                 "ratio", "128K MiB/s",
                                                 "ratio"))
    nr, ns = fio.get(("none", "none", "randread")), fio.get(
        ("none", "none", "read"))
    for s in SETUPS:
        for m in MODES:
            rr, sq = fio.get((s, m, "randread")), fio.get((s, m, "read"))
            if not rr or not sq:
                continue
            r1 = ratio(rr["iops"], nr and nr["iops"])
            r2 = ratio(sq["bw_kib"], ns and ns["bw_kib"])
            fres.append({"setup": s, "mode": m, "randread_4k_iops": rr["iops"],
                         "randread_ratio_to_none": r1,
                         "read_128k_kib_s": sq["bw_kib"],
                         "read_128k_iops": sq["iops"],
                         "read_ratio_to_none": r2})
            out.append("%-13s %-6s %10d %6s %11.1f %6s" % (
                s, m, rr["iops"], fmt_r(r1), sq["bw_kib"] / 1024, fmt_r(r2)))
    res["fio"] = fres

    # 4. Table memory.
    mem = []
    out.append("")
    out.append("4. Page-table memory per GiB mapped (KiB)")
    seen = set()
    for r in recs["mem"]:
        k = (r["fmt"], r["buf"])
        if k in seen:
            continue
        seen.add(k)
        mem.append({"fmt": r["fmt"], "buffers": r["buf"],
                    "bytes_per_gib": r["bytes_per_gib"]})
        out.append("  %-9s %s leaves: %6d KiB" % (r["fmt"], r["buf"],
                                                 r["bytes_per_gib"] // 1024))
    res["pgtable_memory"] = mem

    # 5. One register read (mmio-probe), against a read of memory.
    if recs["mmio"]:
        res["mmio"] = recs["mmio"]
        out.append("")
        out.append("5. One 32-bit register read from the guest (mmio-probe, "
                   "200000 reads), ns per read")
        out.append("%-12s %-5s %6s %8s %8s" % ("setup", "dev", "reg", "mmio",
                                             "memory"))
        for r in recs["mmio"]:
            out.append("%-12s %-5s %6s %8.1f %8.1f" % (
                r["setup"], r["dev"], r["reg"], r["mmio_ns"], r["mem_ns"]))

    # Targets.
    tg = []

    def target(name, value, limit, le=True):
        met = None if value is None else (value <= limit if le else
                                          value >= limit)
        tg.append({"target": name, "value": value, "limit": limit,
                   "op": "<=" if le else ">=", "met": met})

    for m in ("strict", "lazy"):
        for d in dma:
            if d["setup"] == "xrmu" and d["mode"] == m:
                target("xrmu %s map+unmap / intel-iommu %s (t%d, %d pg)" % (
                    m, m, d["threads"], d["granule"]),
                    d["ratio_to_intel_iommu"], TARGETS[m])
    for p in ptres:
        if p["op"] == "map+unmap":
            target("page table map+unmap / io-pgtable-arm (%s)" % p["case"],
                   p["ratio"], TARGETS["pgtable"])
    for f in fres:
        if f["setup"] == "xrmu" and f["mode"] == "lazy":
            target("xrmu lazy fio 4K randread IOPS / no IOMMU",
                   f["randread_ratio_to_none"], TARGETS["fio"], le=False)
            target("xrmu lazy fio 128K read bandwidth / no IOMMU",
                   f["read_ratio_to_none"], TARGETS["fio"], le=False)
    res["targets"] = tg
    out.append("")
    out.append("Targets (measured ratio, limit):")
    for t in tg:
        out.append("  %-62s %6s %s %.2f  %s" % (
            t["target"], fmt_r(t["value"]), t["op"], t["limit"],
            {True: "met", False: "MISSED", None: "not measured"}[t["met"]]))

    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    out.append("")
    out.append("Host load average (1/5/15 min) at start: %s, end: %s" % (
        a.load_start, a.load_end))
    print("\n".join(out))
    # The page-table bench runs in the no-IOMMU VM only.
    want = ["fine", "dmabench", "fio"]
    if any(r["setup"] == "none" for r in recs["fine"]):
        want += ["pt", "mem"]
    missing = [k for k in want if not recs[k]]
    if missing:
        print("missing measurements: " + " ".join(missing), file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------
# Deterministic mode (-icount shift=0,sleep=off; bench/insn-plugin.c).

TRACE_RE = re.compile(r"(xrmu_reg_read|xrmu_reg_write|xrmu_cmd|vtd_reg_read|"
                      r"vtd_reg_write|vtd_inv_desc) ")


def insn_log(path):
    """Marks of the instruction counter, in order, and the traced events
    (count VMs) counted per interval: interval k is what follows mark k."""
    k = 0
    ev = defaultdict(int)
    out = []

    def flush():
        for e in sorted(ev):
            out.append("BENCH evcount i=%d ev=%s n=%d" % (k, e, ev[e]))
        ev.clear()

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("xrmu-insn mark "):
                flush()
                k += 1
                n = int(line.split("insns=")[1])
                out.append("BENCH insnmark i=%d insns=%d" % (k, n))
            elif line.startswith("xrmu-insn total "):
                out.append("BENCH insntotal insns=%d" %
                           int(line.split("insns=")[1]))
            else:
                m = TRACE_RE.search(line)
                if m:
                    ev[m.group(1)] += 1
    flush()
    print("\n".join(out))
    return 0


def phases(guest):
    """{phase: (instructions, {event: count})} of one VM: the guest's k-th
    "BENCH mark" is the counter's k-th mark."""
    ins = guest.replace("/guest-", "/insn-")
    if ins == guest or not os.path.exists(ins):
        return {}, "no counter log"
    names = []
    with open(guest, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("BENCH mark "):
                names.append(line.split("phase=")[1].split()[0])
    marks, evs = {}, defaultdict(dict)
    with open(ins, encoding="utf-8") as f:
        for line in f:
            w = dict(x.split("=", 1) for x in line.split()[2:])
            if line.startswith("BENCH insnmark "):
                marks[int(w["i"])] = int(w["insns"])
            elif line.startswith("BENCH evcount "):
                evs[int(w["i"])][w["ev"]] = int(w["n"])
    if len(marks) != len(names):
        return {}, "%d guest marks, %d counter marks" % (len(names),
                                                          len(marks))
    res = {}
    for i, n in enumerate(names):
        if n != "end" and i + 1 < len(names):
            res[n] = (marks[i + 2] - marks[i + 1], evs.get(i + 1, {}))
    return res, None


DET_SETUPS = ["none", "intel-iommu", "virtio-iommu", "xrmu", "xrmu-lat0"]
PT_PEERS = ["vtdss", "x86_64", "amdv1"]
DET_TARGETS = {"strict": 0.7, "lazy": 0.8, "pgtable": 1.1, "fio": 0.9}


def det_main(a):
    recs = parse(a.files)
    ph, notes = {}, []
    for g in a.files:
        setup = None
        with open(g, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("BENCH done "):
                    setup = line.split("setup=")[1].split()[0]
        p, err = phases(g)
        if err:
            notes.append("%s: %s" % (os.path.basename(g), err))
        for k, v in p.items():
            if setup:
                ph[(setup, k)] = v
    fig = {}    # every reported figure, flat (the repeatability check)
    out = []
    res = {"meta": {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "mode": "det", "kernel": a.kernel,
                    "kernel_sha256_16": a.kernel_sha,
                    "qemu_sha256_16": a.qemu_sha,
                    "dma_seconds_virtual": a.seconds,
                    "accel": "tcg, -icount shift=0,sleep=off",
                    "xrmu_cmd_latency_ns": a.cmd_latency_ns,
                    "interrupt_remapping": "off in every setup",
                    "host_loadavg_start": a.load_start,
                    "host_loadavg_end": a.load_end,
                    "endpoint": "edu (dma_mask full), 32-bit DMA mask",
                    "disk": "QEMU nvme on null-co (read-zeroes), 256 MiB",
                    "notes": notes},
           "attach": recs["attach"]}

    # 1. DMA map/unmap, xrmu_dma_bench: icount ns per map and unmap
    # (means), and the counted instructions of all vCPUs per loop.
    fine = {(r["setup"], r["mode"], r["threads"], r["granule"]): r
            for r in recs["fine"]}
    tool = {(r["setup"], r["mode"], r["threads"], r["granule"]): r
            for r in recs["dmabench"]}
    rows = []
    out.append("1. Streaming DMA map/unmap on edu (xrmu_dma_bench), per "
               "operation: icount ns (= guest instructions of the vCPU, "
               "+ device wait) mean per map and per unmap; insn/loop: "
               "instructions of all vCPUs per map+unmap loop (plugin); "
               "tool: dma_map_benchmark map/unmap us (0.1 us steps)")
    out.append("   xrmu: cmd-latency-ns=%s; xrmu-lat0: 0. CPU work = "
               "xrmu-lat0; wait = xrmu - xrmu-lat0 (QEMU's intel-iommu "
               "and virtio-iommu complete invalidations at once: wait 0)"
               % a.cmd_latency_ns)
    out.append("   2 threads: the vCPUs run in turn (one TCG thread), each "
               "sample includes the other thread's turn; only map+unmap "
               "and insn/loop repeat, map, unmap and tool in () do not")
    out.append("%-6s %1s %2s  %-13s %8s %8s %9s %10s %9s" % (
        "mode", "t", "pg", "setup", "map ns", "unmap ns", "map+unmap",
        "insn/loop", "tool m/u"))
    for m in ("none", "strict", "lazy"):
        for t in (1, 2):
            for g in (1, 16):
                for s in DET_SETUPS:
                    r = fine.get((s, m, t, g))
                    if not r:
                        continue
                    mp, up = r["map_ps"] / 1000, r["unmap_ps"] / 1000
                    insn = ph.get((s, "fine-%s-t%d-g%d" % (m, t, g)))
                    ipl = insn[0] / r["loops"] if insn else None
                    tr = tool.get((s, m, t, g))
                    row = {"setup": s, "mode": m, "threads": t, "granule": g,
                           "loops": r["loops"], "map_ns": round(mp, 1),
                           "unmap_ns": round(up, 1),
                           "map_unmap_ns": round(mp + up, 1),
                           "map_median_ns": r["map_med_ps"] / 1000,
                           "unmap_median_ns": r["unmap_med_ps"] / 1000,
                           "clock_read_ns": r["clock_ps"] / 1000,
                           "insn_per_loop": ipl and round(ipl, 1)}
                    if tr:
                        row["tool_map_us"] = tr["map_us"]
                        row["tool_unmap_us"] = tr["unmap_us"]
                    key = "dma/%s/%s/t%d/g%d/" % (s, m, t, g)
                    # With 2 threads the vCPUs take turns at points set
                    # by host events (a kick ends a vCPU's turn), so how
                    # the other thread's work splits between this one's
                    # map and unmap, and the tool's 0.1 us steps, vary
                    # between runs; the sum and insn/loop do not.
                    ks = ("map_ns", "unmap_ns", "map_unmap_ns",
                          "insn_per_loop", "tool_map_us", "tool_unmap_us")
                    if t > 1:
                        ks = ("map_unmap_ns", "insn_per_loop")
                    for k in ks:
                        if row.get(k) is not None:
                            fig[key + k] = row[k]
                    rows.append(row)
                    par = "(%s)" if t > 1 else "%s"
                    out.append("%-6s %1d %2d  %-13s %8s %8s %9.0f %10s %9s" % (
                        m, t, g, s, par % ("%.0f" % mp), par % ("%.0f" % up),
                        mp + up, "-" if ipl is None else "%.0f" % ipl,
                        par % ("%s/%s" % (tr["map_us"], tr["unmap_us"]))
                        if tr else "-"))
    res["dma_map"] = rows

    def dget(s, m, t, g):
        return next((x for x in rows if x["setup"] == s and x["mode"] == m
                     and x["threads"] == t and x["granule"] == g), None)

    # 1b. CPU work and device wait, per operation.
    split = []
    out.append("")
    out.append("1b. xrmu per operation: CPU work (cmd-latency-ns=0) and "
               "device wait (difference to cmd-latency-ns=%s), icount ns; "
               "intel-iommu's CPU work beside it" % a.cmd_latency_ns)
    out.append("%-6s %1s %2s %9s %9s %9s %9s %11s" % (
        "mode", "t", "pg", "map cpu", "unmap cpu", "map wait", "unmap wait",
        "intel m+u"))
    for m in ("strict", "lazy"):
        for t in (1, 2):
            for g in (1, 16):
                x, z = dget("xrmu", m, t, g), dget("xrmu-lat0", m, t, g)
                if not x or not z:
                    continue
                i = dget("intel-iommu", m, t, g)
                d = {"mode": m, "threads": t, "granule": g,
                     "map_cpu_ns": z["map_ns"], "unmap_cpu_ns": z["unmap_ns"],
                     "map_wait_ns": round(x["map_ns"] - z["map_ns"], 1) + 0.0,
                     "unmap_wait_ns": round(x["unmap_ns"] - z["unmap_ns"], 1)
                     + 0.0,
                     "intel_map_unmap_ns": i and i["map_unmap_ns"]}
                split.append(d)
                out.append("%-6s %1d %2d %9.0f %9.0f %9.0f %9.0f %11s" % (
                    m, t, g, d["map_cpu_ns"], d["unmap_cpu_ns"],
                    d["map_wait_ns"], d["unmap_wait_ns"],
                    "-" if not i else "%.0f" % i["map_unmap_ns"]))
    res["cpu_and_wait"] = split

    # 2. Page-table code (no-IOMMU VM).
    pt = defaultdict(list)
    for r in recs["pt"]:
        pt[(r["fmt"], r["case"], r["op"])].append(r)

    def ptmed(f, c, o):
        v = pt.get((f, c, o))
        return sum(x["med_ps"] for x in v) / len(v) / 1000 if v else None

    ptres = []
    out.append("")
    out.append("2. Page-table code, icount ns per call of one page (4k-x512: "
               "per page of 512-page calls), median, the two passes "
               "averaged; ratio: xrmu / best of vtdss, x86_64, amdv1")
    out.append("%-10s %-12s" % ("case", "op") +
               "".join(" %8s" % f for f in ["xrmu"] + PT_PEERS) +
               " %8s %6s" % ("best", "ratio"))
    for c in PT_CASES:
        for o in ("map", "unmap", "iova_to_phys"):
            x = ptmed("xrmu", c, o)
            if x is None:
                continue
            peers = {f: ptmed(f, c, o) for f in PT_PEERS}
            have = {f: v for f, v in peers.items() if v}
            best = min(have, key=have.get) if have else None
            r = ratio(x, have[best]) if best else None
            row = {"case": c, "op": o, "xrmu_ns": round(x, 2),
                   "best": best, "ratio_to_best": r}
            for f, v in peers.items():
                row[f + "_ns"] = v and round(v, 2)
            ptres.append(row)
            for f in ["xrmu"] + PT_PEERS:
                if row.get(f + "_ns") is not None:
                    fig["pt/%s/%s/%s" % (c, o, f)] = row[f + "_ns"]
            out.append("%-10s %-12s" % (c, o) + "".join(
                " %8s" % ("-" if row.get(f + "_ns") is None else
                          "%.1f" % row[f + "_ns"])
                for f in ["xrmu"] + PT_PEERS) +
                " %8s %6s" % (best or "-", fmt_r(r)))
    res["pgtable"] = ptres

    # 3. fio: instructions per I/O (all vCPUs, plugin) and the IOPS of a
    # guest CPU at one instruction per ns; fio's own IOPS in virtual time
    # includes idle time the icount clock skips (sleep=off).
    fres = []
    out.append("")
    out.append("3. fio 4K randread QD32 (libaio, O_DIRECT, 64 MiB) on "
               "nvme/null-co: guest instructions per I/O (all vCPUs) and "
               "CPU-bound IOPS = 1e9 / insn per I/O; fio's IOPS in virtual "
               "time (idle skipped to the next timer: not a cost figure)")
    out.append("%-13s %-6s %11s %10s %10s" % ("setup", "mode", "insn/IO",
                                             "CPU IOPS", "fio IOPS"))
    for s in DET_SETUPS:
        for m in MODES:
            r = next((x for x in recs["fio"] if x["setup"] == s and
                      x["mode"] == m and x["rw"] == "randread"), None)
            if not r:
                continue
            insn = ph.get((s, "fio-%s-randread" % m))
            nio = r["kib"] / 4
            ipi = insn[0] / nio if insn and nio else None
            row = {"setup": s, "mode": m, "ios": nio,
                   "insn_per_io": ipi and round(ipi, 1),
                   "cpu_iops": ipi and round(1e9 / ipi),
                   "fio_virtual_iops": r["iops"]}
            fres.append(row)
            if ipi:
                fig["fio/%s/%s/insn_per_io" % (s, m)] = row["insn_per_io"]
            out.append("%-13s %-6s %11s %10s %10d" % (
                s, m, "-" if ipi is None else "%.0f" % ipi,
                "-" if ipi is None else "%d" % row["cpu_iops"], r["iops"]))
    res["fio"] = fres

    # 4. Register accesses and invalidation commands per map+unmap loop
    # (count VMs: QEMU trace of the unit, 1 thread).
    cres = []
    out.append("")
    out.append("4. Per map+unmap loop (xrmu_dma_bench, 1 thread; QEMU trace "
               "of the IOMMU: register reads/writes, commands executed "
               "(xrmu_cmd; vtd_inv_desc); xrmu at cmd-latency-ns=%s)"
               % a.cmd_latency_ns)
    out.append("%-12s %-6s %2s %8s %8s %8s %9s" % ("iommu", "mode", "pg",
                                                   "reads", "writes",
                                                   "regs", "commands"))
    for s, rd, wr, cm in (("xrmu", "xrmu_reg_read", "xrmu_reg_write",
                           "xrmu_cmd"),
                          ("intel-iommu", "vtd_reg_read", "vtd_reg_write",
                           "vtd_inv_desc")):
        for m in ("strict", "lazy"):
            for g in (1, 16):
                r = fine.get(("count-" + s, m, 1, g))
                v = ph.get(("count-" + s, "fine-%s-t1-g%d" % (m, g)))
                if not r or not v:
                    continue
                ev, n = v[1], r["loops"]
                row = {"iommu": s, "mode": m, "granule": g, "loops": n,
                       "reads": round(ev.get(rd, 0) / n, 4),
                       "writes": round(ev.get(wr, 0) / n, 4),
                       "commands": round(ev.get(cm, 0) / n, 4)}
                row["regs"] = round(row["reads"] + row["writes"], 4)
                cres.append(row)
                for k in ("reads", "writes", "commands"):
                    fig["count/%s/%s/g%d/%s" % (s, m, g, k)] = row[k]
                out.append("%-12s %-6s %2d %8.3f %8.3f %8.3f %9.3f" % (
                    s, m, g, row["reads"], row["writes"], row["regs"],
                    row["commands"]))
    res["counts"] = cres

    # Targets.
    tg = []

    def target(name, value, limit, le=True, detail=None):
        met = None if value is None else (value <= limit if le else
                                          value >= limit)
        tg.append({"target": name, "value": value, "limit": limit,
                   "op": "<=" if le else ">=", "met": met, "detail": detail})

    for m in ("strict", "lazy"):
        for t in (1, 2):
            for g in (1, 16):
                z, i = dget("xrmu-lat0", m, t, g), dget("intel-iommu", m, t, g)
                if z and i:
                    target("%s map+unmap CPU work / intel (t%d, %d pg)" % (
                        m, t, g), ratio(z["map_unmap_ns"], i["map_unmap_ns"]),
                        DET_TARGETS[m], detail="%.0f / %.0f ns" % (
                            z["map_unmap_ns"], i["map_unmap_ns"]))
    for m in ("strict", "lazy"):
        for g in (1, 16):
            x = next((c for c in cres if c["iommu"] == "xrmu" and
                      c["mode"] == m and c["granule"] == g), None)
            i = next((c for c in cres if c["iommu"] == "intel-iommu" and
                      c["mode"] == m and c["granule"] == g), None)
            if x and i:
                # As printed (3 decimals): lazy counts are flushes of
                # the flush queue spread over many unmaps.
                for k in ("commands", "regs"):
                    target("%s %s per unmap <= intel's (%d pg)" % (m, k, g),
                           round(round(x[k], 3) - round(i[k], 3), 3) + 0.0,
                           0, detail="xrmu %.3f, intel %.3f" % (x[k], i[k]))
    for p in ptres:
        target("page table %s %s / best generic_pt" % (p["case"], p["op"]),
               p["ratio_to_best"], DET_TARGETS["pgtable"],
               detail="%.1f ns vs %s" % (p["xrmu_ns"], p["best"]))
    for s in ("xrmu", "xrmu-lat0"):
        st = next((f for f in fres if f["setup"] == s and
                   f["mode"] == "strict"), None)
        lz = next((f for f in fres if f["setup"] == s and
                   f["mode"] == "lazy"), None)
        if st and lz and st["cpu_iops"] and lz["cpu_iops"]:
            target("%s fio strict CPU IOPS / lazy" % s,
                   ratio(st["cpu_iops"], lz["cpu_iops"]), DET_TARGETS["fio"],
                   le=False, detail="%d / %d" % (st["cpu_iops"],
                                                 lz["cpu_iops"]))
    res["targets"] = tg
    out.append("")
    out.append("Targets (xrmu against intel-iommu, same run; commands/regs: "
               "xrmu minus intel, <= 0 met):")
    for t in tg:
        out.append("  %-52s %7s %s %4s  %-7s %s" % (
            t["target"], "-" if t["value"] is None else "%.3f" % t["value"],
            t["op"], t["limit"],
            {True: "met", False: "MISSED", None: "n/a"}[t["met"]],
            t["detail"] or ""))
    res["figures"] = fig
    out.append("")
    out.append("%d figures (results.json \"figures\"); host load average "
               "(1/5/15 min) at start: %s, end: %s" % (len(fig), a.load_start,
                                                      a.load_end))
    for n in notes:
        out.append("note: " + n)
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    if a.plot:
        plot(res, a.plot)
    print("\n".join(out))
    missing = [k for k in ("fine", "dmabench", "fio") if not recs[k]]
    if missing or notes:
        print("missing measurements: " + " ".join(missing + notes),
              file=sys.stderr)
        return 1
    return 0


def plot(res, path):
    """Per-op cost per setup: map+unmap icount ns of every DMA case, xrmu's
    bar split into CPU work (cmd-latency-ns=0) and device wait."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = res["dma_map"]
    cases = [(m, t, g) for m in ("strict", "lazy") for t in (1, 2)
             for g in (1, 16)]
    setups = ["none", "intel-iommu", "virtio-iommu", "xrmu"]
    colors = {"none": "#999999", "intel-iommu": "#1f77b4",
              "virtio-iommu": "#2ca02c", "xrmu": "#d62728"}
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8),
                             gridspec_kw={"width_ratios": [3, 1]})
    ax = axes[0]
    w = 0.8 / len(setups)

    def get(s, m, t, g):
        if s == "none":
            m = "none"
        return next((x for x in rows if x["setup"] == s and x["mode"] == m
                     and x["threads"] == t and x["granule"] == g), None)

    for j, s in enumerate(setups):
        xs, cpu, wait = [], [], []
        for i, (m, t, g) in enumerate(cases):
            r = get(s, m, t, g)
            if not r:
                continue
            xs.append(i + (j - (len(setups) - 1) / 2) * w)
            if s == "xrmu":
                z = get("xrmu-lat0", m, t, g)
                c = z["map_unmap_ns"] if z else r["map_unmap_ns"]
                cpu.append(c)
                wait.append(max(r["map_unmap_ns"] - c, 0))
            else:
                cpu.append(r["map_unmap_ns"])
                wait.append(0)
        if not xs:
            continue
        lab = s if s != "xrmu" else "xrmu CPU work (cmd-latency-ns=0)"
        ax.bar(xs, cpu, w, color=colors[s], label=lab)
        if s == "xrmu":
            ax.bar(xs, wait, w, bottom=cpu, color=colors[s], alpha=0.35,
                   hatch="//", label="xrmu device wait (cmd-latency-ns=%s)"
                   % res["meta"]["xrmu_cmd_latency_ns"])
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels(["%s\n%dt %dpg" % c for c in cases], fontsize=8)
    ax.set_ylabel("map+unmap, icount ns (1 ns = 1 guest instruction)")
    ax.set_title("DMA map+unmap per operation (xrmu_dma_bench)")
    ax.legend(fontsize=7)
    ax = axes[1]
    ios = [f for f in res["fio"] if f["insn_per_io"]]
    labels = ["%s\n%s" % (f["setup"], f["mode"]) for f in ios]
    ax.bar(range(len(ios)), [f["insn_per_io"] for f in ios],
           color=[colors.get(f["setup"], "#ff7f0e") for f in ios])
    ax.set_xticks(range(len(ios)))
    ax.set_xticklabels(labels, fontsize=6, rotation=90)
    ax.set_ylabel("guest instructions per 4K read")
    ax.set_title("fio 4K randread")
    fig.suptitle("make bench (deterministic, -icount shift=0), %s, kernel %s"
                 % (res["meta"]["date"], res["meta"]["kernel"]), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def compare(pa, pb, tol):
    """Repeatability: relative deviation of every common figure."""
    with open(pa, encoding="utf-8") as f:
        a = json.load(f).get("figures", {})
    with open(pb, encoding="utf-8") as f:
        b = json.load(f).get("figures", {})
    common = sorted(set(a) & set(b))
    if not common:
        print("compare: no common figures")
        return 1
    dev = []
    for k in common:
        x, y = a[k], b[k]
        d = 0.0 if x == y else abs(x - y) / max(abs(x), abs(y))
        dev.append((d, k, x, y))
    dev.sort(reverse=True)
    over = [d for d in dev if d[0] > tol]
    print("compare: %d figures in both (%d only in one); largest relative "
          "deviation %.4f %% (%s: %s vs %s)" % (
              len(common), len(set(a) ^ set(b)), dev[0][0] * 100, dev[0][1],
              dev[0][2], dev[0][3]))
    for d, k, x, y in dev[:10]:
        print("  %8.4f %%  %-40s %s vs %s" % (d * 100, k, x, y))
    print("compare: %d figures above %.2f %%" % (len(over), tol * 100))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
