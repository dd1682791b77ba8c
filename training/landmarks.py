"""Train the landmark model (signcam.models.landmarks) on the hand landmarks of many real signers, chosen on people.

Training data: `extra/` (4,630 MIT webcam photos of ~20 signers from 17 repositories), `extra2/` (305 photos of 3
more MIT signers) and `extra3/` (465 photos of 11 more, 10 MIT and 1 Apache-2.0; 8 of them show 1-5 letters), located
exactly as the app does (training.photos: MediaPipe's Tasks HandLandmarker with the bundled model, the locator's
retries). Sign-MNIST's rows are not used: its seven signers show a wrong T, and MediaPipe sees a 28x28 row upscaled
poorly. real_dev/ is never training data for the bundled file; it is one of the held-out groups of the report.

Every choice is made leave-one-person-out (LOPO) over the training sets' persons plus real_dev's five: each
training person (a repository: evriel714's four sessions are one person; hackmit's two hands share one source,
camera and blur, so they are held out together) is scored by a model trained on the other persons, and each
real_dev person by the model trained on all of them. The temperature is fitted on those held-out logits, so it is
calibrated for people the model has never seen; the log shows the per-person table. `--folds 7` holds out seven
groups of persons instead (7 models, not 31: how the leads below were explored, and how the shipped file's
temperature was fitted); `benchmarks/real_photos.py --lopo` gives the one-person-at-a-time figure.

Each training hand is first turned in 3D about its wrist (MediaPipe's depth z: yaw +-45 deg, pitch +-30 deg), then
rotated, stretched, jittered and mirrored in 2D. Measured that way on the Tasks locator's points (seed 0; the
per-person table is in benchmarks/README.md): yaw 45 / pitch 30 gives 0.888 mean over all 25 persons (extra+extra2
0.871, worst vyshu150 0.673, motion-blurred; real_dev pooled 0.953), yaw 30 / pitch 20 0.884 (real_dev 0.937).
Earlier, on the old MediaPipe fork's points and extra/ alone: 0.865 mean over extra persons, real_dev 0.956. Not
kept then: rotation 25 deg and stretch 0.2, the 502 Apache-2.0 keypoint rows of extra_landmarks/handsonfluency
(within seed noise, for one more licence), a 3-seed ensemble.

Issue 30 (extra/ + extra2/ + extra3/, 31 persons, 7 groups of persons held out, 30 epochs, landmark model alone;
today's recipe: mean 0.907-0.911 over persons (two seeds), worst 0.668-0.678, pooled 0.893-0.900; weakest letters
pooled S 0.68, N 0.75, M 0.76-0.78, P 0.78-0.79, K 0.78-0.83). Not kept, each within or below that noise:
- MediaPipe's world landmarks: the coach's 17 depth features (signcam.practice.pose.depth_features) beside the 2D
  features 0.894-0.896 (0.898-0.900 with noise on them; M, P, X up 2-6 points, Q, G, K down 2-7); the 3D points in a
  palm-centred frame 0.889, both 0.883. Depth carries the signer as much as the letter.
- Specialists (the general model's share of the group, split by a model trained on the group's letters only): thumb
  group A E M N S T with the depth features 0.903 (S 0.66 -> 0.71, N flat), orientation group G H P Q K V 0.902.
  Pairwise depth discriminants (logistic regression on the 17 depth features, used when the top two are the pair:
  M/N, S/N, M/S, E/S, T/A, N/T) move the mean by at most 0.1 point and each letter by at most 3.
- Far and small hands (box side < 60 px in the 320 px photos: 0.475 right; 60-90 px: 0.765; over 130 px: 0.93):
  per-hand landmark noise up to 0.08 of the hand's size in training 0.906 (under 60 px 0.485, 60-90 px 0.758);
  locating a small hand again on a 2x-context crop upscaled to 256 px: 0.714 -> 0.719 on the 573 hands under 90 px.
- Test-time 3D turns (mean of the logits at yaw +-20/35, pitch +-15/25): +-0.001. Person-balanced loss weights
  (count^-0.5): 0.908. Distances between all 21 points instead of 16: 0.905. 60 epochs instead of 30: 0.908.
- Weighing each training hand by the probability that models trained without its person (3 groups of persons, nested
  inside each held-out group) give its letter, floor 0.03/0.1/0.3: mean 0.907-0.908 (flat), worst person 0.762/
  0.724-0.729/0.701 (vyshu150), S 0.73-0.74, but M 0.73-0.76 and X 0.81-0.82; on real_dev (trained on everything,
  floor 0.1, model alone) 0.957 instead of 0.982, M 0.53, N 0.69: it moves the M/N/S boundary, not the strangers.
  (Weights from models that had seen the held-out persons read 0.916, worst 0.743: a leak, not a gain.)
extra3/ itself: the 20 extra/ + extra2/ persons 0.885 with it, 0.884 without (7 groups, 30 epochs); real_dev for
the model trained on everything, alone: 0.979-0.982 with extra3/ (two seeds, 60 epochs), 0.984 without.

Usage:
    python -m training.landmarks --data ../shared/data --out signcam/assets/landmarks.safetensors --folds 7
"""

