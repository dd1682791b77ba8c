"""Train the landmark model (signcam.landmarks) on hand landmarks extracted from the Sign-MNIST train CSV.

Landmarks come from the app's own locator (MediaPipe's lite model, as in live video; static mode) run on
each 28x28 row upscaled 4x with a replicated border: the palm detector misses hands that fill the image,
and a border of twice the image's side finds one in 96% of the train rows (then 1x and 0.5x for the
rest). Extraction takes ~10 minutes on one core, so it is cached (keyed by the CSV's sha256).
Validation is the trainer's stratified split of the train CSV (same fraction and seed); the test CSV is
used once, for the report.

Usage:
    python -m training.landmarks --data ../shared/data --out signcam/assets/landmarks.safetensors
"""

import argparse
import copy
import datetime
import logging
import math
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from signcam import __version__
from signcam.landmarks import LandmarkConfig, LandmarkNet, landmark_features, save_landmark_model
from signcam.locate import MediaPipeLocator
from training.data import CsvError, Dataset, find_csvs, load_csv, stratified_split
from training.train import fit_temperature, seed_everything

log = logging.getLogger("signcam.train.landmarks")

UPSCALE = 4  # 28 px rows -> 112 px: MediaPipe's palm detector finds almost nothing at 28 px
BORDERS = (2.0, 1.0, 0.5)  # replicated border per side, in image sides, tried in this order (most found first)
SIDES = (None, "right", "left")  # cache code 0, 1, 2


@dataclass
class LandmarkTrainConfig:
    train_csv: str = ""  # sign_mnist_train.csv[.gz]
    test_csv: str = ""  # sign_mnist_test.csv[.gz]; used once, for the report
    out: str = "runs/landmarks.safetensors"
    cache_dir: str = str(Path.home() / ".cache" / "signcam")  # extracted landmarks (~5 MB per CSV)
    hidden: int = 256  # see LandmarkConfig
    epochs: int = 60  # ~2 s each on one core
    batch_size: int = 256
    lr: float = 3e-3  # peak learning rate (AdamW, one-cycle)
    weight_decay: float = 1e-3
    label_smoothing: float = 0.1  # as the CNN: softer targets for strangers' hands
    rotate_deg: float = 12.0  # +- rotation of the landmarks about the wrist
    stretch: float = 0.12  # +- independent x/y scale: camera angle and hand proportions
    jitter: float = 0.02  # std of per-point noise, in units of the hand's size: landmark error
    val_fraction: float = 0.1  # as the CNN trainer
    calibrate: bool = False  # fit the temperature on validation; off keeps T = 1, as the CNN trainer: the fitted
    # T (0.62, validation 98.5% right) over-states confidence on strangers (real_dev ECE 0.18 vs 0.04 at T = 1)
    seed: int = 0


