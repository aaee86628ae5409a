"""``tf.contrib.tensorboard.plugins.projector``: tell TensorBoard's embedding projector which variables to show.

TF1's word2vec tutorial ends like this (``writer`` a ``tf.summary.FileWriter``)::

    config = projector.ProjectorConfig()
    embedding_conf = config.embeddings.add()
    embedding_conf.tensor_name = embeddings.name
    embedding_conf.metadata_path = os.path.join(log_dir, "metadata.tsv")
    projector.visualize_embeddings(writer, config)

``visualize_embeddings`` writes ``projector_config.pbtxt`` into the writer's directory: the config in protocol
buffers' text format, which TensorBoard reads beside the checkpoints saved there (the projector takes the
embedding's values from the latest checkpoint). The classes are the protocol buffer messages' fields as plain
attributes; repeated fields are lists with ``add()`` (messages) or ``extend`` (numbers), as protobuf's are.
"""
import os

from ..io.atomic_write import write_atomically
from ..io.text_format import quoted


class _RepeatedMessages(list):
    """A repeated message field: ``add()`` appends a new message and returns it."""

    def __init__(self, message_class):
        super().__init__()
        self._message_class = message_class

    def add(self, **fields):
        message = self._message_class(**fields)
        self.append(message)
        return message


class _Message:
    """Fields in field-number order, as the text format lists them: ``(name, default factory)``."""
    FIELDS = ()

    def __init__(self, **fields):
        for name, make in self.FIELDS:
            setattr(self, name, make())
        for name, value in fields.items():
            if name not in dict(self.FIELDS):
                raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
            setattr(self, name, value)

    def to_text(self, indent=""):
        """The message in protocol buffers' text format: set fields only, nested messages in braces."""
        lines = []
        for name, _ in self.FIELDS:
            value = getattr(self, name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, _Message):
                    body = item.to_text(indent + "  ")
                    if body or isinstance(value, list):
                        lines.append(f"{indent}{name} {{\n{body}{indent}}}\n")
                elif isinstance(item, str):
                    if item:
                        lines.append(f'{indent}{name}: {quoted(item)}\n')
                elif item is not None:
                    lines.append(f"{indent}{name}: {int(item)}\n")
        return "".join(lines)

    def __str__(self):
        return self.to_text()


class SpriteMetadata(_Message):
    """One image holding a thumbnail per point, each ``single_image_dim`` = [width, height] pixels."""
    FIELDS = (("image_path", str), ("single_image_dim", list))


class EmbeddingInfo(_Message):
    """One embedding: the variable (``tensor_name``, e.g. ``"embeddings:0"`` or its name without ``:0``), a TSV
    file of labels, one row per point (``metadata_path``), and optionally thumbnails (``sprite``)."""
    FIELDS = (("tensor_name", str), ("metadata_path", str), ("bookmarks_path", str), ("tensor_shape", list),
              ("sprite", SpriteMetadata), ("tensor_path", str))


class ProjectorConfig(_Message):
    FIELDS = (("model_checkpoint_path", str), ("embeddings", lambda: _RepeatedMessages(EmbeddingInfo)),
              ("model_checkpoint_dir", str))


PROJECTOR_FILENAME = "projector_config.pbtxt"


def visualize_embeddings(summary_writer, config):
    """Write ``config`` (a ProjectorConfig) to ``projector_config.pbtxt`` in the directory of ``summary_writer``
    (a ``tf.summary.FileWriter``, or anything with ``get_logdir()``), replacing an earlier one whole."""
    if not isinstance(config, ProjectorConfig):
        raise TypeError(f"visualize_embeddings: config must be a projector.ProjectorConfig, got "
                        f"{type(config).__name__}")
    log_dir = summary_writer.get_logdir()
    if log_dir is None:
        raise ValueError("Summary writer must have a logdir")
    text = config.to_text().encode()
    write_atomically(os.path.join(log_dir, PROJECTOR_FILENAME), lambda f: f.write(text))
