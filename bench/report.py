#!/usr/bin/env python3
"""Renders results/bench/*.json into Markdown tables.

    bench/report.py results/bench results/bench/benchmarks.md   # make bench: the tables alone
    bench/report.py results/bench docs/benchmarks.md            # make bench-docs: between the markers

A page that holds the bench:begin and bench:end markers gets the tables between them (the rest of
the page is prose kept by hand); any other page is written with the tables alone. Ratios are of
figures measured in the same `make bench` run; parts that did not run are left out."""
import json
import os
import re
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def single_rank(out_dir, lines):
    d = load(os.path.join(out_dir, "detrain.json"))
    t = load(os.path.join(out_dir, "torch.json"))
    triad = {n: load(os.path.join(out_dir, f"triad-{n}.json"))["gb_per_s"] for n in (1, 2)}
    lines.append("### Single-rank training throughput (samples/s, median of 3)\n")
    order = ["java", "java-2t", "java-4t", "jtp", "cpu", "gpu", "auto"]
    devices = sorted({r["device"] for r in d["rows"] if r["kind"] == "train"},
                     key=lambda x: order.index(x) if x in order else len(order))
    lines.append("| model | batch | " + " | ".join(f"detrain {x}" for x in devices)
                 + " | PyTorch 1 thread | PyTorch 2 threads | best detrain / best PyTorch |")
    lines.append("|---|---|" + "---|" * len(devices) + "---|---|---|")
    torch_rate = {(r["model"], r["batch"], r["threads"]): r["samples_per_s"] for r in t["rows"]}
    for model in ("softmax", "mlp", "lenet"):
        for batch in sorted({r["batch"] for r in d["rows"] if r["kind"] == "train"}):
            ours = {r["device"]: r["samples_per_s"] for r in d["rows"]
                    if r["kind"] == "train" and r["model"] == model and r["batch"] == batch}
            if not ours:
                continue
            t1 = torch_rate.get((model, batch, 1), float("nan"))
            t2 = torch_rate.get((model, batch, 2), float("nan"))
            best_ours = max(ours.values())
            best_dev = max(ours, key=ours.get)
            ratio = best_ours / max(t1, t2)
            lines.append(f"| {model} | {batch} | " + " | ".join(f"{ours.get(x, float('nan')):,.0f}" for x in devices)
                         + f" | {t1:,.0f} | {t2:,.0f} | **{ratio:.2f}** ({best_dev}) |")
    lines.append("")
    lines.append("### Mixing step, 1 M floats (GB/s, counting k+1 reads and 1 write of 4 bytes per element)\n")
    lines.append(f"Memory triad on this machine (bench/triad.c, doubles): {triad[1]:.1f} GB/s on 1 thread, "
                 f"{triad[2]:.1f} GB/s on 2; Java triad (1 thread): "
                 + f"{[r for r in d['rows'] if r['kind'] == 'java-triad'][0]['gb_per_s']:.1f} GB/s.\n")
    lines.append("| device | 2 neighbours | 4 neighbours | worse / 1-thread triad | worse / 2-thread triad |")
    lines.append("|---|---|---|---|---|")
    mix = {}
    for r in d["rows"]:
        if r["kind"] == "mix":
            mix.setdefault(r["device"], {})[r["neighbours"]] = r["gb_per_s"]
    for dev, v in mix.items():
        lines.append(f"| {dev} | {v.get(2, float('nan')):.1f} | {v.get(4, float('nan')):.1f} | "
                     f"{min(v.values()) / triad[1]:.2f} | {min(v.values()) / triad[2]:.2f} |")
    lines.append("")


def epochs(out_dir, lines):
    dp = load(os.path.join(out_dir, "detrain-dpsgd.json"))
    tp = {r["model"]: r["seconds_per_epoch"] for r in load(os.path.join(out_dir, "torch-dpsgd.json"))["rows"]}
    lines.append("### 4-rank D-PSGD on a ring, batch 32 per rank, one epoch (60k samples), seconds\n")
    lines.append("| model | detrain device | detrain s/epoch | PyTorch gloo s/epoch | PyTorch / detrain |")
    lines.append("|---|---|---|---|---|")
    for r in dp["rows"]:
        ts = tp.get(r["model"], float("nan"))
        lines.append(f"| {r['model']} | {r['device']} | {r['seconds_per_epoch']:.2f} | {ts:.2f} | "
                     f"**{ts / r['seconds_per_epoch']:.2f}** |")
    lines.append("")


def seconds(v):
    return "not reached" if v is None else f"{v:.2f}"


