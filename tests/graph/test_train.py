"""tf.train: optimizers (checked against their update formulas), global step, schedules and Saver."""
import os

import numpy as np
import pytest

import minidl.graph as tf


def _quadratic(start):
    """A variable w and the loss sum((w - 3)^2), whose gradient is 2(w - 3)."""
    w = tf.Variable(np.array(start, dtype=np.float64), name="w")
    loss = tf.reduce_sum(tf.square(w - 3.0))
    return w, loss


def _run_steps(optimizer, steps, start=(0.0, 1.0)):
    w, loss = _quadratic(start)
    train = optimizer.minimize(loss)
    values = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(train)
            values.append(sess.run(w).copy())
    return values


def test_gradient_descent_step(graph):
    (w1,) = _run_steps(tf.train.GradientDescentOptimizer(0.1), 1)
    np.testing.assert_allclose(w1, np.array([0.0, 1.0]) - 0.1 * 2 * (np.array([0.0, 1.0]) - 3))


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_steps(graph, nesterov):
    values = _run_steps(tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=nesterov), 3)
    w, a = np.array([0.0, 1.0]), np.zeros(2)
    for got in values:
        g = 2 * (w - 3)
        a = 0.9 * a + g
        w = w - 0.1 * (g + 0.9 * a if nesterov else a)
        np.testing.assert_allclose(got, w)


def test_adam_steps_match_the_formula(graph):
    values = _run_steps(tf.train.AdamOptimizer(0.1), 3)
    w, m, v = np.array([0.0, 1.0]), np.zeros(2), np.zeros(2)
    for t, got in enumerate(values, start=1):
        g = 2 * (w - 3)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        lr_t = 0.1 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        w = w - lr_t * m / (np.sqrt(v) + 1e-8)
        np.testing.assert_allclose(got, w, rtol=1e-6)


def test_rmsprop_and_adagrad_steps(graph):
    (rms,) = _run_steps(tf.train.RMSPropOptimizer(0.1), 1)
    g = 2 * (np.array([0.0, 1.0]) - 3)
    ms = 0.9 * 1.0 + 0.1 * g * g
    np.testing.assert_allclose(rms, np.array([0.0, 1.0]) - 0.1 * g / np.sqrt(ms + 1e-10))
    (ada,) = _run_steps(tf.train.AdagradOptimizer(0.1), 1)
    np.testing.assert_allclose(ada, np.array([0.0, 1.0]) - 0.1 * g / np.sqrt(0.1 + g * g))


@pytest.mark.parametrize("make", [
    lambda: tf.train.GradientDescentOptimizer(0.1), lambda: tf.train.MomentumOptimizer(0.05, 0.9),
    lambda: tf.train.AdamOptimizer(0.3), lambda: tf.train.RMSPropOptimizer(0.05), lambda: tf.train.AdagradOptimizer(1.0),
])
def test_every_optimizer_solves_a_quadratic(graph, make):
    values = _run_steps(make(), 150)
    np.testing.assert_allclose(values[-1], [3.0, 3.0], atol=0.05)


def test_slots_are_named_like_tf_and_initialized_by_global_init(graph):
    w, loss = _quadratic([1.0])
    opt = tf.train.AdamOptimizer()
    opt.minimize(loss)
    assert sorted(opt.get_slot_names()) == ["m", "v"]
    assert opt.get_slot(w, "m").op.name == "w/Adam" and opt.get_slot(w, "v").op.name == "w/Adam_1"
    assert {v.op.name for v in opt.variables()} >= {"beta1_power", "beta2_power"}
    assert all(not v.trainable for v in opt.variables())


def test_global_step_increments_and_decay(graph):
    step = tf.train.get_or_create_global_step()
    assert tf.train.get_or_create_global_step() is step
    lr = tf.train.exponential_decay(0.5, step, decay_steps=2, decay_rate=0.1, staircase=True)
    w, loss = _quadratic([0.0])
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        seen = []
        for _ in range(4):
            seen.append(float(sess.run(lr)))
            sess.run(train)
        assert int(sess.run(step)) == 4
    np.testing.assert_allclose(seen, [0.5, 0.5, 0.05, 0.05])


