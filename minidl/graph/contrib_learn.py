"""``tf.contrib.learn.preprocessing``: ``VocabularyProcessor``, which turns sentences into fixed-length vectors of
word ids — the first step of TF 1.x's text classifiers (the text-CNN program of its day)::

    from tensorflow.contrib import learn
    vocab_processor = learn.preprocessing.VocabularyProcessor(max_document_length)
    x = np.array(list(vocab_processor.fit_transform(x_text)))   # int64, [len(x_text), max_document_length]
    embedding = tf.get_variable("embedding", [len(vocab_processor.vocabulary_), 128])
    vocab_processor.save("vocab")                                # and VocabularyProcessor.restore("vocab") later

**Words.** The default tokenizer finds them with TF's regular expression ``TOKENIZER_RE``: a run of letters,
digits, ``_``, apostrophes and hyphens is a word (``"don't"``, ``"e-mail"``); anything else separates words and is
dropped (``"3.14"`` is ``"3"``, ``"14"``). Two of its rules split words written together: ``"CamelCase"`` is
``"Camel"``, ``"Case"``, and ``"HTTPServer"`` is ``"HTTP"``, ``"Server"``. Case is kept: ``"The"`` and ``"the"``
are two words. ``tokenizer_fn`` replaces it: a function from an iterable of documents to one list of words per
document.

**Ids.** Id 0 is ``"<UNK>"``: the padding after a short document's last word, and any word the vocabulary does
not know. ``fit`` counts the words of the documents, giving each new one the next id (1, 2, ...) in the order of
first appearance, then freezes the vocabulary: later unknown words get 0 instead of new ids. With
``min_frequency`` > 0 it first *trims*: only the words seen **more than** ``min_frequency`` times are kept (TF's
rule: ``min_frequency=1`` drops the words seen once), renumbered by decreasing count, ties in alphabetical order.

``transform(documents)`` yields one int64 vector of ``max_document_length`` ids per document: its first words, then
zeros. It is a generator (wrap it in ``list``), and so is ``fit_transform``, which fits first — so it needs a list
of documents, not an iterator that the fit would use up. ``reverse(id_vectors)`` yields the words back, joined by
spaces, the padding as ``"<UNK>"``.

**Saving.** ``save(filename)`` writes JSON: the two numbers and the vocabulary (its words in id order, their
counts, whether it is frozen), into a temporary file renamed over ``filename``. TF pickled the whole processor;
minidl never unpickles, since loading a pickle can run any code, so TF's saved vocabularies cannot be restored.
A ``tokenizer_fn`` of yours is code, which JSON cannot hold: pass it to ``restore`` again (a file saved with one
will not restore without it).
"""
import itertools
import json
import os
import re
import types

import numpy

from ..io.atomic_write import write_atomically

__all__ = ["CategoricalVocabulary", "VocabularyProcessor", "preprocessing", "tokenizer"]

