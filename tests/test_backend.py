"""Backend: array-module selection and devices."""
import numpy as np
import pytest

import minidl
import minidl.eager as T
from minidl.backend import Device, device, get_array_module


def test_get_array_module_is_numpy_for_numpy_arrays():
    assert get_array_module(np.zeros(2), 3.0) is np


def test_device_parsing_mirrors_pytorch():
    assert device("cpu") == "cpu" and device("cpu").type == "cpu" and device("cpu").index is None
    assert device("cuda") == device("cuda:0") and device("cuda:1").index == 1
    assert repr(device("cuda:1")) == "device(type='cuda', index=1)"
    assert str(device(Device("cuda", 2))) == "cuda:2"
    with pytest.raises(ValueError, match="unknown device type 'tpu'"):
        device("tpu")
    with pytest.raises(ValueError, match="Invalid device string"):
        device("cuda:x")


def test_tensors_live_on_cpu_by_default(device):
    x = T.ones(3, device=device)
    assert x.device == device and (x * 2).device == device


@pytest.mark.skipif(minidl.cuda_is_available(), reason="checks the no-GPU error")
def test_asking_for_cuda_without_a_gpu_is_a_clear_error():
    assert not T.cuda.is_available()
    with pytest.raises(RuntimeError, match="no CUDA GPU is available"):
        T.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="no CUDA GPU is available"):
        T.ones(2).cuda()


@pytest.mark.skipif(not minidl.cuda_is_available(), reason="needs a GPU")
def test_mixing_devices_names_the_op_and_devices():
    with pytest.raises(RuntimeError, match=r"Mul: expected all tensors to be on the same device.*cpu and cuda:0"):
        T.ones(2) * T.ones(2, device="cuda")


def test_numbers_and_0d_cpu_tensors_meet_tensors_on_every_device(device):
    """PyTorch lets a number, a numpy scalar or a 0-d CPU tensor take part in an op on the GPU (a 0-d CPU tensor
    counts as a number there); gradients flow to the device tensor."""
    x = T.tensor([1.0, 2.0], device=device, requires_grad=True)
    scale = T.tensor(3.0)
    y = x * scale + np.float32(1) - 2.0 ** x
    assert y.device == device and y.tolist() == [2.0, 3.0]
    y.sum().backward()
    assert x.grad.device == device
    np.testing.assert_allclose(x.grad.cpu().numpy(), 3 - np.log(2) * 2.0 ** np.array([1.0, 2.0]))
    z = T.zeros(3, device=device)
    z[T.tensor(1)] = T.tensor(5.0)
    assert z.tolist() == [0.0, 5.0, 0.0] and T.where(z > 1, z, scale).tolist() == [3.0, 5.0, 3.0]
    with T.no_grad():  # the in-place path that records nothing (an optimizer's, an EMA's update)
        z.mul_(T.tensor(2.0))
        z += T.tensor(1.0)
    assert z.tolist() == [1.0, 11.0, 1.0]


def test_moving_round_trip_keeps_values_and_gradients(device):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x.to(device) * 3).cpu()
    y.backward(T.ones(2))
    assert x.grad.tolist() == [3.0, 3.0]



