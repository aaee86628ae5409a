"""Random number generation: ``manual_seed`` and ``Generator``, over numpy's PCG64.

Numbers are drawn on the CPU and then moved, so a seed gives the same values on every device.
"""
import contextlib

import numpy

from ..backend.device import Device


class Generator:
    """A seedable source of random numbers (PyTorch's ``torch.Generator``)."""

    def __init__(self, device="cpu"):
        self.device = Device(device)  # (numbers are drawn on the CPU for every device: see the module docstring)
        self._seed = 67280421310721  # PyTorch's default seed
        self._rng = numpy.random.Generator(numpy.random.PCG64(self._seed))

    def manual_seed(self, seed):
        """Seed with any integer that fits in 64 bits, signed or not (-2**63 <= seed < 2**64). A negative seed is
        taken modulo 2**64, as PyTorch does (-1 becomes 2**64 - 1, which ``initial_seed()`` then reports): numpy's
        PCG64 accepts only non-negative seeds."""
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError(f"manual_seed: the seed {seed} overflows 64 bits: it must lie in [-2**63, 2**64)")
        self._seed = seed % 2 ** 64
        self._rng = numpy.random.Generator(numpy.random.PCG64(self._seed))
        return self

    def seed(self):
        """Reseed from the operating system's entropy and return the new seed."""
        return self.manual_seed(int(numpy.random.SeedSequence().entropy % (2 ** 63))).initial_seed()

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor, as PyTorch gives it (a ByteTensor): the PCG64 state's 128-bit
        ``state`` and ``inc``, then a buffered 32-bit half-draw and whether it is there, little-endian."""
        from .tensor import Tensor
        bits = self._rng.bit_generator.state
        packed = (bits["state"]["state"].to_bytes(16, "little") + bits["state"]["inc"].to_bytes(16, "little") +
                  int(bits["uinteger"]).to_bytes(4, "little") + bytes([bits["has_uint32"]]))
        return Tensor._make(numpy.frombuffer(packed, dtype=numpy.uint8).copy())

    def set_state(self, new_state):
        """Restore a state ``get_state`` gave (also the dict of numbers older minidl versions gave)."""
        if isinstance(new_state, dict):
            self._rng.bit_generator.state = new_state
            return self
        packed = bytes(numpy.asarray(getattr(new_state, "_data", new_state), dtype=numpy.uint8).ravel())
        if len(packed) != _STATE_BYTES:
            raise RuntimeError(f"set_rng_state: expected a uint8 tensor of {_STATE_BYTES} bytes (what get_rng_state "
                               f"gives), got {len(packed)} bytes")
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64", "has_uint32": packed[36], "uinteger": int.from_bytes(packed[32:36], "little"),
            "state": {"state": int.from_bytes(packed[:16], "little"), "inc": int.from_bytes(packed[16:32], "little")}}
        return self

    @property
    def numpy_generator(self):
        return self._rng


_STATE_BYTES = 37  # (Generator.get_state)

default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator; returns it, like PyTorch."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, device_type=None):
    """``with fork_rng(): ...``: the block draws random numbers as usual (and may reseed), and on leaving it —
    also by an exception — the default generator is back where it was (its state and ``initial_seed()``), as if
    the block had drawn nothing. ``enabled=False`` forks nothing (to switch it off without re-indenting).

    PyTorch also forks the RNG of each GPU in ``devices`` (all of them by default) of ``device_type``; here every
    device draws from the one default generator, so these two are accepted and forking it covers them. As in
    PyTorch, ``device_type="meta"`` forks nothing."""
    if device_type not in (None, "cpu", "cuda", "meta"):
        raise RuntimeError(f"fork_rng: device_type must be 'cpu', 'cuda' or 'meta' (or None), got {device_type!r}")
    if not enabled or device_type == "meta":
        yield
        return
    seed_before, state_before = initial_seed(), get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state_before)
        default_generator._seed = seed_before  # (the state bytes hold no seed: see Generator.get_state)


def numpy_rng(generator=None):
    """The numpy Generator behind ``generator`` (or the default one)."""
    if generator is None:
        return default_generator.numpy_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a minidl Generator (torch.Generator's counterpart) or None, got "
                        f"{type(generator).__name__}")
    return generator.numpy_generator


def _register_dropout_generator():
    """``dropout`` in the op library draws its mask seed from this default generator, so ``manual_seed``
    makes dropout reproducible (the op library itself knows nothing about eager mode)."""
    from ..ops.dropout import set_default_generator
    set_default_generator(lambda: default_generator)


_register_dropout_generator()
