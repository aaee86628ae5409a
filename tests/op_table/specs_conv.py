"""Op table entries for convolution (conv.py): conv2d with stride/padding/dilation/groups/bias variants and
"same"/"valid" padding, conv_transpose2d, the two gradient ops (whose own VJPs make second order work), and
conv3d / conv_transpose3d.

Shapes are tiny (N <= 2, C <= 4, H, W <= 6, kernels 1-3; in 3-D sides <= 4, kernels 1-2): the checks use central
differences in float64. The numpy references loop over output pixels (or, for the transpose, over input pixels),
independent of im2col; the 3-D ones add up 2-D references over the depth taps.
"""
import numpy as np
from hypothesis import strategies as st

from minidl.ops import conv as C

from .spec import OpSpec, floats_array


def _two(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _three(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v, v)


def _pads(padding, kernel, dilation):
    """((top, bottom), (left, right)); "same" puts the odd one at the bottom/right, as PyTorch does."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))
    return tuple((p, p) for p in _two(padding))


def ref_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (dh, dw) = _two(stride), _two(dilation)
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0)) + _pads(padding, (kh, kw), (dh, dw)))
    n, _, hp, wp = xp.shape
    oh, ow = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, oh, ow), dtype=np.float64)
    for co in range(o):
        group = co // (o // groups)
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, group * cg:(group + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                y[:, co, i, j] = np.sum(patch * w[co], axis=(1, 2, 3))
    if b is not None:
        y += b.reshape(-1, 1, 1)
    return y.astype(x.dtype)


def ref_conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Every input pixel scatters its value times the kernel onto the output (then the padding is cut off)."""
    (sh, sw), (dh, dw), (ph, pw), (oph, opw) = _two(stride), _two(dilation), _two(padding), _two(output_padding)
    n, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    full = np.zeros((n, og * groups, (h - 1) * sh + dh * (kh - 1) + 1 + oph, (wd - 1) * sw + dw * (kw - 1) + 1 + opw))
    for ci in range(c):
        group = ci // (c // groups)
        for i in range(h):
            for j in range(wd):
                full[:, group * og:(group + 1) * og, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                     j * sw:j * sw + dw * (kw - 1) + 1:dw] += x[:, ci, i, j, None, None, None] * w[ci]
    y = full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw]
    if b is not None:
        y = y + b.reshape(-1, 1, 1)
    return y.astype(x.dtype)


def ref_grad_input(g, w, x_shape, stride=1, padding=0, dilation=1, groups=1):
    """d<g, conv(x, w)>/dx: the transposed convolution, with the output_padding that gives back x's size."""
    output_padding = tuple((n + 2 * p - d * (k - 1) - 1) % s for n, k, s, p, d in
                           zip(x_shape[2:], w.shape[2:], _two(stride), _two(padding), _two(dilation)))
    return ref_conv_transpose2d(g, w, stride=stride, padding=padding, output_padding=output_padding,
                                groups=groups, dilation=dilation)


def ref_grad_weight(g, x, w_shape, **geometry):
    """d<g, conv(x, w)>/dw, entry by entry: conv is linear in w, so it is the conv with a one-hot weight."""
    out = np.zeros(w_shape)
    for idx in np.ndindex(*w_shape):
        e = np.zeros(w_shape)
        e[idx] = 1.0
        out[idx] = np.sum(g * ref_conv2d(x.astype(np.float64), e, **geometry))
    return out.astype(g.dtype)


def ref_conv3d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Output depth i sums, over the depth taps r, the 2-D convolutions of input depth i*SD + r*DD (of the
    depth-padded input) with the kernel slice w[:, :, r]."""
    (sd, *s_hw), (dd, *d_hw) = _three(stride), _three(dilation)
    kd = w.shape[2]
    if padding == "same":
        total = dd * (kd - 1)
        depth_pads, hw_padding = (total // 2, total - total // 2), "same"
    else:
        p = (0, 0, 0) if padding == "valid" else _three(padding)
        depth_pads, hw_padding = (p[0], p[0]), p[1:]
    xp = np.pad(x, ((0, 0), (0, 0), depth_pads, (0, 0), (0, 0)))
    od = (xp.shape[2] - dd * (kd - 1) - 1) // sd + 1
    slices = [sum(ref_conv2d(xp[:, :, i * sd + r * dd], w[:, :, r], None, s_hw, hw_padding, d_hw, groups)
                  .astype(np.float64) for r in range(kd)) for i in range(od)]
    y = np.stack(slices, axis=2)
    if b is not None:
        y += b.reshape(-1, 1, 1, 1)
    return y.astype(x.dtype)


def ref_conv_transpose3d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Each input depth slice i scatters its 2-D transposed convolution with w[:, :, r] onto output depth
    i*SD + r*DD; then the depth padding is cut off."""
    (sd, *s_hw), (dd, *d_hw), (pd, *p_hw), (opd, *op_hw) = (_three(stride), _three(dilation), _three(padding),
                                                          _three(output_padding))
    n, _, depth = x.shape[:3]
    kd = w.shape[2]
    slices = {(i, r): ref_conv_transpose2d(x[:, :, i], w[:, :, r], None, s_hw, p_hw, op_hw, groups, d_hw)
              for i in range(depth) for r in range(kd)}
    full = np.zeros((n, w.shape[1] * groups, (depth - 1) * sd + dd * (kd - 1) + 1 + opd) + slices[0, 0].shape[2:])
    for (i, r), y in slices.items():
        full[:, :, i * sd + r * dd] += y
    y = full[:, :, pd:full.shape[2] - pd]
    if b is not None:
        y = y + b.reshape(-1, 1, 1, 1)
    return y.astype(x.dtype)


