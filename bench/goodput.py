#!/usr/bin/env python3
"""Goodput on lossy and long paths (issue 13, the table in bench/RESULTS.md): `ustcp transfer`
(virtual time) beside the Linux kernel's own TCP over the same impairments (wall time,
scripts/kernel-path.sh through `ustcp relay`) and beside two models of a loss-limited flow.

    bench/goodput.py [--ustcp build/ustcp] [--ustcp-only | --kernel-only] [--seeds N]
        [--only NAME ...] [--jobs 5] [--ustcp-jobs 2] [--raw goodput.jsonl] [--per-seed]
        [--timeout 900]
    bench/goodput.py --table-from goodput.jsonl ... [--per-seed]   # tables of earlier runs

The kernel side needs root (network namespaces, TUN devices); without it run --ustcp-only.
Each path runs with each of its seeds (--seeds N: the first N only). `ustcp transfer` runs
--ustcp-jobs at once (virtual time: the machine's load does not change its figures). Kernel
runs that move more than about 1 Mbit/s run one at a time, since runs at once share the CPU and
slow each other; the slow ones (1% loss or more at 100 ms one-way, 30% loss) run --jobs at
once, each in its own pair of namespaces. Every run's JSON goes to --raw (one line each,
appended) as it finishes; the Markdown table goes to stdout at the end.

Both times run from connect() to the receiver's reading of the end of the stream (ustcp's
eof_seconds, the kernel's seconds; --raw also has the time to the sender's reading of the
receiver's FIN, one one-way delay later: virtual_seconds, seconds_to_close); goodput is the
payload over that time. A run finished when every byte arrived intact and the sender read the
receiver's FIN. The models (MSS 1448 bytes, RTT = 2 x one-way delay, p the loss per datagram,
capped by the link):
  Mathis (Reno):  MSS / RTT * sqrt(3/2) / sqrt(p)
  CUBIC (RFC 9438 5.1, Linux's C = 0.4, beta = 0.7): the larger of the Reno-friendly window
                  sqrt(3/2) / sqrt(p) and 1.054 * (RTT^3 / p^3)^(1/4) segments, per RTT
Both are long-run rates of a flow that only loses to random loss; they ignore slow start,
timeouts and the loss of retransmissions.
"""
import argparse
import concurrent.futures
import json
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MSS = 1448
DEADLINE = 120  # issue 13: the 30% loss path must finish under 120 s for seeds 1..20


def path(name, label, nbytes, delay, loss, seeds, kernel_seeds=None, bandwidth="100",
         kernel_timeout=None, deadline=None):
    return {"name": name, "label": label, "bytes": nbytes, "delay": delay, "loss": loss,
            "seeds": seeds, "kernel_seeds": kernel_seeds or seeds, "bandwidth": bandwidth,
            "kernel_timeout": kernel_timeout, "deadline": deadline}


def default_paths():
    """Issue 13's rows, then 0.1%, 1% and 2% loss at 10, 40 and 200 ms RTT (100 Mbit/s)."""
    five = [1, 2, 3, 4, 5]
    paths = [
        path("16M-20ms-0%", "16 MiB, 100 Mbit/s, RTT 40 ms, 0%", "16M", "20ms", "0%", [1, 2, 3]),
        path("16M-20ms-1%", "16 MiB, 100 Mbit/s, RTT 40 ms, 1%", "16M", "20ms", "1%", five),
        path("256K-5ms-30%", "256 KiB, unlimited, RTT 10 ms, 30%", "256K", "5ms", "30%",
             list(range(1, 21)), bandwidth="0", kernel_timeout=200, deadline=DEADLINE),
        path("16M-5ms-2%-unlimited", "16 MiB, unlimited, RTT 10 ms, 2%", "16M", "5ms", "2%",
             five, kernel_seeds=[1, 2, 3], bandwidth="0"),
    ]
    for delay in ("5ms", "20ms", "100ms"):
        for loss in ("0.1%", "1%", "2%"):
            name = f"16M-{delay}-{loss}"
            if all(p["name"] != name for p in paths):
                rtt = 2 * int(delay.rstrip("ms"))
                paths.append(path(name, f"16 MiB, 100 Mbit/s, RTT {rtt} ms, {loss}", "16M",
                                  delay, loss, five))
    return paths


