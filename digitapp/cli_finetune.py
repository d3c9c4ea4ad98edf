"""``digitapp finetune``: a model learns a user's own samples (a folder of class sub-folders,
such as the app's personal-samples folder) without forgetting its original training data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitapp.core.config import BUILTIN_DATASETS, sidecar_path
from digitapp.core.errors import DigitAppError


def add_parser(sub, trust_help: str) -> None:
    tune = sub.add_parser(
        "finetune", help="adapt a model to your own samples (e.g. your handwriting) in seconds",
        description="Fine-tune a copy of a model on personal samples: a folder with one sub-folder of images "
        "per class (named like the model's classes; the app keeps its corrections in such a folder). A replay "
        "of the model's original training data is mixed in so it keeps what it knew; the result may lose at "
        "most 0.3 points of test accuracy. Every fifth sample of a class with at least five is held back to "
        "report the accuracy on your samples before and after.")
    tune.add_argument("model", metavar="MODEL.keras", help="a model file, or default (the bundled model)")
    tune.add_argument("--data", required=True, metavar="FOLDER",
                      help="the personal samples: class sub-folders of images")
    tune.add_argument("--out", required=True, metavar="NEW.keras", help="where to save the new model (must not exist)")
    replay = tune.add_mutually_exclusive_group()
    replay.add_argument("--replay-dataset", choices=list(BUILTIN_DATASETS),
                        help="the original training data to replay (default: the built-in dataset the model was "
                        "trained on)")
    replay.add_argument("--replay-data", metavar="PATH", help="the original training data, as a dataset file or folder")
    tune.add_argument("--trust-code", action="store_true", help=trust_help)


def cmd_finetune(args: argparse.Namespace) -> int:
    from digitapp import cli

    out = Path(args.out)
    cli.check_output(out)
    if out.exists():
        raise DigitAppError(f"{out} already exists; give a new name (a fine-tune never replaces a model).")
    if not Path(args.data).is_dir():
        what = "does not exist" if not Path(args.data).exists() else "is not a folder"
        raise DigitAppError(f"--data {args.data} {what}: give a folder with one sub-folder of images per class.")
    replay = None
    if args.replay_dataset or args.replay_data:
        replay = cli.load_data(argparse.Namespace(dataset=args.replay_dataset, data=args.replay_data))

    from digitapp.core import workflow  # TensorFlow loads here

    trained = workflow.open_model(args.model, args.trust_code)
    tuned = workflow.finetune_model(trained, args.data, replay, on_step=_step)
    report = tuned.info.metrics["finetune"]
    for note in report["notes"]:
        print(f"note: {note}", file=sys.stderr)
    print(samples_line(report, tuned.info.class_names))
    print(f"trained in {tuned.result.train_seconds:.1f} s ({report['seconds']:.1f} s with the tests)")
    if report["held_out"]:
        print(f"your held-back samples: {report['personal_before']:.1%} -> {report['personal_after']:.1%} right "
              f"({report['held_out']} images)")
    else:
        print("your held-back samples: none (a class needs 5 samples to hold one back)")
    print(f"test accuracy {report['test_before']:.2%} -> {report['test_after']:.2%} "
          f"({len(tuned.tested.x_test):,} test images)" + blend_text(report))
    saved = workflow.save_model(tuned, out)
    print(f"saved {saved} (+ {sidecar_path(saved).name})")
    return 0


def samples_line(report: dict, class_names: list[str]) -> str:
    counts = ", ".join(f"{name}: {n}" for name, n in zip(class_names, report["per_class"]) if n)
    return f"learnt from {report['learnt']} of {report['samples']} personal samples ({counts})"


def blend_text(report: dict) -> str:
    if report["blend"] == 1:
        return ""
    return f"; applied at {report['blend']:.0%} strength to keep the test accuracy"


def _step(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
