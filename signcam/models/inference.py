"""The CNN made fast for one-crop-at-a-time inference on CPU: BatchNorm folded, channels-last, traced and frozen.

Measured on the single-image step (`python benchmarks/latency.py --compare-inference --weights W`: 1 thread,
2,000 interleaved calls per variant, median ms, load average ~5 on the 2 shared cores), for the v1 weights
(width 24, blocks 2-2-2) and the bundled v2 weights (width 16, blocks 1-2-2):

| variant | v1 | v2 |
| --- | --- | --- |
| eager | 0.74 | 0.45 |
| BatchNorm folded + channels-last (the Recognizer until now) | 0.48 | 0.24 |
| + torch.jit.trace + freeze (used) | 0.40 | 0.19 |
| ONNX Runtime 1.32 (not used) | 0.31 | 0.13 |

All agree with eager to 2.1e-6. ONNX Runtime is faster still, but exporting needs the `onnx` package, which
requires protobuf >= 6 while MediaPipe pins protobuf < 5, so the app could not export the weights a learner
retrains; tracing needs nothing beyond torch. torch 2.13 marks `torch.jit.trace` deprecated in favour of
torch.compile (not measured here: it compiles C++ at start-up); without `torch.jit` this falls back to the
folded module.
"""

import copy
import threading
import warnings

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from signcam.models.model import INPUT_SIZE

# torch.jit.trace keeps global tracing state: two threads tracing at once (the recognition thread's loader and a
# photo's recognizer) fail its sanity check with "Graphs differed across invocations".
_TRACE_LOCK = threading.Lock()
# torch 2.13 warns on every trace and freeze that they are deprecated (see the module docstring). A filter set once
# here, not a `warnings.catch_warnings()` around the calls: that swaps the process-wide filter list and is not
# thread-safe (the model loads in a loader thread), so the warning still leaked when another thread swapped it back.
warnings.filterwarnings("ignore", r"`torch\.jit\.\w+` is deprecated", DeprecationWarning)


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """A copy of `model` (in eval mode) with every BatchNorm2d that follows a Conv2d in a Sequential
    folded into that conv; same outputs to ~1e-7."""
    folded = copy.deepcopy(model).eval()
    for seq in [m for m in folded.modules() if isinstance(m, nn.Sequential)]:
        for i in range(len(seq) - 1):
            conv, bn = seq[i], seq[i + 1]
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                seq[i], seq[i + 1] = fuse_conv_bn_eval(conv, bn), nn.Identity()
    return folded


def inference_model(model: nn.Module, device: torch.device) -> nn.Module:
    """The fastest exact stand-in for `model` on `device` for inference only (no gradients, no train mode).

    On CPU: folded, channels-last, traced and frozen (see the module docstring). On a GPU: folded (one kernel
    fewer per conv, exact). `model` is left untouched."""
    if device.type != "cpu":
        return fold_batchnorm(model)
    fast = fold_batchnorm(model).to(memory_format=torch.channels_last)
    if not hasattr(torch, "jit"):
        return fast
    example = torch.rand(1, 1, INPUT_SIZE, INPUT_SIZE)
    with _TRACE_LOCK, torch.inference_mode():
        # check_trace=False: the check re-runs the model and imports torch.distributed (~0.75 s of a cold
        # `signcam predict`); tests/core/test_inference.py compares the traced model with the eager one instead.
        return torch.jit.freeze(torch.jit.trace(fast, example, check_trace=False))