import argparse
import datetime
import logging
import math
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from signcam import __version__
from signcam.labels import LETTERS
from signcam.models.landmarks import (
    FEATURE_SETS,
    LandmarkConfig,
    LandmarkNet,
    both_views_logits,
    landmark_features,
    mirrored,
    normalised,
    save_landmark_model,
)
from training.photos import PhotoSet, load_photo_set
from training.train import fit_temperature, seed_everything

log = logging.getLogger("signcam.train.landmarks")

TRAIN_SETS, DEV_SET = ("extra", "extra2", "extra3"), "real_dev"  # extra2/, extra3/: 14 more signers, extra/'s rules


@dataclass
class LandmarkTrainConfig:
    data: str = ""  # folder holding extra/ and extra2/ (training) and real_dev/ (held-out report only)
    out: str = "runs/landmarks.safetensors"
    cache_dir: str = ""  # training.photos cache ("" = the user cache folder)
    features: str = "xy+dist"  # see signcam.models.landmarks.FEATURE_SETS
    hidden: int = 256  # see LandmarkConfig
    dropout: float = 0.2
    epochs: int = 60  # ~2 s each on one core for 4,470 hands
    batch_size: int = 256
    lr: float = 3e-3  # peak learning rate (AdamW, one-cycle)
    weight_decay: float = 1e-3
    label_smoothing: float = 0.1  # softer targets for strangers' hands
    yaw_deg: float = 45.0  # +- 3D turn about the vertical axis through the wrist (MediaPipe's z), before the 2D steps
    pitch_deg: float = 30.0  # +- 3D tilt about the horizontal axis through the wrist
    rotate_deg: float = 12.0  # +- rotation of the landmarks about the wrist, in the image plane
    stretch: float = 0.12  # +- independent x/y scale: camera angle and hand proportions
    jitter: float = 0.02  # std of per-point noise, in units of the hand's size: landmark error
    mirror: bool = True  # mirror half the training hands: left and right hands, G and H pointing either way
    lopo: bool = True  # leave-one-person-out: the report and the temperature (off: T = 1, no report)
    folds: int = 0  # 0: one model per held-out person; k: k groups of persons (k models: quicker, for exploring)
    seed: int = 0


@dataclass(frozen=True)
class Hands:
    """The found hands of a photo set: landmarks, letters and the person each belongs to."""

    points: np.ndarray  # (N, 21, 2) float32 pixels
    labels: np.ndarray  # (N,) int64
    persons: np.ndarray  # (N,) str: the unit held out together
    z: np.ndarray  # (N, 21) float32 MediaPipe's depth relative to the wrist, in x's pixel units

    def subset(self, mask: np.ndarray) -> "Hands":
        return Hands(self.points[mask], self.labels[mask], self.persons[mask], self.z[mask])

    @staticmethod
    def concat(parts: list["Hands"]) -> "Hands":
        return Hands(*(np.concatenate([getattr(h, f.name) for h in parts]) for f in fields(Hands)))


