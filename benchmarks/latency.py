"""Per-stage latency of the recognition pipeline on a video file: median and p95 ms for read, locate,
preprocess, model and total, for roi `auto` and `box`, on CPU with one thread and on CUDA when present
(`--device cpu|cuda|all`). The recognizer is built as the app builds it (signcam.pipeline.builder), so every letter
model
runs on the chosen device and torch's thread settings follow it.

Targets (issue 4; median, one CPU core): total <= 10 ms with auto (MediaPipe lite, tracking mode),
<= 1 ms with box; the CNN step <= 0.5 ms.

Without --video, a clip is made in a temp folder from ../shared/data/real_dev photos: each photo held
for --hold frames, like a signer holding a letter in front of a webcam, so tracking mode is exercised
the way the app uses it (and re-detection happens at every change of photo).

`--compare-inference` instead times the CNN alone on one crop, interleaved call by call (one thread, so the
variants share the same machine conditions): eager, BatchNorm folded + channels-last, traced + frozen (what the
Recognizer uses, signcam.models.inference), and ONNX Runtime when both `onnx` and `onnxruntime` import (they cannot
live in the app's venv: onnx needs protobuf >= 6, MediaPipe < 5; give them a separate --target folder on
PYTHONPATH). Each variant's largest difference from eager is reported too.

`--compare-decode` times reading the clip's 640x480 frames, interleaved frame by frame: OpenCV's own decoder
(cv2.VideoCapture.read, what VideoSource uses), and the raw Motion-JPEG packets decoded by cv2.imdecode at full
size and at half size (IMREAD_REDUCED_COLOR_2).

Usage:
    python benchmarks/latency.py [--video clip.avi] [--frames 300] [--device all|cpu|cuda] [--json]
    python benchmarks/latency.py --compare-inference [--calls 2000] [--json]
    python benchmarks/latency.py --compare-decode [--frames 600] [--json]
"""

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from signcam.models.inference import fold_batchnorm, inference_model
from signcam.models.model import INPUT_SIZE, build_model
from signcam.pipeline.builder import build_recognizer
from signcam.pipeline.config import RecognitionConfig
from signcam.pipeline.sources import VideoSource, find_images
from signcam.store.weights import BUNDLED_WEIGHTS, load_model, save_weights

REAL_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "real_dev"
STAGES = ("read", "locate", "preprocess", "model", "total")
WARMUP_FRAMES = 10  # first calls allocate MediaPipe graphs and torch kernels; not what a user waits for


def make_clip(folder: Path, out: Path, photos: int, hold: int, size: tuple[int, int] = (640, 480)) -> Path:
    """An MJPG .avi at 30 fps of `photos` real_dev photos (spread over its sources), each for `hold` frames."""
    images = find_images(folder)
    if not images:
        raise SystemExit(f"no images under {folder}; pass --video")
    picks = [images[i] for i in np.linspace(0, len(images) - 1, photos).astype(int)]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, size)
    for path in picks:
        frame = cv2.resize(cv2.imread(str(path)), size, interpolation=cv2.INTER_AREA)
        for _ in range(hold):
            writer.write(frame)
    writer.release()
    return out


def measure(video: Path, weights: Path | None, roi: str, device: str, frames: int) -> dict:
    """Run the pipeline over up to `frames` frames (looping the clip) and summarise each stage."""
    samples: dict[str, list[float]] = {s: [] for s in STAGES}
    found = 0
    config = RecognitionConfig(weights=str(weights), roi=roi, device=device)
    with build_recognizer(config, video=True) as recognizer, VideoSource(video, loop=True) as src:
        for i in range(frames + WARMUP_FRAMES):
            start = time.perf_counter()
            frame = src.read()
            read_ms = (time.perf_counter() - start) * 1000.0
            rec = recognizer.step(frame)
            if recognizer.device.type == "cuda":
                torch.cuda.synchronize()
            if i < WARMUP_FRAMES:
                continue
            found += rec.hand_found
            samples["read"].append(read_ms)
            for stage in ("locate", "preprocess", "model"):
                if rec.hand_found or stage == "locate":
                    samples[stage].append(rec.timings_ms[stage])
            samples["total"].append(read_ms + rec.timings_ms["total"])
    summary = {
        s: {"median_ms": float(np.median(v)), "p95_ms": float(np.percentile(v, 95))} for s, v in samples.items() if v
    }
    return {"roi": roi, "device": device, "frames": frames, "hands_found": found, "stages": summary,
            "threads": torch.get_num_threads()}


def onnx_runner(model: torch.nn.Module, x: torch.Tensor):
    """A function running `model` in ONNX Runtime (one thread), or None when onnx/onnxruntime are missing."""
    try:
        import io

        import onnxruntime as ort
        torch.onnx.export(model, (x,), buffer := io.BytesIO(), input_names=["x"], dynamo=False)
    except (ImportError, torch.onnx.OnnxExporterError):
        return None
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])
    return lambda inp: torch.from_numpy(session.run(None, {"x": inp.numpy()})[0])


