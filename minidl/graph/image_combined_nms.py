"""``tf.image.combined_non_max_suppression``: per-class non-maximum suppression for a batch of detections, the
classes' survivors merged into one fixed-size, padded list per image (SSD / RetinaNet post-processing).

For each image and each class: greedy NMS (``image_boxes._greedy_nms``, the one ``non_max_suppression`` runs) of
that class's scores keeps at most ``max_output_size_per_class`` boxes scoring above ``score_threshold`` that do not
overlap a better kept box by an IoU above ``iou_threshold``. The kept boxes of all classes are then sorted by
score (best first) and the first ``max_total_size`` returned, padded with zeros to ``max_detections`` rows:
``max_total_size``, or with ``pad_per_class=True`` ``min(max_output_size_per_class * num_classes,
max_total_size)``. ``clip_boxes=True`` clips the returned corners to [0, 1].

Outputs: ``nmsed_boxes`` [batch, max_detections, 4], ``nmsed_scores`` and ``nmsed_classes`` [batch,
max_detections] (the class index as a float, as TF), ``valid_detections`` [batch] int32: how many rows are real.
A data-dependent selection with integer outputs: an op whose forward runs numpy, without a gradient (as TF's).
"""
import numpy

from ..backend import dtypes
from ..ops.base import Op, Spec, apply
from . import errors
from .image_boxes import _greedy_nms, _shaped
from .math_ops import check_dtype, constant_value, computed_at_run_time, tf_op, to_tensor


def _detections(per_class, total, classes, pad_per_class):
    return min(per_class * classes, total) if pad_per_class else total


class CombinedNonMaxSuppression(Op):
    """The four outputs of the module docstring; inputs ``boxes`` [batch, num_boxes, q, 4] (q = 1: the same box
    for every class, else one per class), ``scores`` [batch, num_boxes, num_classes] and four scalars."""
    name = "CombinedNonMaxSuppression"
    n_outputs = 4
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, boxes, scores, max_output_size_per_class, max_total_size, iou_threshold, score_threshold,
                pad_per_class, clip_boxes):
        per_class, total, iou = int(max_output_size_per_class), int(max_total_size), float(iou_threshold)
        if not 0 <= iou <= 1:
            raise errors.InvalidArgumentError(None, None, f"combined_non_max_suppression: iou_threshold must be in "
                                                          f"[0, 1], got {iou}")
        if per_class <= 0 or total <= 0:
            raise errors.InvalidArgumentError(None, None, "combined_non_max_suppression: max_output_size_per_class "
                                                          f"and max_total_size must be positive, got {per_class} and "
                                                          f"{total}")
        batch, count, classes = scores.shape
        if boxes.shape[:2] != (batch, count) or boxes.shape[2] not in (1, classes):
            raise errors.InvalidArgumentError(None, None, f"combined_non_max_suppression: boxes {boxes.shape} must "
                                                          f"be [batch, num_boxes, 1 or num_classes, 4] for scores "
                                                          f"{scores.shape}")
        host_boxes = numpy.asarray(boxes.tolist(), dtype=boxes.dtype).reshape(boxes.shape)  # (tolist: also GPU)
        host_scores = numpy.asarray(scores.tolist(), dtype=scores.dtype).reshape(scores.shape)
        rows = _detections(per_class, total, classes, pad_per_class)
        out_boxes = numpy.zeros((batch, rows, 4), boxes.dtype)
        out_scores = numpy.zeros((batch, rows), scores.dtype)
        out_classes = numpy.zeros((batch, rows), scores.dtype)
        valid = numpy.zeros(batch, numpy.int32)
        for image in range(batch):
            candidates = []  # (score, class, box index)
            for label in range(classes):
                class_boxes = host_boxes[image, :, label if boxes.shape[2] > 1 else 0]
                kept, kept_scores = _greedy_nms(class_boxes, host_scores[image, :, label], per_class, iou,
                                                float(score_threshold))
                candidates += [(score, label, index) for index, score in zip(kept, kept_scores)]
            candidates.sort(key=lambda c: -c[0])  # stable: equal scores keep the class order
            for row, (score, label, index) in enumerate(candidates[:rows]):
                out_boxes[image, row] = host_boxes[image, index, label if boxes.shape[2] > 1 else 0]
                out_scores[image, row], out_classes[image, row] = score, label
            valid[image] = min(len(candidates), rows)
        if clip_boxes:
            out_boxes = numpy.clip(out_boxes, 0, 1)
        return xp.asarray(out_boxes), xp.asarray(out_scores), xp.asarray(out_classes), xp.asarray(valid)

    @staticmethod
    def infer(boxes, scores, *scalars, **attrs):
        batch = scores.shape[0] if scores.shape is not None else None
        return (Spec((batch, None, 4), boxes.dtype), Spec((batch, None), scores.dtype),
                Spec((batch, None), scores.dtype), Spec((batch,), dtypes.int32))


@tf_op("combined_non_max_suppression")
def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size, iou_threshold=0.5,
                                 score_threshold=float("-inf"), pad_per_class=False, clip_boxes=True, name=None):
    """``(nmsed_boxes, nmsed_scores, nmsed_classes, valid_detections)``: per-class greedy NMS of ``boxes``
    [batch, num_boxes, q, 4] (q = 1 or num_classes) with ``scores`` [batch, num_boxes, num_classes], merged and
    padded per image (module docstring)."""
    op_type = "CombinedNonMaxSuppression"
    boxes = _shaped(check_dtype(to_tensor(boxes, dtypes.float32), ("float32",), "boxes"), 4, "boxes", op_type,
                    last=4)
    scores = _shaped(check_dtype(to_tensor(scores, dtypes.float32), ("float32",), "scores"), 3, "scores", op_type)
    for axis in (0, 1):
        if None not in (boxes.shape[axis], scores.shape[axis]) and boxes.shape[axis] != scores.shape[axis]:
            raise ValueError(f"{op_type}: boxes {boxes.shape} and scores {scores.shape} must agree in dim {axis} "
                             "(batch, num_boxes)")
    q, classes = boxes.shape[2], scores.shape[2]
    if None not in (q, classes) and q not in (1, classes):
        raise ValueError(f"{op_type}: boxes' third dim must be 1 or num_classes ({classes}), got boxes {boxes.shape}")
    sizes = [to_tensor(v, dtypes.int32) for v in (max_output_size_per_class, max_total_size)]
    thresholds = [to_tensor(v, dtypes.float32) for v in (iou_threshold, score_threshold)]
    for what, value in zip(("max_output_size_per_class", "max_total_size", "iou_threshold", "score_threshold"),
                           sizes + thresholds):
        _shaped(value, 0, what, op_type)
    outputs = apply(CombinedNonMaxSuppression, boxes, scores, *sizes, *thresholds, pad_per_class=bool(pad_per_class),
                    clip_boxes=bool(clip_boxes))
    if not computed_at_run_time(max_total_size) and not computed_at_run_time(max_output_size_per_class) and (
            classes is not None or not pad_per_class):
        rows = _detections(int(constant_value(max_output_size_per_class, "max_output_size_per_class")),
                           int(constant_value(max_total_size, "max_total_size")), classes, pad_per_class)
        for output in outputs[:3]:
            output.set_shape(output.shape.as_list()[:1] + [rows] + output.shape.as_list()[2:])
    return outputs
