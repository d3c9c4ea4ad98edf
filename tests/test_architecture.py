"""digitapp.core must work without Qt: the CLI, tests and scripts use it headless."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_imports_no_qt():
    modules = sorted(p.stem for p in (ROOT / "digitapp" / "core").glob("*.py") if p.stem != "__init__")
    code = (
        "import sys\n"
        + "".join(f"import digitapp.core.{m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        + "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"core pulled in Qt: {proc.stdout}"
    assert len(modules) >= 8


def test_cli_help_does_not_load_tensorflow():
    code = "import sys; from digitapp import cli; cli.build_parser(); print('tensorflow' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_gui_connects_no_lambdas_to_signals():
    """A lambda connected to a signal keeps whatever it closes over (often ``self``) alive
    inside the connection. When Qt drops the connection while destroying a child, the last
    reference goes and Python deletes the parent in the middle of that destruction: a
    double delete ("shared QObject was deleted directly", heap corruption, seen at exit and
    in tests). Bound methods are held weakly by PySide, so the GUI connects those only."""
    import ast

    offenders = []
    for path in sorted((ROOT / "digitapp" / "gui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "connect" and node.args
                    and isinstance(node.args[0], (ast.Lambda, ast.Call))):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == [], f"lambda/partial connected to a signal: {offenders}"
