"""Issue 16: the frozen bundle's size by component, and what build.spec's exclusions save.

Usage: python bench/bundle_size.py dist/DigitApp [--naive DIR] [--json FILE]

Sums the bundle's files (symbolic links counted once, as the files they point to) into
components: TensorFlow's core libraries (the native libraries every TensorFlow program loads),
the rest of TensorFlow, Qt, the ONNX and LiteRT runtimes, … and the total of everything except
TensorFlow's core libraries (the issue's target: ≤300 MB). With ``--naive`` (a bundle built with
``DIGITAPP_NAIVE_BUILD=1``, no exclusions) it also prints each component's size there and the
largest folders only the naive bundle has: what the exclusions save. Works on Linux, macOS and
Windows bundles (the Windows workflow prints this table). Needs nothing but the standard library.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

MB = 1024 * 1024
TARGET_MB = 300
CORE = "TensorFlow core libraries"
# (component, pattern on the path inside the bundle, '/'-separated), first match wins.
COMPONENTS = [
    (CORE, r"(^|/)(lib)?(tensorflow_cc|tensorflow_framework|_pywrap_tensorflow_internal)[^/]*$"),
    ("TensorFlow, the rest", r"(^|/)(tensorflow|tensorflow\.libs|tsl|xla)(/|$)"),
    ("Qt (PySide6, shiboken6)", r"(^|/)(PySide6|shiboken6)(/|$)|(^|/)(lib)?Qt6|(^|/)libicu|(^|/)icu"),
    ("ONNX Runtime, ONNX, tf2onnx", r"(^|/)(onnxruntime|onnx|tf2onnx|onnxruntime\.libs)(/|$)"),
    ("LiteRT (ai_edge_litert)", r"(^|/)ai_edge_litert"),
    ("Keras", r"(^|/)keras(/|$)"),
    ("NumPy, ml_dtypes",
     r"(^|/)(numpy|numpy\.libs|ml_dtypes)(/|$)|(^|/)lib(openblas|scipy_openblas|gfortran|quadmath)"),
    ("matplotlib, fonts", r"(^|/)(matplotlib|matplotlib\.libs|contourpy|kiwisolver|fontTools)(/|$)"),
    ("Pillow", r"(^|/)(PIL|pillow\.libs)(/|$)"),
    ("h5py, HDF5", r"(^|/)(h5py|h5py\.libs)(/|$)|(^|/)libhdf5"),
    ("gRPC, protobuf", r"(^|/)(grpc|grpcio\.libs|google)(/|$)"),
    ("web service (FastAPI, uvicorn, pydantic)",
     r"(^|/)(fastapi|fastapi_offline|starlette|uvicorn|pydantic|pydantic_core|anyio|h11|multipart)(/|$)"),
    ("DigitApp (code, resources)", r"(^|/)(digitapp|resources)(/|$)|(^|/)DigitApp(\.exe)?$"),
    ("Python (interpreter, standard library)",
     r"(^|/)(lib-dynload|base_library\.zip)(/|$)|(^|/)(lib)?python3|(^|/)(libssl|libcrypto|libffi|libz|libbz2|"
     r"liblzma|libsqlite|libexpat|libmpdec|libreadline|libncurses|libtinfo|vcruntime|msvcp|ucrtbase|api-ms-win)"),
]
OTHER = "the rest"


def component(relative: str) -> str:
    for name, pattern in COMPONENTS:
        if re.search(pattern, relative):
            return name
    return OTHER


def files(bundle: Path) -> dict[str, int]:
    """Path inside the bundle → size in bytes, every file once (links not followed)."""
    sizes = {}
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            sizes[path.relative_to(bundle).as_posix()] = path.stat().st_size
    return sizes


def by_component(sizes: dict[str, int]) -> dict[str, int]:
    totals = {name: 0 for name, _ in COMPONENTS} | {OTHER: 0}
    for relative, size in sizes.items():
        totals[component(relative)] += size
    return totals


def largest_in(sizes: dict[str, int], count: int = 12) -> list[tuple[str, int]]:
    """The largest files and folders (two levels deep) of ``sizes``."""
    folders: dict[str, int] = {}
    for relative, size in sizes.items():
        parts = relative.split("/")
        key = "/".join(parts[:3]) if parts[0] == "_internal" else "/".join(parts[:2])
        folders[key] = folders.get(key, 0) + size
    return sorted(folders.items(), key=lambda item: -item[1])[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--naive", type=Path, help="the same app built with DIGITAPP_NAIVE_BUILD=1")
    parser.add_argument("--json", type=Path, help="write the numbers here too")
    args = parser.parse_args()
    if not args.bundle.is_dir():
        print(f"bundle_size: {args.bundle} is not a folder (build it first: make exe)", file=sys.stderr)
        return 1
    sizes = files(args.bundle)
    totals = by_component(sizes)
    naive_sizes = files(args.naive) if args.naive else None
    naive = by_component(naive_sizes) if naive_sizes else None
    header = "| component | MB |" + (" naive build MB | saved MB |" if naive else "")
    print(header)
    print("|---|---|" + ("---|---|" if naive else ""))
    for name, size in sorted(totals.items(), key=lambda item: -item[1]):
        row = f"| {name} | {size / MB:,.0f} |"
        if naive:
            row += f" {naive[name] / MB:,.0f} | {(naive[name] - size) / MB:,.0f} |"
        print(row)
    total, rest = sum(totals.values()), sum(totals.values()) - totals[CORE]
    print(f"| **all** | **{total / MB:,.0f}** |" + (f" {sum(naive.values()) / MB:,.0f} | "
                                                   f"{(sum(naive.values()) - total) / MB:,.0f} |" if naive else ""))
    verdict = "met" if rest / MB <= TARGET_MB else "missed"
    print(f"\neverything except {CORE}: {rest / MB:,.0f} MB (target <= {TARGET_MB} MB: {verdict})")
    print("\nlargest folders and files:")
    for key, size in largest_in(sizes):
        print(f"  {size / MB:8,.1f} MB  {key}")
    if naive_sizes:
        only_naive = {k: v for k, v in naive_sizes.items() if k not in sizes}
        print("\nonly in the naive build (what the exclusions leave out):")
        for key, size in largest_in(only_naive, 20):
            print(f"  {size / MB:8,.1f} MB  {key}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "bundle": str(args.bundle), "total_mb": total / MB, "without_core_mb": rest / MB,
            "components_mb": {k: v / MB for k, v in totals.items()},
            "naive_components_mb": {k: v / MB for k, v in naive.items()} if naive else None,
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
