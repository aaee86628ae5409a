"""``tf.keras.preprocessing``: turning raw data into arrays a model takes — ``sequence.pad_sequences`` (lists of
word ids as one rectangular array) and ``text.Tokenizer`` (texts as lists of word ids)."""
from . import sequence, text  # noqa: F401  (tf.keras.preprocessing.text.Tokenizer)
