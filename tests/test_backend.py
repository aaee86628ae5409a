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
    with pytest.raises(ValueError, match="invalid device string"):
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


def test_moving_round_trip_keeps_values_and_gradients(device):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x.to(device) * 3).cpu()
    y.backward(T.ones(2))
    assert x.grad.tolist() == [3.0, 3.0]