def test_ieee_results_come_without_numpy_warnings_but_user_numpy_still_warns():
    """log(0), 0/0, exp(1000) and an in-place division by zero give -inf, nan, inf silently, as in PyTorch, in
    both modes; the filter is narrow: the user's own numpy call still warns. (A script in a fresh process: pytest
    imports minidl inside its own ``catch_warnings``, which drops the filter that ``import minidl`` installs.)"""
    import subprocess
    import sys
    script = """if True:
        import numpy as np, minidl.eager as T, minidl.graph as tf
        x = T.tensor([0.0, -1.0, 1.0])
        print(T.log(x).tolist(), (x / T.zeros(3)).tolist(), T.exp(x * 1000).tolist())
        x /= 0
        print(x.tolist(), tf.Session().run(tf.log(tf.constant([0.0]))).tolist(), flush=True)
        np.log(np.zeros(1))
    """
    run = subprocess.run([sys.executable, "-W", "default", "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["[-inf, nan, 0.0] [nan, -inf, inf] [1.0, 0.0, inf]",
                                            "[nan, -inf, inf] [-inf]"]
    warned = [line for line in run.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(warned) == 1 and "divide by zero encountered in log" in warned[0]  # the user's numpy call only


def test_an_index_out_of_range_is_an_error_on_every_device(device):
    """numpy refuses a position out of range; cupy would wrap it round silently, so minidl checks there."""
    x = T.arange(3.0, device=device)
    for index in ([1, 3], [-4, 0]):
        with pytest.raises(IndexError, match="out of bounds"):
            x[T.tensor(index, device=device)]
        with pytest.raises(IndexError, match="out of bounds"):
            x[T.tensor(index, device=device)] = 1.0
    rows = T.zeros(2, 3, device=device)
    with pytest.raises(IndexError, match="out of bounds"):
        rows[:, T.tensor([0, 3], device=device)]
    assert x[T.tensor([-3, 2], device=device)].tolist() == [0.0, 2.0]


@pytest.mark.skipif(minidl.cuda_is_available(), reason="checks the no-GPU answers")
def test_the_cuda_namespace_without_a_gpu():
    """Counters read 0 and synchronize returns, as PyTorch's do without CUDA; what needs a GPU says it has none."""
    assert T.cuda.device_count() == 0 and T.cuda.memory_allocated() == 0 == T.cuda.memory_reserved()
    assert T.cuda.max_memory_allocated() == 0 == T.cuda.max_memory_reserved() and T.cuda.memory_stats() == {}
    assert T.cuda.synchronize() is None and T.accelerator.device_count() == 0
    for call in (T.cuda.current_device, lambda: T.cuda.get_device_name(0), lambda: T.cuda.set_device(0),
                 lambda: T.cuda.Event(enable_timing=True), T.cuda.mem_get_info, T.cuda.get_device_capability,
                 lambda: T.cuda.device(0), lambda: T.cuda.FloatTensor([1.0])):
        with pytest.raises(RuntimeError, match="no CUDA GPU is available"):
            call()
    for call in (T.accelerator.current_device_index, T.ones(2).pin_memory):  # PyTorch's words
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
            call()
    assert not T.ones(2).is_pinned() and not isinstance(T.FloatTensor([1.0]), T.cuda.FloatTensor)


@pytest.mark.skipif(not minidl.cuda_is_available(), reason="needs a GPU")
def test_the_cuda_namespace_on_a_gpu():
    """The current device, its name and memory, and timing with events, as a PyTorch GPU script reads them."""
    T.cuda.set_device("cuda:0")
    assert T.cuda.current_device() == 0 and T.cuda.get_device_name() == T.cuda.get_device_properties(0).name != ""
    free, total = T.cuda.mem_get_info()
    assert 0 < free <= total and T.cuda.get_device_properties(0).total_memory == total
    before = T.cuda.memory_allocated()
    x = T.ones(1 << 20, device="cuda")  # 4 MiB
    assert T.cuda.memory_allocated() >= before + 4 * (1 << 20) and T.cuda.memory_reserved() >= T.cuda.memory_allocated()
    start, end = T.cuda.Event(enable_timing=True), T.cuda.Event(enable_timing=True)
    start.record()
    (x @ x).item()
    end.record()
    end.synchronize()
    assert end.query() and start.elapsed_time(end) >= 0
    with pytest.raises(NotImplementedError, match="does not track the peak"):
        T.cuda.max_memory_allocated()
    assert T.cuda.get_device_capability() >= (7, 0) and T.accelerator.current_device_index() == 0
    with T.cuda.device(0):
        assert T.cuda.current_device() == 0
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        T.cuda.get_device_name(T.cuda.device_count())
    # the legacy typed classes on the GPU, and pinned host memory on the way there
    y = T.cuda.FloatTensor([1.0, 2.0])
    assert y.device.type == "cuda" and y.type() == "torch.cuda.FloatTensor" and isinstance(y, T.cuda.FloatTensor)
    assert T.tensor([1.5]).type("torch.cuda.LongTensor").device.type == "cuda"
    pinned = T.arange(4.0).pin_memory()
    assert pinned.is_pinned() and pinned.device.type == "cpu" and not T.arange(4.0).is_pinned()
    assert pinned.to("cuda", non_blocking=True).tolist() == [0.0, 1.0, 2.0, 3.0]
