#!/usr/bin/env python3
"""PyTorch CPU baseline for `make bench`: single-process training throughput (samples/s) of the
same models detrain trains (softmax regression 784-10, MLP 784-128-10, LeNet-5 on 28x28x1), plain
SGD, cross-entropy, at the given batch sizes, with 1 and 2 torch threads; median of --repeats timed
runs of --steps steps each after a warm-up. Writes one JSON object to --out (or stdout)."""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn


def model(name, hidden):
    if name == "softmax":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    if name == "mlp":
        layers, width = [nn.Flatten()], 784
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        return nn.Sequential(*layers, nn.Linear(width, 10))
    if name == "lenet":
        return nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84),
                             nn.ReLU(), nn.Linear(84, 10))
    raise ValueError(name)


def throughput(name, batch, threads, steps, repeats, hidden):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = model(name, hidden)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    batches = [(torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,))) for _ in range(8)]

    def step(i):
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for i in range(max(10, steps // 5)):
        step(i)
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(steps):
            step(i)
        rates.append(steps * batch / (time.perf_counter() - t0))
    return statistics.median(rates), rates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="softmax,mlp,lenet")
    ap.add_argument("--batches", default="32,128")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--hidden", default="128")
    ap.add_argument("--out")
    a = ap.parse_args()
    hidden = [int(h) for h in a.hidden.split(",")]
    rows = []
    for name in a.models.split(","):
        for batch in [int(b) for b in a.batches.split(",")]:
            for threads in [int(t) for t in a.threads.split(",")]:
                steps = a.steps if name != "lenet" else max(20, a.steps // 4)
                med, runs = throughput(name, batch, threads, steps, a.repeats, hidden)
                rows.append({"model": name, "batch": batch, "threads": threads, "samples_per_s": med, "runs": runs})
                print(f"torch {name:8s} batch {batch:4d} threads {threads}: {med:12.0f} samples/s", file=sys.stderr)
    doc = {"tool": "pytorch", "version": torch.__version__, "rows": rows}
    text = json.dumps(doc, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