def test_no_gradients_is_a_clear_error(graph):
    w = tf.Variable(1.0)
    unrelated = tf.constant(2.0) * 3.0
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.train.GradientDescentOptimizer(0.1).minimize(unrelated, var_list=[w])


# ---------------------------------------------------------------------------------------------- Saver

def test_save_restore_round_trip_and_checkpoint_state(graph, tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    saver = tf.train.Saver(max_to_keep=2)
    prefix = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(w.initializer)
        paths = [saver.save(sess, prefix, global_step=step) for step in (1, 2, 3)]
        assert paths == [prefix + "-1", prefix + "-2", prefix + "-3"]
        assert saver.last_checkpoints == paths[1:]
        assert not tf.train.checkpoint_exists(paths[0]), "max_to_keep deletes the oldest"
        assert tf.train.latest_checkpoint(str(tmp_path)) == paths[-1]
        sess.run(w.assign([5.0, 6.0]))
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0])
    with tf.Session() as fresh:  # restoring is an alternative to running the initializer
        saver.restore(fresh, paths[-1])
        np.testing.assert_array_equal(fresh.run(w), [1.0, 2.0])


def test_restore_errors_name_the_variable_and_shapes(tmp_path):
    with tf.Graph().as_default():
        w = tf.Variable([1.0, 2.0], name="w")
        with tf.Session() as sess:
            sess.run(w.initializer)
            path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        tf.Variable([1.0, 2.0, 3.0], name="w")
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match=r"w, the checkpoint holds shape \(2,\).*\(3,\)"):
            tf.train.Saver().restore(sess, path)
    with tf.Graph().as_default():
        tf.Variable([1.0], name="other")
        with tf.Session() as sess, pytest.raises(tf.errors.NotFoundError, match="Key other not found"):
            tf.train.Saver().restore(sess, path)
        with tf.Session() as sess, pytest.raises(tf.errors.NotFoundError, match="not a valid checkpoint"):
            tf.train.Saver().restore(sess, str(tmp_path / "missing"))


def test_saving_never_corrupts_the_previous_checkpoint(graph, tmp_path, monkeypatch):
    w = tf.Variable([1.0], name="w")
    saver = tf.train.Saver()
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(w.initializer)
        saver.save(sess, prefix)
        sess.run(w.assign([9.0]))
        import minidl.io.array_file as array_file

        def crash(*args, **kwargs):
            raise OSError("disk full")
        monkeypatch.setattr(array_file.os, "fsync", crash)
        with pytest.raises(OSError):
            saver.save(sess, prefix)
        monkeypatch.undo()
        saver.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), [1.0])
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "m.index", "m.meta"]  # and no half-written file


def test_optimizer_constants_callable_learning_rate_and_the_train_op_collection():
    """TF1 programs pass tf.train.Optimizer.GATE_NONE and tf.AggregationMethod.ADD_N, and may give the learning
    rate as a function; apply_gradients adds its op to the TRAIN_OP collection."""
    w = tf.Variable(3.0)
    train = tf.train.GradientDescentOptimizer(lambda: 0.1).minimize(w * w, gate_gradients=tf.train.Optimizer.GATE_NONE,
                                                                   aggregation_method=tf.AggregationMethod.ADD_N)
    (grad,) = tf.gradients(w * w, [w], aggregation_method=tf.AggregationMethod.DEFAULT)
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train]
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(grad) == 6.0
        sess.run(train)
        assert sess.run(w) == pytest.approx(2.4)


def _two_lookup_steps(optimizer, lookup):
    """Two steps on a 3-row table: the first looks up rows 0 and 1, the second row 1 twice; returns the table."""
    table = tf.Variable(np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]), dtype=tf.float64)
    ids = tf.placeholder(tf.int32, [None])
    loss = tf.reduce_sum(lookup(table, ids) * np.array([1.0, -1.0]))
    train = optimizer.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {ids: [0, 1]})
        sess.run(train, {ids: [1, 1]})
        return sess.run(table)


