"""Issue 18: what each way of placing a run costs, on the quick preset and all of MNIST.

Usage: .venv/bin/python bench/devices.py [--repeats N]

Three ways, alternating, each in a fresh process (TensorFlow's devices are fixed once set up):
- ``default``: the app on this machine, one CPU device under TensorFlow's default strategy;
- ``mirrored-1``: the same run forced through ``MirroredStrategy`` on that one device (what
  "MirroredStrategy for one device too" would cost; the app does not do this);
- ``mirrored-2``: the CPU split into two logical devices, placed by the app (two replicas, the
  batch per device so twice the batch in all, the rate by the recipe's rule, no XLA). Both
  replicas share the same two cores, so this measures the mirrored path's overhead, not a
  speed-up: real GPUs each bring their own compute.
Reported per run: training seconds (``fit``), wall seconds of the whole call and test accuracy;
medians per way, and each way's time as a ratio to ``default`` in the same repeat.
Writes bench/results/devices.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "devices.json"
WAYS = ("default", "mirrored-1", "mirrored-2")


def child(way: str) -> None:
    """One run, in this process: print its numbers as JSON."""
    import time

    from digitapp.core.tf import tf

    if way == "mirrored-2":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from digitapp.core import devices, workflow
    from digitapp.core.config import DEFAULT_MODEL, TrainConfig
    from digitapp.core.datasets import load_dataset

    if way == "mirrored-1":  # what the app would do if one device went through MirroredStrategy too
        one = devices.place()
        forced = devices.Placement(tf.distribute.MirroredStrategy(list(one.devices)), one.devices, one.description)
        workflow.place_devices = lambda count: forced
    dataset = load_dataset("mnist")
    start = time.perf_counter()
    trained = workflow.train_and_evaluate(dataset, DEFAULT_MODEL, TrainConfig.for_model(DEFAULT_MODEL))
    print(json.dumps({
        "way": way, "replicas": trained.info.metrics["replicas"], "devices": trained.info.metrics["trained_on"],
        "train_seconds": trained.info.metrics["train_seconds"], "wall_seconds": time.perf_counter() - start,
        "accuracy": trained.evaluation.accuracy,
    }))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    runs: dict[str, list[dict]] = {way: [] for way in WAYS}
    for repeat in range(args.repeats):
        for way in WAYS:
            proc = subprocess.run([sys.executable, __file__, "--child", way], capture_output=True, text=True,
                                  cwd=ROOT, check=True)
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            runs[way].append(run)
            print(f"repeat {repeat + 1} {way:10} {run['accuracy']:.2%}  fit {run['train_seconds']:.1f} s  "
                  f"whole call {run['wall_seconds']:.1f} s", flush=True)
    summary = {
        way: {
            "train_seconds": statistics.median(r["train_seconds"] for r in rs),
            "wall_seconds": statistics.median(r["wall_seconds"] for r in rs),
            "accuracy": statistics.median(r["accuracy"] for r in rs),
            "ratio_to_default": statistics.median(
                r["train_seconds"] / d["train_seconds"] for r, d in zip(rs, runs["default"])),
            "runs": rs,
        }
        for way, rs in runs.items()
    }
    RESULTS.write_text(json.dumps({"repeats": args.repeats, "ways": summary}, indent=2) + "\n")
    for way, s in summary.items():
        print(f"{way:10} median fit {s['train_seconds']:.1f} s ({s['ratio_to_default']:.2f}x default), "
              f"whole call {s['wall_seconds']:.1f} s, test accuracy {s['accuracy']:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