#: TF's word pattern (tensorflow/contrib/learn/python/learn/preprocessing/text.py): a run of 2+ capitals not
#: followed by a lower-case letter, a capitalized word followed by a capital, or a run of word characters, ' and -
TOKENIZER_RE = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|[\'\w\-]+", re.UNICODE)

_FORMAT = "minidl VocabularyProcessor"


def tokenizer(iterator):
    """The default tokenizer: for each document (a str) of ``iterator``, the list of its words."""
    for value in iterator:
        if not isinstance(value, str):
            raise TypeError(f"VocabularyProcessor: each document must be a str, got {type(value).__name__} "
                            f"{value!r:.60} (decode bytes first, e.g. value.decode('utf-8'))")
        yield TOKENIZER_RE.findall(value)


class CategoricalVocabulary:
    """Ids for categories (words; ints too): ``get`` gives a new category the next id until ``freeze``; id 0 is
    ``unknown_token``. ``add`` also counts, for ``trim``. ``support_reverse`` keeps the list that ``reverse``
    reads ids from."""

    def __init__(self, unknown_token="<UNK>", support_reverse=True):
        self._unknown_token = unknown_token
        self._mapping = {unknown_token: 0}
        self._support_reverse = support_reverse
        if support_reverse:
            self._reverse_mapping = [unknown_token]
        self._freq = {}
        self._freeze = False

    def __len__(self):
        """How many categories have ids, ``unknown_token`` included."""
        return len(self._mapping)

    def freeze(self, freeze=True):
        """Stop (or, with False, resume) giving new categories ids."""
        self._freeze = freeze

    def get(self, category):
        """The id of ``category``: a new one (the next) unless the vocabulary is frozen, then 0."""
        if category not in self._mapping:
            if self._freeze:
                return 0
            self._mapping[category] = len(self._mapping)
            if self._support_reverse:
                self._reverse_mapping.append(category)
        return self._mapping[category]

    def add(self, category, count=1):
        """Count ``count`` more of ``category`` (giving it an id as ``get`` does); the unknown token is not counted,
        nor is a new category once frozen."""
        if self.get(category) > 0:
            self._freq[category] = self._freq.get(category, 0) + count

    def trim(self, min_frequency, max_frequency=-1):
        """Keep the categories counted more than ``min_frequency`` times (and, if ``max_frequency`` > 0, fewer than
        ``max_frequency`` times: too common a word says little), renumbered 1, 2, ... by decreasing count, ties in
        alphabetical order."""
        # two stable sorts: by name (ints before strs, as TF's key puts them), then by count
        by_name = sorted(self._freq.items(), key=lambda item: (isinstance(item[0], str), item[0]))
        ranked = sorted(by_name, key=lambda item: item[1], reverse=True)
        kept = [(category, count) for category, count in ranked
                if count > min_frequency and not 0 < max_frequency <= count]
        self._mapping = {self._unknown_token: 0}
        self._mapping.update((category, i) for i, (category, _) in enumerate(kept, 1))
        if self._support_reverse:
            self._reverse_mapping = [self._unknown_token] + [category for category, _ in kept]
        self._freq = dict(kept)

    def reverse(self, class_id):
        """The category whose id is ``class_id``."""
        if not self._support_reverse:
            raise ValueError("This vocabulary wasn't initialized with support_reverse to support reverse() function.")
        return self._reverse_mapping[class_id]

    # ----------------------------------------------------------------------------------- as JSON (save, restore)
    def _as_json(self):
        categories = sorted(self._mapping, key=self._mapping.get)  # in id order: the ids are 0, 1, 2, ...
        for category in categories:
            if not isinstance(category, (str, int)):
                raise TypeError(f"VocabularyProcessor.save: the category {category!r} "
                                f"({type(category).__name__}) is neither a str nor an int: JSON cannot hold it")
        return {"unknown_token": self._unknown_token, "support_reverse": self._support_reverse,
                "categories": categories, "counts": [[category, count] for category, count in self._freq.items()],
                "frozen": self._freeze}

    @classmethod
    def _from_json(cls, fields):
        vocabulary = cls(fields["unknown_token"], fields["support_reverse"])
        categories = fields["categories"]
        vocabulary._mapping = {category: i for i, category in enumerate(categories)}
        if vocabulary._support_reverse:
            vocabulary._reverse_mapping = list(categories)
        vocabulary._freq = {category: count for category, count in fields["counts"]}
        vocabulary._freeze = fields["frozen"]
        return vocabulary


class VocabularyProcessor:
    """Documents to vectors of ``max_document_length`` word ids (see the module docstring). ``vocabulary``: a
    ``CategoricalVocabulary`` to start from (a new one by default), kept as ``vocabulary_``."""

    def __init__(self, max_document_length, min_frequency=0, vocabulary=None, tokenizer_fn=None):
        if isinstance(max_document_length, bool) or not isinstance(max_document_length, (int, numpy.integer)) \
                or max_document_length < 0:
            raise ValueError(f"VocabularyProcessor: max_document_length must be an integer >= 0, got "
                             f"{max_document_length!r}")
        self.max_document_length = int(max_document_length)
        self.min_frequency = min_frequency
        self.vocabulary_ = CategoricalVocabulary() if vocabulary is None else vocabulary
        self._tokenizer = tokenizer if tokenizer_fn is None else tokenizer_fn

    def fit(self, raw_documents, unused_y=None):
        """Count the words of ``raw_documents``, trim by ``min_frequency`` if it is > 0, and freeze the vocabulary;
        returns the processor."""
        for tokens in self._tokenizer(raw_documents):
            for token in tokens:
                self.vocabulary_.add(token)
        if self.min_frequency > 0:
            self.vocabulary_.trim(self.min_frequency)
        self.vocabulary_.freeze()
        return self

    def fit_transform(self, raw_documents, unused_y=None):
        """``fit(raw_documents)``, then ``transform(raw_documents)`` (a list: both read it)."""
        self.fit(raw_documents)
        return self.transform(raw_documents)

    def transform(self, raw_documents):
        """For each document, an int64 vector of ``max_document_length`` ids: its first words', then zeros."""
        for tokens in self._tokenizer(raw_documents):
            word_ids = numpy.zeros(self.max_document_length, numpy.int64)
            for index, token in enumerate(itertools.islice(tokens, self.max_document_length)):
                word_ids[index] = self.vocabulary_.get(token)
            yield word_ids

    def reverse(self, documents):
        """For each vector of ids, its words joined by spaces (id 0 as the unknown token)."""
        for item in documents:
            yield " ".join(self.vocabulary_.reverse(class_id) for class_id in item)

    def save(self, filename):
        """Write the processor to ``filename`` as JSON (written aside, then renamed over it)."""
        if not isinstance(self.vocabulary_, CategoricalVocabulary):
            raise TypeError(f"VocabularyProcessor.save: can save a CategoricalVocabulary only, not "
                            f"{type(self.vocabulary_).__name__}")
        custom = self._tokenizer is not tokenizer
        state = {"format": _FORMAT, "version": 1, "max_document_length": self.max_document_length,
                 "min_frequency": self.min_frequency,
                 "tokenizer": getattr(self._tokenizer, "__qualname__", repr(self._tokenizer)) if custom else None,
                 "vocabulary": self.vocabulary_._as_json()}
        text = json.dumps(state, ensure_ascii=False, indent=1)
        write_atomically(filename, lambda f: f.write(text.encode("utf-8")))

    @classmethod
    def restore(cls, filename, tokenizer_fn=None):
        """The processor ``save`` wrote to ``filename``; ``tokenizer_fn``: the tokenizer it was saved with, if not
        the default one."""
        with open(filename, "rb") as f:
            data = f.read()
        try:
            state = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            state = None
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"VocabularyProcessor.restore: {os.fsdecode(filename)} was not written by minidl's "
                             f"VocabularyProcessor.save (TF's pickled vocabularies cannot be read: minidl does not "
                             f"unpickle, as loading a pickle can run any code)")
        if state["tokenizer"] is not None and tokenizer_fn is None:
            raise ValueError(f"VocabularyProcessor.restore: {os.fsdecode(filename)} was saved with the tokenizer "
                             f"{state['tokenizer']}, which a file cannot hold: pass it again as tokenizer_fn=")
        return cls(state["max_document_length"], state["min_frequency"],
                   CategoricalVocabulary._from_json(state["vocabulary"]), tokenizer_fn)


#: ``tf.contrib.learn.preprocessing`` (contrib.py makes ``tf.contrib.learn`` of it)
preprocessing = types.SimpleNamespace(VocabularyProcessor=VocabularyProcessor,
                                      CategoricalVocabulary=CategoricalVocabulary, tokenizer=tokenizer)
