"""Bitwise ops on integer and bool tensors: and, or, xor, not, and the shifts ``<<`` and ``>>``.

They work on the bits of two's-complement integers: ``6 & 3 == 2`` (0b110 & 0b011 = 0b010), ``~5 == -6``,
``1 << 3 == 8``. On bool tensors and/or/xor/not are the logical ops, which is why the Tensor operators
``& | ^ ~`` are these ops: ``(x > 0) & (x < 1)`` is a logical and, ``t & 3`` a bitwise one.

Floats have no bits to speak of here: PyTorch refuses them (``NotImplementedError``), and so do we. Operands are
promoted as for arithmetic (``int32 & int64`` is int64). The results are integers: no gradient.

Shifting by a negative amount or by at least the width of the type is undefined in C; PyTorch defines it, and so
do we: ``<<`` then gives 0, and ``>>`` gives what shifting one bit at a time would, 0 (or -1 for a negative
number).
"""
from ..backend import dtypes
from .base import Op, apply, describe, is_tensor
from .infer import broadcast_infer
from .promote import promote

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift"]


class _Bitwise(Op):
    """An elementwise op on integer bits. (Subclasses spell out their ``name``: it would otherwise be inherited
    from this class.)"""
    differentiable = False


class BitwiseAnd(_Bitwise):
    name = "BitwiseAnd"
    forward = staticmethod(lambda xp, a, b: xp.bitwise_and(a, b))
    infer = staticmethod(broadcast_infer("bitwise_and"))


class BitwiseOr(_Bitwise):
    name = "BitwiseOr"
    forward = staticmethod(lambda xp, a, b: xp.bitwise_or(a, b))
    infer = staticmethod(broadcast_infer("bitwise_or"))


class BitwiseXor(_Bitwise):
    name = "BitwiseXor"
    forward = staticmethod(lambda xp, a, b: xp.bitwise_xor(a, b))
    infer = staticmethod(broadcast_infer("bitwise_xor"))


class BitwiseNot(_Bitwise):
    """Every bit flipped: ``~x == -x - 1`` for signed integers; logical not for bool."""
    name = "BitwiseNot"
    forward = staticmethod(lambda xp, x: xp.invert(x))
    infer = staticmethod(broadcast_infer("bitwise_not"))


def _out_of_range(a, b):
    """Where the shift amount ``b`` is negative or at least the width of ``a``'s type."""
    return (b < 0) | (b >= a.dtype.itemsize * 8)


class LeftShift(_Bitwise):
    """``a << b`` = a·2^b, wrapping around at the type's width; 0 for shifts out of range."""
    name = "BitwiseLeftShift"
    infer = staticmethod(broadcast_infer("bitwise_left_shift"))

    @staticmethod
    def forward(xp, a, b):
        outside = _out_of_range(a, b)
        shifted = xp.left_shift(a, xp.where(outside, 0, b).astype(b.dtype, copy=False))
        return xp.where(outside, a.dtype.type(0), shifted)


class RightShift(_Bitwise):
    """``a >> b`` = floor(a / 2^b); for shifts out of range 0, or -1 for negative ``a`` (the sign bit fills)."""
    name = "BitwiseRightShift"
    infer = staticmethod(broadcast_infer("bitwise_right_shift"))

    @staticmethod
    def forward(xp, a, b):
        outside = _out_of_range(a, b)
        shifted = xp.right_shift(a, xp.where(outside, 0, b).astype(b.dtype, copy=False))
        sign_fill = -(a < 0).astype(a.dtype)  # -1 where negative, else 0 (always 0 for unsigned types)
        return xp.where(outside, sign_fill, shifted)


def _refuse(op_name, kernel, dtype, operands, shifts=False):
    """PyTorch's error for dtypes without bitwise ops: floats and complex numbers, and bool for the shifts."""
    if dtype.kind in "fc" or (shifts and dtype.kind == "b"):
        raise NotImplementedError(f'{op_name}: "{kernel}_cpu" not implemented for \'{dtypes.torch_name(dtype)}\' (got '
                                  f'{", ".join(describe(x) for x in operands)}); it takes '
                                  f'{"integer" if shifts else "integer or bool"} tensors')


def _binary(op, op_name, kernel, a, b, shifts=False):
    dtype, (a, b) = promote(op_name, a, b)
    _refuse(op_name, kernel, dtype, (a, b), shifts)
    return apply(op, a, b)


def bitwise_and(input, other):
    """The bits set in both ``input`` and ``other`` (logical and for bool tensors)."""
    return _binary(BitwiseAnd, "bitwise_and", "bitwise_and", input, other)


def bitwise_or(input, other):
    """The bits set in ``input`` or ``other`` (logical or for bool tensors)."""
    return _binary(BitwiseOr, "bitwise_or", "bitwise_or", input, other)


def bitwise_xor(input, other):
    """The bits set in exactly one of ``input`` and ``other`` (logical xor for bool tensors)."""
    return _binary(BitwiseXor, "bitwise_xor", "bitwise_xor", input, other)


def bitwise_left_shift(input, other):
    """``input`` shifted left by ``other`` bits: ``input << other`` (integers only)."""
    return _binary(LeftShift, "bitwise_left_shift", "lshift", input, other, shifts=True)


def bitwise_right_shift(input, other):
    """``input`` shifted right by ``other`` bits, keeping the sign: ``input >> other`` (integers only)."""
    return _binary(RightShift, "bitwise_right_shift", "rshift", input, other, shifts=True)


def bitwise_not(input):
    """Every bit flipped: ``~input`` (logical not for bool tensors)."""
    if not is_tensor(input):
        raise TypeError(f"bitwise_not(): argument 'input' must be a tensor, not {type(input).__name__}")
    _refuse("bitwise_not", "bitwise_not", input.dtype, (input,))
    return apply(BitwiseNot, input)
