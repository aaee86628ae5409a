"""The premade linear and wide & deep Estimators (LinearClassifier/Regressor, DNNLinearCombinedClassifier/
Regressor): weights learned on data with a known answer, one FTRL step against numpy, a census-like classifier
on bucketized, vocabulary, hashed and crossed columns, and the two optimizers of the combined model."""
import numpy
import pytest

import minidl.graph as tf

fc = tf.feature_column
BINARY_METRICS = {"accuracy", "precision", "recall", "auc", "auc_precision_recall", "accuracy_baseline",
                  "label/mean", "prediction/mean", "average_loss", "loss", "global_step"}
BINARY_PREDICTIONS = {"logits", "logistic", "probabilities", "class_ids", "classes", "all_class_ids",
                      "all_classes"}


def input_fn(features, labels, batch_size, repeat=False):
    data = tf.data.Dataset.from_tensor_slices((features, labels) if labels is not None else features)
    return (data.shuffle(1000, seed=0).repeat() if repeat else data).batch(batch_size)


def test_linear_regressor_finds_the_weights_of_a_linear_function(tmp_path):
    rng = numpy.random.RandomState(0)
    x, z = rng.uniform(-1, 1, (2, 200)).astype(numpy.float32)
    y = 3 * x - 2 * z + 1
    regressor = tf.estimator.LinearRegressor([fc.numeric_column("x"), fc.numeric_column("z")],
                                             model_dir=str(tmp_path), optimizer=tf.train.FtrlOptimizer(1.0))
    regressor.train(lambda: input_fn({"x": x, "z": z}, y, 20, repeat=True), steps=300)
    assert {"linear/linear_model/x/weights", "linear/linear_model/z/weights",
            "linear/linear_model/bias_weights"} <= set(regressor.get_variable_names())
    numpy.testing.assert_allclose(regressor.get_variable_value("linear/linear_model/x/weights"), [[3]], atol=0.02)
    numpy.testing.assert_allclose(regressor.get_variable_value("linear/linear_model/z/weights"), [[-2]], atol=0.02)
    numpy.testing.assert_allclose(regressor.get_variable_value("linear/linear_model/bias_weights"), [1], atol=0.02)
    results = regressor.evaluate(lambda: input_fn({"x": x, "z": z}, y, 50))
    assert results["average_loss"] < 1e-3
    predicted = [p["predictions"][0] for p in regressor.predict(lambda: input_fn({"x": x[:3], "z": z[:3]}, None, 3))]
    numpy.testing.assert_allclose(predicted, y[:3], atol=0.05)


def ftrl_step(w, accum, linear, grad, lr):
    """numpy: one FTRL-Proximal step without penalties (McMahan et al. 2013); the new (w, accum, linear)."""
    new_accum = accum + grad ** 2
    linear = linear + grad - (numpy.sqrt(new_accum) - numpy.sqrt(accum)) / lr * w
    return -linear / (numpy.sqrt(new_accum) / lr), new_accum, linear


@pytest.mark.parametrize("estimator, learning_rate", [
    # "Ftrl" by name: LinearRegressor's learning rate 0.2, the combined model's min(0.005, 1/sqrt(1 column))
    (lambda columns, d: tf.estimator.LinearRegressor(columns, model_dir=d), 0.2),
    (lambda columns, d: tf.estimator.DNNLinearCombinedRegressor(d, linear_feature_columns=columns), 0.005)])
def test_one_ftrl_step_of_the_linear_part_is_numpys(tmp_path, estimator, learning_rate):
    x = numpy.array([1.0, -2.0, 0.5, 3.0], numpy.float32)
    y = numpy.array([2.0, 1.0, -1.0, 4.0], numpy.float32)
    regressor = estimator([fc.numeric_column("x")], str(tmp_path))
    regressor.train(lambda: input_fn({"x": x}, y, 4), steps=1)
    # the weights start at 0, so predictions are 0 and the summed squared error's gradients are -2 sum(y x), -2 sum(y)
    for name, grad in [("linear/linear_model/x/weights", -2 * (y * x).sum()),
                       ("linear/linear_model/bias_weights", -2 * y.sum())]:
        w, accum, linear = ftrl_step(0.0, 0.1, 0.0, grad, learning_rate)  # accumulators start at 0.1
        assert regressor.get_variable_value(name).item() == pytest.approx(w, rel=1e-5)
        assert regressor.get_variable_value(name + "/Ftrl").item() == pytest.approx(accum, rel=1e-5)
        assert regressor.get_variable_value(name + "/Ftrl_1").item() == pytest.approx(linear, rel=1e-5)
    assert regressor.get_variable_value("global_step") == 1


def census_like(n, seed):
    """A dict of features as the census tutorial's (age, education, occupation) and a 0/1 label that a linear
    model needs the education x age-bucket cross to predict: higher education pays off only after 40."""
    rng = numpy.random.RandomState(seed)
    age = rng.uniform(18, 70, n).astype(numpy.float32)
    education = rng.choice(["HS-grad", "Some-college", "Bachelors", "Masters"], n)
    occupation = rng.choice(["Sales", "Exec-managerial", "Craft-repair", "Tech-support"], n)
    higher, older = numpy.isin(education, ["Bachelors", "Masters"]), age > 40
    label = ((higher & older) | (occupation == "Exec-managerial")).astype(numpy.int64)
    return {"age": age, "education": education, "occupation": occupation}, label