def models(p):
    """(Mathis, CUBIC) in Mbit/s for path p, None without loss."""
    loss = float(p["loss"].rstrip("%")) / 100
    if loss <= 0:
        return None, None
    rtt = 2 * float(p["delay"].rstrip("ms")) / 1000
    reno_window = math.sqrt(1.5 / loss)
    cubic_window = max(reno_window, 1.054 * (rtt**3 / loss**3) ** 0.25)
    cap = float(p["bandwidth"]) if p["bandwidth"] != "0" else math.inf
    return tuple(min(cap, w * MSS * 8 / rtt / 1e6) for w in (reno_window, cubic_window))


def link_args(p, seed):
    args = ["--delay", p["delay"], "--loss", p["loss"], "--seed", str(seed)]
    if p["bandwidth"] != "0":
        args += ["--bandwidth", p["bandwidth"]]
    return args


def kernel_timeout(p, opts):
    return min(opts.timeout, p["kernel_timeout"] or opts.timeout)


def run_kernel(p, seed, opts):
    bound = kernel_timeout(p, opts)
    cmd = [os.path.join(ROOT, "scripts", "kernel-path.sh"), "--ustcp", opts.ustcp, "--bytes",
           p["bytes"], "--timeout", str(bound), "--json"] + link_args(p, seed)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=bound + 120)
    out = {"error": f"exit {proc.returncode}: {proc.stdout[-300:]} {proc.stderr[-300:]}"}
    for line in reversed(proc.stdout.splitlines()):
        try:
            out = json.loads(line)
            break
        except ValueError:
            continue
    out.update({"who": "kernel", "path": p["name"], "seed": seed, "command": " ".join(cmd),
                "real_seconds": time.monotonic() - t0})
    secs = run_time(out)
    out["goodput_mbit"] = out.get("bytes_received", 0) * 8 / secs / 1e6 if secs else None
    return out


def run_ustcp(p, seed, opts):
    cmd = [opts.ustcp, "transfer", "--bytes", p["bytes"], "--json"] + link_args(p, seed)
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=opts.timeout)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError) as e:
        out = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    out.update({"who": "ustcp", "path": p["name"], "seed": seed, "command": " ".join(cmd),
                "real_seconds": time.monotonic() - t0})
    secs = run_time(out)
    out["goodput_mbit"] = out.get("bytes_received", 0) * 8 / secs / 1e6 if secs else None
    return out


def kernel_parallel_ok(p):
    """Kernel runs that move less than about 1 Mbit/s: CPU contention between runs does not
    matter (at 10 Mbit/s six runs at once were 20-30% slower than one at a time)."""
    loss = float(p["loss"].rstrip("%"))
    return loss >= 10 or (loss >= 1 and float(p["delay"].rstrip("ms")) >= 100)


def run_time(r):
    """connect() to the receiver's EOF, or None if the run did not finish. The kernel's is
    "seconds"; ustcp's "eof_seconds" (older builds: "virtual_seconds", to the sender's
    reading of the FIN)."""
    if r["who"] == "kernel":
        return r.get("seconds")
    if not delivered(r):
        return None
    return r.get("eof_seconds", r.get("virtual_seconds"))


def delivered(r):
    """A ustcp run finished as the kernel's does: every byte arrived intact and the sender
    read the receiver's FIN. `ustcp transfer` also wants the receiver CLOSED a second after
    (its "ok"); at 30% loss the last ACK of the close is sometimes still missing then."""
    return bool(r.get("ok")) or (r.get("digest_match") is True
                                 and r.get("bytes_received") == r.get("bytes_sent")
                                 and r.get("client_state") in ("TIME-WAIT", "CLOSED")
                                 and r.get("eof_seconds") is not None)


def retransmissions(r):
    if r["who"] == "kernel":
        return r.get("counters", {}).get("TcpRetransSegs")
    return r.get("retransmits")


def median(values):
    return statistics.median(values) if values else None


def cell(runs, p, bound):
    """Median goodput (range) over the seeds, median time; a run that did not finish counts
    as no goodput and endless time. On a path with a deadline: how many finished before it."""
    if not runs:
        return "–", "–"
    n = len(runs)
    times = sorted(t if t is not None else math.inf for t in map(run_time, runs))
    done = [t for t in times if t != math.inf]
    mid = median(times)
    show_time = "not finished" if mid == math.inf else f"{mid:.2f} s"
    if p["deadline"]:
        under = sum(1 for t in done if t < p["deadline"])
        finished = (f"{len(done)} finished, the longest {done[-1]:.0f} s" if done
                    else "none finished")
        return f"{under} of {n} under {p['deadline']} s ({finished} within {bound})", show_time
    rates = sorted(p_bits(p) / t / 1e6 if t != math.inf else 0.0 for t in times)
    text = f"{median(rates):.2f} ({rates[0]:.2f}–{rates[-1]:.2f})" if n > 1 else f"{rates[0]:.2f}"
    if len(done) < n:
        text += f", {n - len(done)} of {n} not finished"
    return text, show_time


