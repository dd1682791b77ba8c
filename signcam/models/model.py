"""The recognition network and its configuration; nothing else (no I/O, no devices).

Input: (N, 1, 28, 28) float32 in [0, 1] (grayscale 0-255 divided by 255). The network
normalises internally with the mean/std it was trained with, so the app and the trainer can
never disagree about preprocessing. Output: (N, 24) logits over `signcam.labels.LETTERS`.
"""

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from signcam.labels import NUM_CLASSES

INPUT_SIZE = 28
# The ranges a config may ask for (issue 24: weights metadata asking for 21 blocks or width 1500 used gigabytes
# before any tensor was read). Four 2x2 poolings take 28 px to 1 px, so a fifth block has nothing to see.
MAX_WIDTH = 256  # channels of the first block; v1 used 24, the default is 16
MAX_BLOCKS = 4
MAX_CONVS_PER_BLOCK = 8


@dataclass(frozen=True)
class ModelConfig:
    arch: str = "signnet"  # "signnet" (ours) | "seed" (the notebook's 3-conv net, bugs fixed)
    num_classes: int = NUM_CLASSES  # 24 static letters; J and Z have no output
    width: int = 24  # signnet: channels of the first block, doubled per block; 24 -> ~0.65 MB file
    blocks: tuple[int, ...] = (2, 2, 2)  # signnet: 3x3 convs per block (28, 14, 7 px); (2, 2, 2) = the v1 weights
    dropout: float = 0.3  # signnet: before the classifier; seed: its Dropout2d(0.4) stays
    mean: float = 0.5  # pixel mean of the training split in [0, 1], set by the trainer
    std: float = 0.25  # pixel std of the training split in [0, 1], set by the trainer

    def __post_init__(self) -> None:
        """ValueError naming the first field out of range, before anything is built from it (the guard for
        configs read from a weights file's metadata)."""
        def count(value: object, high: int) -> bool:
            return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= high

        def fraction(value: object, low: float, high: float) -> bool:
            return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
                and low <= value <= high

        blocks = self.blocks
        checks = [
            ("arch", isinstance(self.arch, str), "a name"),
            ("num_classes", self.num_classes == NUM_CLASSES and count(self.num_classes, NUM_CLASSES),
             f"{NUM_CLASSES}"),
            ("width", count(self.width, MAX_WIDTH), f"1-{MAX_WIDTH}"),
            ("blocks", isinstance(blocks, tuple) and 1 <= len(blocks) <= MAX_BLOCKS
             and all(count(n, MAX_CONVS_PER_BLOCK) for n in blocks),
             f"1-{MAX_BLOCKS} blocks of 1-{MAX_CONVS_PER_BLOCK} convs"),
            ("dropout", fraction(self.dropout, 0.0, 0.99), "0-0.99"),
            ("mean", fraction(self.mean, 0.0, 1.0), "0-1"),
            ("std", fraction(self.std, 1e-3, 1.0), "0.001-1"),
        ]
        for name, ok, legal in checks:
            if not ok:
                shown = repr(getattr(self, name))
                raise ValueError(f"{name} {shown[:40]}{'...' if len(shown) > 40 else ''} out of range ({legal})")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "ModelConfig":
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        if isinstance(known.get("blocks"), list):  # JSON has no tuples
            known["blocks"] = tuple(known["blocks"])
        return cls(**known)


def _conv_bn(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class SignNet(nn.Module):
    """VGG-style: three blocks of 3x3 convs (28 -> 14 -> 7 -> 3), global average pool, linear.

    Global pooling keeps the file small (~0.65 MB at width 24) and makes the classifier care less about where
    in the crop the hand sits, which matters once crops come from a hand locator, not a dataset.
    `config.blocks` sets the convs per block; channels are width, 2 * width, 4 * width.
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        layers: list[nn.Module] = []
        c_in = 1
        for i, n_convs in enumerate(config.blocks):
            c_out = config.width * 2**i
            for _ in range(n_convs):
                layers += _conv_bn(c_in, c_out)
                c_in = c_out
            layers.append(nn.MaxPool2d(2))  # block i: (N, width * 2**i, 28 / 2**(i+1), ...)
        self.features = nn.Sequential(*layers)  # (N, c_in, 3, 3) for three blocks
        self.head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(c_in, config.num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = x.mean(dim=(2, 3))  # (N, channels of the last block)
        return self.head(x)


class SeedNet(nn.Module):
    """The notebook's network with its bugs fixed: no ReLU on the logits, no LogSoftmax
    (CrossEntropyLoss applies it), and 24 outputs instead of 26."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 10, 3), nn.ReLU(), nn.MaxPool2d(2),  # (N, 10, 13, 13)
            nn.Conv2d(10, 20, 3), nn.ReLU(), nn.MaxPool2d(2),  # (N, 20, 5, 5)
            nn.Conv2d(20, 30, 3), nn.ReLU(), nn.Dropout2d(0.4),  # (N, 30, 3, 3)
        )
        self.head = nn.Sequential(nn.Linear(30 * 3 * 3, 256), nn.ReLU(), nn.Linear(256, config.num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x).flatten(1)  # (N, 270)
        return self.head(x)


ARCHITECTURES: dict[str, type[nn.Module]] = {"signnet": SignNet, "seed": SeedNet}


class Classifier(nn.Module):
    """Normalisation + backbone; the one module the app, the CLI and the trainer instantiate."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        if config.arch not in ARCHITECTURES:
            raise ValueError(f"unknown arch {config.arch!r}; choose from {sorted(ARCHITECTURES)}")
        self.config = config
        self.backbone = ARCHITECTURES[config.arch](config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (x - self.config.mean) / self.config.std  # (N, 1, 28, 28)
        return self.backbone(x)


def build_model(config: ModelConfig | None = None) -> Classifier:
    return Classifier(config or ModelConfig())
