"""``tf.image``'s bounding boxes: non-maximum suppression, ``crop_and_resize`` and ``draw_bounding_boxes``.

A box is ``[y1, x1, y2, x2]``, two opposite corners; ``crop_and_resize`` and ``draw_bounding_boxes`` take them in
normalized coordinates (0 is the first pixel row or column, 1 the last), non-maximum suppression in any units.

* **Non-maximum suppression** (NMS) is a data-dependent loop (which boxes survive depends on which were kept
  before), so it is an op whose forward runs numpy: it has no gradient, as in TF. Its output, a list of indices,
  is what a detector uses to ``gather`` its boxes and scores (the gradient flows through that gather).
* **crop_and_resize** reads each box on a regular grid of ``crop_size`` points with bilinear interpolation — a
  composition of ops (gathers of rows and columns, and their weighted sums), so its gradient with respect to the
  image (and the boxes) comes from them.
* **draw_bounding_boxes** paints box outlines into images: an op whose forward runs numpy, with no gradient (TF's
  has none).
"""
import heapq

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Op, Spec, apply
from . import errors
from .array_ops import shape as shape_of
from .basics import control_dependencies
from .check_ops import Assert
from .image_resize import _size
from .math_ops import FLOATS, REALS, check_dtype, deprecated_alias, tf_op, to_tensor
from .nn_training import _fmt


def _shaped(x, rank, what, op_type, last=None):
    """``x`` checked to have ``rank`` dims (and ``last`` entries in its last one, if given), with TF's messages."""
    if x.shape.rank_known and x.ndim != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {x.ndim} for '{op_type}': {what} has shape "
                         f"{_fmt(x.shape)}")
    if last is not None and x.shape.rank_known and x.shape[-1] not in (None, last):
        raise ValueError(f"Dimension must be {last} but is {x.shape[-1]} for '{op_type}': the last dimension of "
                         f"{what} {_fmt(x.shape)}")
    return x


def _same_count(a, b, op_type):
    if a.shape.rank_known and b.shape.rank_known and None not in (a.shape[0], b.shape[0]) \
            and a.shape[0] != b.shape[0]:
        raise ValueError(f"Dimensions must be equal, but are {a.shape[0]} and {b.shape[0]} for '{op_type}': one "
                         f"entry per box, got shapes {_fmt(a.shape)} and {_fmt(b.shape)}")


# ====================================================================================== NMS (numpy)

def _iou_with(boxes, i, others):
    """The intersection over union of box ``i`` with each box in ``others`` (indices): the area they share over
    the area they cover together, 0 where either box has no area. Corners may come in either order."""
    low = numpy.minimum(boxes[:, :2], boxes[:, 2:])
    high = numpy.maximum(boxes[:, :2], boxes[:, 2:])
    area = numpy.prod(high - low, axis=1)
    overlap = numpy.clip(numpy.minimum(high[i], high[others]) - numpy.maximum(low[i], low[others]), 0, None)
    shared = numpy.prod(overlap, axis=1)
    union = area[i] + area[others] - shared
    empty = (area[i] <= 0) | (area[others] <= 0)
    return numpy.where(empty, 0, shared / numpy.where(empty, 1, union))


def _greedy_nms(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma=0.0):
    """TF's NMS on numpy arrays: ``(selected indices, their scores)``.

    The candidates are the boxes scoring above ``score_threshold``, visited best first (equal scores: the lower
    index first). A candidate is kept unless it overlaps a box kept before it by an IoU above ``iou_threshold``;
    it stops at ``max_output_size`` boxes. With ``soft_nms_sigma > 0`` (Soft-NMS, Bodla et al. 2017) no box is
    thrown out for its overlap: its score decays by ``exp(-IoU² / 2σ)`` for each kept box instead, and a candidate
    whose score dropped goes back into the queue with its new score (dropped for good below ``score_threshold``)."""
    queue = [(-score, i, 0) for i, score in enumerate(scores.tolist()) if score > score_threshold]
    heapq.heapify(queue)  # (-score, index): the best score first, then the lower index
    selected, selected_scores = [], []
    while queue and len(selected) < max_output_size:
        negative, i, checked = heapq.heappop(queue)  # ``checked``: the kept boxes it was compared with already
        score = original = scores.dtype.type(-negative)
        overlaps = _iou_with(boxes, i, selected[checked:])
        if soft_nms_sigma > 0:
            score = score * numpy.prod(numpy.exp(overlaps * overlaps * scores.dtype.type(-0.5 / soft_nms_sigma)))
        elif (overlaps > iou_threshold).any():
            continue
        if score == original:
            selected.append(i)
            selected_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(queue, (-score, i, len(selected)))
    return selected, selected_scores


