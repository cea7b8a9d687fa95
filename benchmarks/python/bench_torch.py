#!/usr/bin/python3
"""Python side of the DiffusionCore benchmark comparison (Debian's python3-torch, torch 1.13).

Times the same workloads as `DiffusionCore.Benchmarks compare`, with the same flags, defaults, warm-up, repeat
structure and statistic (median of repeats), and prints the same table, so that benchmarks/run-comparison.sh can join
the two. Both sides call the same libtorch shared libraries (/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13).

Workloads:
  add_f32x16         c = a.add(b) on 16-element float32 tensors; c is freed when its reference count drops
                     (the Python counterpart of `using var c = a.Add(b);`)
  mul_scalar_f32x16  c = a.mul(2.0)
  conv2d_fwd_bwd     w.grad = None; conv2d(x, w, b, padding=1).sum().backward() with x [32,64,32,32],
                     w [64,64,3,3] (requires_grad), b [64]

Needs only the Debian packages: `apt-get install python3-torch` (run it with /usr/bin/python3, not a virtualenv).
"""

import argparse
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

SEED = 1234
LENGTH = 16


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--warmup", type=int, default=20_000, help="small-op calls before measuring")
    p.add_argument("--inner", type=int, default=20_000, help="small-op calls per timed repeat")
    p.add_argument("--repeats", type=int, default=21, help="timed repeats per small op (median reported)")
    p.add_argument("--conv-warmup", type=int, default=3, help="conv steps before measuring")
    p.add_argument("--conv-repeats", type=int, default=11, help="timed conv steps (median reported)")
    p.add_argument("--no-conv", action="store_true", help="skip the conv workload")
    p.add_argument("--quick", action="store_true", help="small counts for smoke runs (explicit flags still win)")
    args = p.parse_args(argv)
    if args.quick:
        # Same as the .NET runner's --quick; flags given explicitly keep their values.
        given = {a.split("=")[0] for a in argv}
        for name, value in (("warmup", 2_000), ("inner", 2_000), ("repeats", 7), ("conv_warmup", 1), ("conv_repeats", 3)):
            if "--" + name.replace("_", "-") not in given:
                setattr(args, name, value)
    for name in ("threads", "warmup", "inner", "repeats", "conv_warmup", "conv_repeats"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} needs a positive integer")
    return args


def measure(workload, block, warmup, inner, repeats, unit, units_per_second):
    """Runs `block(warmup)`, then `repeats` timed `block(inner)` calls; returns (name, median, min, unit, repeats, inner)."""
    block(warmup)
    per_call = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        block(inner)
        elapsed = time.perf_counter_ns() - start
        per_call.append(elapsed * units_per_second / 1e9 / inner)
    return (workload, statistics.median(per_call), min(per_call), unit, repeats, inner)


def small_op_rows(args):
    g = torch.Generator().manual_seed(SEED)
    a = torch.randn(LENGTH, generator=g)
    b = torch.randn(LENGTH, generator=g)

    def add(n):
        for _ in range(n):
            a.add(b)

    def mul_scalar(n):
        for _ in range(n):
            a.mul(2.0)

    return [
        measure("add_f32x16", add, args.warmup, args.inner, args.repeats, "us/op", 1e6),
        measure("mul_scalar_f32x16", mul_scalar, args.warmup, args.inner, args.repeats, "us/op", 1e6),
    ]


def conv_row(args):
    g = torch.Generator().manual_seed(SEED)
    x = torch.randn(32, 64, 32, 32, generator=g)
    w = torch.randn(64, 64, 3, 3, generator=g).requires_grad_()
    bias = torch.randn(64, generator=g)

    def step(n):
        for _ in range(n):
            w.grad = None
            F.conv2d(x, w, bias, padding=1).sum().backward()

    # One step per repeat, as the .NET runner.
    return measure("conv2d_fwd_bwd", step, args.conv_warmup, 1, args.conv_repeats, "ms/step", 1e3)


def main(argv):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = small_op_rows(args)
    if not args.no_conv:
        rows.append(conv_row(args))

    print(f"# side=python runtime=CPython-{platform.python_version()} libtorch={torch.__version__} "
          f"threads={torch.get_num_threads()} statistic=median")
    print(f"{'workload':<20} {'median':>10} {'min':>10} {'unit':<8} {'repeats':>7} {'inner':>7}")
    for name, median, minimum, unit, repeats, inner in rows:
        print(f"{name:<20} {median:>10.3f} {minimum:>10.3f} {unit:<8} {repeats:>7} {inner:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
