"""CSV (tf.decode_csv, tf.data.experimental.CsvDataset and make_csv_dataset) and the string functions of
tf.strings (to_number, length, lower, upper, join, strip, regex_replace, substr), each checked against
Python's own string methods."""
import re

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import elements, run


def as_text(array):
    return [v.decode() for v in np.asarray(array).reshape(-1)]


# ------------------------------------------------------------------------------------------------ decode_csv

def test_decode_csv_columns_dtypes_defaults_and_quotes():
    records = tf.constant([["1,2.5,a,10", '-7,,"q ""quoted"", with comma",'],
                           ['  3,1e3,"",5', ",nan,plain,-1"]])
    columns = tf.io.decode_csv(records, [[0], [0.0], ["def"], tf.constant([9], tf.int64)])
    assert [c.dtype for c in columns] == [tf.int32, tf.float32, tf.string, tf.int64]
    assert all(c.shape == tf.TensorShape([2, 2]) for c in columns)
    ints, floats, texts, longs = run(columns)
    assert ints.tolist() == [[1, -7], [3, 0]]
    assert floats[0].tolist() == [2.5, 0.0] and floats[1, 0] == 1000.0 and np.isnan(floats[1, 1])
    assert texts.tolist() == [[b"a", b'q "quoted", with comma'], [b"def", b"plain"]]   # "" is empty: the default
    assert longs.dtype == np.int64 and longs.tolist() == [[10, 9], [5, -1]]


def test_decode_csv_scalar_record_na_value_delimiter_and_no_quoting():
    a, b, c = tf.decode_csv("x|NA|3", [[""], [1.5], tf.constant([0.0], tf.float64)], field_delim="|", na_value="NA")
    assert run([a, b, c]) == [b"x", np.float32(1.5), 3.0] and c.dtype == tf.float64
    (text,) = tf.decode_csv('say "hi"', [["?"]], use_quote_delim=False)
    assert run(text) == b'say "hi"'


def test_decode_csv_select_cols_ignores_the_other_columns():
    first, third = tf.decode_csv(["a,1,2.5,junk", "b,2,3.5"], [["?"], [0.0]], select_cols=[0, 2])
    assert run([first, third])[0].tolist() == [b"a", b"b"] and run(third).tolist() == [2.5, 3.5]
    with pytest.raises(ValueError, match="Length of select_cols and record_defaults do not match"):
        tf.decode_csv("a", [[0]], select_cols=[0, 1])
    with pytest.raises(ValueError, match="strictly increasing"):
        tf.decode_csv("a", [[0], [0]], select_cols=[1, 0])


@pytest.mark.parametrize("record, defaults, message", [
    ("1,2", [[0], [0], [0]], "Expect 3 fields but have 2 in record 0"),
    ("1,2,3,", [[0], [0], [0]], "Expect 3 fields but have 4 in record 0"),
    ("1,", [[0], []], "Field 1 is required but missing in record 0!"),
    ("1.5", [[0]], "Field 0 in record 0 is not a valid int32: 1.5"),
    ("3000000000", [[0]], "not a valid int32"),
    ("1_000", [[0]], "not a valid int32"),
    ("abc", [[0.0]], "Field 0 in record 0 is not a valid float: abc"),
    ('"unterminated', [[""]], "Quoted field has to end with quote"),
    ('"a"b', [[""]], "Quote inside a string has to be escaped"),
    ('a"b', [[""]], "Unquoted fields cannot have quotes"),
])
def test_decode_csv_bad_records_fail_when_run(record, defaults, message):
    columns = tf.decode_csv(tf.constant([record]), defaults)
    with pytest.raises(errors.InvalidArgumentError, match=re.escape(message)):
        run(columns)


def test_decode_csv_required_int64_column_and_bad_arguments():
    (column,) = tf.decode_csv(["4", "5"], [tf.constant(np.array([], np.int64))])
    assert run(column).tolist() == [4, 5] and column.dtype == tf.int64
    with pytest.raises(TypeError, match="DataType bool"):
        tf.decode_csv("1", [[True]])
    with pytest.raises(ValueError, match="length-0 or length-1"):
        tf.decode_csv("1", [[1, 2]])
    with pytest.raises(ValueError, match="only 1 char"):
        tf.decode_csv("1", [[1]], field_delim="::")
    with pytest.raises(TypeError, match="records must be a string tensor"):
        tf.decode_csv([1.0], [[1]])