@pytest.mark.parametrize("lookup", [tf.nn.embedding_lookup, tf.gather,
                                    lambda t, ids: tf.gather(t, ids[:1]) + tf.nn.embedding_lookup(t, ids[1:])])
def test_momentum_moves_only_the_rows_looked_up(graph, lookup):
    """TF1's sparse update (IndexedSlices): row 0 keeps its momentum but does not move in the second step, row 2
    never moves; repeated ids add up (row 1's second gradient is 2)."""
    table = _two_lookup_steps(tf.train.MomentumOptimizer(0.25, 0.5), lookup)
    step = np.array([1.0, -1.0])
    row0 = np.array([1.0, 2.0]) - 0.25 * step                  # accumulation 1·g, then untouched
    row1 = row0 - 0.25 * (0.5 * step + 2 * step)                # accumulation 0.5·g + 2g in the second step
    np.testing.assert_allclose(table, [row0, row1, [1.0, 2.0]])


@pytest.mark.parametrize("make", [lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5),
                                  lambda: tf.train.RMSPropOptimizer(0.1, centered=True),
                                  lambda: tf.train.AdadeltaOptimizer(1.0)])
def test_rmsprop_and_adadelta_leave_rows_not_looked_up_alone(graph, make):
    """After a step that looks up rows 0 and 1, a step that looks up row 1 only changes neither row 0 nor row 2 of
    the table or of any slot (dense updates would decay row 0's slots and, with momentum, move it)."""
    table = tf.Variable(np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]), dtype=tf.float64)
    ids = tf.placeholder(tf.int32, [None])
    optimizer = make()
    train = optimizer.minimize(tf.reduce_sum(tf.nn.embedding_lookup(table, ids) * np.array([1.0, -1.0])))
    state = [table] + [optimizer.get_slot(table, name) for name in optimizer.get_slot_names()]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {ids: [0, 1]})
        before = sess.run(state)
        sess.run(train, {ids: [1]})
        after = sess.run(state)
    for old, new in zip(before, after):
        np.testing.assert_array_equal(new[[0, 2]], old[[0, 2]])
    assert not np.array_equal(after[0][1], before[0][1])


def test_dense_gradients_still_update_every_row(graph):
    table = _two_lookup_steps(tf.train.MomentumOptimizer(0.25, 0.5), lambda t, ids: tf.gather(t * 1.0, ids))
    assert not np.allclose(table[0], [1.0, 2.0] - 0.25 * np.array([1.0, -1.0]))  # row 0 moved again in step 2


def test_centered_rmsprop_slots_have_tf1_names(graph):
    v = tf.Variable([1.0, 2.0], name="v")
    optimizer = tf.train.RMSPropOptimizer(0.1, centered=True)
    optimizer.minimize(tf.reduce_sum(v * v))
    assert {name: optimizer.get_slot(v, name).name for name in optimizer.get_slot_names()} == {
        "rms": "v/RMSProp:0", "mg": "v/RMSProp_1:0", "momentum": "v/RMSProp_2:0"}


def test_apply_gradients_refuses_misfits(graph):
    a = tf.Variable([1.0, 2.0])
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match=r"the gradient \(\) does not fit the variable Variable:0 \(2,\)"):
        optimizer.apply_gradients([(tf.constant(1.0), a)])  # would have been broadcast into every entry
    with pytest.raises(TypeError, match="is not a Variable; only variables can be updated"):
        optimizer.apply_gradients([(tf.constant([1.0]), tf.constant([1.0]))])
    other = tf.Graph()
    with other.as_default():
        y = tf.placeholder(tf.float32, [2]) * 2.0
    with pytest.raises(ValueError, match="must be from the same graph as"):
        tf.gradients(y, [tf.placeholder(tf.float32, [2])])