class NonMaxSuppression(Op):
    """``(selected indices (int32), their scores)`` of ``_greedy_nms``, with TF's run-time checks of the
    thresholds. Integer-valued and data-dependent: no gradient."""
    name = "NonMaxSuppressionV5"
    n_outputs = 2
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma):
        limit, iou, sigma = int(max_output_size), float(iou_threshold), float(soft_nms_sigma)
        if boxes.shape[0] != scores.shape[0]:
            raise errors.InvalidArgumentError(None, None, f"scores has incompatible shape: {scores.shape} for "
                                                          f"{boxes.shape[0]} boxes")
        if not 0 <= iou <= 1:
            raise errors.InvalidArgumentError(None, None, f"iou_threshold must be in [0, 1], got {iou}")
        if limit < 0:
            raise errors.InvalidArgumentError(None, None, f"max_output_size must be non-negative, got {limit}")
        if sigma < 0:
            raise errors.InvalidArgumentError(None, None, f"soft_nms_sigma must be non-negative, got {sigma}")
        host = numpy.asarray(boxes.tolist(), dtype=boxes.dtype).reshape(-1, 4)  # (tolist: also from a GPU)
        selected, kept_scores = _greedy_nms(host, numpy.asarray(scores.tolist(), dtype=scores.dtype), limit, iou,
                                           float(score_threshold), sigma)
        return xp.asarray(selected, dtype=numpy.int32), xp.asarray(kept_scores, dtype=scores.dtype)

    @staticmethod
    def infer(boxes, scores, *thresholds):
        return Spec((None,), dtypes.int32), Spec((None,), scores.dtype)


def _nms(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma):
    """The NMS op on TF's arguments, after their static checks."""
    op_type = "NonMaxSuppressionV5"
    boxes = _shaped(check_dtype(to_tensor(boxes, dtypes.float32), FLOATS, "boxes"), 2, "boxes", op_type, last=4)
    scores = _shaped(check_dtype(to_tensor(scores, boxes.dtype), (boxes.dtype.name,), "scores"), 1, "scores",
                     op_type)
    _same_count(boxes, scores, op_type)
    arguments = [to_tensor(max_output_size, dtypes.int32)] + [to_tensor(v, boxes.dtype) for v in (
        iou_threshold, score_threshold, soft_nms_sigma)]
    for what, value in zip(("max_output_size", "iou_threshold", "score_threshold", "soft_nms_sigma"), arguments):
        _shaped(value, 0, what, op_type)
    return apply(NonMaxSuppression, boxes, scores, *arguments)


@tf_op("non_max_suppression")
def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                        name=None):
    """Greedy non-maximum suppression: the int32 indices of at most ``max_output_size`` boxes ([num_boxes, 4], each
    ``[y1, x1, y2, x2]``, corners in either order), best ``scores`` first, none overlapping a better kept box by
    an IoU above ``iou_threshold``; only boxes scoring above ``score_threshold`` count. ``tf.gather(boxes,
    selected)`` gives the boxes."""
    return _nms(boxes, scores, max_output_size, iou_threshold, score_threshold, 0.0)[0]


@tf_op("non_max_suppression_with_scores")
def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0, name=None):
    """``(selected_indices, selected_scores)``: ``non_max_suppression`` that also returns the kept boxes' scores,
    and with ``soft_nms_sigma > 0`` Soft-NMS, which lowers the scores of overlapping boxes instead of dropping
    them (see ``_greedy_nms``; ``iou_threshold`` then plays no part)."""
    return _nms(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma)


# ================================================================================== crop_and_resize

_METHODS = ("bilinear", "nearest")


def _positions(start, end, count, last):
    """Where a box's side from ``start`` to ``end`` (normalized, per box) is read at ``count`` points, in pixels
    of an axis whose last pixel is ``last``: ``start·last + i·(end - start)·last / (count - 1)``, or the middle
    ``(start + end)/2 · last`` for a single point. (boxes, count)."""
    if count == 1:
        return ops.unsqueeze((start + end) * 0.5 * last, 1)
    step = (end - start) * last / (count - 1)
    points = to_tensor(numpy.arange(count, dtype=numpy.float32))
    return ops.unsqueeze(start * last, 1) + ops.unsqueeze(step, 1) * points