def p_bits(p):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(p["bytes"][:-1]) * units[p["bytes"][-1]] * 8


def fmt_model(value):
    return "–" if value is None else f"{value:.2f}"


def summary_table(paths, results, opts):
    lines = ["| path | ustcp Mbit/s: median (range) | ustcp time (median) | kernel Mbit/s: "
             "median (range) | kernel time (median) | retransmitted segments: ustcp / kernel "
             "(median) "
             "| Mathis | CUBIC model |",
             "|---|---|---|---|---|---|---|---|"]
    for p in paths:
        mine = [r for r in results if r["path"] == p["name"]]
        us = [r for r in mine if r["who"] == "ustcp" and r["seed"] in p["seeds"]]
        ks = [r for r in mine if r["who"] == "kernel" and r["seed"] in p["kernel_seeds"]]
        if not us and not ks:
            continue
        u_rate, u_time = cell(us, p, "24 h virtual")
        k_rate, k_time = cell(ks, p, f"{kernel_timeout(p, opts)} s")
        retr = []
        for runs in (us, ks):
            values = [v for v in map(retransmissions, runs) if v is not None]
            retr.append(f"{median(values):.0f}" if values else "–")
        mathis, cubic = models(p)
        seeds = f"{len(us)} / {len(ks)} seeds"
        lines.append(f"| {p['label']} ({seeds}) | {u_rate} | {u_time} | {k_rate} | {k_time} "
                     f"| {retr[0]} / {retr[1]} | {fmt_model(mathis)} | {fmt_model(cubic)} |")
    return "\n".join(lines)


def kernel_notes(results):
    """What every kernel run had in common (congestion control, sysctls) and how late the
    relay was, from the runs' own reports."""
    ks = [r for r in results if r["who"] == "kernel" and r.get("sysctl_a")]
    if not ks:
        return ""
    ccs = sorted({r.get("congestion", "?") for r in ks})
    sysctls = {}
    for r in ks:
        for k, v in r["sysctl_a"].items():
            if k != "net.ipv4.tcp_congestion_control":
                sysctls.setdefault(k, set()).add(v)
    late = [r["relay"]["lateness_us"] for r in ks
            if r.get("relay", {}).get("lateness_us", {}).get("releases")]
    p99, worst = [x["p99"] for x in late], [x["max"] for x in late]
    releases, over = sum(x["releases"] for x in late), sum(x["over_1ms"] for x in late)
    lines = [f"Kernel runs: {len(ks)}; congestion control {', '.join(ccs)}; "
             + "; ".join(f"{k.split('.')[-1]} = {' or '.join(sorted(v))}"
                         for k, v in sorted(sysctls.items()))]
    if p99:
        lines.append(f"Relay lateness: p99 per run {min(p99):.0f}–{max(p99):.0f} us (median "
                     f"{median(p99):.0f} us); {over} of {releases} datagrams over 1 ms late; "
                     f"the latest {max(worst) / 1000:.1f} ms")
    return "\n".join(lines)


def fmt_time(r):
    if r is None:
        return "–"
    t = run_time(r)
    if t is not None:
        if r["who"] == "ustcp" and not r.get("ok"):
            return f"{t:.2f} s (receiver {r.get('server_state')} at the end: not ok)"
        return f"{t:.2f} s"
    error = r.get("error", "")
    if "timed out" in error:
        bound = error.split("timed out after ")[-1].split(";")[0]
        got = r.get("bytes_received")
        return f"timed out ({bound}{f', {got // 1024} KiB arrived' if got is not None else ''})"
    if r.get("virtual_seconds") is not None:
        return f"failed at {r['virtual_seconds']:.0f} s ({error})"
    return f"failed ({error[:60]})"