def test_a_saver_saves_variables_only():
    w = tf.Variable(1.0, name="w")
    for not_a_variable in (tf.identity(w), w.read_value(), w.value()):
        with pytest.raises(TypeError, match="Variable to save is not a Variable"):
            tf.train.Saver([not_a_variable])  # restoring it would silently do nothing
    with pytest.raises(TypeError, match="give the Variable objects"):
        tf.train.Saver(["w"])
    with pytest.raises(TypeError, match="not a Variable"):
        tf.train.Saver({"w": w * 2})


def test_max_to_keep_none_keeps_every_file_and_lists_the_latest(tmp_path):
    tf.Variable(1.0)
    saver = tf.train.Saver(max_to_keep=None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
    assert sorted(f for f in os.listdir(tmp_path) if f.endswith(".index")) == ["m-0.index", "m-1.index",
                                                                                "m-2.index"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths == [str(tmp_path / "m-2")] == [state.model_checkpoint_path]


def test_keep_checkpoint_every_n_hours_keeps_one_past_the_rolling_window(tmp_path, monkeypatch):
    """TF1's rule: a checkpoint max_to_keep would delete survives if it was written N hours after the last one
    kept (the clock is moved by hand: saves at hours 0, 0.5, 1.5, 2.5 with N = 1)."""
    clock = [1000.0]
    monkeypatch.setattr("minidl.graph.train.saver.time.time", lambda: clock[0])
    tf.Variable(1.0)
    saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step, hours in enumerate([0, 0.5, 1.5, 2.5]):
            clock[0] = 1000.0 + hours * 3600
            saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
    # m-0 (hour 0) and m-1 (hour 0.5) fall before the first mark (hour 1): deleted; m-2 (hour 1.5) passes it
    assert sorted(f for f in os.listdir(tmp_path) if f.endswith(".index")) == ["m-2.index", "m-3.index"]
    assert saver.last_checkpoints == [str(tmp_path / "m-3")]


def test_saver_options_pad_step_number_and_reshape_and_a_variable_under_two_names(tmp_path):
    tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver(pad_step_number=True).save(sess, str(tmp_path / "pad"), global_step=12)
    assert prefix == str(tmp_path / "pad-00000012") and os.path.exists(prefix + ".index")
    with tf.Graph().as_default():
        flat = tf.Variable(tf.zeros([4]), name="v")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="shapes of both tensors to match"):
                tf.train.Saver().restore(sess, prefix)
            tf.train.Saver(reshape=True).restore(sess, prefix)
            assert sess.run(flat).tolist() == [1.0, 2.0, 3.0, 4.0]
        with pytest.raises(ValueError, match="The same saveable will be restored with two names"):
            tf.train.Saver({"x": flat, "y": flat})


def test_the_checkpoint_file_as_tf_1_15_writes_it_and_a_damaged_one(tmp_path, caplog):
    (tmp_path / "model.ckpt-7.index").write_bytes(b"")
    (tmp_path / "checkpoint").write_text(
        'model_checkpoint_path: "model.ckpt-7"\nall_model_checkpoint_paths: "model.ckpt-3"\n\n'
        "all_model_checkpoint_paths: 'model.ckpt-7'\nall_model_checkpoint_timestamps: 1569443426.8\n"
        "last_preserved_timestamp: 1569443400.1\n")
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == str(tmp_path / "model.ckpt-7")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "model.ckpt-3"), str(tmp_path / "model.ckpt-7")]
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-7")
    (tmp_path / "checkpoint").write_text("this is not a checkpoint file\n")
    with caplog.at_level("WARNING", logger="minidl.graph"):
        assert tf.train.get_checkpoint_state(str(tmp_path)) is None
        assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert "Checkpoint ignored" in caplog.text


