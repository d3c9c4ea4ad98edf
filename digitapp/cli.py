"""Command-line front end over :mod:`digitapp.core`: train, evaluate, predict.

Every error a user can cause ends the program with one sentence on stderr and a
non-zero exit code, never a traceback (set ``DIGITAPP_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from digitapp import __version__, cli_export, cli_finetune, cli_predict
from digitapp.core import applog, default_model
from digitapp.core.config import (
    BUILTIN_DATASETS,
    DEFAULT_MODEL,
    DOWNLOAD_SIZES_MB,
    MODEL_SUFFIXES,
    MODELS,
    OPTIMIZERS,
    PRESETS,
    SCHEDULES,
    TrainConfig,
    model_suffix_text,
    sidecar_path,
)
from digitapp.core.datasets import Dataset, load_dataset, local_copy
from digitapp.core.errors import DigitAppError, UnsafeModelError, WriteError, user_message
from digitapp.core.formatting import epoch_line, format_duration, placement_line, rejection_text
from digitapp.web.command import add_serve_parser, cmd_serve

TRUST_HELP = ("load a model that contains Python code (a Lambda layer); only for files you made "
              "yourself: the code runs with your permissions")

# Commands whose MODEL argument is a file (or "default", the bundled model).
MODEL_FILE_COMMANDS = ("evaluate", "predict", "export", "finetune", "serve")
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
BAR_WIDTH = 30


def build_parser() -> argparse.ArgumentParser:
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(
        prog="digitapp",
        description="Train an image classifier and use it. Without a command, opens the app "
        "(digitapp MODEL.keras: the app with that model open).",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--verbose", action="store_true",
                        help="with --version: also Python, the platform and every package the app runs on")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation: open the window offscreen, train a few batches, "
                        "classify a bundled image, save and reopen a model; exit 0 if all worked")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = sub.add_parser("train", help="train a model and save it", description="Train a model, "
                           "evaluate it on the test set and save it with a JSON sidecar.")
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=list(BUILTIN_DATASETS), help="a built-in dataset")
    source.add_argument("--data", metavar="PATH", help="a keras-layout .npz, a folder with the four IDX "
                        "files, a cifar-10-batches-py folder, or a folder of class sub-folders")
    train.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS),
                       help=f"architecture (default: {DEFAULT_MODEL}; " + ", ".join(
                           f"{model}: the {name} preset" for name, model in PRESETS.items()) + ")")
    train.add_argument("--epochs", type=int, help="passes over the training set (default: per model)")
    train.add_argument("--batch-size", type=int, help="images per step (default: per model)")
    train.add_argument("--lr", type=float, help="peak learning rate (default: per model)")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default=defaults.optimizer)
    train.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule (default: per model)")
    train.add_argument("--augment", action=argparse.BooleanOptionalAction,
                       help="random variations of the training images (default: per model)")
    train.add_argument("--early-stopping", action="store_true",
                       help="stop when validation loss stops improving; keep the best weights")
    train.add_argument("--validation", type=float, default=defaults.validation_fraction, metavar="FRACTION",
                       help="share of the training set held out for validation (default: %(default)s)")
    train.add_argument("--seed", type=int, default=defaults.seed, help="random seed (default: %(default)s)")
    train.add_argument("--devices", type=device_count, default=None, metavar="all|N",
                       help="train on all GPUs (or the CPU when there are none), or on the first N; "
                            "--batch-size is per device (default: all)")
    train.add_argument("--out", required=True, metavar="MODEL.keras", help="where to save the model")
    train.add_argument("--metrics-json", metavar="FILE", help="write test metrics and history as JSON")

    evaluate = sub.add_parser("evaluate", help="test a saved model on a dataset")
    evaluate.add_argument("model", metavar="MODEL.keras")
    esource = evaluate.add_mutually_exclusive_group(required=True)
    esource.add_argument("--dataset", choices=list(BUILTIN_DATASETS))
    esource.add_argument("--data", metavar="PATH")
    evaluate.add_argument("--metrics-json", metavar="FILE")
    evaluate.add_argument("--trust-code", action="store_true", help=TRUST_HELP)

    cli_predict.add_parser(sub, TRUST_HELP)
    cli_export.add_parser(sub, TRUST_HELP)
    cli_finetune.add_parser(sub, TRUST_HELP)
    add_serve_parser(sub, TRUST_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    applog.ensure_streams()  # a windowed build has no stdout/stderr: writes must not crash
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 1 and Path(argv[0]).suffix.lower() in MODEL_SUFFIXES:
        return _open_gui(model_path=argv[0])  # `digitapp digits.keras`: a double-clicked model file
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from digitapp.version import verbose_version_text

        print(verbose_version_text(__version__) if args.verbose else f"digitapp {__version__}")
        return 0
    if args.self_test:
        from digitapp import selftest

        return selftest.run()
    if args.command is None:
        return _open_gui()
    if args.command in MODEL_FILE_COMMANDS:
        args.model = str(default_model.resolve(args.model))  # "default": the bundled model
    handler = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cli_predict.cmd_predict,
               "export": cli_export.cmd_export, "finetune": cli_finetune.cmd_finetune, "serve": cmd_serve}[args.command]
    try:
        return handler(args)
    except UnsafeModelError as exc:
        return _fail(f"{exc} If you made it yourself, add --trust-code.")
    except DigitAppError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted.", EXIT_INTERRUPTED)
    except Exception as exc:  # last resort: one sentence, details only on request
        if os.environ.get("DIGITAPP_DEBUG"):
            raise
        return _fail(f"{user_message(exc)} (set DIGITAPP_DEBUG=1 for details)")


def _open_gui(model_path: str | None = None) -> int:
    # Qt aborts the process when it cannot show a window: look for the usual causes first.
    from digitapp.gui import display

    problem = display.display_problem()
    if problem:
        return _fail(problem)
    try:
        from digitapp.gui.app import run
    except ImportError as exc:  # Qt's own libraries need system ones (libGL, libEGL, …)
        if os.environ.get("DIGITAPP_DEBUG"):
            raise
        return _fail(display.import_failure_message(exc))
    return run(model_path=model_path)


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"digitapp: error: {message}", file=sys.stderr)
    return code


# ---------------------------------------------------------------- train


def cmd_train(args: argparse.Namespace) -> int:
    out = Path(args.out)
    check_output(out)
    config = TrainConfig.for_model(
        args.model, epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
        optimizer=args.optimizer, schedule=args.schedule, augment=args.augment,
        early_stopping=args.early_stopping, seed=args.seed, validation_fraction=args.validation,
    )
    config.check()  # before the dataset: a typo in a setting must not wait for a download
    dataset = load_data(args)
    print(dataset.summary())

    from digitapp.core import workflow  # TensorFlow loads here

    model = workflow.build_model(args.model, dataset, config.seed)
    print(f"model {args.model}: {model.count_params():,} parameters; {config.epochs} epochs, "
          f"batch {config.batch_size}, {config.optimizer} lr {config.learning_rate:g} ({config.schedule})"
          + (", augmented" if config.augment else ""))

    stop = _StopOnInterrupt()
    progress = _ProgressPrinter(sys.stderr)
    with stop:
        trained = workflow.train_and_evaluate(dataset, args.model, config, model, on_batch=progress.batch,
                                              on_epoch=progress.epoch, should_stop=stop, devices=args.devices,
                                              on_start=lambda placed: print(placement_line(placed), flush=True))
    progress.clear()
    result, evaluation = trained.result, trained.evaluation
    if result.stopped:
        print(f"stopped during epoch {result.epochs_completed}; keeping the weights learned so far")
    print(f"trained in {result.train_seconds:.1f} s")
    print(f"test accuracy {evaluation.accuracy:.2%}  test loss {evaluation.loss:.4f}  "
          f"({len(dataset.x_test):,} test images)")
    if rejection_text(evaluation):
        print(rejection_text(evaluation))
    saved = _save_keeping_work(trained, out)
    print(f"saved {saved} (+ {sidecar_path(saved).name})")
    if args.metrics_json:
        _write_json(args.metrics_json, {
            **trained.info.metrics, "history": result.history, "model": args.model,
            "dataset": dataset.name, "config": trained.info.config,
            **evaluation.to_dict(trained.tested.class_names),
        })
    # Stopped by Ctrl+C: the work is saved, but the exit code says the run was cut short,
    # as for any interrupted program (a script's `&&` must not go on as if it had finished).
    return EXIT_INTERRUPTED if stop.requested else 0


def device_count(text: str) -> int | None:
    """``--devices``: "all" (None) or a whole number of devices, at least 1."""
    if text.strip().lower() == "all":
        return None
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"give all, or a whole number of devices from 1 up, not {text!r}")
    return count


def load_data(args: argparse.Namespace) -> Dataset:
    """``--dataset`` or ``--data``, saying so first when a built-in set must be downloaded,
    and printing what the checks noticed (classes without images)."""
    if args.dataset and local_copy(args.dataset) is None:
        print(f"downloading {BUILTIN_DATASETS[args.dataset]} (about {DOWNLOAD_SIZES_MB[args.dataset]} MB, "
              "once: it is kept in Keras' cache)…", file=sys.stderr)
    dataset = load_dataset(args.dataset or args.data)
    for note in dataset.notes:
        print(f"note: {note}", file=sys.stderr)
    return dataset


def check_output(out: Path) -> None:
    """Fail before training, not after, if the model could not be saved there."""
    if out.suffix.lower() not in MODEL_SUFFIXES:
        raise DigitAppError(f"--out must end in {model_suffix_text()}, not {out.name!r}.")
    if not out.parent.exists():
        raise DigitAppError(f"the folder {out.parent} does not exist.")
    if out.is_dir():
        raise DigitAppError(f"{out} is a folder; give a file name ending in .keras.")
    if not os.access(out.parent, os.W_OK):
        raise DigitAppError(f"the folder {out.parent} is not writable.")


def _save_keeping_work(trained, out: Path) -> Path:
    """Save to ``out``; if that fails (disk full, removed folder) save to the temp folder
    instead so the trained model is never lost."""
    from digitapp.core import workflow

    try:
        return workflow.save_model(trained, out)
    except DigitAppError as exc:
        fallback = Path(tempfile.gettempdir()) / f"digitapp-{int(time.time())}{out.suffix}"
        try:
            workflow.save_model(trained, fallback)
        except DigitAppError:
            raise exc from None
        print(f"digitapp: warning: {exc} Saved to {fallback} instead.", file=sys.stderr)
        return fallback


class _StopOnInterrupt:
    """First Ctrl+C asks training to stop after the current batch; a second one aborts."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __call__(self) -> bool:
        return self.requested

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nstopping after this batch (Ctrl+C again to abort)…", file=sys.stderr)

    def __enter__(self):
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self._previous)
        return False


