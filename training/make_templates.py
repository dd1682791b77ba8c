"""Build the coach's letter templates (signcam/assets/templates.json) from the real signers of extra/.

For each static letter, the 10/25/50/75/90% quantiles of every pose feature (signcam.practice.pose) over the
photos of extra/ where MediaPipe found a hand, each person weighted equally. extra/ is MIT-licensed, so the
templates may ship; their credits (repository, commit, licence line) go into the file. real_dev/ is never
used (development set), nor Sign-MNIST's source photos (licence unknown; their T is not the ASL T).
Landmarks come from training.photos (the app's own locator, cached in ~/.cache/signcam).

Usage:
    python -m training.make_templates --data ../shared/data [--out signcam/assets/templates.json]
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from pathlib import Path

import numpy as np
import torch

from signcam.labels import LETTERS
from signcam.practice.pose import TEMPLATES_PATH, LetterJudge, Templates, build_templates, pose_features, save_templates
from training.photos import load_photo_set

log = logging.getLogger("signcam.train.templates")

MIT_NOTICE = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and "
    "associated documentation files (the \"Software\"), to deal in the Software without restriction, including "
    "without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell "
    "copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the "
    "following conditions: The above copyright notice and this permission notice shall be included in all "
    "copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF "
    "ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A "
    "PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY "
    "CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF "
    "OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.")


JUDGE_HIDDEN = 32  # leave one person out on extra/: 87.3% right vs 86.2% for a linear judge (benchmarks/coach.py)
JUDGE_WEIGHT_DECAY = 1e-3  # 86.1% at 1e-2


def fit_judge(features: np.ndarray, letters: np.ndarray, hidden: int = JUDGE_HIDDEN,
              weight_decay: float = JUDGE_WEIGHT_DECAY, seed: int = 0) -> LetterJudge:
    """A small tanh network on standardised features, full batch L-BFGS (seconds on one core), seeded."""
    names = tuple(sorted(set(letters.tolist())))
    mean, std = features.mean(0), features.std(0) + 1e-6
    x = torch.tensor((features - mean) / std, dtype=torch.float32)
    y = torch.tensor([names.index(letter) for letter in letters])
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, len(names)))
    optimizer = torch.optim.LBFGS(net.parameters(), max_iter=300, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        decay = sum((layer.weight ** 2).sum() for layer in (net[0], net[2]))
        loss = torch.nn.functional.cross_entropy(net(x), y) + weight_decay * decay
        loss.backward()
        return loss

    optimizer.step(closure)
    arrays = [t.detach().double().numpy() for t in (net[0].weight.T, net[0].bias, net[2].weight.T, net[2].bias)]
    return LetterJudge(names, mean.astype(np.float64), std.astype(np.float64), *arrays)


def make_templates(features: np.ndarray, letters: np.ndarray, people: np.ndarray,
                   credits: list[dict] | tuple = ()) -> Templates:
    """Templates and judge from one set of photos (the benchmark calls it once per held-out person)."""
    return build_templates(features, letters, people, fit_judge(features, letters), credits)


def read_credits(folder: Path) -> list[dict]:
    """One entry per source repository of extra/labels.csv: repository, commit, licence line."""
    seen: dict[str, dict] = {}
    with open(folder / "labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            seen.setdefault(row["source_repo"], {"repository": row["source_repo"], "commit": row["source_commit"],
                                                 "licence": row["licence"]})
    return sorted(seen.values(), key=lambda c: c["repository"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder holding extra/")
    parser.add_argument("--out", type=Path, default=TEMPLATES_PATH,
                        help=f"the coach's letter templates JSON to write (default: {TEMPLATES_PATH}, the bundled one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    folder = args.data / "extra"
    photos = load_photo_set(folder)
    photos = photos.subset(photos.found)
    letters = np.array([LETTERS[i] for i in photos.labels])
    people = photos.persons()
    templates = make_templates(pose_features(photos.points), letters, people, read_credits(folder))
    provenance = {"made_by": "python -m training.make_templates", "data": "extra/ (MIT)",
                  "photos": int(len(photos)), "people": len(set(people.tolist())), "mit_notice": MIT_NOTICE}
    path = save_templates(templates, args.out, provenance)
    log.info("%s: %d letters from %d photos of %d people, %.1f KB", path, len(templates.letters), len(photos),
             len(set(people.tolist())), path.stat().st_size / 1024)
    return 0


if __name__ == "__main__":
    sys.exit(main())
