"""``tf.keras.preprocessing.text``: texts as word ids, the first step of a text model::

    tokenizer = Tokenizer(num_words=10000, oov_token="<unk>")
    tokenizer.fit_on_texts(train_texts)                  # count the words: the most frequent gets id 1
    ids = tokenizer.texts_to_sequences(texts)            # [[12, 5, 1, ...], ...]: then pad_sequences, Embedding
    counts = tokenizer.texts_to_matrix(texts, "tfidf")   # or one row per text: "binary", "count", "freq"

A text becomes words by ``text_to_word_sequence``: lower-cased, every character of ``filters`` (punctuation, tabs,
newlines) turned into the separator, then split there (empty words dropped); with ``char_level=True`` every
character is a word. ``fit_on_texts`` numbers the words by falling count (ties in order of first appearance),
from 1 — 0 is left for padding — with the ``oov_token``, if given, first. ``num_words`` keeps only ids below it
when texts are converted (a rarer word becomes the oov id, or is dropped without one); the index itself keeps
every word. ``tfidf`` weighs a count c of word j by (1 + log c) · log(1 + documents / (1 + documents with j)).
"""
import math
from collections import Counter, OrderedDict

import numpy

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(text, filters=FILTERS, lower=True, split=" "):
    """The words of ``text``: lower-cased, each ``filters`` character replaced by ``split``, split there."""
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in text.split(split) if word]


class Tokenizer:
    """Word ids for texts (see the module docstring)."""

    def __init__(self, num_words=None, filters=FILTERS, lower=True, split=" ", char_level=False, oov_token=None,
                 document_count=0, **unknown):
        if unknown:
            raise TypeError(f"Tokenizer: unexpected keyword argument(s) {', '.join(sorted(unknown))}")
        self.num_words, self.filters, self.lower, self.split = num_words, filters, lower, split
        self.char_level, self.oov_token, self.document_count = char_level, oov_token, document_count
        self.word_counts = OrderedDict()  # word -> how often it occurs in all texts, in order of first appearance
        self.word_docs = {}  # word -> in how many texts it occurs
        self.word_index, self.index_word, self.index_docs = {}, {}, {}

    def _words(self, text):
        if self.char_level:
            return list(text.lower() if self.lower else text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Count the words of ``texts`` (more may follow in later calls) and number them by falling count."""
        for text in texts:
            self.document_count += 1
            words = self._words(text) if isinstance(text, str) else list(text)
            for word in words:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in set(words):
                self.word_docs[word] = self.word_docs.get(word, 0) + 1
        by_count = sorted(self.word_counts, key=self.word_counts.get, reverse=True)  # stable: ties keep their order
        vocabulary = ([self.oov_token] if self.oov_token is not None else []) + \
            [word for word in by_count if word != self.oov_token]
        self.word_index = {word: i for i, word in enumerate(vocabulary, start=1)}
        self.index_word = {i: word for word, i in self.word_index.items()}
        self.index_docs = {self.word_index[word]: count for word, count in self.word_docs.items()}

    def _kept(self, i):
        return not self.num_words or i < self.num_words

    def texts_to_sequences(self, texts):
        """One list of ids per text; words not in the index (or not among ``num_words``) become the oov id, or
        are dropped without an ``oov_token``."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for text in texts:
            ids = []
            for word in self._words(text) if isinstance(text, str) else text:
                i = self.word_index.get(word)
                if i is not None and self._kept(i):
                    ids.append(i)
                elif oov is not None:
                    ids.append(oov)
            yield ids

    def sequences_to_texts(self, sequences):
        """The words of each list of ids, joined by spaces (unknown or cut-off ids as the oov token, if any)."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        texts = []
        for ids in sequences:
            words = []
            for i in ids:
                word = self.index_word.get(i)
                if word is not None and self._kept(i):
                    words.append(word)
                elif oov is not None:
                    words.append(self.index_word[oov])
            texts.append(" ".join(words))
        return texts

    def texts_to_matrix(self, texts, mode="binary"):
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """A (texts, num_words) array, one row per list of ids: ``mode`` "binary" (1 where the word occurs),
        "count", "freq" (count / length) or "tfidf" (needs ``fit_on_texts`` first)."""
        if mode not in ("binary", "count", "freq", "tfidf"):
            raise ValueError(f"Unknown vectorization mode: {mode!r} (use binary, count, freq or tfidf)")
        if not self.num_words and not self.word_index:
            raise ValueError("Specify a dimension (`num_words` argument), or fit on some text data first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        size = self.num_words or len(self.word_index) + 1
        out = numpy.zeros((len(sequences), size))
        for row, ids in zip(out, sequences):
            if not ids:
                continue
            for j, count in Counter(i for i in ids if i < size).items():
                if mode == "count":
                    row[j] = count
                elif mode == "freq":
                    row[j] = count / len(ids)
                elif mode == "binary":
                    row[j] = 1
                else:
                    idf = math.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    row[j] = (1 + math.log(count)) * idf
        return out