class _ProgressPrinter:
    """A bar per epoch on terminals (redrawn in place) and a line per epoch everywhere."""

    def __init__(self, stream):
        self.stream = stream
        self.live = stream is not None and stream.isatty()

    def batch(self, p: dict) -> None:
        if not self.live:
            return
        filled = int(BAR_WIDTH * p["batch"] / p["batches"])
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        self.stream.write(
            f"\repoch {p['epoch']}/{p['epochs']} {bar} {p['batch']}/{p['batches']}  loss {p['loss']:.4f}  "
            f"acc {p['accuracy']:.4f}  {p['samples_per_second']:,.0f} img/s  ETA {format_duration(p['eta'])} "
        )
        self.stream.flush()

    def epoch(self, epoch: int, m: dict) -> None:
        self.clear()
        print(epoch_line(epoch, m), flush=True)

    def clear(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * 110 + "\r")
            self.stream.flush()


def _write_json(path: str, data: dict) -> None:
    try:
        Path(path).write_text(json.dumps(data, indent=2), encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"could not write {path}: {exc.strerror or exc}.") from None


# ---------------------------------------------------------------- evaluate


def cmd_evaluate(args: argparse.Namespace) -> int:
    dataset = load_data(args)
    from digitapp.core import workflow

    evaluated = workflow.evaluate_on(workflow.open_model(args.model, args.trust_code), dataset)
    evaluation, names = evaluated.evaluation, evaluated.tested.class_names
    print(dataset.summary())
    print(f"test accuracy {evaluation.accuracy:.2%}  test loss {evaluation.loss:.4f}")
    if rejection_text(evaluation):
        print(rejection_text(evaluation))
    width = max(len(n) for n in names)
    print(f"{'class':<{width}}  precision  recall")
    for name, p, r in zip(names, evaluation.precision, evaluation.recall):
        print(f"{name:<{width}}  {p:9.2%}  {r:6.2%}")
    if args.metrics_json:
        _write_json(args.metrics_json, {"model": str(args.model), "dataset": dataset.name,
                                        **evaluation.to_dict(names)})
    return 0