def time_to_accuracy(out_dir, lines):
    ours = load(os.path.join(out_dir, "detrain-tta.json"))["rows"]
    theirs = {(r["model"], r["ranks"]): r for r in load(os.path.join(out_dir, "torch-tta.json"))["rows"]}
    algorithms = [a for a in ("dpsgd", "dsgt", "detag") if any(r["algorithm"] == a for r in ours)]
    lines.append("### Time to a target test accuracy (Fashion-MNIST, ring, batch 32 per rank, lr 0.05, IID), "
                 "training seconds (evaluations left out) and the accuracy reached there\n")
    lines.append("| model | ranks | target | " + " | ".join(f"detrain {a}" for a in algorithms)
                 + " | PyTorch D-PSGD (gloo) | PyTorch / detrain D-PSGD |")
    lines.append("|---|---|---|" + "---|" * len(algorithms) + "---|---|")
    for (model, ranks) in sorted({(r["model"], r["ranks"]) for r in ours},
                                 key=lambda k: (["softmax", "mlp", "lenet"].index(k[0]), k[1])):
        cells = []
        dpsgd = None
        target = None
        for a in algorithms:
            r = next((r for r in ours if (r["model"], r["ranks"], r["algorithm"]) == (model, ranks, a)), None)
            if r is None:
                cells.append("-")
                continue
            target = r["target"]
            if a == "dpsgd":
                dpsgd = r["seconds_to_target"]
            cells.append(f"{seconds(r['seconds_to_target'])} s ({r['accuracy_at_target']:.4f})"
                         if r["seconds_to_target"] is not None else f"not reached ({r['final_accuracy']:.4f})")
        t = theirs.get((model, ranks))
        tcell = "-" if t is None else (f"{t['seconds_to_target']:.2f} s ({t['accuracy_at_target']:.4f})"
                                      if t["seconds_to_target"] is not None else f"not reached ({t['final_accuracy']:.4f})")
        ratio = "-" if t is None or t["seconds_to_target"] is None or not dpsgd else \
            f"**{t['seconds_to_target'] / dpsgd:.2f}**"
        lines.append(f"| {model} | {ranks} | {target:.2f} | " + " | ".join(cells) + f" | {tcell} | {ratio} |")
    lines.append("")


def gossip(out_dir, lines):
    with open(os.path.join(out_dir, "check.txt")) as f:
        text = f.read()
    lines.append("### Gossip round vs MPJ Express's own ring (`detrain check -np 4 --rounds 1000`), slowest rank\n")
    lines.append("| payload | MPJ Isend/Irecv/Waitall | detrain exchange | detrain gossip round (exchange + mixing) |")
    lines.append("|---|---|---|---|")
    for block in re.split(r"(?=ring exchange of )", text)[1:]:
        floats = re.match(r"ring exchange of (\d+) floats", block).group(1)
        figures = re.findall(r"([0-9.]+) us per round,\s+([0-9.]+) GB/s sent per rank(?:, ([0-9.]+)x)?", block)
        if len(figures) != 3:
            continue
        cell = [f"{float(us):,.1f} µs, {float(gb):.3f} GB/s" + (f" ({x}×)" if x else "") for us, gb, x in figures]
        lines.append(f"| {int(floats) * 4:,} bytes | " + " | ".join(cell) + " |")
    lines.append("")


def metrics_io(out_dir, lines):
    rows = {r["eval_every"]: r for r in load(os.path.join(out_dir, "metrics-io.json"))["rows"]}
    lines.append("### Metrics out of the loop: 300 iterations of 4-rank D-PSGD on synthetic-hlsq, exact gradients, "
                 "median of 3 (seconds, rank 0's clock)\n")
    lines.append("| eval.every | training_time | wall_time | eval_time | record_time | metrics_io_time | checkpoint_time |")
    lines.append("|---|---|---|---|---|---|---|")
    for e in sorted(rows):
        r = rows[e]
        lines.append(f"| {e} | {r['training_time']:.3f} | {r['wall_time']:.3f} | {r['eval_time']:.3f} | "
                     f"{r['record_time']:.3f} | {r['metrics_io_time']:.4f} | {r['checkpoint_time']:.3f} |")
    if 1 in rows and 300 in rows:
        lines.append(f"\nTraining time with an evaluation every iteration / every 300: "
                     f"**{rows[1]['training_time'] / rows[300]['training_time']:.2f}** (target ≤ 1.2).")
    lines.append("")


def main(out_dir, page):
    lines = []
    with open(os.path.join(out_dir, "machine.txt")) as f:
        machine = " ".join(l.strip() for l in f if l.strip())
    lines.append(f"Machine: {machine}\n")
    parts = [(single_rank, "detrain.json"), (epochs, "detrain-dpsgd.json"), (time_to_accuracy, "detrain-tta.json"),
             (gossip, "check.txt"), (metrics_io, "metrics-io.json")]
    for render, needs in parts:
        if os.path.exists(os.path.join(out_dir, needs)):
            render(out_dir, lines)
    table = "\n".join(lines)
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    text = ""
    if os.path.exists(page):
        with open(page) as f:
            text = f.read()
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + begin + "\n" + table + "\n" + end + tail
    else:
        text = table + "\n"
    with open(page, "w") as f:
        f.write(text)
    print(table)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