@pytest.mark.parametrize("name", ["model😀", "modèle \"quoted\" \\ tab\t", "plain"])
def test_checkpoint_names_outside_ascii_survive_the_state_file(tmp_path, name):
    """The state file is protocol buffers' text format: non-ASCII names are octal escapes of their UTF-8 bytes,
    as TF writes them (a name outside the Basic Multilingual Plane came back as lone surrogates, and
    ``latest_checkpoint`` said there was none)."""
    tf.Variable(1.0, name="v")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / name), global_step=1)
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix == str(tmp_path / name) + "-1"
    assert (tmp_path / "checkpoint").read_bytes().isascii()


def test_a_state_file_written_by_tf_with_octal_escapes_or_unescaped_utf8_reads(tmp_path):
    (tmp_path / "modèle-3.index").write_bytes(b"")
    for text in (b'model_checkpoint_path: "mod\\303\\250le-3"\n', 'model_checkpoint_path: "modèle-3"\n'.encode()):
        (tmp_path / "checkpoint").write_bytes(text)
        assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "modèle-3")


def test_a_state_file_with_a_broken_escape_is_ignored_with_a_warning(tmp_path, caplog):
    (tmp_path / "checkpoint").write_bytes(b'model_checkpoint_path: "model\\x"\n')
    with caplog.at_level("WARNING", logger="minidl.graph"):
        assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert "Checkpoint ignored" in caplog.text


