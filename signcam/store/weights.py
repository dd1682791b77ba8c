"""Weights on disk: safetensors tensors plus a JSON metadata block in the same file.

One file, not a tensors file and a sidecar, so a copied or downloaded model can never lose or
mismatch its metadata. Loading never unpickles anything: a PyTorch `.pt` (a pickle that can run
code) is recognised by its first bytes and refused before any parsing. Before anything is
allocated, a file is checked in this order: a regular file within MAX_WEIGHTS_BYTES, safetensors'
own header check (tensors cover the file exactly), the metadata (size, JSON, every number in its
range: ModelConfig's fields, temperature, landmark share), then each tensor's name, dtype and
shape against the model the config describes, built on the meta device. Only then is the model
built and filled. Saving writes a temp file in the target folder, fsyncs it and renames it over
the target, so a crash or Ctrl-C at any point leaves the previous weights intact; a temp file
left by a killed save is removed by the next save or load in that folder.
"""

import json
import logging
import stat
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as serialize

from signcam.labels import LETTERS
from signcam.models.model import ARCHITECTURES, INPUT_SIZE, Classifier, ModelConfig, build_model
from signcam.store.assets_dir import BUNDLED_WEIGHTS
from signcam.store.files import atomic_path, remove_stale_temps

log = logging.getLogger(__name__)

METADATA_KEY = "signcam"
FORMAT_VERSION = 1
# Checked before anything is parsed or allocated: the bundled CNN is 0.3 MB, the landmark model 0.5 MB, and the
# largest config ModelConfig allows within this budget still loads in well under a second.
MAX_WEIGHTS_BYTES = 64 * 2**20
MAX_METADATA_CHARS = 1_000_000  # the trainer writes ~3 KB; json.loads of more is only a way to stall
MAX_TEMPERATURE = 100.0  # calibrated temperatures are 0.05-20 (training.train.fit_temperature clamps there)
_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
           "BOOL": torch.bool}


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
    """Write tensors and a JSON metadata block to a temp file beside `path`, fsync it, rename it over `path`.

    The bytes are made in memory (~0.3 MB) and written by us: safetensors' own `save_file` writes a second
    temp file (`.tmpXXXXXX`, mode 0600) and renames it over ours, which a kill could leave behind and which
    would give the weights other permissions than the reports beside them."""
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
    data = serialize(tensors, metadata={METADATA_KEY: json.dumps(meta)})
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def _check_file(path: Path) -> None:
    """Refuse anything that is not a regular safetensors file of a sane size, by its first bytes and before
    parsing: a FIFO or device (which would block or never end), a PyTorch pickle, a file over the budget."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise WeightsError(f"{path}: weights file not found") from None
    except OSError as e:
        raise WeightsError(f"{path}: cannot read weights file ({e.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise WeightsError(f"{path}: is a folder, not a weights file")
    if not stat.S_ISREG(info.st_mode):
        raise WeightsError(f"{path}: not a regular file (a pipe or device); weights must be a .safetensors file")
    if info.st_size > MAX_WEIGHTS_BYTES:
        raise WeightsError(f"{path}: {info.st_size / 2**20:.0f} MB is too large for signcam weights (the limit "
                           f"is {MAX_WEIGHTS_BYTES // 2**20} MB; the bundled file is 0.3 MB)")
    try:
        with open(path, "rb") as f:
            head = f.read(9)
    except OSError as e:
        raise WeightsError(f"{path}: cannot read weights file ({e.strerror})") from None
    if len(head) < 9:
        raise WeightsError(f"{path}: not a safetensors weights file (empty or truncated)")
    # A safetensors file is an 8-byte little-endian header length, then the JSON header's "{". Test that first:
    # the length's low byte can be 0x80, the first byte of a pickle stream, in a valid file (issue 24).
    (header_len,) = struct.unpack("<Q", head[:8])
    if head[8:9] == b"{" and 2 <= header_len <= MAX_WEIGHTS_BYTES:
        return
    if head[:2] == b"PK" or (head[:1] == b"\x80" and 2 <= head[1] <= 5):  # zip (.pt) or pickle protocol 2-5
        raise WeightsError(
            f"{path}: this is a PyTorch pickle (.pt/.pth); signcam only loads .safetensors files, "
            "because unpickling a file can run arbitrary code"
        )
    raise WeightsError(f"{path}: not a safetensors weights file")


def read_metadata(path: str | Path) -> dict:
    """The signcam metadata block of a safetensors file, without loading its tensors; WeightsError if the
    file is not a whole, sane safetensors file (safetensors checks that the tensors cover the file exactly)."""
    path = Path(path)
    _check_file(path)
    not_ours = f"{path}: not a signcam weights file (no valid signcam metadata)"
    try:
        with safe_open(path, framework="pt") as f:
            raw = (f.metadata() or {}).get(METADATA_KEY)
    except SafetensorError as e:
        raise WeightsError(f"{path}: corrupt weights file ({str(e).splitlines()[0]})") from None
    except OSError as e:
        raise WeightsError(f"{path}: cannot read weights file ({e.strerror or e})") from None
    if not isinstance(raw, str) or len(raw) > MAX_METADATA_CHARS:
        raise WeightsError(not_ours)
    try:
        meta = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: thousands of nested arrays
        raise WeightsError(not_ours) from None
    if not isinstance(meta, dict):
        raise WeightsError(not_ours)
    return meta


def metadata_number(meta: Mapping, key: str, default: float, low: float, high: float, path: Path, *,
                    low_included: bool = False) -> float:
    """meta[key] as a finite float in (low, high] ([low, high] with `low_included`); WeightsError with a one-line
    message otherwise (NaN fails every comparison, so it is refused too)."""
    value = meta.get(key, default)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and (
        low <= value <= high if low_included else low < value <= high)
    if not ok:
        shown = repr(value)[:40]
        raise WeightsError(f"{path}: {key} {shown} in its metadata is not a number in {'[' if low_included else '('}"
                           f"{low:g}, {high:g}] (a damaged or hand-edited file)")
    return float(value)


def read_info(path: str | Path) -> WeightsInfo:
    """The metadata of a weights file, range-checked, without loading its tensors."""
    path = Path(path)
    meta = read_metadata(path)
    if not isinstance(meta.get("config"), dict) or not isinstance(meta.get("letters"), list):
        raise WeightsError(f"{path}: not a signcam weights file (no valid signcam metadata)")
    arch = meta["config"].get("arch", ModelConfig.arch)
    if not isinstance(arch, str) or arch not in ARCHITECTURES:
        raise WeightsError(f"{path}: unknown architecture {repr(arch)[:40]} (this signcam reads "
                           f"{', '.join(sorted(ARCHITECTURES))}); it may come from another program or a newer signcam")
    try:
        config = ModelConfig.from_dict(meta["config"])
    except (TypeError, ValueError) as e:
        raise WeightsError(f"{path}: its model config cannot be used ({e})") from None
    letters = tuple(meta["letters"])
    if letters != LETTERS:
        raise WeightsError(f"{path}: trained for letters {''.join(map(str, letters))[:40]}, this app reads "
                           f"{''.join(LETTERS)}")
    temperature = metadata_number(meta, "temperature", 1.0, 0.0, MAX_TEMPERATURE, path)
    if "landmark_share" in meta:
        metadata_number(meta, "landmark_share", 0.0, 0.0, 1.0, path, low_included=True)  # the fusion's share
    extra = {k: v for k, v in meta.items() if k not in ("config", "letters")}
    return WeightsInfo(path, config, letters, temperature, extra)


def expected_tensors(model: torch.nn.Module) -> dict[str, tuple[tuple[int, ...], torch.dtype]]:
    """name -> (shape, dtype) of a model's state_dict; build the model on the meta device to allocate nothing."""
    return {name: (tuple(t.shape), t.dtype) for name, t in model.state_dict().items()}


