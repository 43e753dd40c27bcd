#!/usr/bin/env python3
"""PyTorch baseline of `make bench`: D-PSGD over gloo on localhost, one process per rank, a ring with
Metropolis weights 1/3 (1/2 for two ranks), one torch thread per process. Each iteration: gradient at
x_i, exchange x_i with both neighbours (one message each way), then x_i <- (mixing) - lr * g_i --
the recurrence detrain's D-PSGD runs.

Two measurements:
  (default)        seconds per epoch (60,000 samples) on random images of Fashion-MNIST's shape,
                   batch 32 per rank, for each of --ranks;
  --to-accuracy    time to a target test accuracy on the real Fashion-MNIST (--data, IDX files,
                   pixels / 255 as detrain reads them), an IID split (a seeded permutation cut into
                   n shards, reshuffled every pass), plain SGD at --lr: every --eval-every iterations
                   the clock stops, the ranks' models are averaged (all-reduce) and the average is
                   evaluated on the 10,000 test images; the run stops at the first evaluation at or
                   above the model's target, or after --max-epochs. Reported: training seconds to
                   the target (evaluations left out, as detrain's training_time), the iteration and
                   the accuracy reached there.
Prints one JSON object (to --out or stdout)."""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import model  # noqa: E402


def read_idx(path):
    """An IDX file (optionally gzipped) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mnist(directory):
    def find(stem):
        for name in (stem, stem + ".gz"):
            if os.path.exists(os.path.join(directory, name)):
                return os.path.join(directory, name)
        raise SystemExit("%s not found in %s: run `make data`" % (stem, directory))
    x = read_idx(find("train-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find("train-labels-idx1-ubyte")).astype(np.int64)
    tx = read_idx(find("t10k-images-idx3-ubyte")).astype(np.float32) / 255.0
    ty = read_idx(find("t10k-labels-idx1-ubyte")).astype(np.int64)
    return (torch.from_numpy(x).reshape(-1, 1, 28, 28), torch.from_numpy(y),
            torch.from_numpy(tx).reshape(-1, 1, 28, 28), torch.from_numpy(ty))


def ring_weights(world):
    if world == 1:
        return 1.0, []
    if world == 2:
        return 0.5, [0.5]
    return 1.0 / 3, [1.0 / 3, 1.0 / 3]


def worker(rank, world, name, a, port, queue):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(1)
    net = model(name, [128])
    loss_fn = nn.CrossEntropyLoss()
    params = list(net.parameters())
    self_w, peer_w = ring_weights(world)
    peers = [] if world == 1 else ([(rank + 1) % world] if world == 2 else [(rank - 1) % world, (rank + 1) % world])
    flat = torch.nn.utils.parameters_to_vector(params).detach()
    recv = [torch.empty_like(flat) for _ in peers]
    if a.to_accuracy:
        x, y, tx, ty = fashion_mnist(a.data)
        g = torch.Generator().manual_seed(a.seed)
        shard = torch.randperm(len(y), generator=g)[rank::world]
        per_epoch = len(y) // (world * a.batch)
        max_iterations = int(a.max_epochs * per_epoch)
        target = a.target[name]
    else:
        data = [(torch.rand(a.batch, 1, 28, 28), torch.randint(0, 10, (a.batch,))) for _ in range(8)]
        per_epoch = a.samples // (world * a.batch)
        max_iterations = per_epoch
        target = None
    order, pos = None, len(shard) if a.to_accuracy else 0
    trained = 0.0
    reached = None
    evaluations = []
    dist.barrier()
    t0 = time.perf_counter()
    for it in range(max_iterations):
        if a.to_accuracy:
            if pos + a.batch > len(shard):
                order, pos = shard[torch.randperm(len(shard), generator=g)], 0
            idx = order[pos:pos + a.batch]
            pos += a.batch
            xb, yb = x[idx], y[idx]
        else:
            xb, yb = data[it % len(data)]
        for p in params:
            p.grad = None
        loss_fn(net(xb), yb).backward()
        grad = torch.nn.utils.parameters_to_vector([p.grad for p in params])
        flat = torch.nn.utils.parameters_to_vector(params).detach()
        reqs = [dist.irecv(r, p) for r, p in zip(recv, peers)] + [dist.isend(flat, p) for p in peers]
        for r in reqs:
            r.wait()
        mixed = flat * self_w
        for r, w in zip(recv, peer_w):
            mixed += w * r
        torch.nn.utils.vector_to_parameters(mixed - a.lr * grad, params)
        done = it + 1
        if a.to_accuracy and (done % a.eval_every == 0 or done == max_iterations):
            dist.barrier()
            trained += time.perf_counter() - t0  # the clock stops for the evaluation
            average = torch.nn.utils.parameters_to_vector(params).detach().clone()
            dist.all_reduce(average)
            average /= world
            result = torch.zeros(1, dtype=torch.float64)
            if rank == 0:  # rank 0 evaluates the average and decides for all
                probe = model(name, [128])
                torch.nn.utils.vector_to_parameters(average, probe.parameters())
                with torch.no_grad():
                    result[0] = float((probe(tx).argmax(1) == ty).float().mean())
            dist.broadcast(result, 0)
            accuracy = float(result[0])
            evaluations.append((done, trained, accuracy))
            if accuracy >= target:
                reached = (done, trained, accuracy)
                break
            dist.barrier()
            t0 = time.perf_counter()
    if not a.to_accuracy:
        dist.barrier()
        trained = time.perf_counter() - t0
    if rank == 0:
        queue.put({"trained": trained, "per_epoch": per_epoch, "reached": reached, "evaluations": evaluations})
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="softmax,mlp,lenet")
    ap.add_argument("--ranks", default="4", help="comma-separated rank counts, e.g. 4,8")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--port", type=int, default=29517)
    ap.add_argument("--to-accuracy", action="store_true", help="time to a target test accuracy on real data")
    ap.add_argument("--data", default="data/fashion-mnist")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target", default="softmax=0.78,mlp=0.80,lenet=0.78",
                    help="target test accuracy per model, e.g. softmax=0.78,mlp=0.80")
    ap.add_argument("--eval-every", type=int, default=25, help="iterations between evaluations")
    ap.add_argument("--max-epochs", type=float, default=3)
    ap.add_argument("--out")
    a = ap.parse_args()
    a.target = {k: float(v) for k, v in (t.split("=") for t in a.target.split(","))}
    rows = []
    ctx = mp.get_context("spawn")
    port = a.port
    for world in [int(r) for r in a.ranks.split(",")]:
        for name in a.models.split(","):
            queue = ctx.SimpleQueue()
            mp.spawn(worker, args=(world, name, a, port, queue), nprocs=world, join=True)
            port += 1
            got = queue.get()
            row = {"model": name, "ranks": world, "batch": a.batch}
            if a.to_accuracy:
                reached = got["reached"]
                last = got["evaluations"][-1]
                row.update({"lr": a.lr, "target": a.target[name], "eval_every": a.eval_every,
                            "seconds_to_target": reached[1] if reached else None,
                            "iterations_to_target": reached[0] if reached else None,
                            "accuracy_at_target": reached[2] if reached else None,
                            "final_accuracy": last[2], "training_seconds": last[1],
                            "iterations_per_epoch": got["per_epoch"], "evaluations": got["evaluations"]})
                print("torch dpsgd %-8s %d ranks: %s" % (name, world, "%.2f s to %.4f (target %.2f) at iteration %d"
                      % (reached[1], reached[2], a.target[name], reached[0]) if reached
                      else "target %.2f not reached (%.4f)" % (a.target[name], last[2])), file=sys.stderr)
            else:
                row.update({"iterations": got["per_epoch"], "seconds_per_epoch": got["trained"]})
                print(f"torch dpsgd {name:8s} {world} ranks: {got['trained']:.2f} s/epoch", file=sys.stderr)
            rows.append(row)
    text = json.dumps({"tool": "pytorch-dpsgd", "version": torch.__version__,
                       "mode": "to-accuracy" if a.to_accuracy else "epoch", "rows": rows}, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