# ----------------------------------------------------------------------------------------- strategies

@st.composite
def conv_case(draw, groups=1, stride=1, padding=0, dilation=1, bias=False, batched=True, kernel=(1, 3),
              min_n=0):
    """(x, w[, b]) for ``conv2d`` with the given geometry: N in min_n..2, C/groups and O/groups in 1..2, kernel
    sides in ``kernel``, H and W from the smallest that fits the kernel up to 6."""
    dh, dw = _two(dilation)
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(*kernel)), draw(st.integers(*kernel))
    pads = _pads(padding, (kh, kw), (dh, dw))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - sum(pads[0])), 6))
    wd = draw(st.integers(max(1, dw * (kw - 1) + 1 - sum(pads[1])), 6))
    x_shape = ((draw(st.integers(min_n, 2)),) if batched else ()) + (cg * groups, h, wd)
    arrays = [floats_array(x_shape), floats_array((og * groups, cg, kh, kw))]
    if bias:
        arrays.append(floats_array((og * groups,)))
    return draw(st.tuples(*arrays))


@st.composite
def transpose_case(draw, groups=1, bias=False, batched=True):
    """(x, w[, b]) for ``conv_transpose2d``: w is (C_in, C_out/groups, KH, KW)."""
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    x_shape = ((draw(st.integers(0, 2)),) if batched else ()) + (cg * groups, draw(st.integers(1, 4)),
                                                                 draw(st.integers(1, 4)))
    arrays = [floats_array(x_shape), floats_array((cg * groups, og, draw(st.integers(1, 3)), draw(st.integers(1, 3))))]
    if bias:
        arrays.append(floats_array((og * groups,)))
    return draw(st.tuples(*arrays))


@st.composite
def grad_case(draw, for_weight, **geometry):
    """(g, w, x) for conv2d_grad_input or (g, x, w) for conv2d_grad_weight: g has the output shape of
    conv2d(x, w); the shape donor's values do not matter."""
    x, w = draw(conv_case(min_n=1, **geometry))
    y = ref_conv2d(x, w, **geometry)
    g = draw(floats_array(y.shape))
    return (g, x, w) if for_weight else (g, w, x)


@st.composite
def conv3d_case(draw, groups=1, padding=0, dilation=1, bias=False, batched=True, transposed=False):
    """(x, w[, b]) for ``conv3d`` (w (O, C/groups, KD, KH, KW)) or, ``transposed``, ``conv_transpose3d``
    (w (C_in, C_out/groups, ...)): sides up to 4, kernels 1-2, inputs big enough for one window."""
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 2)) for _ in range(3))
    pads = (0, 0, 0) if transposed or isinstance(padding, str) else _three(padding)
    sides = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 4))
                  for k, d, p in zip(kernel, _three(dilation), pads))
    x_shape = ((draw(st.integers(0, 2)),) if batched else ()) + (cg * groups,) + sides
    w_shape = (cg * groups, og) + kernel if transposed else (og * groups, cg) + kernel
    arrays = [floats_array(x_shape), floats_array(w_shape)] + ([floats_array((og * groups,))] if bias else [])
    return draw(st.tuples(*arrays))