def found_hands(photos: PhotoSet) -> Hands:
    """The photos where the locator found a hand; a person is a source (a repository or real_dev collection)."""
    hands = photos.subset(photos.found)
    return Hands(hands.points, hands.labels, np.array([f"{photos.name}/{s}" for s in hands.sources]), hands.z)


def turned_in_3d(points: torch.Tensor, z: torch.Tensor, config: LandmarkTrainConfig, gen: torch.Generator
                 ) -> torch.Tensor:
    """(N, 21, 2) points seen from another angle: each hand rotated about its wrist by a random yaw (about the
    vertical axis, +- config.yaw_deg) and pitch (about the horizontal one, +- config.pitch_deg) using MediaPipe's
    depth `z` (N, 21). A 2D rotation or stretch cannot show a hand turned towards or away from the camera."""
    n = points.shape[0]
    yaw = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(config.yaw_deg)
    pitch = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(config.pitch_deg)
    return turned(points, z, yaw, pitch)


def turned(points: torch.Tensor, z: torch.Tensor, yaw: torch.Tensor, pitch: torch.Tensor) -> torch.Tensor:
    """(N, 21, 2) points rotated about the wrist by R = Rx(pitch) @ Ry(yaw) (radians, (N,) each), then projected
    back to x, y: x' = cos(yaw) x + sin(yaw) z, z' = -sin(yaw) x + cos(yaw) z, y' = cos(pitch) y - sin(pitch) z'."""
    n = points.shape[0]
    p = torch.cat([points, z.unsqueeze(2)], dim=2)  # (N, 21, 3)
    p = p - p[:, :1]
    cy, sy = torch.cos(yaw).view(n, 1), torch.sin(yaw).view(n, 1)
    cp, sp = torch.cos(pitch).view(n, 1), torch.sin(pitch).view(n, 1)
    x = cy * p[..., 0] + sy * p[..., 2]
    z_turned = -sy * p[..., 0] + cy * p[..., 2]
    y = cp * p[..., 1] - sp * z_turned
    return torch.stack([x, y], dim=2)  # (N, 21, 2)


def augmented(points: torch.Tensor, config: LandmarkTrainConfig, gen: torch.Generator,
              z: torch.Tensor | None = None) -> torch.Tensor:
    """Turn in 3D (when `z` is given and config.yaw_deg or pitch_deg are set), normalise, rotate about the wrist,
    stretch x and y independently, jitter each point and (if config.mirror) mirror half of the hands; the
    features re-normalise the scale."""
    n = points.shape[0]
    if z is not None and (config.yaw_deg or config.pitch_deg):
        points = turned_in_3d(points, z, config, gen)
    pts = normalised(points)  # (N, 21, 2)
    angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(config.rotate_deg)
    cos, sin = torch.cos(angle), torch.sin(angle)
    rot = torch.stack([torch.stack([cos, -sin], 1), torch.stack([sin, cos], 1)], 1)  # (N, 2, 2)
    stretch = 1 + (torch.rand(n, 1, 2, generator=gen) * 2 - 1) * config.stretch
    pts = torch.einsum("nij,npj->npi", rot, pts) * stretch
    pts = pts + torch.randn(pts.shape, generator=gen) * config.jitter
    if config.mirror:
        flip = torch.rand(n, generator=gen) < 0.5
        pts = torch.where(flip.view(n, 1, 1), mirrored(pts), pts)
    return pts


