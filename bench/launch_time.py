"""P5: launch → main window visible, measured from outside the app (run under Xvfb).

Usage: xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python bench/launch_time.py [--repeats N]
           [--frozen dist/DigitApp/DigitApp]
Needs xdotool (Debian package). Writes bench/results/launch_time.json (launch_time_frozen.json
for the frozen app: P7).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "launch_time.json"


def launch_once(command: list[str]) -> float:
    with tempfile.TemporaryDirectory() as home:
        # A fresh home: first launch, no remembered settings.
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home}
        start = time.perf_counter()
        app = subprocess.Popen(command, cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # Poll (xdotool's own --sync waits in 0.5 s steps, too coarse for this).
            while time.perf_counter() - start < 60:
                found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^DigitApp$"],
                                       capture_output=True)
                if found.returncode == 0:
                    return time.perf_counter() - start
                time.sleep(0.02)
            raise RuntimeError("the window did not appear within 60 s")
        finally:
            app.terminate()
            app.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--frozen", metavar="EXE", help="time this frozen build instead of `python -m digitapp`")
    args = parser.parse_args()
    command = [str(Path(args.frozen).resolve())] if args.frozen else [sys.executable, "-m", "digitapp"]
    launch_once(command)  # warm the OS file cache, as a user's second launch would be
    times = [launch_once(command) for _ in range(args.repeats)]
    result = {"command": command, "seconds": times, "median_seconds": statistics.median(times)}
    out = RESULTS.with_name("launch_time_frozen.json") if args.frozen else RESULTS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(" ".join(f"{t:.2f}" for t in times), f"→ median {result['median_seconds']:.2f} s")


if __name__ == "__main__":
    main()