# ------------------------------------------------------------------------------------------------ CsvDataset

def write(path, text):
    path.write_text(text)
    return str(path)


def test_csv_dataset_reads_records_of_every_file(tmp_path):
    first = write(tmp_path / "a.csv", "id,score,name\n1,0.5,ann\n2,,\"b, c\"\r\n")
    second = write(tmp_path / "b.csv", "id,score,name\n3,1.5,dan")
    dataset = tf.data.experimental.CsvDataset([first, second], [tf.int64, [-1.0], ["?"]], header=True)
    assert dataset.output_types == (tf.int64, tf.float32, tf.string)
    assert dataset.output_shapes == (tf.TensorShape([]),) * 3
    assert elements(dataset) == [(1, np.float32(0.5), b"ann"), (2, np.float32(-1.0), b"b, c"),
                                 (3, np.float32(1.5), b"dan")]
    picked = tf.data.experimental.CsvDataset(first, [["?"]], header=True, select_cols=[2])
    assert elements(picked) == [(b"ann",), (b"b, c",)]


def test_csv_dataset_errors_name_the_record(tmp_path):
    path = write(tmp_path / "bad.csv", "1,2\n3\n")
    with pytest.raises(errors.InvalidArgumentError, match="Expect 2 fields but have 1 in record 1 of .*bad.csv"):
        elements(tf.data.experimental.CsvDataset(path, [[0], [0]]))
    with pytest.raises(errors.InvalidArgumentError, match="Field 1 is required but missing"):
        elements(tf.data.experimental.CsvDataset(write(tmp_path / "gap.csv", "1,\n"), [[0], tf.int32]))


# ------------------------------------------------------------------------------------------ make_csv_dataset

@pytest.fixture
def csv_files(tmp_path):
    header = "count,big,ratio,wide,city,empty,label\n"
    rows = [f"{i},{3_000_000_000 + i},{i / 4},{1e40 if i == 0 else i},city{i % 3},,{i % 2}\n" for i in range(10)]
    write(tmp_path / "part1.csv", header + "".join(rows[:6]))
    write(tmp_path / "part2.csv", header + "".join(rows[6:]))
    return str(tmp_path / "part*.csv")


def test_make_csv_dataset_infers_dtypes_and_batches_features_and_labels(csv_files):
    dataset = tf.data.experimental.make_csv_dataset(csv_files, batch_size=4, label_name="label", shuffle=False,
                                                    num_epochs=1)
    features, label = dataset.output_types
    assert features == {"count": tf.int32, "big": tf.int64, "ratio": tf.float32, "wide": tf.float64,
                        "city": tf.string, "empty": tf.string} and label == tf.int32
    assert dataset.output_shapes[1] == tf.TensorShape([None])
    batches = elements(dataset)
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert np.concatenate([f["count"] for f, _ in batches]).tolist() == list(range(10))
    assert np.concatenate([label for _, label in batches]).tolist() == [i % 2 for i in range(10)]
    assert batches[0][0]["big"].dtype == np.int64 and batches[0][0]["empty"].tolist() == [b""] * 4


def test_make_csv_dataset_selects_columns_repeats_and_shuffles_reproducibly(csv_files):
    def first_epoch(seed):
        dataset = tf.data.experimental.make_csv_dataset(csv_files, 5, select_columns=["city", "count"],
                                                        shuffle_seed=seed)
        assert sorted(dataset.output_types) == ["city", "count"]
        assert dataset.output_shapes["count"] == tf.TensorShape([5])   # num_epochs=None: every batch is full
        next_batch = tf.data.make_one_shot_iterator(dataset).get_next()
        with tf.Session() as sess:
            return [sess.run(next_batch)["count"].tolist() for _ in range(2)]

    order = first_epoch(7)
    assert sorted(order[0] + order[1]) == list(range(10)) and order[0] + order[1] != list(range(10))
    with tf.Graph().as_default():
        assert first_epoch(7) == order


