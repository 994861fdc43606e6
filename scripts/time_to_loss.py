#!/usr/bin/env python3
"""What users feel: wall time from launch to a validation loss, specae vs PyTorch.

    scripts/time_to_loss.py --prepped PREPPED.npz [--python PY] [--specae BIN]
                            [--threads N] [--target LOSS] [--out DIR] [--specae-args "..."]

1. Runs shared/anchors/reference.py train at the paper's settings (batch 64, Adam 1e-3,
   ReduceLROnPlateau, early stop) on the prepped file, unless --target is given.
   The target is the best validation loss PyTorch reaches.
2. Runs `specae train --prepped PREPPED.npz` with specae's default settings.
3. For both, the wall time from process start to the first epoch whose validation loss is at
   or below the target (loading data, every epoch and every validation included), as each
   epoch's line arrives on the process's output.

Prints one line per run and the ratio; writes the per-epoch timelines as JSON to --out.
Only the standard library is needed here (PyTorch is needed by the reference run).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

SPECAE_EPOCH = re.compile(r"^epoch\s+(\d+)\s+train\s+([\d.]+)\s+valid\s+([\d.]+)")


def timeline(cmd, parse, log):
    """Runs cmd; returns [(seconds since start, epoch, valid_loss)] and the exit code."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         bufsize=1)
    rows = []
    with open(log, "w") as f:
        for line in p.stdout:
            f.write(line)
            got = parse(line)
            if got is not None:
                t = time.monotonic() - t0
                rows.append((t, got[0], got[1]))
                print(f"  {t:8.1f} s  epoch {got[0]:3d}  valid {got[1]:10.3f}", flush=True)
    return rows, p.wait()


def parse_torch(line):
    if not line.startswith("{"):
        return None
    try:
        d = json.loads(line)
    except json.JSONDecodeError:
        return None
    if "epoch" in d and "valid_loss" in d:
        return int(d["epoch"]), float(d["valid_loss"])
    return None


def parse_specae(line):
    m = SPECAE_EPOCH.match(line)
    return (int(m.group(1)), float(m.group(3))) if m else None


def first_at_or_below(rows, target):
    for t, e, v in rows:
        if v <= target:
            return t, e
    return None


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--prepped", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--specae", default=os.path.join(root, "target", "release", "specae"))
    ap.add_argument("--reference", default=os.path.join(root, "..", "shared", "anchors",
                                                        "reference.py"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--target", type=float, help="skip the PyTorch run; use this loss")
    ap.add_argument("--out", default="time-to-loss")
    ap.add_argument("--specae-args", default="", help="extra arguments for specae train")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    result = {}
    if a.target is None:
        print(f"PyTorch (reference.py, batch 64, {a.threads} threads):", flush=True)
        cmd = [a.python, a.reference, "train", "--prepped", a.prepped, "--batch", "64",
               "--threads", str(a.threads), "--epochs", "500"]
        rows, rc = timeline(cmd, parse_torch, os.path.join(a.out, "pytorch.log"))
        if rc != 0 or not rows:
            sys.exit(f"reference.py failed (exit {rc}); see {a.out}/pytorch.log")
        target = min(v for _, _, v in rows)
        hit = first_at_or_below(rows, target)
        result["pytorch"] = {"timeline": rows, "best_valid": target, "time_to_target_s": hit[0],
                             "epoch": hit[1], "total_s": rows[-1][0]}
    else:
        target = a.target
    print(f"specae (default settings{', ' + a.specae_args if a.specae_args else ''}):",
          flush=True)
    cmd = [a.specae, "train", "--prepped", a.prepped, "--out",
           os.path.join(a.out, "specae-run")] + a.specae_args.split()
    rows, rc = timeline(cmd, parse_specae, os.path.join(a.out, "specae.log"))
    if rc != 0 or not rows:
        sys.exit(f"specae train failed (exit {rc}); see {a.out}/specae.log")
    hit = first_at_or_below(rows, target)
    result["specae"] = {"timeline": rows, "best_valid": min(v for _, _, v in rows),
                        "time_to_target_s": hit[0] if hit else None,
                        "epoch": hit[1] if hit else None, "total_s": rows[-1][0]}
    result["target"] = target
    with open(os.path.join(a.out, "time_to_loss.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"\ntarget validation loss {target:.3f} (PyTorch's best at the paper's settings)")
    for name in ("pytorch", "specae"):
        if name not in result:
            continue
        r = result[name]
        reached = (f"reached at epoch {r['epoch']} after {r['time_to_target_s']:.1f} s"
                   if r["time_to_target_s"] is not None else "not reached")
        print(f"  {name:8s} best {r['best_valid']:.3f}; {reached}; run ended after "
              f"{r['total_s']:.1f} s")
    p, s = result.get("pytorch"), result["specae"]
    if p and s["time_to_target_s"] is not None:
        print(f"  specae / PyTorch wall time to the target: "
              f"{s['time_to_target_s'] / p['time_to_target_s']:.2f}")


if __name__ == "__main__":
    main()
