"""``tf.saved_model.tag_constants``: the tags that name a meta graph in a SavedModel (TF 1.15's values). A
serving system asks for the graph tagged ``[SERVING]``; a model saved for both CPU and GPU serving might hold a
graph tagged ``[SERVING]`` and another tagged ``[SERVING, GPU]``."""

SERVING = "serve"
TRAINING = "train"
EVAL = "eval"
GPU = "gpu"
TPU = "tpu"