def test_make_csv_dataset_given_names_and_defaults_and_errors(csv_files, tmp_path):
    plain = write(tmp_path / "plain.txt", "1,x\n2,y\n")
    dataset = tf.data.experimental.make_csv_dataset(plain, 2, column_names=["n", "s"], column_defaults=[[0.0], [""]],
                                                    header=False, shuffle=False, num_epochs=1)
    (batch,) = elements(dataset)
    assert batch["n"].tolist() == [1.0, 2.0] and batch["s"].tolist() == [b"x", b"y"]
    with pytest.raises(ValueError, match="No files match"):
        tf.data.experimental.make_csv_dataset(str(tmp_path / "*.json"), 2)
    with pytest.raises(ValueError, match="without a header line"):
        tf.data.experimental.make_csv_dataset(plain, 2, header=False)
    with pytest.raises(ValueError, match="`label_name` provided must be one of the columns"):
        tf.data.experimental.make_csv_dataset(csv_files, 2, label_name="price")
    with pytest.raises(ValueError, match="duplicate column names"):
        tf.data.experimental.make_csv_dataset(plain, 2, column_names=["a", "a"], header=False)


# ------------------------------------------------------------------------------------------ string functions

WORDS = ["  Hello World ", "ÉCOLE über", "", "a\tb\n", "MiXeD-123"]


def test_case_strip_and_length_match_python():
    t = tf.constant(WORDS)
    lower, upper, strip, utf8_lower = run([tf.strings.lower(t), tf.strings.upper(t), tf.string_strip(t),
                                           tf.strings.lower(t, encoding="utf-8")])
    raw = [w.encode() for w in WORDS]
    assert lower.tolist() == [w.lower() for w in raw] and upper.tolist() == [w.upper() for w in raw]
    assert strip.tolist() == [w.strip() for w in raw] and tf.strings.strip is tf.string_strip
    assert as_text(utf8_lower) == [w.lower() for w in WORDS]
    lengths, chars = run([tf.strings.length(t), tf.strings.length(t, unit="UTF8_CHAR")])
    assert lengths.dtype == np.int32 and lengths.tolist() == [len(w) for w in raw]
    assert chars.tolist() == [len(w) for w in WORDS]


def test_to_number_matches_python_and_rejects_non_numbers():
    texts = ["3", " -12 ", "+7", "2147483647"]
    assert run(tf.strings.to_number(texts, tf.int32)).tolist() == [int(s) for s in texts]
    floats = ["1.5", "-2e-3", "inf", " 4 "]
    got = run(tf.string_to_number(floats))
    assert got.dtype == np.float32 and got.tolist() == [np.float32(float(s)) for s in floats]
    assert run(tf.string_to_number("1e300", tf.float64)) == 1e300
    for bad, dtype in [("", tf.float32), ("1.5", tf.int64), ("12abc", tf.float64), ("2147483648", tf.int32)]:
        with pytest.raises(errors.InvalidArgumentError, match="StringToNumberOp could not correctly convert string"):
            run(tf.string_to_number(bad, dtype))
    with pytest.raises(TypeError, match="out_type"):
        tf.string_to_number("1", tf.bool)


def test_join_substr_and_regex_replace_match_python():
    left, right = ["a", "bc", ""], ["x", "", "z"]
    joined = run(tf.string_join([left, right, "!"], separator="-"))
    assert as_text(joined) == ["-".join(p) for p in zip(left, right, ["!"] * 3)] and tf.strings.join is tf.string_join
    words = ["hello", "ab", "hé!"]
    assert as_text(run(tf.substr(words, 1, 3))) == [w.encode()[1:4].decode() for w in words]
    assert as_text(run(tf.strings.substr(words, [0, -2, 1], 2))) == ["he", "ab", "é"]
    assert as_text(run(tf.substr(words, 1, 5, unit="UTF8_CHAR"))) == [w[1:6] for w in words]
    with pytest.raises(errors.InvalidArgumentError, match="pos 6 out of range"):
        run(tf.substr(words, 6, 1))
    lines = ["a1b22c333", "no digits", "7"]
    assert as_text(run(tf.regex_replace(lines, r"(\d+)", r"<\1>"))) == [re.sub(r"(\d+)", r"<\1>", s) for s in lines]
    assert as_text(run(tf.strings.regex_replace(lines, r"\d", "#", replace_global=False))) == \
        [re.sub(r"\d", "#", s, count=1) for s in lines]
    assert as_text(run(tf.regex_replace("ab", "(a)(b)", r"\2\0\\"))) == ["bab\\"]
    with pytest.raises(errors.InvalidArgumentError, match="Invalid pattern"):
        run(tf.regex_replace("ab", "(", "x"))


def test_string_functions_refuse_numbers():
    with pytest.raises(TypeError, match="must be a string tensor"):
        tf.strings.length([1, 2])