def _sampled(crops, positions, last, method):
    """``crops`` (boxes, n, ...) read along dim 1 at ``positions`` (boxes, m): (boxes, m, ...). Bilinear:
    ``x[top] + (x[bottom] - x[top]) · (p - top)`` with ``top = floor(p)``, ``bottom = ceil(p)``; nearest: the pixel
    at ``p`` rounded (halves up, C's ``roundf`` for p >= 0). Reads are clamped into the image (a position outside
    it is replaced by the extrapolation value afterwards)."""
    def read(index):
        inside = ops.minimum(ops.maximum(index, 0), last)
        return ops.batch_gather(crops, ops.cast(inside, dtypes.int64))
    if method == "nearest":
        return read(ops.floor(positions + 0.5))
    top = ops.floor(positions)
    upper, lower = read(top), read(ops.ceil(positions))
    return upper + (lower - upper) * ops.unsqueeze(ops.unsqueeze(positions - top, -1), -1)


def _last_pixel(x, axis):
    """The index of the last pixel along ``axis``, as a float: a number, or a float32 tensor read at run time."""
    n = x.shape[axis]
    return float(n - 1) if n is not None else ops.cast(shape_of(x)[axis] - 1, dtypes.float32)


@tf_op("CropAndResize")
def crop_and_resize(image, boxes, box_ind=None, crop_size=None, method="bilinear", extrapolation_value=0,
                    name=None, box_indices=None):
    """Crops of a batch of images [batch, height, width, depth], each resized to ``crop_size`` = (crop_height,
    crop_width): [num_boxes, crop_height, crop_width, depth], float32.

    Box k (normalized ``[y1, x1, y2, x2]``; y1 > y2 flips the crop) is cut from image ``box_ind[k]`` (also named
    ``box_indices``). Its crop's row i reads the image at ``y = y1·(h - 1) + i·(y2 - y1)·(h - 1)/(crop_height - 1)``
    (at ``(y1 + y2)/2 · (h - 1)`` when crop_height is 1), and its columns likewise, by bilinear interpolation or
    the nearest pixel (``method``). Where that point lies outside the image the crop holds
    ``extrapolation_value``. With ``boxes = [[0, 0, 1, 1]]`` this is ``resize_bilinear`` with
    ``align_corners=True``."""
    op_type = "CropAndResize"
    box_ind = deprecated_alias(box_indices, box_ind, "box_indices", "box_ind")
    x = _shaped(check_dtype(to_tensor(image), REALS, "image"), 4, "image", op_type)
    boxes = _shaped(check_dtype(to_tensor(boxes, dtypes.float32), ("float32",), "boxes"), 2, "boxes", op_type, 4)
    box_ind = _shaped(check_dtype(to_tensor(box_ind, dtypes.int32), ("int32",), "box_ind"), 1, "box_ind", op_type)
    _same_count(boxes, box_ind, op_type)
    crop_height, crop_width = _size(crop_size)
    if method not in _METHODS:
        raise ValueError(f"Value for attr 'method' of \"{method}\" is not in the list of allowed values: "
                         f"\"bilinear\", \"nearest\"")
    batch = x.shape[0] if x.shape[0] is not None else shape_of(x)[0]
    valid = ops.all(ops.logical_and(ops.ge(box_ind, 0), ops.lt(box_ind, batch)))
    with control_dependencies([Assert(valid, ["box_ind has values outside [0, batch_size)", box_ind])]):
        crops = ops.index_select(ops.cast(x, dtypes.float32), 0, box_ind)  # each box's image, (boxes, h, w, depth)
    last_row, last_col = _last_pixel(x, 1), _last_pixel(x, 2)
    y1, x1, y2, x2 = ops.unbind(boxes, 1)
    rows, cols = _positions(y1, y2, crop_height, last_row), _positions(x1, x2, crop_width, last_col)
    # the box's grid is separable: sample its rows first, then (with the width moved to dim 1) its columns
    sampled = _sampled(crops, rows, last_row, method)
    sampled = ops.transpose(_sampled(ops.transpose(sampled, 1, 2), cols, last_col, method), 1, 2)
    row_inside, col_inside = (ops.logical_and(ops.ge(p, 0), ops.le(p, last)) for p, last in ((rows, last_row),
                                                                                             (cols, last_col)))
    inside = ops.logical_and(ops.reshape(row_inside, (-1, crop_height, 1, 1)),
                             ops.reshape(col_inside, (-1, 1, crop_width, 1)))
    out = ops.where(inside, sampled, ops.cast(to_tensor(extrapolation_value, dtypes.float32), dtypes.float32))
    out.set_shape([boxes.shape[0] if boxes.shape[0] is not None else box_ind.shape[0], None, None, None])
    return out


