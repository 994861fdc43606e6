#!/usr/bin/env python3
"""PyTorch on a GPU (CUDA or Apple's MPS), for scripts/bench-gpu.sh: the same network, loss,
Adam, ReduceLROnPlateau and early stopping as shared/anchors/reference.py (which runs on the
CPU), on a prepped file (`specae prep`). Prints one JSON line per epoch (samples/s, losses,
seconds since start) and a summary with the best validation loss and the peak GPU memory.

    scripts/torch_gpu.py --prepped PREPPED.npz [--epochs 200] [--batch 64] [--device cuda|mps]
"""
import argparse
import json
import sys
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prepped", required=True)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--latent", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=["cuda", "mps"])
    a = ap.parse_args()
    t_start = time.monotonic()
    import torch
    from torch import nn
    dev = a.device or ("cuda" if torch.cuda.is_available() else
                       "mps" if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
                       else None)
    if dev is None:
        print(json.dumps({"error": "PyTorch sees no CUDA or MPS device"}))
        return 2
    torch.manual_seed(a.seed)
    p = np.load(a.prepped)
    X = torch.from_numpy(p["x"]).to(dev)
    W = torch.from_numpy(p["w"]).to(dev)
    tr = torch.from_numpy(p["train"].astype(np.int64)).to(dev)
    va = torch.from_numpy(p["valid"].astype(np.int64)).to(dev)
    d = X.shape[1]
    model = nn.Sequential(
        nn.Sequential(nn.Linear(d, 703), nn.ReLU(), nn.Linear(703, 94), nn.ReLU(), nn.Linear(94, a.latent)),
        nn.Sequential(nn.Linear(a.latent, 94), nn.ReLU(), nn.Linear(94, 703), nn.ReLU(), nn.Linear(703, d)),
    ).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, "min", factor=0.1, patience=5)
    best, bad, rates = float("inf"), 0, []
    g = torch.Generator(device="cpu").manual_seed(a.seed)

    def sync():
        if dev == "cuda":
            torch.cuda.synchronize()
        elif dev == "mps":
            torch.mps.synchronize()

    for epoch in range(1, a.epochs + 1):
        sync()
        t0 = time.perf_counter()
        model.train()
        order = tr[torch.randperm(len(tr), generator=g).to(dev)]
        tot = torch.zeros((), device=dev)
        for i in range(0, len(order), a.batch):
            idx = order[i:i + a.batch]
            xb, wb = X[idx], W[idx]
            opt.zero_grad()
            loss = (wb * (model(xb) - xb) ** 2).sum(1).mean()
            loss.backward()
            opt.step()
            tot += loss.detach() * len(idx)
        sync()
        t_train = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            vl = float((W[va] * (model(X[va]) - X[va]) ** 2).sum(1).mean())
        sched.step(vl)
        rate = len(order) / t_train
        rates.append(rate)
        print(json.dumps({"epoch": epoch, "train_loss": float(tot) / len(order), "valid_loss": vl,
                          "samples_per_s": round(rate, 1),
                          "t": round(time.monotonic() - t_start, 2)}), flush=True)
        if vl < best * (1 - 1e-3):
            best, bad = vl, 0
        else:
            bad += 1
            if bad >= 10:
                break
    if dev == "cuda":
        peak = torch.cuda.max_memory_allocated() / 1e6
    else:
        peak = torch.mps.driver_allocated_memory() / 1e6
    print(json.dumps({"device": dev, "name": torch.cuda.get_device_name() if dev == "cuda" else "mps",
                      "best_valid_loss": best, "median_samples_per_s": float(np.median(rates)),
                      "peak_gpu_mb": round(peak, 1), "epochs": epoch,
                      "wall_s": round(time.monotonic() - t_start, 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
