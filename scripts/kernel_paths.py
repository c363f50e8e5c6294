#!/usr/bin/env python3
"""The goodput table of issue 13: the Linux kernel's TCP (scripts/kernel-path.sh, through
`ustcp relay`) beside `ustcp transfer` (virtual time) on the same impaired paths, seed by seed.

    sudo scripts/kernel_paths.py [--ustcp build/ustcp] [--jobs 4] [--raw runs.jsonl]
        [--only NAME ...] [--kernel-only | --ustcp-only] [--timeout 900]
    scripts/kernel_paths.py --table-from runs.jsonl ...   # the tables of earlier runs

Each path runs with each of its seeds on both. Paths that move more than about 1 Mbit/s run
one at a time (runs at once share the CPU and slow each other); the slow ones (1% loss or
more at 100 ms, 30% loss) run up to --jobs at once, each in its own pair of namespaces. Every run's JSON goes to --raw
(one line each, appended) as it finishes; the Markdown tables go to stdout at the end: per
path, each seed's time and goodput on both, and min / median / max. The kernel's time runs
from connect() to the receiver's EOF; ustcp's (virtual) to the sender's reading of the
receiver's FIN, one one-way delay later (the kernel's figure to that point is in --raw as
seconds_to_close).
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20


def path(name, nbytes, delay, loss, seeds, bandwidth="100"):
    return {"name": name, "bytes": nbytes, "delay": delay, "loss": loss, "seeds": seeds,
            "bandwidth": bandwidth}


def default_paths():
    paths = [path("16M-20ms-0%", "16M", "20ms", "0%", [1, 2, 3]),
             path("16M-20ms-1%", "16M", "20ms", "1%", [1, 2, 3, 4, 5]),
             path("256K-5ms-30%", "256K", "5ms", "30%", list(range(1, 21)), bandwidth="0")]
    for loss in ("0.1%", "1%", "2%"):
        for delay in ("5ms", "20ms", "100ms"):
            name = f"16M-{delay}-{loss}"
            if all(p["name"] != name for p in paths):
                paths.append(path(name, "16M", delay, loss, [1, 2, 3, 4, 5]))
    return paths


def link_args(p, seed):
    args = ["--delay", p["delay"], "--loss", p["loss"], "--seed", str(seed)]
    if p["bandwidth"] != "0":
        args += ["--bandwidth", p["bandwidth"]]
    return args


def run_kernel(p, seed, opts):
    cmd = [os.path.join(HERE, "kernel-path.sh"), "--ustcp", opts.ustcp, "--bytes", p["bytes"],
           "--timeout", str(opts.timeout), "--json"] + link_args(p, seed)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=opts.timeout + 120)
    out = {"error": f"exit {proc.returncode}: {proc.stdout[-300:]} {proc.stderr[-300:]}"}
    for line in reversed(proc.stdout.splitlines()):
        try:
            out = json.loads(line)
            break
        except ValueError:
            continue
    out.update({"who": "kernel", "path": p["name"], "seed": seed, "command": " ".join(cmd),
                "real_seconds": time.monotonic() - t0})
    return out


def run_ustcp(p, seed, opts):
    cmd = [opts.ustcp, "transfer", "--bytes", p["bytes"], "--json"] + link_args(p, seed)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=opts.timeout)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError) as e:
        out = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    secs = out.get("virtual_seconds")
    out.update({"who": "ustcp", "path": p["name"], "seed": seed, "command": " ".join(cmd),
                "seconds": secs if out.get("ok") else None,
                "goodput_mbit": (out.get("bytes_received", 0) * 8 / secs / 1e6
                                 if out.get("ok") and secs else None)})
    return out


def parallel_ok(p):
    """Runs that move less than about 1 Mbit/s: CPU contention between runs does not matter
    (at 10 Mbit/s six runs at once were 20-30% slower than one at a time)."""
    loss = float(p["loss"].rstrip("%"))
    return loss >= 10 or (loss >= 1 and float(p["delay"].rstrip("ms")) >= 100)


def fmt_time(r):
    if r is None:
        return "–"
    if r.get("seconds") is None:
        error = r.get("error", "")
        if "timed out" in error:
            return "timed out (" + error.split("timed out after ")[-1].split(";")[0] + ")"
        if r.get("virtual_seconds") is not None:
            return f"failed at {r['virtual_seconds']:.0f} s ({error})"
        return f"failed ({error[:60]})"
    return f"{r['seconds']:.2f} s"


def fmt_rate(r):
    if r is None or r.get("goodput_mbit") is None:
        return "–"
    return f"{r['goodput_mbit']:.2f}"


def summary(rows):
    """min / median / max over every seed; a run that did not finish counts as endless."""
    if not rows:
        return "–"
    inf = float("inf")
    secs = sorted(r["seconds"] if r.get("seconds") is not None else inf for r in rows)
    finished = [t for t in secs if t != inf]
    n = len(secs)
    median = secs[n // 2] if n % 2 else (secs[n // 2 - 1] + secs[n // 2]) / 2

    def show(t):
        return f"{t:.2f} s" if t != inf else "not finished"

    under = sum(1 for t in finished if t < 120)
    return (f"{show(secs[0])} / {show(median)} / {show(secs[-1])} "
            f"({len(finished)} of {n} finished, {under} under 120 s)")


def table(paths, results):
    lines = []
    for p in paths:
        rows = {(r["who"], r["seed"]): r for r in results if r["path"] == p["name"]}
        if not rows:
            continue
        bw = f"{p['bandwidth']} Mbit/s" if p["bandwidth"] != "0" else "unlimited bandwidth"
        lines.append(f"\n### {p['bytes']}, {bw}, {p['delay']} one-way, {p['loss']} loss\n")
        lines.append("| seed | kernel time | kernel Mbit/s | kernel retrans / RTOs "
                     "| relay lateness p99 / max | ustcp time | ustcp Mbit/s | ustcp retrans |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for seed in p["seeds"]:
            k, u = rows.get(("kernel", seed)), rows.get(("ustcp", seed))
            kr, late = "–", "–"
            if k and k.get("counters"):
                c = k["counters"]
                kr = f"{c.get('TcpRetransSegs')} / {c.get('TcpExtTCPTimeouts')}"
            if k and k.get("relay", {}).get("lateness_us"):
                lat = k["relay"]["lateness_us"]
                late = f"{lat['p99']:.0f} / {lat['max']:.0f} us"
            ur = u.get("retransmits", "–") if u else "–"
            lines.append(f"| {seed} | {fmt_time(k)} | {fmt_rate(k)} | {kr} | {late} "
                         f"| {fmt_time(u)} | {fmt_rate(u)} | {ur} |")
        ks = [rows.get(("kernel", s)) for s in p["seeds"] if rows.get(("kernel", s))]
        us = [rows.get(("ustcp", s)) for s in p["seeds"] if rows.get(("ustcp", s))]
        lines.append(f"\nmin / median / max: kernel {summary(ks)}; ustcp {summary(us)}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ustcp", default=os.path.join(HERE, "..", "build", "ustcp"))
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--raw", default="kernel-paths.jsonl")
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--table-from", nargs="+", metavar="RAW",
                    help="run nothing: print the tables of earlier --raw files")
    side = ap.add_mutually_exclusive_group()
    side.add_argument("--kernel-only", action="store_true")
    side.add_argument("--ustcp-only", action="store_true")
    opts = ap.parse_args()
    opts.ustcp = os.path.abspath(opts.ustcp)
    paths = [p for p in default_paths() if not opts.only or p["name"] in opts.only]
    if not paths:
        sys.exit(f"kernel_paths.py: no path named {opts.only}; known: "
                 + ", ".join(p["name"] for p in default_paths()))
    results = []
    if opts.table_from:
        for name in opts.table_from:
            results += [json.loads(line) for line in open(name) if line.strip()]
        print(table(paths, results))
        return 0

    def record(r):
        results.append(r)
        with open(opts.raw, "a") as f:
            f.write(json.dumps(r) + "\n")
        print(f"{r['who']:6} {r['path']:14} seed {r['seed']:2}: {fmt_time(r)}, "
              f"{fmt_rate(r)} Mbit/s", file=sys.stderr, flush=True)

    if not opts.ustcp_only:
        serial = [(p, s) for p in paths if not parallel_ok(p) for s in p["seeds"]]
        par = [(p, s) for p in paths if parallel_ok(p) for s in p["seeds"]]
        for p, s in serial:
            record(run_kernel(p, s, opts))
        with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
            futures = [pool.submit(run_kernel, p, s, opts) for p, s in par]
            for f in concurrent.futures.as_completed(futures):
                record(f.result())
    if not opts.kernel_only:
        for p in paths:
            for s in p["seeds"]:
                record(run_ustcp(p, s, opts))
    print(table(paths, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