# ================================================================================ draw_bounding_boxes

#: TF's colours for boxes when none are given (RGBA): yellow, blue, red, lime, purple, olive, maroon, navy, aqua,
#: fuchsia
_DEFAULT_COLORS = ((1, 1, 0, 1), (0, 0, 1, 1), (1, 0, 0, 1), (0, 1, 0, 1), (0.5, 0, 0.5, 1), (0.5, 0.5, 0, 1),
                   (0.5, 0, 0, 1), (0, 0, 0.5, 1), (0, 1, 1, 1), (1, 0, 1, 1))


def _outline(canvas, box, color):
    """Paint the outline of ``box`` (normalized [y1, x1, y2, x2]) into ``canvas`` (height, width, depth) in place,
    as TF's kernel does: each corner at ``int(coordinate · (size - 1))`` (truncated toward 0, computed in float32);
    a box turned inside out or wholly outside is skipped, and the sides outside the image are not drawn."""
    height, width = canvas.shape[:2]
    top, left, bottom, right = (int(numpy.float32(c) * numpy.float32(n - 1))
                                for c, n in zip(box, (height, width, height, width)))
    if top > bottom or left > right or top >= height or bottom < 0 or left >= width or right < 0:
        return
    rows = slice(max(top, 0), min(bottom, height - 1) + 1)
    cols = slice(max(left, 0), min(right, width - 1) + 1)
    for row in (top, bottom):
        if 0 <= row < height:
            canvas[row, cols] = color
    for col in (left, right):
        if 0 <= col < width:
            canvas[rows, col] = color


class DrawBoundingBoxes(Op):
    """``images`` (float, [batch, height, width, depth]) with the outlines of ``boxes`` [batch, num_boxes, 4]
    painted in, box j in colour ``j mod len(colors)`` of ``colors`` [num_colors, >= depth] (RGBA; empty: TF's
    default colours, white on gray images). No gradient, as in TF."""
    name = "DrawBoundingBoxesV2"
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, images, boxes, colors):
        depth = images.shape[3]
        if boxes.shape[0] != images.shape[0]:
            raise errors.InvalidArgumentError(None, None, f"The batch sizes should be the same: images "
                                                          f"{images.shape}, boxes {boxes.shape}")
        if depth not in (1, 3, 4):
            raise errors.InvalidArgumentError(None, None, "Channel depth should be either 1 (GRY), 3 (RGB), or 4 "
                                                          f"(RGBA), got {depth}")
        table = colors.tolist()
        if not table:
            # on a gray image the first channel (red) is what shows: set to 1, every default box is white
            table = [(1,) + color[1:] if depth == 1 else color for color in _DEFAULT_COLORS]
        elif colors.shape[1] < depth:
            raise errors.InvalidArgumentError(None, None, f"colors must have equal or more channels than the image "
                                                          f"provided: {colors.shape} for depth {depth}")
        out = images.copy()
        for canvas, image_boxes in zip(out, boxes.tolist()):
            for j, box in enumerate(image_boxes):
                _outline(canvas, box, xp.asarray(table[j % len(table)][:depth], dtype=images.dtype))
        return out

    @staticmethod
    def infer(images, boxes, colors):
        return Spec(images.shape, images.dtype)


@tf_op("draw_bounding_boxes")
def draw_bounding_boxes(images, boxes, name=None, colors=None):
    """A copy of ``images`` [batch, height, width, depth] (float32 or float16; depth 1, 3 or 4) with the outlines
    of ``boxes`` [batch, num_boxes, 4] (normalized ``[y_min, x_min, y_max, x_max]``) drawn one pixel wide, box j of
    each image in ``colors[j mod num_colors]`` (RGBA rows; default: TF's ten colours). Later boxes paint over
    earlier ones; parts outside the image are left out."""
    op_type = "DrawBoundingBoxesV2"
    x = _shaped(check_dtype(to_tensor(images), ("float16", "float32"), "images"), 4, "images", op_type)
    boxes = _shaped(check_dtype(to_tensor(boxes, dtypes.float32), ("float32",), "boxes"), 3, "boxes", op_type, 4)
    palette = numpy.zeros((0, 4), numpy.float32) if colors is None else colors
    palette = _shaped(check_dtype(to_tensor(palette, dtypes.float32), ("float32",), "colors"), 2, "colors", op_type)
    return apply(DrawBoundingBoxes, x, boxes, palette)