def _conv3d_spec(name, bias=False, transposed=False, batched=True, **geometry):
    fn, ref = (C.conv_transpose3d, ref_conv_transpose3d) if transposed else (C.conv3d, ref_conv3d)
    torch_name = "conv_transpose3d" if transposed else "conv3d"
    reference = ((lambda *xs: ref(*xs, **geometry)) if batched else
                 (lambda x, *rest: ref(x[None], *rest, **geometry)[0]))
    case_geometry = {k: v for k, v in geometry.items() if k in ("groups", "padding", "dilation")}
    inputs = conv3d_case(bias=bias, transposed=transposed, batched=batched, **case_geometry)
    if transposed:
        inputs = inputs.filter(lambda xs: min(ref(*xs[:2] if batched else (xs[0][None], xs[1]),
                                                  **geometry).shape[2:]) > 0)
    return OpSpec(name, lambda m, *xs: fn(*xs, **geometry), reference, inputs,
                  grad_inputs=tuple(range(3 if bias else 2)), rtol=1e-4, atol=1e-5,
                  torch_fn=lambda t, *xs: getattr(t.nn.functional, torch_name)(*xs, **geometry))


def _conv_spec(name, case_kw=None, notes="", **geometry):
    """conv2d with ``geometry`` (and a bias when the case has one)."""
    case_kw = case_kw or {}
    n_inputs = 3 if case_kw.get("bias") else 2
    return OpSpec(name, lambda m, *xs: C.conv2d(*xs, **geometry), lambda *xs: ref_conv2d(*xs, **geometry),
                  conv_case(**geometry, **case_kw), grad_inputs=tuple(range(n_inputs)), rtol=1e-4, atol=1e-5,
                  notes=notes, torch_fn=lambda t, *xs: t.nn.functional.conv2d(*xs, **geometry))


def _transpose_spec(name, case_kw=None, **geometry):
    case_kw = case_kw or {}
    n_inputs = 3 if case_kw.get("bias") else 2
    return OpSpec(name, lambda m, *xs: C.conv_transpose2d(*xs, **geometry),
                  lambda *xs: ref_conv_transpose2d(*xs, **geometry),
                  transpose_case(groups=geometry.get("groups", 1), **case_kw).filter(
                      lambda xs: min(ref_conv_transpose2d(*xs[:2], **geometry).shape[2:]) > 0),
                  grad_inputs=tuple(range(n_inputs)), rtol=1e-4, atol=1e-5,
                  torch_fn=lambda t, *xs: t.nn.functional.conv_transpose2d(*xs, **geometry))


GRAD_GEOMETRY = dict(stride=2, padding=1)
DILATED_GROUPS = dict(stride=(1, 2), padding=(0, 1), dilation=(2, 1), groups=2)
# stride 1: the input gradient (and the transposed convolution) adds its columns back by shifts of the flattened
# padded image (im2col.col2im_by_shifts) instead of col2im; padding, dilation and groups all change the shifts
SHIFTED = dict(padding=(1, 2), dilation=(2, 1), groups=2)