def extract_landmarks(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 -> (points (N, 21, 2) float32 in 28-px coordinates, NaN where no hand was
    found; side codes (N,) int8 indexing SIDES)."""
    locator = MediaPipeLocator(video=False, border=0, model_complexity=0)
    points = np.full((len(images), 21, 2), np.nan, np.float32)
    sides = np.zeros(len(images), np.int8)
    try:
        for i, image in enumerate(images):
            big = cv2.resize(image, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_LINEAR)
            for border in BORDERS:
                pad = int(border * big.shape[0])
                padded = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
                box = locator.locate(cv2.cvtColor(padded, cv2.COLOR_GRAY2BGR))
                if box is not None:
                    points[i] = (box.landmarks - pad) / UPSCALE
                    sides[i] = SIDES.index(box.side)
                    break
            if i % 2000 == 0:
                log.info("landmarks: %d/%d rows", i, len(images))
    finally:
        locator.close()
    return points, sides


def cached_landmarks(data: Dataset, cache_dir: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """`extract_landmarks` of a dataset, read from or written to cache_dir/landmarks-<sha256>.npz."""
    path = Path(cache_dir) / f"landmarks-{data.sha256[:16]}-{len(data)}.npz"
    if path.exists():
        with np.load(path) as cached:
            return cached["points"], cached["side"]
    points, sides = extract_landmarks(data.images)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, points=points, side=sides)
    return points, sides


def features_of(points: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """(N, 21, 2) points and side codes -> (N, 42) features (rows with a hand only)."""
    return np.stack([landmark_features(p, SIDES[s]) for p, s in zip(points, sides, strict=True)])


def augment_features(x: torch.Tensor, config: LandmarkTrainConfig, gen: torch.Generator) -> torch.Tensor:
    """Rotate about the wrist, stretch x and y independently, jitter each point, then re-normalise the
    scale as `landmark_features` does."""
    n = x.shape[0]
    pts = x.view(n, -1, 2)  # (N, 21, 2)
    angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(config.rotate_deg)
    cos, sin = torch.cos(angle), torch.sin(angle)
    rot = torch.stack([torch.stack([cos, -sin], 1), torch.stack([sin, cos], 1)], 1)  # (N, 2, 2)
    stretch = 1 + (torch.rand(n, 1, 2, generator=gen) * 2 - 1) * config.stretch
    pts = torch.einsum("nij,npj->npi", rot, pts) * stretch
    pts = pts + torch.randn(pts.shape, generator=gen) * config.jitter
    pts = pts - pts[:, :1]  # wrist back at the origin
    pts = pts / pts.norm(dim=2).amax(dim=1).clamp_min(1e-6).view(n, 1, 1)
    return pts.reshape(n, -1)


@torch.inference_mode()
def accuracy(model: LandmarkNet, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return float((model(x).argmax(1) == y).float().mean()) if len(y) else float("nan")


def train_landmarks(config: LandmarkTrainConfig) -> tuple[LandmarkNet, dict]:
    """Extract (cached), train, calibrate, test once, save (if config.out). Returns the model and metrics."""
    gen = seed_everything(config.seed)
    train_set, test_set = load_csv(config.train_csv), load_csv(config.test_csv)
    train_idx, val_idx = stratified_split(train_set.labels, config.val_fraction, config.seed)

    # Data: rows where MediaPipe found a hand; the split is the CNN trainer's, so validation rows are unseen.
    points, sides = cached_landmarks(train_set, config.cache_dir)
    test_points, test_sides = cached_landmarks(test_set, config.cache_dir)
    found = sides > 0
    fit_idx, val_idx = train_idx[found[train_idx]], val_idx[found[val_idx]]

    def tensors(idx: np.ndarray, pts: np.ndarray, sd: np.ndarray, labels: np.ndarray):
        return torch.from_numpy(features_of(pts[idx], sd[idx])), torch.from_numpy(labels[idx])

    x_fit, y_fit = tensors(fit_idx, points, sides, train_set.labels)
    x_val, y_val = tensors(val_idx, points, sides, train_set.labels)
    test_found = np.flatnonzero(test_sides > 0)
    x_test, y_test = tensors(test_found, test_points, test_sides, test_set.labels)
    log.info("landmarks found: train %d/%d, test %d/%d", found.sum(), len(found), len(test_found), len(test_set))

    # Model and optimizer: AdamW with a one-cycle schedule, as the CNN.
    model = LandmarkNet(LandmarkConfig(hidden=config.hidden))
    optimizer = torch.optim.AdamW(model.parameters(), config.lr, weight_decay=config.weight_decay)
    steps = math.ceil(len(y_fit) / config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.lr, total_steps=config.epochs * steps)

    # Loop: keep the epoch with the best validation accuracy.
    best_state, best_acc, best_epoch = None, -1.0, 0
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.randperm(len(y_fit), generator=gen)
        for b in range(steps):
            idx = order[b * config.batch_size : (b + 1) * config.batch_size]
            logits = model(augment_features(x_fit[idx], config, gen))
            loss = F.cross_entropy(logits, y_fit[idx], label_smoothing=config.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
        val_acc = accuracy(model, x_val, y_val)
        log.info("epoch %d/%d  loss %.4f  val acc %.4f", epoch, config.epochs, loss.item(), val_acc)
        if val_acc >= best_acc:
            best_state, best_acc, best_epoch = copy.deepcopy(model.state_dict()), val_acc, epoch
    model.load_state_dict(best_state)
    model.eval()

    # Calibrate on validation (if asked), then the one look at the test rows with a hand.
    with torch.inference_mode():
        val_logits = model(x_val)
    temperature = fit_temperature(val_logits, y_val) if config.calibrate else 1.0
    metrics = {
        "temperature": temperature,
        "best_epoch": best_epoch,
        "val_accuracy": best_acc,
        "test_accuracy_found": accuracy(model, x_test, y_test),
        "test_found": len(test_found) / len(test_set),
        "train_found": float(found.mean()),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "signcam_version": __version__,
        "train_config": asdict(config),
        "data": {"train_sha256": train_set.sha256, "test_sha256": test_set.sha256},
    }
    log.info("best epoch %d (val acc %.4f), temperature %.3f, test accuracy %.4f on %.1f%% of rows with a hand",
             best_epoch, best_acc, temperature, metrics["test_accuracy_found"], 100 * metrics["test_found"])
    if config.out:
        save_landmark_model(config.out, model, metrics)
    return model, metrics


def main(argv: list[str] | None = None) -> int:
    defaults = LandmarkTrainConfig()
    parser = argparse.ArgumentParser(prog="python -m training.landmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="folder with sign_mnist_train.csv[.gz] and sign_mnist_test.csv[.gz]")
    for f in fields(LandmarkTrainConfig):
        if f.name not in ("train_csv", "test_csv"):
            flag, default = "--" + f.name.replace("_", "-"), getattr(defaults, f.name)
            if isinstance(default, bool):
                parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default,
                                    help=f"(default: {default})")
            else:
                parser.add_argument(flag, type=type(default), default=default, help=f"(default: {default})")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if not args.data:
            parser.error("give --data DIR")
        args.train_csv, args.test_csv = (str(p) for p in find_csvs(args.data))
        config = LandmarkTrainConfig(**{f.name: getattr(args, f.name) for f in fields(LandmarkTrainConfig)})
        train_landmarks(config)
    except CsvError as e:
        print(f"landmarks: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
