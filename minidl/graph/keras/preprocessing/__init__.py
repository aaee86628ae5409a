"""``tf.keras.preprocessing``: turning raw data into arrays a model takes — ``sequence.pad_sequences`` (lists of
word ids as one rectangular array), ``text.Tokenizer`` (texts as lists of word ids) and ``image`` (batches of
images, randomly augmented: ``image.ImageDataGenerator``)."""
from . import image, sequence, text

__all__ = ["image", "sequence", "text"]
