#!/usr/bin/env python3
"""Renders results/bench/*.json into the tables of docs/benchmarks.md (between the bench:begin and
bench:end markers; the rest of the page is prose kept by hand). Ratios are detrain / PyTorch of the
medians measured in the same `make bench` run."""
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def main(out_dir, page):
    d = load(os.path.join(out_dir, "detrain.json"))
    t = load(os.path.join(out_dir, "torch.json"))
    triad = {n: load(os.path.join(out_dir, f"triad-{n}.json"))["gb_per_s"] for n in (1, 2)}
    lines = []
    with open(os.path.join(out_dir, "machine.txt")) as f:
        machine = " ".join(l.strip() for l in f if l.strip())
    lines.append(f"Machine: {machine}\n")
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
    dp_path = os.path.join(out_dir, "detrain-dpsgd.json")
    tp_path = os.path.join(out_dir, "torch-dpsgd.json")
    if os.path.exists(dp_path) and os.path.exists(tp_path):
        dp = load(dp_path)
        tp = {r["model"]: r["seconds_per_epoch"] for r in load(tp_path)["rows"]}
        lines.append("### 4-rank D-PSGD on a ring, batch 32 per rank, one epoch (60k samples), seconds\n")
        lines.append("| model | detrain device | detrain s/epoch | PyTorch gloo s/epoch | PyTorch / detrain |")
        lines.append("|---|---|---|---|---|")
        for r in dp["rows"]:
            ts = tp.get(r["model"], float("nan"))
            lines.append(f"| {r['model']} | {r['device']} | {r['seconds_per_epoch']:.2f} | {ts:.2f} | "
                         f"**{ts / r['seconds_per_epoch']:.2f}** |")
        lines.append("")
    table = "\n".join(lines)
    with open(page) as f:
        text = f.read()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(page, "w") as f:
        f.write(head + begin + "\n" + table + "\n" + end + tail)
    print(table)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
