"""Issue 13: how long the window shows a black (unpainted) frame after it appears.

Usage: xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python bench/first_paint.py [--repeats N]
Needs xdotool and ImageMagick's ``import`` (Debian packages). Launches ``python -m digitapp``
with a fresh home (but matplotlib's font cache, as after a first start), finds its window as
soon as it is mapped, then captures it every 100 ms for 3 s. A frame counts as black when
most of its pixels are (the window has no pixel of its own yet). Reports per launch the black
frames and the time until the first painted frame, and saves the first painted frame of the
last launch next to the results (a look at what the user sees first). Writes
bench/results/first_paint.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "first_paint.json"
INTERVAL = 0.1
DURATION = 3.0
BLACK_LEVEL = 16  # a channel value below this is "black"
BLACK_SHARE = 0.8  # a frame with this share of black pixels is unpainted
# matplotlib's font list as a user has it after the first start (not rebuilt in the fresh home).
MPL_CACHE = os.environ.get("MPLCONFIGDIR") or str(Path.home() / ".cache" / "matplotlib")


def find_window(start: float) -> str:
    while time.perf_counter() - start < 60:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^DigitApp$"],
                               capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.split():
            return found.stdout.split()[0]
        time.sleep(0.01)
    raise RuntimeError("the window did not appear within 60 s")


def capture(window: str) -> np.ndarray | None:
    """The window's visible pixels as (H, W, 3) uint8, or None if it could not be captured."""
    shot = subprocess.run(["import", "-silent", "-window", window, "-depth", "8", "ppm:-"], capture_output=True)
    if shot.returncode != 0:
        return None
    # Binary PPM: "P6", width, height, maxval, each followed by one whitespace, then RGB bytes.
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+\d+\s", shot.stdout)
    if header is None:
        return None
    width, height = int(header[1]), int(header[2])
    pixels = np.frombuffer(shot.stdout[header.end():], np.uint8)
    if pixels.size != width * height * 3:
        return None
    return pixels.reshape(height, width, 3)


def launch_once(save_first: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home,
               "DIGITAPP_HOME": home, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3",
               "MPLCONFIGDIR": MPL_CACHE}
        start = time.perf_counter()
        app = subprocess.Popen([sys.executable, "-m", "digitapp"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            window = find_window(start)
            appeared = time.perf_counter()
            frames = []  # (seconds since the window appeared, black?)
            first_painted = None
            while time.perf_counter() - appeared < DURATION:
                tick = time.perf_counter()
                pixels = capture(window)
                if pixels is not None:
                    black = float((pixels.max(axis=2) < BLACK_LEVEL).mean()) >= BLACK_SHARE
                    frames.append((tick - appeared, black))
                    if not black and first_painted is None:
                        first_painted = pixels
                time.sleep(max(0.0, INTERVAL - (time.perf_counter() - tick)))
        finally:
            app.terminate()
            app.wait(timeout=30)
    if save_first is not None and first_painted is not None:
        from PIL import Image

        Image.fromarray(first_painted).save(save_first)
    painted_at = next((t for t, black in frames if not black), None)
    return {"window_after_s": appeared - start, "frames": len(frames),
            "black_frames": sum(black for _, black in frames),
            "first_painted_after_s": painted_at}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    launch_once(None)  # warm the OS file cache, as a user's second launch would be
    runs = []
    for i in range(args.repeats):
        last = i == args.repeats - 1
        run = launch_once(RESULTS.with_name("first_paint.png") if last else None)
        runs.append(run)
        painted = run["first_painted_after_s"]
        print(f"launch {i + 1}: window after {run['window_after_s']:.2f} s; {run['black_frames']} of "
              f"{run['frames']} frames black; first painted frame "
              + (f"{painted:.2f} s after it appeared" if painted is not None else "never"), flush=True)
    black = [r["black_frames"] for r in runs]
    painted = [r["first_painted_after_s"] if r["first_painted_after_s"] is not None else DURATION for r in runs]
    result = {"interval_s": INTERVAL, "duration_s": DURATION, "runs": runs,
              "median_black_frames": statistics.median(black), "median_first_painted_s": statistics.median(painted)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"black frames per launch: {black} → median {result['median_black_frames']}; first painted "
          f"frame after a median {result['median_first_painted_s']:.2f} s")


if __name__ == "__main__":
    main()