def per_seed_tables(paths, results):
    lines = []
    for p in paths:
        rows = {(r["who"], r["seed"]): r for r in results if r["path"] == p["name"]}
        if not rows:
            continue
        lines.append(f"\n### {p['label']}\n")
        lines.append("| seed | ustcp time | ustcp retrans | kernel time | kernel retrans / RTOs "
                     "| relay lateness p99 / max |")
        lines.append("|---|---|---|---|---|---|")
        for seed in sorted(set(p["seeds"]) | set(p["kernel_seeds"])):
            k, u = rows.get(("kernel", seed)), rows.get(("ustcp", seed))
            kr, late = "–", "–"
            if k and k.get("counters"):
                c = k["counters"]
                kr = f"{c.get('TcpRetransSegs')} / {c.get('TcpExtTCPTimeouts')}"
            if k and k.get("relay", {}).get("lateness_us", {}).get("releases"):
                lat = k["relay"]["lateness_us"]
                late = f"{lat['p99']:.0f} / {lat['max']:.0f} us"
            ur = u.get("retransmits", "–") if u else "–"
            lines.append(f"| {seed} | {fmt_time(u)} | {ur} | {fmt_time(k)} | {kr} | {late} |")
    return "\n".join(lines)


def report(paths, results, opts):
    # One run per side, path and seed: the last one (raw files are appended to).
    results = list({(r["who"], r["path"], r["seed"]): r for r in results}.values())
    out = [summary_table(paths, results, opts), "", kernel_notes(results)]
    if opts.per_seed:
        out.append(per_seed_tables(paths, results))
    return "\n".join(out).rstrip() + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ustcp", default=os.path.join(ROOT, "build", "ustcp"))
    ap.add_argument("--jobs", type=int, default=5, help="slow kernel runs at once")
    ap.add_argument("--ustcp-jobs", type=int, default=2, help="ustcp runs at once")
    ap.add_argument("--raw", default="goodput.jsonl")
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--seeds", type=int, default=0, help="the first N seeds of each path")
    ap.add_argument("--timeout", type=int, default=900, help="seconds, per run")
    ap.add_argument("--per-seed", action="store_true", help="each seed's figures too")
    ap.add_argument("--table-from", nargs="+", metavar="RAW",
                    help="run nothing: the tables of earlier --raw files")
    side = ap.add_mutually_exclusive_group()
    side.add_argument("--kernel-only", action="store_true")
    side.add_argument("--ustcp-only", action="store_true")
    opts = ap.parse_args()
    opts.ustcp = os.path.abspath(opts.ustcp)
    paths = [p for p in default_paths() if not opts.only or p["name"] in opts.only]
    if not paths:
        sys.exit(f"goodput.py: no path named {opts.only}; known: "
                 + ", ".join(p["name"] for p in default_paths()))
    if opts.seeds > 0:
        for p in paths:
            p["seeds"], p["kernel_seeds"] = p["seeds"][:opts.seeds], p["kernel_seeds"][:opts.seeds]
    results = []
    if opts.table_from:
        for name in opts.table_from:
            try:
                results += [json.loads(line) for line in open(name) if line.strip()]
            except (OSError, ValueError) as e:
                sys.exit(f"goodput.py: --table-from {name}: {e}")
        sys.stdout.write(report(paths, results, opts))
        return 0
    if not opts.ustcp_only and os.geteuid() != 0:
        sys.exit("goodput.py: the kernel side needs root (namespaces, TUN devices): "
                 "run it with sudo, or --ustcp-only")
    if not os.access(opts.ustcp, os.X_OK):
        sys.exit(f"goodput.py: --ustcp {opts.ustcp}: not an executable "
                 "(cmake --build build --target ustcp_cli)")

    def record(r):
        results.append(r)
        with open(opts.raw, "a") as f:
            f.write(json.dumps(r) + "\n")
        print(f"{r['who']:6} {r['path']:20} seed {r['seed']:2}: {fmt_time(r)}",
              file=sys.stderr, flush=True)

    def run_all(fn, runs, jobs):
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            for f in concurrent.futures.as_completed([pool.submit(fn, p, s, opts)
                                                      for p, s in runs]):
                record(f.result())

    if not opts.kernel_only:
        run_all(run_ustcp, [(p, s) for p in paths for s in p["seeds"]], opts.ustcp_jobs)
    if not opts.ustcp_only:
        run_all(run_kernel, [(p, s) for p in paths if not kernel_parallel_ok(p)
                             for s in p["kernel_seeds"]], 1)
        run_all(run_kernel, [(p, s) for p in paths if kernel_parallel_ok(p)
                             for s in p["kernel_seeds"]], opts.jobs)
    sys.stdout.write(report(paths, results, opts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
