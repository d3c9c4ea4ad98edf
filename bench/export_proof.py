"""Issue 14: every export format of the default model, proven in its own runtime.

Usage: .venv/bin/python bench/export_proof.py [--model PATH] [--images N]

Without ``--model`` the default recipe is trained on bundled MNIST first (as the Train button
does). Each format (and int8 where it applies) is written with ``workflow.export_model`` — the
code the CLI and the GUI run — and compared with the Keras model on the first N MNIST test
images: max |Δp|, argmax agreement, accuracy, file size, median single-image latency in the
export's runtime. Writes bench/results/export_proof.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "export_proof.json"
CASES = [("onnx", False), ("onnx", True), ("litert", False), ("litert", True), ("savedmodel", False), ("h5", False)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a saved .keras model (default: train the default recipe)")
    parser.add_argument("--images", type=int, default=1000)
    args = parser.parse_args()

    from digitapp.core import config, datasets, workflow

    mnist = datasets.load_dataset("mnist")
    if args.model:
        trained = workflow.open_model(args.model)
    else:
        trained = workflow.train_and_evaluate(mnist, config.DEFAULT_MODEL, config.TrainConfig())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, quantize in CASES:
            out = config.export_path(Path(tmp) / f"digits{'-int8' if quantize else ''}.keras", fmt)
            start = time.perf_counter()
            proof = workflow.export_model(trained, fmt, out, mnist, quantize=quantize, images=args.images)
            rows.append({**proof.to_dict(), "export_seconds": time.perf_counter() - start})
            print(proof.summary(), "PASSED" if proof.passed else proof.failure(), flush=True)
    RESULTS.write_text(json.dumps({"images": args.images, "rows": rows}, indent=2), encoding="utf-8")
    print("\n| format | size | max abs dp | agreement | accuracy (Keras) | ms per image | export + proof s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        name = r["format"] + (" int8" if r["quantized"] else "")
        print(f"| {name} | {r['size_bytes'] / 1e3:,.0f} kB | {r['max_abs_diff']:.1e} | {r['agreement']:.2%} | "
              f"{r['export_accuracy']:.2%} ({r['keras_accuracy']:.2%}) | {r['latency_ms']:.3f} | "
              f"{r['export_seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
