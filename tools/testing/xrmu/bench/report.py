#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: turn the guests' BENCH lines into a table and results.json.

Every ratio is computed here from numbers measured in the same run; nothing
is assumed.  Usage: report.py --json OUT.json [options] guest-*.txt
"""

import argparse
import json
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
                    "dev", "iommu", "type", "reg") else v
                    for k, v in kv.items()})
    return recs


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def fmt_r(r):
    return "-" if r is None else "%.2f" % r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--seconds", type=int)
    ap.add_argument("--fio-seconds", type=int)
    ap.add_argument("--kernel")
    ap.add_argument("--load-start", help="/proc/loadavg at the start")
    ap.add_argument("--load-end", help="/proc/loadavg at the end")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
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


if __name__ == "__main__":
    sys.exit(main())
