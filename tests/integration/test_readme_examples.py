"""The README's example program for an exported model runs as written and reads digits as
the app does (its preparation is a short copy of the app's recipe: the answers must match)."""

import json
import re
import subprocess
import sys

import numpy as np
from PIL import Image

from tests.helpers import ROOT, run_cli

SCANS = 30


def _example(name: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {name} -->\s*```python\n(.*?)```", readme, re.S)
    assert match, f"README has no {name} example"
    return match.group(1)


def test_the_onnx_example_reads_digits_as_the_app_does(mnist, tmp_path):
    """With the bundled model: a weak model flips between neighbouring classes on the slightest
    difference in preparation, which would test the model rather than the example."""
    model = tmp_path / "digits.onnx"
    proc = run_cli("export", "default", "--format", "onnx", "--dataset", "mnist", "--out", model)
    assert proc.returncode == 0, proc.stderr
    script = tmp_path / "read_digit.py"
    script.write_text(_example("onnx"), encoding="utf-8")
    scans = []
    for i in range(SCANS):  # as users make them: dark ink on light paper, a digit off-centre on a page
        page = np.full((130, 110), 235, np.uint8)
        page[20 + i:48 + i, 10 + 2 * i:38 + 2 * i] = 255 - mnist.x_test[i, ..., 0] * 0.85
        scans.append(tmp_path / f"scan{i}.png")
        Image.fromarray(page).save(scans[-1])
    app = {row["file"]: row["label"] for row in json.loads(
        run_cli("predict", "default", *scans, "--json").stdout)}
    same = 0
    for scan in scans:
        out = subprocess.run([sys.executable, str(script), str(model), str(scan)], capture_output=True, text=True,
                             timeout=120, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        label, confidence = out.stdout.split()
        assert confidence.endswith("%")
        same += label == app[str(scan)]
    assert same >= SCANS - 1, f"the example agreed with the app on {same} of {SCANS} scans"
    assert sum(app[str(scan)] == str(mnist.y_test[i]) for i, scan in enumerate(scans)) >= SCANS - 2
