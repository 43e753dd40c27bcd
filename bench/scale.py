#!/usr/bin/python3
"""make bench-scale: many ranks on one machine, measured. Never part of `make test`.

  bench/scale.py run [--ranks 8,64,256,1024] [--algorithms dpsgd,detag] [--out results/bench/scale.json]
      softmax regression on Fashion-MNIST, ring, under the multicore device: start-up time, seconds
      per iteration, aggregate samples/s, peak RSS of each run (about 10 minutes on 2 cores)
  bench/scale.py issue [--ranks 8,16,32,64,256,1024] [--out results/bench/scale-issue.json]
      issue 14's own command, `bin/detrain train -np N --config jobs/quickstart.properties
      --set iterations=100 --set eval.local=false`: peak RSS, start-up and outcome per N
  bench/scale.py table RESULTS.json [--doc docs/benchmarks.md]
      prints the table of a results file, or writes it into the doc between its markers
      (make bench-scale-doc); a run never edits the doc by itself

Start-up is from the command's start to the moment the last rank has finished setting up (the
latest "d=..." line of log/rank-N.log), so it covers the launcher's checks, the JVM, MPJ's start and
every rank's plan and state. The heap after GC is the largest occupancy GC logged right after a
collection (an upper bound of the live data: the default heap is a quarter of the machine, and G1
lets the rank JVM's resident set grow well past what it keeps alive). Seconds per iteration come from metrics.h5's wall-clock records (the
training loop only), over the second half of the run (the steady state; the whole loop's average
beside it); aggregate samples/s is ranks x batch over the second half. Peak RSS is GNU time's maximum resident set, that of the largest process (the rank JVM).
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP_LINE = re.compile(r"^(\S+) rank (\d+) d=")
DOC_BEGIN = "<!-- bench-scale:begin -->"
DOC_END = "<!-- bench-scale:end -->"
ISSUE_BEGIN = "<!-- bench-scale-issue:begin -->"
ISSUE_END = "<!-- bench-scale-issue:end -->"


def machine():
    load = open("/proc/loadavg").read().split()[:3]
    mem = next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1]
    return {"cores": os.cpu_count(), "memory_gib": round(int(mem) / 2**20, 1), "load_at_start": " ".join(load),
            "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def timed(cmd, log):
    """Runs cmd under GNU time; returns (exit code, wall s, peak RSS MiB, CPU s, start time)."""
    stats = log + ".time"
    start = time.time()
    with open(log, "w") as out:
        rc = subprocess.call(["/usr/bin/time", "-o", stats, "-f", "%e %M %U %S"] + cmd, stdout=out,
                             stderr=subprocess.STDOUT, cwd=ROOT)
    fields = open(stats).read().split()[-4:]
    wall, rss_kb, user, sys_ = float(fields[0]), int(fields[1]), float(fields[2]), float(fields[3])
    return rc, wall, rss_kb / 1024, user + sys_, start


def setup_done(run_dir, start):
    """Seconds from start until the last rank logged the end of its set-up (None if none did)."""
    latest = None
    log_dir = os.path.join(run_dir, "log")
    for name in os.listdir(log_dir) if os.path.isdir(log_dir) else []:
        if not name.startswith("rank-"):
            continue
        for line in open(os.path.join(log_dir, name), errors="replace"):
            m = SETUP_LINE.match(line)
            if m:
                t = datetime.datetime.fromisoformat(m.group(1).rstrip("Z")[:26]).replace(
                    tzinfo=datetime.timezone.utc).timestamp()
                latest = t if latest is None else max(latest, t)
                break
    return None if latest is None else latest - start


def loop_rate(run_dir):
    """(seconds per iteration over the second half of the run, over the whole loop) from metrics.h5's records.

    The second half is the steady state: under the multicore device every rank has its own copy of
    MPJ's classes, so the JIT compiles MPJ's code once per rank, and a 1024-rank run spends its first
    hundred iterations or so interpreting it."""
    path = os.path.join(run_dir, "metrics.h5")
    if not os.path.exists(path):
        return None, None
    with h5py.File(path, "r") as f:
        it = f["metrics/iteration"][()]
        wall = f["metrics/wall_time"][()]
    if len(it) < 2:
        return None, None
    half = next(k for k in range(len(it)) if it[k] >= it[-1] / 2)
    half = min(half, len(it) - 2)
    return float((wall[-1] - wall[half]) / (it[-1] - it[half])), float(wall[-1] / it[-1])


GC_LINE = re.compile(r"Pause .*?(\d+)M->(\d+)M\((\d+)M\)")


def heap_after_gc(gc_log):
    """The largest heap occupancy right after a collection (MiB): what the run kept alive, at most."""
    if not os.path.exists(gc_log):
        return None
    after = [int(m.group(2)) for m in map(GC_LINE.search, open(gc_log, errors="replace")) if m]
    return max(after) if after else None


def outcome(rc, log):
    if rc == 0:
        return "ok"
    lines = [l.strip() for l in open(log, errors="replace") if l.startswith("detrain")]
    text = lines[-1] if lines else "exit %d" % rc
    return "exit %d: %s" % (rc, text[:160])


def run_bench(args):
    results = {"machine": machine(), "runs": []}
    if args.merge and os.path.exists(args.out):
        # rerun some sizes, keep the others (each run keeps the load average it saw)
        results = json.load(open(args.out))
        redo = {(a, int(n)) for a in args.algorithms.split(",") for n in args.ranks.split(",")}
        results["runs"] = [r for r in results["runs"] if (r["algorithm"], r["ranks"]) not in redo]
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    for algorithm in args.algorithms.split(","):
        for n in [int(x) for x in args.ranks.split(",")]:
            # at least 200 iterations (the JIT compiles MPJ's code once per rank), at least 40 samples per rank's shard
            iterations = max(200, 40 * 1024 // n)
            run_id = "scale-%s-%d" % (algorithm, n)
            cmd = ["bin/detrain", "train", "-np", str(n), "--config", "jobs/quickstart.properties",
                   "--results", args.work, "--run-id", run_id, "--overwrite", "--set", "algorithm=" + algorithm,
                   "--set", "iterations=%d" % iterations, "--set", "log.every=%d" % max(1, iterations // 10),
                   "--set", "eval.every=%d" % iterations, "--set", "eval.local=false", "--set", "save.models=false",
                   "--jvm=-Xlog:gc:file=%s" % os.path.join(ROOT, args.work, run_id + ".gc.log")]
            print("== %s, %d ranks, %d iterations" % (algorithm, n, iterations), file=sys.stderr, flush=True)
            log = os.path.join(ROOT, args.work, run_id + ".out")
            os.makedirs(os.path.dirname(log), exist_ok=True)
            rc, wall, rss, cpu, start = timed(cmd, log)
            run_dir = os.path.join(ROOT, args.work, run_id)
            per_it, whole = loop_rate(run_dir) if rc == 0 else (None, None)
            startup = setup_done(run_dir, start)
            r = {"algorithm": algorithm, "ranks": n, "batch": 32, "iterations": iterations, "outcome": outcome(rc, log),
                 "load_at_start": machine()["load_at_start"],
                 "wall_s": round(wall, 2), "cpu_s": round(cpu, 1), "peak_rss_mib": round(rss),
                 "startup_s": round(startup, 2) if startup is not None else None,
                 "s_per_iteration": per_it, "s_per_iteration_whole_run": whole,
                 "samples_per_s": round(n * 32 / per_it) if per_it else None,
                 "heap_after_gc_mib": heap_after_gc(os.path.join(ROOT, args.work, run_id + ".gc.log"))}
            print("   " + json.dumps(r), file=sys.stderr, flush=True)
            results["runs"].append(r)
            results["runs"].sort(key=lambda x: (args.algorithms.split(",").index(x["algorithm"])
                                                if x["algorithm"] in args.algorithms.split(",") else 99, x["ranks"]))
            with open(args.out, "w") as f:
                json.dump(results, f, indent=1)
    print(table(results))


def run_issue(args):
    results = {"machine": machine(), "runs": [], "command": "bin/detrain train -np N --config jobs/quickstart.properties"
               " --set iterations=100 --set eval.local=false"}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    for n in [int(x) for x in args.ranks.split(",")]:
        run_id = "issue-%d" % n
        cmd = ["bin/detrain", "train", "-np", str(n), "--config", "jobs/quickstart.properties", "--set",
               "iterations=100", "--set", "eval.local=false", "--results", args.work, "--run-id", run_id, "--overwrite"]
        print("== issue command, %d ranks" % n, file=sys.stderr, flush=True)
        log = os.path.join(ROOT, args.work, run_id + ".out")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        rc, wall, rss, cpu, start = timed(cmd, log)
        startup = setup_done(os.path.join(ROOT, args.work, run_id), start)
        r = {"ranks": n, "load_at_start": machine()["load_at_start"], "peak_rss_mib": round(rss),
             "startup_s": round(startup, 2) if startup is not None else None,
             "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "outcome": outcome(rc, log)}
        print("   " + json.dumps(r), file=sys.stderr, flush=True)
        results["runs"].append(r)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
    print(table(results))


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def table(results):
    m = results["machine"]
    head = "%d cores, %.0f GiB, load average %s at the start, %s." % (m["cores"], m["memory_gib"], m["load_at_start"],
                                                                     m["when"])
    if "command" in results:
        lines = ["`%s`; %s" % (results["command"], head), "",
                 "| ranks | peak RSS | start-up | wall | load at start | outcome |", "|---|---|---|---|---|---|"]
        for r in results["runs"]:
            lines.append("| %d | %s | %s | %s | %s | %s |" % (
                r["ranks"], fmt(r["peak_rss_mib"] / 1024, ".2f") + " GiB", fmt(r["startup_s"], ".1f") + " s",
                fmt(r["wall_s"], ".0f") + " s", r.get("load_at_start", "—").split(" ")[0], r["outcome"].replace("|", "/")))
        return "\n".join(lines)
    lines = ["Softmax regression on Fashion-MNIST, ring, batch 32 per rank, multicore device; " + head, "",
             "| algorithm | ranks | iterations | start-up | s / iteration (2nd half; whole loop) | aggregate samples/s |"
             " vs 8 ranks | peak RSS | heap after GC, at most | load at start | outcome |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    base = {}
    for r in results["runs"]:
        if r["ranks"] == 8 and r["samples_per_s"]:
            base[r["algorithm"]] = r["samples_per_s"]
    for r in results["runs"]:
        ratio = r["samples_per_s"] / base[r["algorithm"]] if r["samples_per_s"] and r["algorithm"] in base else None
        lines.append("| %s | %d | %d | %s s | %s; %s | %s | %s | %s GiB | %s MiB | %s | %s |" % (
            r["algorithm"], r["ranks"], r["iterations"], fmt(r["startup_s"], ".1f"), fmt(r["s_per_iteration"], ".4f"),
            fmt(r.get("s_per_iteration_whole_run"), ".4f"),
            fmt(r["samples_per_s"], ",d"), fmt(ratio, ".2f"), fmt(r["peak_rss_mib"] / 1024, ".2f"),
            fmt(r.get("heap_after_gc_mib"), "d"), r.get("load_at_start", "—").split(" ")[0], r["outcome"].replace("|", "/")))
    return "\n".join(lines)


def write_doc(results, doc):
    begin, end = (ISSUE_BEGIN, ISSUE_END) if "command" in results else (DOC_BEGIN, DOC_END)
    text = open(doc).read()
    if begin not in text or end not in text:
        sys.exit("%s has no %s ... %s markers" % (doc, begin, end))
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(doc + ".tmp", "w") as f:
        f.write(head + begin + "\n" + table(results) + "\n" + end + tail)
    os.replace(doc + ".tmp", doc)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    b = sub.add_parser("run")
    b.add_argument("--ranks", default="8,64,256,1024")
    b.add_argument("--algorithms", default="dpsgd,detag")
    b.add_argument("--out", default="results/bench/scale.json")
    b.add_argument("--work", default="build/bench-scale")
    b.add_argument("--merge", action="store_true", help="replace only these sizes' runs in an existing --out file")
    i = sub.add_parser("issue")
    i.add_argument("--ranks", default="8,16,32,64,256,1024")
    i.add_argument("--out", default="results/bench/scale-issue.json")
    i.add_argument("--work", default="build/bench-scale")
    t = sub.add_parser("table")
    t.add_argument("results")
    t.add_argument("--doc")
    args = p.parse_args()
    os.chdir(ROOT)
    if args.what == "run":
        run_bench(args)
    elif args.what == "issue":
        run_issue(args)
    else:
        results = json.load(open(args.results))
        if args.doc:
            write_doc(results, args.doc)
        else:
            print(table(results))


if __name__ == "__main__":
    main()
