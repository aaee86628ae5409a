"""Random number generation: ``manual_seed`` and ``Generator``, over numpy's PCG64.

Numbers are drawn on the CPU and then moved, so a seed gives the same values on every device.
"""
import numpy


class Generator:
    """A seedable source of random numbers (PyTorch's ``torch.Generator``)."""

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = 67280421310721  # PyTorch's default seed
        self._rng = numpy.random.Generator(numpy.random.PCG64(self._seed))

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = numpy.random.Generator(numpy.random.PCG64(self._seed))
        return self

    def seed(self):
        """Reseed from the operating system's entropy and return the new seed."""
        return self.manual_seed(int(numpy.random.SeedSequence().entropy % (2 ** 63))).initial_seed()

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state as a dict of plain numbers (savable without pickle)."""
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self

    @property
    def numpy_generator(self):
        return self._rng


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


def numpy_rng(generator=None):
    """The numpy Generator behind ``generator`` (or the default one)."""
    return (generator or default_generator).numpy_generator


def _register_dropout_generator():
    """``dropout`` in the op library draws its mask seed from this default generator, so ``manual_seed``
    makes dropout reproducible (the op library itself knows nothing about eager mode)."""
    from ..ops.dropout import set_default_generator
    set_default_generator(lambda: default_generator)


_register_dropout_generator()
