"""tf.app.flags / tf.app.run and tf.gfile / tf.io.gfile, as TF1 scripts use them."""
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import minidl.graph as tf
from minidl.graph import flags as flags_module


@pytest.fixture
def flag_values():
    """A fresh set of flags (FLAGS itself is shared by the whole process, as in absl)."""
    return flags_module.FlagValues()


def define_usual(fv):
    tf.flags.DEFINE_string("data_dir", "/tmp/data", "where the data is", flag_values=fv)
    tf.flags.DEFINE_integer("batch_size", 64, "examples per step", lower_bound=1, flag_values=fv)
    tf.flags.DEFINE_float("learning_rate", 0.01, "step size", flag_values=fv)
    tf.flags.DEFINE_boolean("fake_data", False, "use made-up data", flag_values=fv)
    tf.flags.DEFINE_list("gpus", [], "devices", flag_values=fv)
    tf.flags.DEFINE_enum("mode", "train", ["train", "eval"], "what to do", flag_values=fv)


def test_flags_parse_every_form_and_keep_the_other_arguments(flag_values):
    define_usual(flag_values)
    rest = flag_values(["prog", "--batch_size=128", "file1", "--learning_rate", "0.5", "--fake_data",
                        "--gpus=0,1", "--mode=eval", "--", "--not-a-flag"])
    assert rest == ["prog", "file1", "--not-a-flag"]
    assert (flag_values.batch_size, flag_values.learning_rate, flag_values.fake_data) == (128, 0.5, True)
    assert flag_values.gpus == ["0", "1"] and flag_values.mode == "eval" and flag_values.data_dir == "/tmp/data"
    flag_values(["prog", "--nofake_data", "-batch_size", "3"])
    assert flag_values.fake_data is False and flag_values.batch_size == 3
    flag_values.learning_rate = 1  # set in code, converted to the flag's type
    assert flag_values.learning_rate == 1.0 and isinstance(flag_values.learning_rate, float)
    assert flag_values.flag_values_dict()["mode"] == "eval" and flag_values.is_parsed()


@pytest.mark.parametrize("argv, error, message", [
    (["p", "--unknown=1"], "UnrecognizedFlagError", "Unknown command line flag 'unknown'"),
    (["p", "--batch_size=abc"], "IllegalFlagValueError", "batch_size"),
    (["p", "--batch_size=0"], "IllegalFlagValueError", "outside"),
    (["p", "--fake_data=maybe"], "IllegalFlagValueError", "true or false"),
    (["p", "--mode=test"], "IllegalFlagValueError", "train|eval"),
    (["p", "--batch_size"], "IllegalFlagValueError", "expected a value"),
    (["p", "--nobatch_size"], "UnrecognizedFlagError", "nobatch_size"),
])
def test_bad_command_lines_are_clear_errors(flag_values, argv, error, message):
    define_usual(flag_values)
    with pytest.raises(getattr(flags_module, error), match=message):
        flag_values(argv)


def test_defining_a_flag_twice_or_setting_an_unknown_one_is_an_error(flag_values):
    define_usual(flag_values)
    with pytest.raises(flags_module.DuplicateFlagError, match="The flag 'batch_size' is defined twice"):
        tf.flags.DEFINE_integer("batch_size", 1, "again", flag_values=flag_values)
    with pytest.raises(AttributeError, match="define it first"):
        flag_values.epochs = 3


def test_a_tf1_script_runs_with_app_run_and_reads_flags_parsed_on_first_use(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import minidl.graph as tf
        flags = tf.app.flags
        flags.DEFINE_integer("steps", 2, "training steps")
        flags.DEFINE_string("name", "run", "a name")
        FLAGS = flags.FLAGS

        def main(argv):
            x = tf.Variable(0.0)
            step = tf.assign_add(x, 1.0)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(FLAGS.steps):
                    sess.run(step)
                print(FLAGS.name, sess.run(x), argv[1:])
            return 3

        if __name__ == "__main__":
            if FLAGS.name == "peek":   # read before app.run: TF1 parsed sys.argv on first use
                print("peeked", FLAGS.steps)
            tf.app.run()
    """))
    repo = str(pathlib.Path(tf.__file__).parents[2])  # the folder holding minidl/, for a checkout not installed
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, str(script), "--steps=5", "extra", "--name", "peek"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 3, run.stderr  # main's return value is the exit status
    assert run.stdout.split("\n")[:2] == ["peeked 5", "peek 5.0 ['extra']"]


def test_gfile_functions_work_on_local_files_with_tf_errors(tmp_path):
    root = str(tmp_path / "a")
    tf.gfile.MakeDirs(os.path.join(root, "b", "c"))
    assert tf.gfile.IsDirectory(root) and tf.io.gfile.isdir(os.path.join(root, "b"))
    path = os.path.join(root, "notes.txt")
    with tf.gfile.GFile(path, "w") as f:
        f.write("one\ntwo\n")
    with tf.io.gfile.GFile(path) as f:
        assert list(f) == ["one\n", "two\n"]
    with tf.gfile.Open(path, "rb") as f:
        assert f.read() == b"one\ntwo\n"
    assert tf.gfile.Stat(path).length == 8 and not tf.gfile.Stat(path).is_directory
    assert tf.gfile.GFile(path).size() == 8
    assert tf.gfile.ListDirectory(root) == ["b", "notes.txt"]
    assert tf.gfile.Glob(os.path.join(root, "*.txt")) == [path]
    tf.gfile.Copy(path, path + ".bak")
    with pytest.raises(tf.errors.AlreadyExistsError, match="File exists"):
        tf.gfile.Copy(path, path + ".bak")
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.io.gfile.rename(path, path + ".bak")
    tf.io.gfile.rename(path, path + ".bak", overwrite=True)
    assert not tf.gfile.Exists(path) and tf.gfile.Exists(path + ".bak")
    walked = [(os.path.relpath(d, root), sorted(sub), sorted(files)) for d, sub, files in tf.gfile.Walk(root)]
    assert walked == [(".", ["b"], ["notes.txt.bak"]), ("b", ["c"], []), (os.path.join("b", "c"), [], [])]
    with pytest.raises(tf.errors.NotFoundError, match="No such file"):
        tf.gfile.GFile(path).read()
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.Remove(path)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.ListDirectory(path)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.MkDir(os.path.join(root, "x", "y"))
    with pytest.raises(ValueError, match="mode"):
        tf.gfile.GFile(path, "x")
    tf.gfile.DeleteRecursively(root)
    assert not tf.io.gfile.exists(root)
