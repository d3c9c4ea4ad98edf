"""Issue 15: how far the Thorough recipe is from its accuracy targets, given more time.

Usage: .venv/bin/python bench/thorough_ceiling.py [--datasets mnist fashion] [--epochs 8 12 16]

For each dataset, in one run: Quick once (its own recipe, the time unit of the issue's "at most
6× Quick"), then the Thorough model for each number of epochs, trained on every training image
(no validation share) and, for Fashion-MNIST, with the app's augmentation (mirror images), i.e.
Thorough's best settings. Reported: test accuracy, ``model.fit`` seconds and the time as a
multiple of Quick's. Everything goes through ``workflow.train_and_evaluate``, the app's path.
Writes bench/results/thorough_ceiling.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "thorough_ceiling.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion"], choices=["mnist", "fashion"])
    parser.add_argument("--epochs", nargs="+", type=int, default=[8, 12, 16])
    args = parser.parse_args()
    from digitapp.core import workflow
    from digitapp.core.config import PRESETS, SYSTEM_FASHION_DIR, TrainConfig
    from digitapp.core.datasets import load_dataset

    quick, thorough = PRESETS.values()
    results: dict[str, dict] = {}
    for name in args.datasets:
        dataset = load_dataset({"mnist": "mnist", "fashion": str(SYSTEM_FASHION_DIR)}[name], download=False)
        base = workflow.train_and_evaluate(dataset, quick, TrainConfig.for_model(quick))
        unit = base.info.metrics["train_seconds"]
        rows = {"quick": {"accuracy": base.evaluation.accuracy, "seconds": unit}, "thorough": []}
        print(f"{name:8} Quick {base.evaluation.accuracy:.2%} in {unit:.1f} s", flush=True)
        for epochs in args.epochs:
            config = TrainConfig.for_model(thorough, epochs=epochs, validation_fraction=0.0,
                                           augment=name == "fashion")
            run = workflow.train_and_evaluate(dataset, thorough, config)
            seconds = run.info.metrics["train_seconds"]
            rows["thorough"].append({"epochs": epochs, "accuracy": run.evaluation.accuracy,
                                     "seconds": seconds, "times_quick": seconds / unit})
            print(f"{name:8} Thorough {epochs:2d} epochs {run.evaluation.accuracy:.2%} in {seconds:.0f} s "
                  f"({seconds / unit:.1f}× Quick)", flush=True)
        results[name] = rows
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"epochs": args.epochs, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