def fit(hands: Hands, config: LandmarkTrainConfig) -> LandmarkNet:
    """A LandmarkNet trained on the hands for config.epochs (AdamW, one-cycle, augmented batches)."""
    gen = seed_everything(config.seed)
    x, y = torch.from_numpy(hands.points), torch.from_numpy(hands.labels)
    depth = torch.from_numpy(np.nan_to_num(hands.z))  # a hand without depth turns as a flat one
    model = LandmarkNet(LandmarkConfig(features=config.features, hidden=config.hidden, dropout=config.dropout))
    optimizer = torch.optim.AdamW(model.parameters(), config.lr, weight_decay=config.weight_decay)
    steps = math.ceil(len(y) / config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.lr, total_steps=config.epochs * steps)
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.randperm(len(y), generator=gen)
        for b in range(steps):
            idx = order[b * config.batch_size : (b + 1) * config.batch_size]
            logits = model(landmark_features(augmented(x[idx], config, gen, depth[idx]), config.features))
            loss = F.cross_entropy(logits, y[idx], label_smoothing=config.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
        if epoch % 20 == 0:
            log.debug("epoch %d/%d  loss %.4f", epoch, config.epochs, loss.item())
    return model.eval()


@torch.inference_mode()
def logits_of(model: LandmarkNet, points: np.ndarray) -> torch.Tensor:
    """(N, 24) both-views logits at T = 1."""
    return both_views_logits(model.eval(), torch.from_numpy(points))


def person_folds(persons: np.ndarray, folds: int, seed: int = 0) -> np.ndarray:
    """(N,) fold index of each hand: every person in one fold; 0 folds = one fold per person (sorted names)."""
    names = sorted(set(persons))
    if folds > 0:
        order = np.random.default_rng(seed).permutation(len(names))
        fold_of = {names[i]: k % folds for k, i in enumerate(order)}
    else:
        fold_of = {name: k for k, name in enumerate(names)}
    return np.array([fold_of[p] for p in persons])


def held_out_logits(train: Hands, dev: Hands | None, config: LandmarkTrainConfig) -> tuple[torch.Tensor, LandmarkNet]:
    """Logits of every training hand from the model trained without its person (or its fold of persons,
    config.folds), then of every dev hand from the model trained on all training hands (also returned: it is the
    one to ship)."""
    out = torch.zeros(len(train.labels), len(LETTERS))
    folds = person_folds(train.persons, config.folds)
    for fold in sorted(set(folds)):
        held = folds == fold
        out[held] = logits_of(fit(train.subset(~held), config), train.points[held])
        log.info("held out %-24s %4d hands  top-1 %.3f", ",".join(sorted(set(train.persons[held])))[:60],
                 held.sum(), (out[held].argmax(1).numpy() == train.labels[held]).mean())
    model = fit(train, config)
    if dev is not None:
        out = torch.cat([out, logits_of(model, dev.points)])
    return out, model


def per_person_accuracy(logits: np.ndarray, labels: np.ndarray, persons: np.ndarray) -> dict[str, float]:
    return {p: float((logits[persons == p].argmax(1) == labels[persons == p]).mean()) for p in sorted(set(persons))}


def train_landmarks(config: LandmarkTrainConfig) -> tuple[LandmarkNet, dict]:
    """Load (cached), report leave-one-person-out and fit the temperature there (if config.lopo), train on all of
    extra/, save (if config.out). Returns the model and its metrics."""
    cache = config.cache_dir or None
    train = Hands.concat([found_hands(load_photo_set(Path(config.data) / name, cache_dir=cache))
                          for name in TRAIN_SETS if (Path(config.data) / name / "labels.csv").exists()])
    dev_folder = Path(config.data) / DEV_SET
    dev = found_hands(load_photo_set(dev_folder, cache_dir=cache)) if (dev_folder / "labels.csv").exists() else None
    log.info("hands: %s %d of %d persons%s", "+".join(TRAIN_SETS), len(train.labels), len(set(train.persons)),
             f", {DEV_SET} {len(dev.labels)} (held out only)" if dev is not None else "")
    metrics: dict = {"temperature": 1.0}
    if config.lopo:
        logits, model = held_out_logits(train, dev, config)
        labels = np.concatenate([train.labels] + ([dev.labels] if dev is not None else []))
        persons = np.concatenate([train.persons] + ([dev.persons] if dev is not None else []))
        temperature = fit_temperature(logits, torch.from_numpy(labels))
        accuracy = per_person_accuracy(logits.numpy(), labels, persons)
        extra = [a for p, a in accuracy.items() if not p.startswith(DEV_SET + "/")]
        metrics = {
            "temperature": temperature,
            "lopo_accuracy": accuracy,
            "lopo_extra_mean": float(np.mean(extra)),
            "lopo_extra_worst": float(min(extra)),
            "lopo_all_mean": float(np.mean(list(accuracy.values()))),
        }
        log.info("leave one person out: extra mean %.3f, worst %.3f; all %d persons mean %.3f; temperature %.3f",
                 metrics["lopo_extra_mean"], metrics["lopo_extra_worst"], len(accuracy), metrics["lopo_all_mean"],
                 temperature)
    else:
        model = fit(train, config)
    metrics |= {
        "train_hands": len(train.labels),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "signcam_version": __version__,
        "train_config": asdict(config),
    }
    if config.out:
        save_landmark_model(config.out, model, metrics)
    return model, metrics


# One sentence per option of `python -m training.landmarks --help` (a test checks every field has one).
OPTION_HELP = {
    "folds": "0: one model per held-out person; k: k groups of persons held out together (quicker, for exploring)",
    "data": "folder holding extra/, extra2/ and extra3/ (training) and real_dev/ (held-out report only), each a "
            "labels.csv beside its photos",
    "out": "weights file to write (safetensors). The bundled model is signcam/assets/landmarks.safetensors: write "
           "there only to replace it (make bundled-weights)",
    "cache_dir": "where the photos' located landmarks are cached (default: the user cache folder, "
                 "~/.cache/signcam on Linux)",
    "features": "model input: xy (the 21 normalised points) or xy+dist (plus the 120 joint-to-joint distances)",
    "hidden": "units in each of the two hidden layers",
    "dropout": "dropout after each hidden layer (0-1)",
    "epochs": "passes over the training hands (about 2 s each on one core)",
    "batch_size": "training hands per optimiser step",
    "lr": "peak learning rate (AdamW, one-cycle)",
    "weight_decay": "AdamW weight decay",
    "label_smoothing": "softer targets (0-1) for strangers' hands",
    "yaw_deg": "augmentation: +- degrees of 3D turn about the vertical axis through the wrist (MediaPipe's depth)",
    "pitch_deg": "augmentation: +- degrees of 3D tilt about the horizontal axis through the wrist",
    "rotate_deg": "augmentation: +- degrees of rotation about the wrist in the image plane",
    "stretch": "augmentation: +- independent x and y scale (camera angle, hand proportions)",
    "jitter": "augmentation: standard deviation of per-point noise, in units of the hand's size",
    "mirror": "mirror half the training hands, so left and right hands read alike",
    "lopo": "leave-one-person-out report and temperature fit (~25 min on one core); off: T = 1, no report",
    "seed": "random seed of the initialisation, shuffling and augmentation",
}


def build_parser() -> argparse.ArgumentParser:
    defaults = LandmarkTrainConfig()
    parser = argparse.ArgumentParser(prog="python -m training.landmarks", description=__doc__.split("\n\n")[0])
    for f in fields(LandmarkTrainConfig):
        flag, default = "--" + f.name.replace("_", "-"), getattr(defaults, f.name)
        # .get: a new field without a sentence still parses (tests/training/test_cli_help.py asks for one)
        text = OPTION_HELP.get(f.name, "") + ("" if default == "" else f" (default: {default})")
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=text)
        else:
            metavar = {"data": "DIR", "cache_dir": "DIR", "out": "FILE", "features": None}.get(
                f.name, "F" if isinstance(default, float) else "N" if isinstance(default, int) else None)
            choices = FEATURE_SETS if f.name == "features" else None
            parser.add_argument(flag, type=type(default), default=default, choices=choices, metavar=metavar,
                                help=text)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # One thread: a 256-unit MLP gains nothing from more, and on a shared 2-core machine two threads made an
    # epoch 10x slower (67 s vs 6.5 s for 3 epochs).
    torch.set_num_threads(1)
    if not args.data or not (Path(args.data) / TRAIN_SETS[0] / "labels.csv").exists():
        print(f"landmarks: error: give --data DIR, a folder holding {TRAIN_SETS[0]}/labels.csv", file=sys.stderr)
        return 2
    train_landmarks(LandmarkTrainConfig(**{f.name: getattr(args, f.name) for f in fields(LandmarkTrainConfig)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
