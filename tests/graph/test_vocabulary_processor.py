"""tf.contrib.learn.preprocessing.VocabularyProcessor: TF's tokenizer, word ids in order of first appearance (or by
count after min_frequency trimming), padding and truncation, reverse, and saving as JSON. The ids are worked out
by hand below."""
import json
import os
import pickle

import numpy as np
import pytest

import minidl.graph as tf

learn = tf.contrib.learn
DOCUMENTS = ["The cat sat on the mat.", "The dog ate the cat's food!", "A cat-like dog"]
# words in order of first appearance: The cat sat on the mat | dog ate cat's food | A cat-like
IDS = {"<UNK>": 0, "The": 1, "cat": 2, "sat": 3, "on": 4, "the": 5, "mat": 6, "dog": 7, "ate": 8, "cat's": 9,
       "food": 10, "A": 11, "cat-like": 12}


def test_tokenizer_is_tfs_regular_expression():
    words = list(learn.preprocessing.tokenizer(["CamelCase HTTPServer don't e-mail, 3.14 NASA iPhone naïve"]))
    assert words == [["Camel", "Case", "HTTP", "Server", "don't", "e-mail", "3", "14", "NASA", "iPhone", "naïve"]]


def test_fit_transform_the_text_cnn_way():
    vocab_processor = learn.preprocessing.VocabularyProcessor(5)
    x = np.array(list(vocab_processor.fit_transform(DOCUMENTS)))
    assert x.dtype == np.int64 and x.shape == (3, 5)
    np.testing.assert_array_equal(x, [[1, 2, 3, 4, 5],      # "mat" cut: 5 words at most
                                      [1, 7, 8, 5, 9],
                                      [11, 12, 7, 0, 0]])   # padded with 0
    assert len(vocab_processor.vocabulary_) == len(IDS)     # every word of the documents, "mat" too
    assert {word: vocab_processor.vocabulary_.get(word) for word in IDS} == IDS
    # fitted, the vocabulary is frozen: unknown words are 0 and get no id
    np.testing.assert_array_equal(list(vocab_processor.transform(["the bird sat"])), [[5, 0, 3, 0, 0]])
    assert len(vocab_processor.vocabulary_) == len(IDS)
    assert list(vocab_processor.reverse(x[2:])) == ["A cat-like dog <UNK> <UNK>"]


def test_min_frequency_keeps_words_seen_more_often_renumbered_by_count():
    vocab_processor = learn.preprocessing.VocabularyProcessor(5, min_frequency=1)
    x = np.array(list(vocab_processor.fit_transform(DOCUMENTS)))
    # seen twice: The, the, dog (the rest once, dropped); ties in alphabetical order: "The" < "dog" < "the"
    assert [vocab_processor.vocabulary_.reverse(i) for i in range(4)] == ["<UNK>", "The", "dog", "the"]
    assert len(vocab_processor.vocabulary_) == 4
    np.testing.assert_array_equal(x, [[1, 0, 0, 0, 3], [1, 2, 0, 3, 0], [0, 0, 2, 0, 0]])
    # "more than": with min_frequency=2 no word is left
    emptied = learn.preprocessing.VocabularyProcessor(3, min_frequency=2)
    assert np.array(list(emptied.fit_transform(DOCUMENTS))).sum() == 0 and len(emptied.vocabulary_) == 1


def test_categorical_vocabulary():
    vocabulary = learn.preprocessing.CategoricalVocabulary()
    for word in ["b", "a", "b", "c", "b", "a", "<UNK>"]:
        vocabulary.add(word)
    assert [vocabulary.get(w) for w in ["<UNK>", "b", "a", "c"]] == [0, 1, 2, 3]
    vocabulary.trim(0, max_frequency=3)   # "b" (3 times) is too common; then by count: a (2), c (1)
    assert [vocabulary.reverse(i) for i in range(len(vocabulary))] == ["<UNK>", "a", "c"]
    vocabulary.freeze()
    assert vocabulary.get("new") == 0 and len(vocabulary) == 3
    vocabulary.freeze(False)
    assert vocabulary.get("new") == 3
    with pytest.raises(ValueError, match="support_reverse"):
        learn.preprocessing.CategoricalVocabulary(support_reverse=False).reverse(0)


def test_save_and_restore_as_json(tmp_path):
    vocab_processor = learn.preprocessing.VocabularyProcessor(5, min_frequency=1)
    expected = np.array(list(vocab_processor.fit_transform(DOCUMENTS)))
    path = str(tmp_path / "vocab")
    vocab_processor.save(path)
    assert os.listdir(tmp_path) == ["vocab"]   # written aside, then renamed: no temporary file left
    with open(path, encoding="utf-8") as f:
        assert json.load(f)["vocabulary"]["categories"] == ["<UNK>", "The", "dog", "the"]
    restored = learn.preprocessing.VocabularyProcessor.restore(path)
    assert restored.max_document_length == 5 and restored.min_frequency == 1
    np.testing.assert_array_equal(list(restored.transform(DOCUMENTS)), expected)
    assert len(restored.vocabulary_) == 4 and restored.vocabulary_.get("unseen") == 0   # still frozen
    assert list(restored.reverse([[2, 3, 0]])) == ["dog the <UNK>"]


def test_a_custom_tokenizer_must_be_given_again(tmp_path):
    def by_commas(documents):
        return (document.split(",") for document in documents)

    vocab_processor = learn.preprocessing.VocabularyProcessor(3, tokenizer_fn=by_commas)
    np.testing.assert_array_equal(list(vocab_processor.fit_transform(["a b,c", "c,a b,d,e"])),
                                  [[1, 2, 0], [2, 1, 3]])
    path = str(tmp_path / "vocab.json")
    vocab_processor.save(path)
    with pytest.raises(ValueError, match="by_commas.*tokenizer_fn="):
        learn.preprocessing.VocabularyProcessor.restore(path)
    restored = learn.preprocessing.VocabularyProcessor.restore(path, tokenizer_fn=by_commas)
    np.testing.assert_array_equal(list(restored.transform(["d,a b"])), [[3, 1, 0]])


def test_bad_input(tmp_path):
    with pytest.raises(TypeError, match="each document must be a str, got bytes"):
        list(learn.preprocessing.VocabularyProcessor(3).fit_transform([b"raw bytes"]))
    with pytest.raises(ValueError, match="max_document_length must be an integer >= 0, got -1"):
        learn.preprocessing.VocabularyProcessor(-1)
    pickled = tmp_path / "tf_vocab"
    pickled.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ValueError, match="does not unpickle"):
        learn.preprocessing.VocabularyProcessor.restore(str(pickled))
    vocab_processor = learn.preprocessing.VocabularyProcessor(2)
    vocab_processor.vocabulary_.add(("a", "tuple"))
    with pytest.raises(TypeError, match="neither a str nor an int"):
        vocab_processor.save(str(tmp_path / "vocab"))


def test_import_paths():
    from minidl.graph.contrib import learn as imported
    from minidl.graph.contrib.learn.preprocessing import VocabularyProcessor
    assert imported is learn and VocabularyProcessor is learn.preprocessing.VocabularyProcessor
