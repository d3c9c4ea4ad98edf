"""Issue 15: the Quick and Thorough presets on MNIST and Fashion-MNIST, timed in the same run.

Usage: .venv/bin/python bench/presets.py [--repeats N] [--datasets mnist fashion]

Each repeat trains, alternating, Quick then Thorough on each dataset through
``workflow.train_and_evaluate`` (the app's path: digit data gets the "not a digit" class, whose
drawings come from the bundled cache) with each preset's own recipe from ``config.PRESETS``.
Reported per run: test accuracy and training seconds (``model.fit`` only, as the app's results
show it); per repeat the time ratio Thorough / Quick; medians over the repeats. Fashion-MNIST is
the real set from Debian's ``dataset-fashion-mnist`` (``config.SYSTEM_FASHION_DIR``).
Writes bench/results/presets.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "presets.json"
# The targets for Thorough: test accuracy per dataset, and at most this many times
# Quick's training time.
TARGETS = {"mnist": 0.996, "fashion": 0.935}
MAX_RATIO = 6.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--datasets", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    args = parser.parse_args()
    from digitapp.core import workflow
    from digitapp.core.config import PRESETS, SYSTEM_FASHION_DIR, TrainConfig
    from digitapp.core.datasets import load_dataset

    sources = {"mnist": "mnist", "fashion": str(SYSTEM_FASHION_DIR)}
    data = {name: load_dataset(sources[name], download=False) for name in args.datasets}
    runs: dict[str, dict[str, list[dict]]] = {name: {preset: [] for preset in PRESETS} for name in data}
    for repeat in range(args.repeats):
        for name, dataset in data.items():
            for preset, model in PRESETS.items():
                trained = workflow.train_and_evaluate(dataset, model, TrainConfig.for_model(model))
                run = {"accuracy": trained.evaluation.accuracy, "seconds": trained.info.metrics["train_seconds"]}
                runs[name][preset].append(run)
                print(f"repeat {repeat + 1} {name:8} {preset:9} {run['accuracy']:.2%} in {run['seconds']:.1f} s",
                      flush=True)
    quick, thorough = PRESETS
    summary = {}
    for name, by_preset in runs.items():
        ratios = [t["seconds"] / q["seconds"] for q, t in zip(by_preset[quick], by_preset[thorough])]
        summary[name] = {
            preset: {"accuracy": statistics.median(r["accuracy"] for r in rs),
                     "seconds": statistics.median(r["seconds"] for r in rs), "runs": rs}
            for preset, rs in by_preset.items()
        } | {"ratio": statistics.median(ratios), "ratios": ratios}
        best = summary[name][thorough]
        print(f"{name}: {quick} {summary[name][quick]['accuracy']:.2%} in {summary[name][quick]['seconds']:.0f} s, "
              f"{thorough} {best['accuracy']:.2%} in {best['seconds']:.0f} s ({summary[name]['ratio']:.2f}×; "
              f"target ≥{TARGETS[name]:.1%} in ≤{MAX_RATIO:g}×)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"repeats": args.repeats, "presets": PRESETS, "results": summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
