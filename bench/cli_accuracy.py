"""Accuracy and training time of the product's own CLI, run as a user would.

Usage: .venv/bin/python bench/cli_accuracy.py [RUN ...]   (default: all runs)
Writes bench/results/cli_accuracy.json and prints a Markdown table for docs/BENCHMARKS.md.
Runs are sequential so they do not compete for the CPU.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from digitapp.core.config import SYSTEM_FASHION_DIR

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "cli_accuracy.json"
FASHION = str(SYSTEM_FASHION_DIR)

RUNS = {
    "mnist-fast": ["--dataset", "mnist", "--model", "fast"],
    "mnist-cnn-3ep": ["--dataset", "mnist", "--model", "cnn", "--epochs", "3"],
    "fashion-idx-fast": ["--data", FASHION, "--model", "fast"],
}


def run(name: str, args: list[str], workdir: Path) -> dict:
    model = workdir / f"{name}.keras"
    metrics = workdir / f"{name}.json"
    cmd = [sys.executable, "-m", "digitapp", "train", *args, "--out", str(model), "--metrics-json", str(metrics)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if proc.returncode:
        return {"name": name, "error": proc.stderr.strip().splitlines()[-1]}
    data = json.loads(metrics.read_text())
    evaluate = subprocess.run([sys.executable, "-m", "digitapp", "evaluate", str(model), *args[:2]],
                              capture_output=True, text=True, cwd=ROOT)
    return {
        "name": name,
        "command": "digitapp train " + " ".join(args),
        "test_accuracy": data["test_accuracy"],
        "test_loss": data["test_loss"],
        "train_seconds": data["train_seconds"],
        "epochs": data["epochs_completed"],
        "wall_seconds": wall,
        "evaluate_ok": evaluate.returncode == 0,
        "stdout": proc.stdout,
    }


def main() -> None:
    names = sys.argv[1:] or list(RUNS)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
               "processor": _cpu_name()}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            result = run(name, RUNS[name], Path(tmp))
            results.append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "stdout"}), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": {}}
    previous["machine"] = machine
    previous["runs"].update({r["name"]: r for r in results})
    RESULTS.write_text(json.dumps(previous, indent=2))
    print("\n| run | command | epochs | train s | test accuracy | test loss |\n|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['name']} | failed: {r['error']} | | | | |")
        else:
            print(f"| {r['name']} | `{r['command']}` | {r['epochs']} | {r['train_seconds']:.1f} | "
                  f"{r['test_accuracy']:.2%} | {r['test_loss']:.4f} |")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
