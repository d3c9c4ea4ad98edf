"""``digitapp export``: a model leaves the app as ONNX, LiteRT, SavedModel or .h5, proven equal
to the Keras model in its own runtime before the command says it is done."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitapp.core import default_model
from digitapp.core.config import (
    BUILTIN_DATASETS,
    EXPORT_FORMATS,
    EXPORT_MIN_AGREEMENT,
    EXPORT_PROOF_IMAGES,
    QUANTIZED_MAX_DROP_POINTS,
    export_path,
    manifest_path,
)
from digitapp.core.datasets import builtin_key, local_copy
from digitapp.core.errors import DigitAppError

EXIT_NOT_PROVEN = 1


def add_parser(sub, trust_help: str) -> None:
    formats = "; ".join(f"{f.name}: {f.description}" for f in EXPORT_FORMATS.values())
    export = sub.add_parser(
        "export", help="write a model as ONNX, LiteRT, SavedModel or .h5, proven equal to it",
        description=f"Export a model ({formats}). The export is loaded in its own runtime and compared "
        f"with the Keras model on {EXPORT_PROOF_IMAGES:,} test images; the command fails unless they agree "
        f"on at least {EXPORT_MIN_AGREEMENT:.1%} of them (with --quantize: unless the accuracy drops by at "
        f"most {QUANTIZED_MAX_DROP_POINTS} points). A JSON manifest (classes, input, preprocessing, the "
        "proof) is written beside the export.")
    export.add_argument("model", metavar="MODEL.keras")
    export.add_argument("--format", required=True, choices=list(EXPORT_FORMATS))
    export.add_argument("--out", metavar="PATH", help="where to write it (default: beside the model, named "
                        "after it: MODEL.onnx, MODEL.tflite, MODEL_savedmodel/, MODEL.h5; for the bundled "
                        "default model: the current folder)")
    export.add_argument("--quantize", action="store_true",
                        help="int8 (onnx and litert only): smaller and often faster; the accuracy drop is reported")
    source = export.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=list(BUILTIN_DATASETS),
                        help="test images for the proof (default: the dataset the model was trained on, "
                        "when it is a built-in one on this computer)")
    source.add_argument("--data", metavar="PATH", help="a dataset file or folder for the proof")
    export.add_argument("--trust-code", action="store_true", help=trust_help)


def cmd_export(args: argparse.Namespace) -> int:
    from digitapp import cli
    from digitapp.core import workflow

    out = Path(args.out) if args.out else export_path(args.model, args.format)
    if not args.out and Path(args.model).resolve() == default_model.keras_path().resolve():
        out = Path.cwd() / out.name  # never over the app's own bundled files
    if args.quantize and not EXPORT_FORMATS[args.format].quantizable:
        quantizable = " or ".join(f.name for f in EXPORT_FORMATS.values() if f.quantizable)
        raise DigitAppError(f"--quantize works with {quantizable} only, not {args.format}.")
    if out.resolve() == Path(args.model).resolve():
        raise DigitAppError(f"--out {out} is the model itself; give the export another name.")
    trained = workflow.open_model(args.model, args.trust_code)
    if not (args.dataset or args.data):
        args.dataset = _trained_on(trained.info.dataset)
    dataset = cli.load_data(args)
    proof = workflow.export_model(trained, args.format, out, dataset, quantize=args.quantize,
                                  on_step=_step)
    print(proof.summary())
    print(f"wrote {out} and {manifest_path(out).name}")
    if not proof.passed:
        print(f"digitapp: error: {proof.failure()}", file=sys.stderr)
        return EXIT_NOT_PROVEN
    return 0


def _trained_on(name: str) -> str:
    """The built-in dataset a model was trained on, if it is on this computer: the proof's
    default test images."""
    key = builtin_key(name)
    if key is None or local_copy(key) is None:
        raise DigitAppError(f"give --dataset or --data: the test images to prove the export on "
                            f"(the model was trained on {name or 'an unnamed dataset'}).")
    return key


def _step(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