SPECS = [
    _conv_spec("conv2d"),
    _conv_spec("conv2d_bias", case_kw=dict(bias=True)),
    _conv_spec("conv2d_pointwise", case_kw=dict(kernel=(1, 1)),
               notes="a 1x1 kernel: im2col is a view of x, no copy"),
    _conv_spec("conv2d_stride2_padding1", case_kw=dict(bias=True), stride=2, padding=1),
    _conv_spec("conv2d_mixed_stride_padding_dilation", stride=(2, 1), padding=(0, 2), dilation=(1, 2)),
    _conv_spec("conv2d_dilation2", padding=2, dilation=2),
    _conv_spec("conv2d_groups2", case_kw=dict(bias=True), groups=2),
    _conv_spec("conv2d_depthwise", groups=3, notes="groups == in_channels: one filter per channel"),
    _conv_spec("conv2d_groups_dilation_stride", **DILATED_GROUPS),
    _conv_spec("conv2d_same", padding="same", notes="even kernels pad one more at the bottom/right"),
    _conv_spec("conv2d_same_dilated", case_kw=dict(bias=True), padding="same", dilation=(2, 1)),
    _conv_spec("conv2d_valid", padding="valid"),
    OpSpec("conv2d_unbatched", lambda m, x, w, b: C.conv2d(x, w, b, padding=1),
           lambda x, w, b: ref_conv2d(x[None], w, b, padding=1)[0], conv_case(bias=True, batched=False, padding=1),
           grad_inputs=(0, 1, 2), rtol=1e-4, atol=1e-5,
           torch_fn=lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, padding=1)),
    # ------------------------------------------------------------------------------------ conv_transpose2d
    _transpose_spec("conv_transpose2d"),
    _transpose_spec("conv_transpose2d_stride_output_padding", case_kw=dict(bias=True), stride=2, padding=1,
                    output_padding=1),
    _transpose_spec("conv_transpose2d_groups_dilation", groups=2, dilation=2, stride=(1, 2), output_padding=(0, 1)),
    _transpose_spec("conv_transpose2d_stride1_padding_groups_dilation", case_kw=dict(bias=True), padding=(0, 1),
                    groups=2, dilation=(1, 2)),
    OpSpec("conv_transpose2d_unbatched", lambda m, x, w, b: C.conv_transpose2d(x, w, b, stride=2),
           lambda x, w, b: ref_conv_transpose2d(x[None], w, b, stride=2)[0],
           transpose_case(bias=True, batched=False), grad_inputs=(0, 1, 2), rtol=1e-4, atol=1e-5,
           torch_fn=lambda t, x, w, b: t.nn.functional.conv_transpose2d(x, w, b, stride=2)),
    # ------------------------------------------------------------------------------------ gradient ops
    OpSpec("conv2d_grad_input", lambda m, g, w, x: C.conv2d_grad_input(g, w, x, **GRAD_GEOMETRY),
           lambda g, w, x: ref_grad_input(g, w, x.shape, **GRAD_GEOMETRY),
           grad_case(False, **GRAD_GEOMETRY), grad_inputs=(0, 1), rtol=1e-4, atol=1e-5,
           torch_fn=lambda t, g, w, x: t.nn.grad.conv2d_input(x.shape, w, g, **GRAD_GEOMETRY),
           notes="x lends only its shape (it fixes the output_padding); VJPs: conv2d for g, grad_weight for w"),
    OpSpec("conv2d_grad_input_groups_dilation", lambda m, g, w, x: C.conv2d_grad_input(g, w, x, **DILATED_GROUPS),
           lambda g, w, x: ref_grad_input(g, w, x.shape, **DILATED_GROUPS),
           grad_case(False, **DILATED_GROUPS), grad_inputs=(0, 1), rtol=1e-4, atol=1e-5,
           torch_fn=lambda t, g, w, x: t.nn.grad.conv2d_input(x.shape, w, g, **DILATED_GROUPS)),
    OpSpec("conv2d_grad_input_stride1_shifts", lambda m, g, w, x: C.conv2d_grad_input(g, w, x, **SHIFTED),
           lambda g, w, x: ref_grad_input(g, w, x.shape, **SHIFTED),
           grad_case(False, **SHIFTED), grad_inputs=(0, 1), rtol=1e-4, atol=1e-5,
           torch_fn=lambda t, g, w, x: t.nn.grad.conv2d_input(x.shape, w, g, **SHIFTED),
           notes="stride 1: col2im by shifts of the flattened padded image"),
    OpSpec("conv2d_grad_weight", lambda m, g, x, w: C.conv2d_grad_weight(g, x, w, **GRAD_GEOMETRY),
           lambda g, x, w: ref_grad_weight(g, x, w.shape, **GRAD_GEOMETRY),
           grad_case(True, **GRAD_GEOMETRY), grad_inputs=(0, 1), rtol=1e-4, atol=1e-5,
           torch_fn=lambda t, g, x, w: t.nn.grad.conv2d_weight(x, w.shape, g, **GRAD_GEOMETRY),
           notes="w lends only its shape; VJPs: conv2d(x, gw) for g, conv2d_grad_input(g, gw) for x"),
    OpSpec("conv2d_grad_weight_groups_dilation",
           lambda m, g, x, w: C.conv2d_grad_weight(g, x, w, **DILATED_GROUPS),
           lambda g, x, w: ref_grad_weight(g, x, w.shape, **DILATED_GROUPS),
           grad_case(True, **DILATED_GROUPS), grad_inputs=(0, 1), rtol=1e-4, atol=1e-5,
           torch_fn=lambda t, g, x, w: t.nn.grad.conv2d_weight(x, w.shape, g, **DILATED_GROUPS)),
    # ------------------------------------------------------------------------------------------------ 3-D
    _conv3d_spec("conv3d"),
    _conv3d_spec("conv3d_bias_stride_padding_dilation_groups", bias=True, stride=(1, 2, 1), padding=(1, 0, 1),
                 dilation=(2, 1, 1), groups=2),
    _conv3d_spec("conv3d_same", padding="same", dilation=(1, 2, 1)),
    _conv3d_spec("conv3d_unbatched", bias=True, batched=False, padding=1),
    _conv3d_spec("conv_transpose3d", transposed=True),
    _conv3d_spec("conv_transpose3d_strided_groups", transposed=True, bias=True, stride=(2, 1, 2),
                 padding=(1, 0, 0), output_padding=(1, 0, 1), groups=2, dilation=(1, 2, 1)),
]
