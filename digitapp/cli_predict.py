"""``digitapp predict``: classify image files and folders, a line or a JSON row per file."""

from __future__ import annotations

import argparse
import json
import sys

from digitapp.core import reports
from digitapp.core.images import expand_image_paths

EXIT_SOME_FILES_FAILED = 1


def add_parser(sub, trust_help: str) -> None:
    predict = sub.add_parser("predict", help="classify image files or folders")
    predict.add_argument("model", metavar="MODEL.keras", help="a model file, or default (the bundled model)")
    predict.add_argument("inputs", nargs="+", metavar="IMAGE_OR_FOLDER")
    predict.add_argument("--json", action="store_true", help="print a JSON list instead of lines")
    predict.add_argument("--trust-code", action="store_true", help=trust_help)


def cmd_predict(args: argparse.Namespace) -> int:
    files, empty = expand_image_paths(args.inputs)
    for folder in empty:
        print(f"digitapp: warning: {folder} contains no image files.", file=sys.stderr)

    from digitapp.core import workflow

    trained = workflow.open_model(args.model, args.trust_code)
    class_names = trained.info.class_names
    failures = 0
    rows = []
    for path, result in zip(files, trained.predict_files(files)):
        rows.append(reports.prediction_row(str(path), result, class_names))
        if isinstance(result, Exception):
            failures += 1
            print(f"digitapp: error: {result}", file=sys.stderr)
            continue
        if not args.json:
            top = ", ".join(f"{n} {p:.0%}" for n, p in result.top(3))
            print(f"{path}: {result.verdict}  [{top}]")
    if args.json:
        print(json.dumps(rows, indent=2))
    return EXIT_SOME_FILES_FAILED if failures else 0