def census_columns():
    age_buckets = fc.bucketized_column(fc.numeric_column("age"), [25, 30, 35, 40, 45, 50, 55, 60, 65])
    education = fc.categorical_column_with_vocabulary_list(
        "education", ["HS-grad", "Some-college", "Bachelors", "Masters"])
    occupation = fc.categorical_column_with_hash_bucket("occupation", hash_bucket_size=100)
    return age_buckets, education, occupation, fc.crossed_column([education, age_buckets], hash_bucket_size=1000)


def test_linear_classifier_on_census_like_categorical_and_crossed_columns(tmp_path):
    features, label = census_like(600, seed=0)
    test_features, test_label = census_like(300, seed=1)
    classifier = tf.estimator.LinearClassifier(census_columns(), model_dir=str(tmp_path))
    classifier.train(lambda: input_fn(features, label, 50, repeat=True), steps=200)
    crossed = classifier.get_variable_value("linear/linear_model/age_bucketized_X_education/weights")  # TF's name
    assert crossed.shape == (1000, 1)
    assert classifier.get_variable_value("linear/linear_model/occupation/weights").shape == (100, 1)
    results = classifier.evaluate(lambda: input_fn(test_features, test_label, 100))
    assert set(results) == BINARY_METRICS
    assert results["accuracy"] > 0.9

    first = {key: values[:5] for key, values in test_features.items()}
    predictions = list(classifier.predict(lambda: input_fn(first, None, 5)))
    assert set(predictions[0]) == BINARY_PREDICTIONS
    for p in predictions:
        assert p["logistic"][0] == pytest.approx(1 / (1 + numpy.exp(-p["logits"][0])), rel=1e-5)
        assert p["classes"][0] == str(p["class_ids"][0]).encode()


def test_dnn_linear_combined_classifier_trains_each_part_with_its_optimizer(tmp_path):
    features, label = census_like(400, seed=0)
    age_buckets, education, occupation, crossed = census_columns()
    classifier = tf.estimator.DNNLinearCombinedClassifier(
        model_dir=str(tmp_path), linear_feature_columns=[age_buckets, crossed],
        dnn_feature_columns=[fc.numeric_column("age"), fc.indicator_column(education),
                             fc.embedding_column(occupation, 4)],
        dnn_hidden_units=[8], dnn_optimizer=tf.train.AdagradOptimizer(0.1),
        linear_optimizer=tf.train.FtrlOptimizer(0.2), config=tf.estimator.RunConfig(tf_random_seed=0))

    def train(steps):
        classifier.train(lambda: input_fn(features, label, 50, repeat=True), steps=steps)
    train(1)
    names = set(classifier.get_variable_names())
    before = {name: classifier.get_variable_value(name) for name in names}
    train(20)
    assert classifier.get_variable_value("global_step") == 21  # one count per step, not one per optimizer
    moved = {name for name in names if not numpy.array_equal(classifier.get_variable_value(name), before[name])}
    assert {"dnn/hiddenlayer_0/kernel", "dnn/logits/kernel", "linear/linear_model/age_bucketized/weights",
            "linear/linear_model/bias_weights"} <= moved
    # the slots say which optimizer updated what: Adagrad the DNN's variables, FTRL the linear model's
    assert "dnn/hiddenlayer_0/kernel/Adagrad" in names and "linear/linear_model/bias_weights/Ftrl" in names
    assert not any(name.startswith("dnn/") and "Ftrl" in name for name in names)
    assert not any(name.startswith("linear/") and "Adagrad" in name for name in names)

    results = classifier.evaluate(lambda: input_fn(features, label, 100))
    assert set(results) == BINARY_METRICS
    prediction = next(classifier.predict(lambda: input_fn({k: v[:1] for k, v in features.items()}, None, 1)))
    assert set(prediction) == BINARY_PREDICTIONS


def test_linear_estimators_check_their_arguments(tmp_path):
    columns = [fc.numeric_column("x")]
    with pytest.raises(ValueError, match="feature_columns should not be empty"):
        tf.estimator.LinearClassifier([])
    with pytest.raises(ValueError, match="n_classes must be > 1"):
        tf.estimator.LinearClassifier(columns, n_classes=1)
    with pytest.raises(NotImplementedError, match="label_vocabulary"):
        tf.estimator.LinearClassifier(columns, label_vocabulary=["no", "yes"])
    with pytest.raises(NotImplementedError, match="label_vocabulary"):
        tf.estimator.DNNLinearCombinedClassifier(linear_feature_columns=columns, label_vocabulary=["no", "yes"])
    with pytest.raises(ValueError, match="Either linear_feature_columns or dnn_feature_columns must be defined"):
        tf.estimator.DNNLinearCombinedClassifier()
    with pytest.raises(ValueError, match="dnn_hidden_units must be defined"):
        tf.estimator.DNNLinearCombinedRegressor(dnn_feature_columns=columns)
    unknown = tf.estimator.LinearRegressor(columns, model_dir=str(tmp_path), optimizer="Momentum")
    with pytest.raises(ValueError, match="Unsupported optimizer name: Momentum"):
        unknown.train(lambda: input_fn({"x": numpy.ones(4, numpy.float32)}, numpy.ones(4, numpy.float32), 4),
                      steps=1)
