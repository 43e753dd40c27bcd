#!/usr/bin/env python3
"""PyTorch baseline of `make bench`'s end-to-end figure: seconds per epoch of 4-rank D-PSGD on a
ring (Metropolis weights 1/3), gloo on localhost, batch 32 per rank, one torch thread per process,
60,000 samples per epoch in total (468 iterations), random images of Fashion-MNIST's shape. Each
iteration: gradient at x_i, exchange x_i with both neighbours (one message each way), then
x_i <- (x_i + x_left + x_right)/3 - lr * g_i. Prints one JSON object per model."""
import argparse
import json
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import model  # noqa: E402


def worker(rank, world, name, iterations, batch, port, queue):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(1)
    net = model(name, [128])
    loss_fn = nn.CrossEntropyLoss()
    params = list(net.parameters())
    data = [(torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,))) for _ in range(8)]
    left, right = (rank - 1) % world, (rank + 1) % world
    flat = torch.nn.utils.parameters_to_vector(params).detach()
    recv_l, recv_r = torch.empty_like(flat), torch.empty_like(flat)
    dist.barrier()
    t0 = time.perf_counter()
    for it in range(iterations):
        x, y = data[it % len(data)]
        for p in params:
            p.grad = None
        loss_fn(net(x), y).backward()
        grad = torch.nn.utils.parameters_to_vector([p.grad for p in params])
        flat = torch.nn.utils.parameters_to_vector(params).detach()
        reqs = [dist.irecv(recv_l, left), dist.irecv(recv_r, right), dist.isend(flat, left), dist.isend(flat, right)]
        for r in reqs:
            r.wait()
        mixed = (flat + recv_l + recv_r) / 3 - 0.01 * grad
        torch.nn.utils.vector_to_parameters(mixed, params)
    dist.barrier()
    elapsed = time.perf_counter() - t0
    if rank == 0:
        queue.put(elapsed)
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="softmax,mlp,lenet")
    ap.add_argument("--ranks", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--port", type=int, default=29517)
    ap.add_argument("--out")
    a = ap.parse_args()
    iterations = a.samples // (a.ranks * a.batch)
    rows = []
    ctx = mp.get_context("spawn")
    for i, name in enumerate(a.models.split(",")):
        queue = ctx.SimpleQueue()
        mp.spawn(worker, args=(a.ranks, name, iterations, a.batch, a.port + i, queue), nprocs=a.ranks, join=True)
        seconds = queue.get()
        rows.append({"model": name, "ranks": a.ranks, "batch": a.batch, "iterations": iterations, "seconds_per_epoch": seconds})
        print(f"torch dpsgd {name:8s} {a.ranks} ranks: {seconds:.2f} s/epoch", file=sys.stderr)
    text = json.dumps({"tool": "pytorch-dpsgd", "version": torch.__version__, "rows": rows}, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
