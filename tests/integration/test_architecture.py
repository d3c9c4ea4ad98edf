"""The package's shape: core works without Qt, light modules without TensorFlow, modules
stay small, and every module with logic has its test file where a newcomer looks for it."""

import ast
import subprocess
import sys

from tests.helpers import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: import-linter (a test dependency) brings tomli
    import tomli as tomllib

PACKAGE = ROOT / "digitapp"
# A module longer than this has logic worth a test file of its own.
MIRROR_ABOVE_LINES = 50
# Past this a module has usually grown a second job.
MAX_MODULE_LINES = 350


def _modules() -> list:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _line_count(path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _dotted(path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def mirrored_test(module):
    """``digitapp/core/datasets/npz.py`` ↔ ``tests/core/datasets/test_npz.py``; a package's
    ``__init__.py`` (or ``__main__.py``) ↔ ``test_init.py`` (``test_main.py``) beside them."""
    relative = module.relative_to(PACKAGE)
    return ROOT / "tests" / relative.parent / f"test_{module.stem.strip('_')}.py"


def _run(code: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def test_every_module_with_logic_has_its_mirrored_test_file():
    missing = [
        f"{m.relative_to(ROOT)} → {mirrored_test(m).relative_to(ROOT)}"
        for m in _modules()
        if _line_count(m) > MIRROR_ABOVE_LINES and not mirrored_test(m).is_file()
    ]
    assert not missing, "modules without their test file:\n" + "\n".join(missing)


def test_the_mirror_rule_finds_the_files_it_should():
    assert mirrored_test(PACKAGE / "cli.py") == ROOT / "tests" / "test_cli.py"
    npz = PACKAGE / "core" / "datasets" / "npz.py"
    assert mirrored_test(npz) == ROOT / "tests" / "core" / "datasets" / "test_npz.py"
    assert mirrored_test(PACKAGE / "core" / "datasets" / "__init__.py").name == "test_init.py"
    long_modules = [m for m in _modules() if _line_count(m) > MIRROR_ABOVE_LINES]
    assert len(long_modules) >= 20  # the rule looks at the whole package, sub-packages included


def test_no_module_is_too_long():
    lengths = {str(m.relative_to(ROOT)): _line_count(m) for m in _modules()}
    too_long = {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES}
    assert not too_long, f"split these modules (over {MAX_MODULE_LINES} lines): {too_long}"


def test_core_imports_no_qt():
    modules = [_dotted(m) for m in _modules() if m.is_relative_to(PACKAGE / "core")]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')\n"
        + "             or m.startswith('digitapp.gui'))\n"
        + "print(','.join(bad))\n"
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"core pulled in Qt: {proc.stdout}"
    assert "digitapp.core.datasets.npz" in modules and "digitapp.core.workflow" in modules


def _light_modules() -> list[str]:
    """The modules pyproject.toml's import-linter contract keeps free of TensorFlow."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    light = next(c for c in contracts["contracts"] if c["name"] == "light core modules never import TensorFlow")
    return light["source_modules"]


def test_light_modules_import_without_tensorflow():
    """Checked at run time as well as by the import-linter contract: a dynamic import
    (importlib, a lazy import at module level) escapes the static check."""
    light = _light_modules()
    required = {"config", "errors", "datasets", "images", "preprocessing", "formatting", "reports"}
    assert {f"digitapp.core.{m}" for m in required} <= set(light)
    submodules = [_dotted(m) for m in _modules() if m.is_relative_to(PACKAGE / "core" / "datasets")]
    # One process: after each import, the first module that brought TensorFlow is named.
    code = (
        "import importlib, sys\n"
        f"for name in {[*light, *submodules]!r}:\n"
        "    importlib.import_module(name)\n"
        "    if any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules):\n"
        "        print(name); break\n"
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"{proc.stdout.strip()} pulled in TensorFlow"


def test_tensorflow_parts_of_core_do_load_it():
    """The check above can see TensorFlow when it is imported (it is not vacuous)."""
    proc = _run("import sys, digitapp.core.workflow; print('tensorflow' in sys.modules)")
    assert proc.stdout.strip() == "True", proc.stderr


def test_cli_help_does_not_load_tensorflow():
    code = "import sys; from digitapp import cli; cli.build_parser(); print('tensorflow' in sys.modules)"
    proc = _run(code, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_the_windows_content_is_built_without_matplotlib(tmp_path):
    """matplotlib costs ~0.5 s to import: the figures make themselves after the first paint
    (gui/figure_host.py), so the window's content appears without it."""
    code = (
        "import os, sys\n"
        f"os.environ.update(QT_QPA_PLATFORM='offscreen', DIGITAPP_HOME={str(tmp_path)!r})\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from digitapp.gui.main_window import MainWindow\n"
        "app = QApplication([])\n"
        "window = MainWindow(deferred=True)\n"
        "window.build_content()\n"
        "print(window.training_tab is not None, 'matplotlib' in sys.modules)\n"
        "os._exit(0)\n"
    )
    proc = _run(code)
    assert proc.stdout.split() == ["True", "False"], proc.stderr


def test_gui_connects_no_lambdas_to_signals():
    """A lambda connected to a signal keeps whatever it closes over (often ``self``) alive
    inside the connection. When Qt drops the connection while destroying a child, the last
    reference goes and Python deletes the parent in the middle of that destruction: a
    double delete ("shared QObject was deleted directly", heap corruption, seen at exit and
    in tests). Bound methods are held weakly by PySide, so the GUI connects those only."""
    offenders = []
    paths = sorted((PACKAGE / "gui").glob("*.py"))
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "connect" and node.args
                    and isinstance(node.args[0], (ast.Lambda, ast.Call))):
                offenders.append(f"{path.name}:{node.lineno}")
    assert paths and offenders == [], f"lambda/partial connected to a signal: {offenders}"


def test_tests_import_no_other_test_file():
    """Shared helpers live in tests/helpers.py; fixtures in conftest.py files. A test that
    imports another test file (or a conftest) runs that file's tests' set-up twice and ties
    the two together."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            leaves = {n.rsplit(".", 1)[-1] for n in names if n.startswith("tests")}
            if any(leaf.startswith("test_") or leaf == "conftest" for leaf in leaves):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], f"import helpers from tests.helpers instead: {offenders}"
