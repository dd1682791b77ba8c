"""`signcam`: start the desktop app; `signcam predict PATH...`: read letters from still photos.

Usage:
    signcam [--source 0|clip.mp4] [--weights W] [--roi auto|box|full] [--device auto|cpu|cuda]
    signcam predict photo.jpg folder/ [--json] [--roi auto] [--save-crops DIR]

The GUI and the predictor are imported lazily, so `signcam predict` never loads Qt.
"""

import argparse
import logging
import os
import sys

from signcam.pipeline.locate import ROI_MODES


def build_app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signcam",
        description="Reads ASL fingerspelling from a webcam. Subcommand: `signcam predict PATH...` for photos.",
    )
    parser.add_argument("--source", help="camera index or video file to start with (default: last used camera)")
    parser.add_argument("--weights", help="a .safetensors weights file (default: the bundled weights)")
    parser.add_argument("--roi", choices=ROI_MODES, help="hand locating mode (default: last used, else auto)")
    parser.add_argument("--device", help="auto, cpu, cuda or mps (default: last used, else auto)")
    parser.add_argument("--loop", action="store_true", help="loop a video file source (default: off)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "predict":
        from signcam.predict import main as predict_main

        return predict_main(argv[1:])
    args = build_app_parser().parse_args(argv)
    from signcam.ui.app import run_app

    code = run_app(args)
    # The window is closed and everything it writes is on disk (settings synced on close, practice history
    # committed per attempt, the trainer child killed): what is left is the interpreter tearing down torch,
    # MediaPipe and any thread still finishing a model load, which kept the process alive for 3-8 s after the
    # window had gone. Skip it.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
