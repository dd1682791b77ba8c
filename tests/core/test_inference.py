"""signcam.models.inference: the fast CPU stand-in gives the eager model's outputs, for any batch size."""

import subprocess
import sys

import pytest
import torch

from signcam.models.inference import fold_batchnorm, inference_model
from signcam.models.model import ModelConfig, build_model


@pytest.mark.parametrize("config", [ModelConfig(), ModelConfig(width=16, blocks=(1, 2, 2))])
def test_fast_model_matches_eager_to_1e5(config: ModelConfig) -> None:
    torch.manual_seed(0)
    model = build_model(config)
    for module in model.modules():  # trained-looking BatchNorm statistics, so folding has work to do
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.normal_(0, 0.2)
            module.running_var.uniform_(0.5, 2.0)
    model.eval()
    fast = inference_model(model, torch.device("cpu"))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in fold_batchnorm(model).modules())
    with torch.inference_mode():
        for n in (1, 3):
            x = torch.rand(n, 1, 28, 28)
            assert torch.allclose(fast(x), model(x), atol=1e-5)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())  # the loaded model is untouched


def test_blocks_set_the_convs_and_round_trip_through_json() -> None:
    lean, v1 = build_model(ModelConfig(blocks=(1, 2, 2))), build_model(ModelConfig())
    convs = [sum(isinstance(m, torch.nn.Conv2d) for m in net.modules()) for net in (lean, v1)]
    assert convs == [5, 6]
    assert ModelConfig.from_dict({"blocks": [1, 2, 2]}).blocks == (1, 2, 2)
    assert ModelConfig.from_dict({}).blocks == (2, 2, 2)  # files written before the field load as before


def test_loading_in_a_thread_prints_no_torch_jit_deprecation() -> None:
    """Issue 32: `make test` printed "`torch.jit.freeze` is deprecated". The model loads in a loader thread while
    other threads swap the warning filters (catch_warnings is not thread-safe), so a filter scoped to the call
    leaked; a fresh process with every DeprecationWarning shown must print none of torch.jit's."""
    code = """if True:
        import threading, warnings
        import torch
        from signcam.models.inference import inference_model
        from signcam.models.model import ModelConfig, build_model
        model = build_model(ModelConfig(width=8))
        done = threading.Event()
        def load():
            for _ in range(3):
                inference_model(model, torch.device("cpu"))
            done.set()
        threading.Thread(target=load).start()
        while not done.is_set():
            with warnings.catch_warnings():  # as the GUI thread does meanwhile (sources.image_header)
                warnings.simplefilter("ignore", UserWarning)
    """
    run = subprocess.run([sys.executable, "-W", "always::DeprecationWarning", "-c", code], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "torch.jit" not in run.stderr