def load_tensors(path: Path, expected: Mapping[str, tuple[tuple[int, ...], torch.dtype]]) -> dict[str, torch.Tensor]:
    """The tensors of a file that `read_metadata` accepted, after their names, shapes and dtypes were compared
    with `expected` from the header alone; WeightsError if they differ, cannot be read or are not finite."""
    remove_stale_temps(path)
    try:
        with safe_open(path, framework="pt") as f:
            names = f.keys()  # a safe_open handle is not iterable itself
            found = {name: (tuple(f.get_slice(name).get_shape()), f.get_slice(name).get_dtype()) for name in names}
            _compare(path, found, expected)
            tensors = {name: f.get_tensor(name) for name in found}
    except (SafetensorError, OSError, ValueError) as e:
        raise WeightsError(f"{path}: corrupt weights file ({str(e).splitlines()[0]})") from None
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise WeightsError(f"{path}: tensor {name!r} holds NaN or infinite values (a diverged training run "
                               "or a damaged file); these weights cannot give meaningful letters")
    return tensors


def _compare(path: Path, found: Mapping[str, tuple[tuple[int, ...], str]],
             expected: Mapping[str, tuple[tuple[int, ...], torch.dtype]]) -> None:
    missing, unexpected = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    if missing or unexpected:
        what = f"missing {missing[0]!r}" if missing else f"unexpected {unexpected[0]!r}"
        raise WeightsError(f"{path}: tensors do not match its model config ({what})")
    for name, (shape, dtype) in expected.items():
        file_shape, file_dtype = found[name]
        if file_shape != shape or _DTYPES.get(file_dtype) != dtype:
            raise WeightsError(f"{path}: tensor {name!r} is {file_dtype} {list(file_shape)}, its model config needs "
                               f"{str(dtype).removeprefix('torch.')} {list(shape)}")


def load_model(path: str | Path | None = None, device: str | torch.device = "cpu") -> tuple[Classifier, WeightsInfo]:
    """Load weights (the bundled file by default) into an eval-mode model on `device`."""
    info = read_info(path or BUNDLED_WEIGHTS)
    with torch.device("meta"):  # shapes only: nothing is allocated until the file's header agrees with them
        expected = expected_tensors(build_model(info.config))
    tensors = load_tensors(info.path, expected)
    model = build_model(info.config)  # its size is now that of a file within MAX_WEIGHTS_BYTES
    model.load_state_dict(tensors)
    device = device if isinstance(device, torch.device) else resolve_device(device)
    return model.to(device).eval(), info
