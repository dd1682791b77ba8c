"""How fast the command line answers: `signcam --help`, `signcam predict --help`, `signcam-train --help` and a cold
`signcam predict PHOTO --roi auto`, each a fresh process (interpreter start-up and imports included), the median
and range of `--runs` launches. Goals (issue 19, one idle core): each `--help` <= 0.3 s, a cold predict <= 3 s.

Usage:
    python benchmarks/cli_speed.py [--runs 5] [--photo ../shared/data/real_dev/mariia00/G/183.jpg] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
COMMANDS = {
    "signcam --help": ["-m", "signcam.cli", "--help"],
    "signcam predict --help": ["-m", "signcam.cli", "predict", "--help"],
    "signcam-train --help": ["-m", "training.cli", "--help"],
}


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, timeout=300)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="launches per command (default: 5)")
    parser.add_argument("--photo", type=Path, default=SHARED / "real_dev" / "mariia00" / "G" / "183.jpg",
                        help="the photo a cold predict reads (default: a real_dev photo)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (default: a table)")
    args = parser.parse_args(argv)
    commands = dict(COMMANDS)
    if args.photo.exists():
        commands["signcam predict PHOTO --roi auto"] = ["-m", "signcam.cli", "predict", str(args.photo), "--roi",
                                                        "auto"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):  # interleaved, so every command sees the same machine conditions
        for name, command in commands.items():
            times[name].append(timed(command))
    result = {name: {"median_s": statistics.median(t), "min_s": min(t), "max_s": max(t)} for name, t in times.items()}
    if args.json:
        print(json.dumps(result))
        return 0
    for name, figures in result.items():
        print(f"{name:36s} median {figures['median_s']:.2f} s "
              f"(min {figures['min_s']:.2f}, max {figures['max_s']:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