def compare_inference(weights: Path, calls: int) -> dict:
    """Median ms per single-crop call of each inference variant, interleaved, and max |diff| from eager."""
    torch.set_num_threads(1)
    model, _ = load_model(weights, "cpu")
    model.eval()
    x = torch.rand(1, 1, INPUT_SIZE, INPUT_SIZE)
    variants = {"eager": model, "folded_channels_last": fold_batchnorm(model).to(memory_format=torch.channels_last),
                "traced_frozen": inference_model(model, torch.device("cpu"))}
    runner = onnx_runner(fold_batchnorm(model), x)
    if runner:
        variants["onnxruntime"] = runner
    times: dict[str, list[float]] = {name: [] for name in variants}
    with torch.inference_mode():
        reference = model(x)
        diffs = {name: float((fn(x) - reference).abs().max()) for name, fn in variants.items()}
        for _ in range(calls):
            for name, fn in variants.items():
                start = time.perf_counter()
                fn(x)
                times[name].append((time.perf_counter() - start) * 1000.0)
    return {"weights": str(weights), "calls": calls, "threads": 1,
            "variants": {n: {"median_ms": float(np.median(t)), "max_abs_diff": diffs[n]} for n, t in times.items()}}


def compare_decode(video: Path, frames: int) -> dict:
    """Median ms per frame of each way of reading the clip (looping it), interleaved."""
    cv2.setNumThreads(1)
    capture, packets = cv2.VideoCapture(str(video)), cv2.VideoCapture(str(video))
    packets.set(cv2.CAP_PROP_FORMAT, -1)  # the FFmpeg backend hands out undecoded packets
    ways = {"videocapture_read": None, "packet_imdecode_full": cv2.IMREAD_COLOR,
            "packet_imdecode_half": cv2.IMREAD_REDUCED_COLOR_2}
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(frames):
        for name, flag in ways.items():
            cap = capture if flag is None else packets
            start = time.perf_counter()
            ok, data = cap.read()
            if not ok:
                cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                continue
            if flag is not None:
                cv2.imdecode(data, flag)
            times[name].append((time.perf_counter() - start) * 1000.0)
    capture.release()
    packets.release()
    return {"frames": frames, **{name: {"median_ms": float(np.median(t))} for name, t in times.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video", type=Path, help="a video file (default: a clip made from real_dev)")
    parser.add_argument("--frames", type=int, default=300, help="frames measured per run (default: 300)")
    parser.add_argument("--hold", type=int, default=30, help="frames per photo in the made clip (default: 30)")
    parser.add_argument("--weights", type=Path, help="weights file (default: bundled, else random init)")
    parser.add_argument("--device", choices=("all", "cpu", "cuda"), default="all",
                        help="where the models run: all = cpu, then cuda when present (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table (default: table)")
    parser.add_argument("--compare-inference", action="store_true",
                        help="time the CNN's inference variants on one crop instead (default: off)")
    parser.add_argument("--compare-decode", action="store_true",
                        help="time frame reading: OpenCV's decoder vs imdecode of the packets (default: off)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per variant with --compare-inference "
                        "(default: 2000)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.compare_inference:
        found = compare_inference(args.weights or BUNDLED_WEIGHTS, args.calls)
        if args.json:
            print(json.dumps(found, indent=2))
        else:
            for name, v in found["variants"].items():
                print(f"{name:22s} {v['median_ms']:7.3f} ms median   max |diff| vs eager {v['max_abs_diff']:.1e}")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        if args.compare_decode:
            video = args.video or make_clip(REAL_DEV, Path(tmp) / "clip.avi", photos=10, hold=args.hold)
            print(json.dumps(compare_decode(video, args.frames), indent=2))
            return 0
        weights = args.weights or (BUNDLED_WEIGHTS if BUNDLED_WEIGHTS.exists() else None)
        if weights is None:  # timing does not depend on the weights' values
            weights = save_weights(Path(tmp) / "random.safetensors", build_model())
        video = args.video or make_clip(REAL_DEV, Path(tmp) / "clip.avi", photos=10, hold=args.hold)
        if args.device == "cuda" and not torch.cuda.is_available():
            parser.error("--device cuda: no CUDA GPU here")
        devices = [args.device] if args.device != "all" else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
        runs = [measure(video, weights, roi, device, args.frames) for device in devices for roi in ("auto", "box")]

    if args.json:
        print(json.dumps({"video": str(args.video or "real_dev clip"), "runs": runs}, indent=2))
        return 0
    print(f"{'device':6} {'roi':4} {'hands':>7}  " + "  ".join(f"{s:>16}" for s in STAGES))
    for run in runs:
        cells = []
        for stage in STAGES:
            st = run["stages"].get(stage)
            cells.append(f"{st['median_ms']:7.2f} / {st['p95_ms']:6.2f}" if st else f"{'-':>16}")
        print(f"{run['device']:6} {run['roi']:4} {run['hands_found']:>3}/{run['frames']:<3}  " + "  ".join(cells))
    print("cells: median / p95 ms; model and preprocess over frames with a hand; total includes read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