def test_restoring_a_damaged_checkpoint_is_a_data_loss_error(tmp_path):
    """What a TF1 program catches around a restore (TF: "Checksum does not match")."""
    v = tf.Variable([1.0, 2.0], name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model"))
        blob = bytearray(open(prefix + ".index", "rb").read())
        blob[-70] ^= 0xFF  # in the header: the last 64 bytes are the 8 of the values and their padding
        open(prefix + ".index", "wb").write(bytes(blob))
        with pytest.raises(tf.errors.DataLossError, match="corrupted"):
            saver.restore(sess, prefix)
        with pytest.raises(tf.errors.DataLossError, match="corrupted"):
            tf.train.NewCheckpointReader(prefix)
        assert sess.run(v).tolist() == [1.0, 2.0]


def test_restore_says_to_give_the_prefix(tmp_path):
    v = tf.Variable(1.0)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(v.initializer)
        prefix = saver.save(sess, str(tmp_path / "model"))
        with pytest.raises(tf.errors.NotFoundError, match="without the file's ending: .*model\\)"):
            saver.restore(sess, prefix + ".index")
        with pytest.raises(tf.errors.NotFoundError, match="a directory: give a checkpoint's prefix"):
            saver.restore(sess, str(tmp_path))


def test_losses_and_random_ops_are_named_as_tf1_names_them():
    x = tf.placeholder(tf.float32, [None, 3])
    labels = tf.placeholder(tf.int64, [None])
    assert tf.losses.mean_squared_error(x, x).name == "mean_squared_error/value:0"
    assert tf.losses.sparse_softmax_cross_entropy(labels, x).name == "sparse_softmax_cross_entropy_loss/value:0"
    assert tf.random_normal([2], name="noise").name == "noise:0"
    assert tf.truncated_normal([2]).name == "truncated_normal:0"
    assert tf.random_uniform([2], maxval=3, dtype=tf.int32, name="ints").name == "ints:0"


def test_init_from_checkpoint_starts_chosen_variables_from_another_models_values(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("encoder"):
        tf.layers.dense(x, 4, name="d1")
    tf.Variable(np.arange(3.0, dtype=np.float32), name="extra")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        pretrained = {name: sess.run(name + ":0") for name in ("encoder/d1/kernel", "encoder/d1/bias", "extra")}
        tf.train.Saver().save(sess, str(tmp_path / "pretrained"))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope("body"):
            tf.layers.dense(x, 4, name="d1")
        tf.layers.dense(x, 2, name="head")
        mine = tf.Variable(tf.zeros([3]), name="mine")
        tf.train.init_from_checkpoint(str(tmp_path), {"encoder/": "body/", "extra": mine})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run("body/d1/kernel:0"), pretrained["encoder/d1/kernel"])
            np.testing.assert_array_equal(sess.run("body/d1/bias:0"), pretrained["encoder/d1/bias"])
            np.testing.assert_array_equal(sess.run(mine), pretrained["extra"])
            assert sess.run("head/kernel:0").std() > 0  # the new head: its own random start
        with pytest.raises(ValueError, match="Tensor nope/d1/bias .* is not found"):
            tf.train.init_from_checkpoint(str(tmp_path), {"nope/": "body/"})
        with pytest.raises(ValueError, match="doesn't match with shape"):
            tf.train.init_from_checkpoint(str(tmp_path), {"encoder/d1/bias": "head/bias"})
        with pytest.raises(ValueError, match="should map to scope only"):
            tf.train.init_from_checkpoint(str(tmp_path), {"encoder/d1": "body/"})
        wide = tf.Variable(tf.zeros([3], tf.float64), name="wide")
        with pytest.raises(ValueError, match="Dtype of variable wide:0 \\(float64\\) doesn't match"):
            tf.train.init_from_checkpoint(str(tmp_path), {"extra": wide})
    with tf.Session() as sess:  # a graph without queue runners: nothing to start
        assert tf.train.start_queue_runners(sess) == []


def test_saving_makes_one_missing_directory_and_no_more(tmp_path):
    """As TF's checkpoint writer: ``saver.save(sess, "checkpoints/model")`` makes ``checkpoints``; two missing
    levels are TF's ValueError."""
    with tf.Graph().as_default():
        v = tf.Variable(1.0)
        with tf.Session() as sess:
            sess.run(v.initializer)
            saver = tf.train.Saver()
            with pytest.raises(ValueError, match="Parent directory of .* doesn't exist, can't save"):
                saver.save(sess, str(tmp_path / "missing" / "deeper" / "model"))
            assert not (tmp_path / "missing").exists()
            prefix = saver.save(sess, str(tmp_path / "checkpoints" / "model"))
            assert prefix == str(tmp_path / "checkpoints" / "model")
            sess.run(v.assign(5.0))
            saver.restore(sess, prefix)
            assert sess.run(v) == 1.0


@pytest.mark.parametrize("make", [lambda: tf.train.GradientDescentOptimizer(0.5),
                                  lambda: tf.train.MomentumOptimizer(0.5, 0.9),
                                  lambda: tf.train.AdagradOptimizer(0.5),
                                  lambda: tf.train.RMSPropOptimizer(0.5)])
def test_every_gradient_reads_the_variables_before_any_update(make):
    """d(w1·w2)/dw2 reads w1: it must be the value before this step's update of w1 (as with plain SGD by hand)."""
    with tf.Graph().as_default():
        w1, w2 = tf.Variable(2.0), tf.Variable(3.0)
        step = make().minimize(w1 * w2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step)
            after = sess.run([w1, w2])
    with tf.Graph().as_default():  # the same optimizer on the two gradients fed as constants, each alone
        v1, v2 = tf.Variable(2.0), tf.Variable(3.0)
        optimizer = make()
        steps = [optimizer.apply_gradients([(tf.constant(3.0), v1)]),
                 optimizer.apply_gradients([(tf.constant(2.0), v2)])]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(steps)
            expected = sess.run([v1, v2])
    np.testing.assert_allclose(after, expected, rtol=1e-6)


def test_hand_written_updates_grouped_after_their_gradients_read_the_old_values():
    """The README's advice: with the gradients as control dependencies, both updates use the step's start values."""
    with tf.Graph().as_default():
        w1, w2 = tf.Variable(2.0), tf.Variable(3.0)
        g1, g2 = tf.gradients(w1 * w2, [w1, w2])
        with tf.control_dependencies([g1, g2]):
            step = [tf.assign_sub(w1, g1), tf.assign_sub(w2, g2)]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step)
            assert sess.run([w1, w2]) == [-1.0, 1.0]
