"""Weights on disk: safetensors tensors plus a JSON metadata block in the same file.

One file, not a tensors file and a sidecar, so a copied or downloaded model can never lose or
mismatch its metadata. Loading never unpickles anything: a PyTorch `.pt` (a pickle that can run
code) is recognised by its first bytes and refused before any parsing. Saving writes a temp file
in the target folder, fsyncs it and renames it over the target, so a crash or Ctrl-C at any
point leaves the previous weights intact; a temp file left by a killed save is removed by the
next save or load in that folder.
"""

import json
import logging
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from signcam.assets_dir import BUNDLED_WEIGHTS
from signcam.files import atomic_path, remove_stale_temps
from signcam.labels import LETTERS
from signcam.model import ARCHITECTURES, INPUT_SIZE, Classifier, ModelConfig, build_model

log = logging.getLogger(__name__)

METADATA_KEY = "signcam"
FORMAT_VERSION = 1
_MAX_HEADER_BYTES = 100_000_000  # safetensors' own limit on the JSON header


class WeightsError(Exception):
    """A weights file that cannot be used; the message says which file and why."""


class DeviceError(ValueError):
    """A device that was asked for by name but is not available on this machine."""


@dataclass(frozen=True)
class WeightsInfo:
    path: Path
    config: ModelConfig
    letters: tuple[str, ...]
    temperature: float = 1.0  # logits are divided by this for calibrated confidence
    metadata: Mapping = field(default_factory=dict)  # everything else the trainer recorded


def resolve_device(name: str = "auto") -> torch.device:
    """auto -> CUDA if present, else Apple MPS, else CPU; a named device must exist."""
    name = name.lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise DeviceError("CUDA was requested but no CUDA GPU is available (use --device cpu or auto)")
    if name == "mps" and not torch.backends.mps.is_available():
        raise DeviceError("MPS was requested but is not available on this machine")
    if name != "cpu" and not name.startswith(("cuda", "mps")):
        raise DeviceError(f"unknown device {name!r}: use auto, cpu, cuda or mps")
    return torch.device(name)


def save_weights(path: str | Path, model: Classifier, metadata: Mapping | None = None) -> Path:
    """Atomically write `model` and its metadata to `path` (a .safetensors file)."""
    meta = {
        "format_version": FORMAT_VERSION,
        "config": model.config.to_dict(),
        "letters": list(LETTERS),
        "input_size": INPUT_SIZE,
        "normalisation": {"scale": 1 / 255, "mean": model.config.mean, "std": model.config.std},
        **(metadata or {}),
    }
    return write_safetensors(path, model.state_dict(), meta)


def write_safetensors(path: str | Path, state_dict: Mapping[str, torch.Tensor], meta: Mapping) -> Path:
    """Write tensors and a JSON metadata block to a temp file beside `path`, fsync it, rename it over `path`."""
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={METADATA_KEY: json.dumps(meta)})
    return Path(path)


def _check_is_safetensors(path: Path) -> None:
    """Refuse anything that is not a safetensors file, by its first bytes and before parsing."""
    try:
        with open(path, "rb") as f:
            head = f.read(9)
    except FileNotFoundError:
        raise WeightsError(f"{path}: weights file not found") from None
    except OSError as e:
        raise WeightsError(f"{path}: cannot read weights file ({e.strerror})") from None
    if head[:2] == b"PK" or head[:1] == b"\x80":
        raise WeightsError(
            f"{path}: this is a PyTorch pickle (.pt/.pth); signcam only loads .safetensors files, "
            "because unpickling a file can run arbitrary code"
        )
    if len(head) < 9:
        raise WeightsError(f"{path}: not a safetensors weights file (empty or truncated)")
    (header_len,) = struct.unpack("<Q", head[:8])
    if header_len > _MAX_HEADER_BYTES or head[8:9] != b"{":
        raise WeightsError(f"{path}: not a safetensors weights file")


def read_metadata(path: str | Path) -> dict:
    """The signcam metadata block of a safetensors file, without loading its tensors."""
    path = Path(path)
    _check_is_safetensors(path)
    try:
        with open(path, "rb") as f:
            (header_len,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(header_len))
        meta = json.loads(header["__metadata__"][METADATA_KEY])
    except (KeyError, TypeError, ValueError, UnicodeDecodeError):
        raise WeightsError(f"{path}: not a signcam weights file (no valid signcam metadata)") from None
    if not isinstance(meta, dict):
        raise WeightsError(f"{path}: not a signcam weights file (no valid signcam metadata)")
    return meta


def read_info(path: str | Path) -> WeightsInfo:
    """The metadata of a weights file, without loading its tensors."""
    path = Path(path)
    meta = read_metadata(path)
    try:
        config = ModelConfig.from_dict(meta["config"])
        letters = tuple(meta["letters"])
    except (KeyError, TypeError, ValueError):
        raise WeightsError(f"{path}: not a signcam weights file (no valid signcam metadata)") from None
    if config.arch not in ARCHITECTURES:
        raise WeightsError(f"{path}: unknown architecture {config.arch!r} (this signcam reads "
                           f"{', '.join(sorted(ARCHITECTURES))}); it may come from another program or a newer signcam")
    if letters != LETTERS:
        raise WeightsError(f"{path}: trained for letters {''.join(letters)}, this app reads {''.join(LETTERS)}")
    extra = {k: v for k, v in meta.items() if k not in ("config", "letters")}
    return WeightsInfo(path, config, letters, float(meta.get("temperature", 1.0)), extra)


def load_tensors(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a file that `read_metadata` accepted; WeightsError if they cannot be read or are not finite."""
    remove_stale_temps(path)
    try:
        tensors = load_file(path)
    except (SafetensorError, OSError, ValueError) as e:
        raise WeightsError(f"{path}: corrupt weights file ({e})") from None
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise WeightsError(f"{path}: tensor {name!r} holds NaN or infinite values (a diverged training run "
                               "or a damaged file); these weights cannot give meaningful letters")
    return tensors


def load_model(path: str | Path | None = None, device: str | torch.device = "cpu") -> tuple[Classifier, WeightsInfo]:
    """Load weights (the bundled file by default) into an eval-mode model on `device`."""
    info = read_info(path or BUNDLED_WEIGHTS)
    tensors = load_tensors(info.path)
    try:
        model = build_model(info.config)
    except (ValueError, RuntimeError) as e:
        raise WeightsError(f"{info.path}: its config cannot build a model ({e})") from None
    try:
        model.load_state_dict(tensors)
    except RuntimeError as e:
        first = str(e).splitlines()[1:2] or [str(e)]
        raise WeightsError(f"{info.path}: tensors do not match arch {info.config.arch!r}: {first[0].strip()}") from None
    device = device if isinstance(device, torch.device) else resolve_device(device)
    return model.to(device).eval(), info
