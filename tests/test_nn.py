"""The float digits CNN: the data split, the numpy layers and their gradients, the shipped
weights, and that training from the seed reproduces them bit for bit."""

import hashlib

import numpy as np
import pytest

import numformat as nf
from numformat.nn import layers, model as model_module, train as train_module


def test_split_is_stratified_disjoint_and_seeded(digits):
    x_train, y_train, x_test, y_test = digits
    assert x_train.shape == (1347, 1, 8, 8) and x_test.shape == (450, 1, 8, 8)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    # every digit keeps a quarter of its images in the test set (rounded), as the whole set does
    from sklearn.datasets import load_digits

    counts = np.bincount(load_digits().target)
    assert np.array_equal(np.bincount(y_test), np.round(counts / 4).astype(int))
    # pixels are the 17 grey levels 0/16 ... 16/16, exactly
    assert set(np.unique(x_train * 16).tolist()) == set(range(17))
    # the two parts together are the whole data set, each image once (compared by a checksum per image)
    everything = np.concatenate([x_train, x_test]).reshape(counts.sum(), 64)
    reference = np.sort((load_digits().images.reshape(-1, 64) / 16).astype(np.float32).view(np.uint32).sum(axis=1))
    assert np.array_equal(np.sort(everything.view(np.uint32).sum(axis=1)), reference)
    again = nf.load_digits_split(0)
    assert all(np.array_equal(a, b) for a, b in zip(digits, again))
    other = nf.load_digits_split(1)
    assert not np.array_equal(other[3], y_test)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"seed": 1.5}, TypeError, "seed must be an int"),
    ({"seed": True}, TypeError, "seed must be an int"),
    ({"test_fraction": 0}, ValueError, r"test_fraction=0 must lie in \(0, 1\)"),
    ({"test_fraction": 1.2}, ValueError, r"test_fraction=1.2 must lie in \(0, 1\)"),
])
def test_split_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        nf.load_digits_split(**kwargs)


def test_pretrained_accuracy_is_at_least_98_percent(digits, pretrained):
    _, _, x_test, y_test = digits
    assert pretrained.accuracy(x_test, y_test) >= 0.98


def test_shipped_file_records_its_training(pretrained):
    with np.load(model_module.WEIGHTS_PATH, allow_pickle=False) as stored:
        digests = stored["meta_digest"]
        assert int(stored["meta_epochs"]) == train_module.TrainConfig().epochs == len(digests)
        assert float(stored["meta_learning_rate"]) == train_module.TrainConfig().learning_rate
    assert digests[-1] == train_module.weights_digest(pretrained)


def test_training_reproduces_the_shipped_trajectory_bit_for_bit():
    """Two epochs from seed 0 land on the weights whose SHA-256 the shipped file recorded for
    those epochs; the file's last digest is the shipped weights' own (test above), and each
    epoch depends only on the one before, so the full run rebuilds the file."""
    with np.load(model_module.WEIGHTS_PATH, allow_pickle=False) as stored:
        recorded = stored["meta_digest"][:2].tolist()
    _, history = train_module.train(epochs=2)
    assert history["digest"] == recorded


def test_progress_bar_draws_on_the_stream():
    import io

    stream = io.StringIO()
    train_module.train(train_module.TrainConfig(epochs=40), epochs=1, show_progress=True, stream=stream)
    assert stream.getvalue().startswith("\r[##############################]   1/1 epochs  loss ")
    assert train_module.progress_bar(20, 40, width=10) == "[#####.....]  20/40 epochs  "


@pytest.mark.parametrize("shape", [(64, 72, 16), (16, 500, 72), (3, 1, 5)])
def test_fixed_order_matmul_sums_left_to_right(rng, shape):
    """With a C-contiguous b the sum runs k = 0, 1, 2, ...: equal to an explicit loop."""
    rows, inner, cols = shape
    a = rng.standard_normal((rows, inner)).astype(np.float32)
    b = rng.standard_normal((inner, cols)).astype(np.float32)
    expected = a[:, 0:1] * b[0]
    for k in range(1, inner):
        expected = expected + a[:, k:k + 1] * b[k]
    assert np.array_equal(layers.fixed_order_matmul(a, b), expected)
    np.testing.assert_allclose(layers.fixed_order_matmul(a, b), a @ b, rtol=1e-4, atol=1e-4)


def test_fixed_order_matmul_sums_pairwise_for_a_transposed_b(rng):
    """With a transposed b numpy sums the 72 products pairwise: numpy's pairwise_sum, written
    out here (blocks of 8 partial sums, combined ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)))."""
    a = rng.standard_normal((50, 72)).astype(np.float32)
    b = np.asfortranarray(rng.standard_normal((72, 16)).astype(np.float32))
    products = a[:, :, None] * b[None, :, :]
    partial = products[:, :8].copy()
    for start in range(8, 72, 8):
        partial += products[:, start:start + 8]
    expected = ((partial[:, 0] + partial[:, 1]) + (partial[:, 2] + partial[:, 3])) + \
               ((partial[:, 4] + partial[:, 5]) + (partial[:, 6] + partial[:, 7]))
    assert np.array_equal(layers.fixed_order_matmul(a, b), expected)


def test_fixed_order_exp_matches_numpy(rng):
    x = np.concatenate([rng.uniform(-700, 700, 100_000), [0.0, -1e-300, 1.0, -745.0, 709.0]])
    ours, theirs = layers.fixed_order_exp(x), np.exp(x)
    assert np.all(np.abs(ours - theirs) <= 4 * np.spacing(theirs))


def test_im2col_and_col2im_are_adjoint(rng):
    x = rng.standard_normal((2, 3, 5, 4))
    cols = rng.standard_normal((2, 5, 4, 27))
    assert np.isclose(np.sum(layers.im2col(x) * cols), np.sum(x * layers.col2im(cols, x.shape)))


def test_conv2d_matches_direct_sum(rng):
    x = rng.standard_normal((2, 3, 6, 5))
    weight, bias = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = np.zeros((2, 4, 6, 5)) + bias[:, None, None]
    for dy in range(3):
        for dx in range(3):
            expected += np.einsum("nchw,oc->nohw", padded[:, :, dy:dy + 6, dx:dx + 5], weight[:, :, dy, dx])
    np.testing.assert_allclose(layers.conv2d(x, weight, bias)[0], expected, rtol=1e-12, atol=1e-12)


def test_maxpool_backward_routes_to_the_first_maximum():
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])
    assert layers.maxpool2(x).tolist() == [[[[3.0]]]]
    assert layers.maxpool2_backward(np.array([[[[5.0]]]]), x).tolist() == [[[[0.0, 5.0], [0.0, 0.0]]]]


def float64_model(rng, activation_transform=None):
    """A fresh model in float64, its biases away from 0 so no ReLU sits exactly on its kink
    (zero pixels with a zero bias would, and there the one-sided slopes differ)."""
    model = nf.FloatCNN.initial(rng)
    model.activation_transform = activation_transform
    model.params = {name: value.astype(np.float64) + (0.1 * rng.standard_normal(value.shape) if "bias" in name else 0)
                    for name, value in model.params.items()}
    return model


def assert_gradients_match_finite_differences(model, x, y, rng, step=1e-6):
    """Backpropagation against central differences of the loss at 4 random entries of every parameter."""
    _, grads = model.loss_and_gradients(x, y)
    for name, value in model.params.items():
        flat = value.reshape(-1)
        for index in rng.choice(value.size, size=4, replace=False):
            saved = flat[index]
            flat[index] = saved + step
            loss_up, _ = model.loss_and_gradients(x, y)
            flat[index] = saved - step
            loss_down, _ = model.loss_and_gradients(x, y)
            flat[index] = saved
            numeric = (loss_up - loss_down) / (2 * step)
            assert abs(grads[name].reshape(-1)[index] - numeric) <= 1e-6 + 1e-5 * abs(numeric), (name, index)


def test_gradients_match_finite_differences(digits, rng):
    """Backpropagation against central differences of the loss, in float64."""
    x_train, y_train, _, _ = digits
    assert_gradients_match_finite_differences(float64_model(rng), x_train[:6].astype(np.float64), y_train[:6], rng)


def test_save_and_load_round_trip(tmp_path, pretrained):
    path = tmp_path / "weights.npz"
    pretrained.save(path, note="a string is an array too")
    loaded = nf.FloatCNN.load(path)
    assert all(np.array_equal(loaded.params[name], pretrained.params[name]) for name in pretrained.params)
    assert hashlib.sha256(path.read_bytes()).hexdigest()  # a real file was written


def test_weights_load_without_pickle(tmp_path, pretrained):
    path = tmp_path / "evil.npz"
    np.savez(path, **pretrained.params, conv1_bias_extra=np.array([object()], dtype=object))
    with np.load(path, allow_pickle=False) as stored:
        with pytest.raises(ValueError, match="allow_pickle"):
            stored["conv1_bias_extra"]
    assert np.array_equal(nf.FloatCNN.load(path).params["fc_bias"], pretrained.params["fc_bias"])


@pytest.mark.parametrize("x, error, message", [
    ([[0.0]], TypeError, "x must be a numpy array"),
    (np.zeros((3, 8, 8)), ValueError, r"shape \(N, 1, 8, 8\).*got \(3, 8, 8\)"),
    (np.zeros((3, 1, 8, 7)), ValueError, r"got \(3, 1, 8, 7\)"),
    (np.full((1, 1, 8, 8), np.nan), ValueError, "NaN or infinite"),
    (np.zeros((1, 1, 8, 8), dtype=complex), TypeError, "real numbers"),
])
def test_forward_rejects_bad_images(pretrained, x, error, message):
    with pytest.raises(error, match=message):
        pretrained.forward(x)


@pytest.mark.parametrize("params, error, message", [
    ("weights", TypeError, "params must be a dict"),
    ({}, ValueError, "params lacks"),
    ({**{name: np.zeros(shape) for name, shape in model_module.PARAMETER_SHAPES.items()}, "fc_bias": np.zeros(3)},
     ValueError, r"params\['fc_bias'\] must have shape \(10,\)"),
])
def test_model_rejects_bad_parameters(params, error, message):
    with pytest.raises(error, match=message):
        nf.FloatCNN(params)


def test_accuracy_checks_labels(digits, pretrained):
    _, _, x_test, y_test = digits
    with pytest.raises(ValueError, match="one label per image"):
        pretrained.accuracy(x_test, y_test[:-1])


# --- training hooks: model=, weight_transform=, after_step= and the model's activation_transform ---

ONE_STEP = train_module.TrainConfig(epochs=1, batch_size=2048, learning_rate=0.001)  # the whole split in one batch


def to_64ths(params):
    return {name: np.round(value * 64).astype(np.float32) / 64 for name, value in params.items()}


def test_one_step_of_fine_tuning_is_the_straight_through_estimator(digits, pretrained):
    """The loop, written out for one Adam step: the gradient of the loss at the transformed
    weights updates the float weights, then after_step edits them."""
    x_train, y_train, _, _ = digits
    rng = np.random.default_rng(ONE_STEP.seed)
    order = rng.permutation(len(x_train))
    batch = train_module.shift_images(x_train[order], rng)
    params = {name: value.copy() for name, value in pretrained.params.items()}
    _, grads = nf.FloatCNN(to_64ths(params)).loss_and_gradients(batch, y_train[order])
    train_module.Adam(params, ONE_STEP).step(params, grads, ONE_STEP.learning_rate)
    params["fc_weight"][:, ::2] = 0.0

    def prune_even_columns(params):
        params["fc_weight"][:, ::2] = 0.0

    tuned, history = train_module.train(ONE_STEP, model=pretrained, weight_transform=to_64ths,
                                        after_step=prune_even_columns)
    assert all(np.array_equal(tuned.params[name], params[name]) for name in params)
    assert history["test_accuracy"] == [nf.FloatCNN(to_64ths(tuned.params)).accuracy(*digits[2:])]
    assert not np.array_equal(tuned.params["conv1_weight"], pretrained.params["conv1_weight"])


def test_fine_tuning_copies_the_model_and_identity_hooks_change_nothing(pretrained):
    before = {name: value.copy() for name, value in pretrained.params.items()}
    plain, plain_history = train_module.train(ONE_STEP, model=pretrained)
    calls = []
    hooked, hooked_history = train_module.train(
        ONE_STEP, model=nf.FloatCNN(pretrained.params, activation_transform=lambda name, values, training: (values, None)),
        weight_transform=lambda params: params, after_step=calls.append)
    assert all(np.array_equal(pretrained.params[name], before[name]) for name in before)  # untouched
    assert hooked_history == plain_history and len(calls) == 1
    assert all(np.array_equal(hooked.params[name], plain.params[name]) for name in before)


def test_after_step_runs_after_every_step_and_keeps_a_pruning_mask(pretrained):
    mask = np.abs(pretrained.params["fc_weight"]) > np.median(np.abs(pretrained.params["fc_weight"]))
    steps = []

    def keep_pruned(params):
        params["fc_weight"] *= mask
        steps.append(params["fc_weight"].copy())

    config = train_module.TrainConfig(epochs=1, learning_rate=0.0005)
    tuned, history = train_module.train(config, model=nf.FloatCNN({**pretrained.params, "fc_weight": pretrained.params["fc_weight"] * mask}),
                                        after_step=keep_pruned)
    assert len(steps) == -(-1347 // config.batch_size)
    assert np.all(tuned.params["fc_weight"][~mask] == 0) and np.all(tuned.params["fc_weight"][mask] != 0)
    assert history["test_accuracy"][0] >= 0.98


def test_activation_transform_gradients_match_finite_differences(digits, rng):
    """A clamp of every activation at 0.5 with ``passes = values < 0.5`` is differentiable
    almost everywhere with exactly that derivative: the straight-through gradient is the true one."""
    x_train, y_train, _, _ = digits
    seen = []

    def clamp(name, values, training):
        seen.append((name, training))
        return np.minimum(values, 0.5), values < 0.5

    model = float64_model(rng, activation_transform=clamp)
    x, y = x_train[:6].astype(np.float64), y_train[:6]
    model.loss_and_gradients(x, y)
    assert seen == [("input", True), ("conv1", True), ("conv2", True)]
    assert_gradients_match_finite_differences(model, x, y, rng)
    seen.clear()
    model.forward(x_train[:2])
    assert seen == [("input", False), ("conv1", False), ("conv2", False)]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"model": "weights.npz"}, TypeError, "model must be a FloatCNN or None, got str"),
    ({"weight_transform": 0.5}, TypeError, "weight_transform must be a function of the parameters dict or None, got float"),
    ({"after_step": [1]}, TypeError, "after_step must be a function of the parameters dict or None, got list"),
    ({"on_epoch": "print"}, TypeError, r"on_epoch must be a function of \(model, history\) or None, got str"),
    ({"data": ([1], [2])}, TypeError, r"data must be a tuple of four arrays \(x_train, y_train, x_eval, y_eval\), got a tuple of 2"),
])
def test_train_rejects_bad_hooks(kwargs, error, message):
    with pytest.raises(error, match=message):
        train_module.train(ONE_STEP, **kwargs)


def test_model_rejects_a_bad_activation_transform(pretrained):
    with pytest.raises(TypeError, match=r"activation_transform must be a function \(name, values, training\)"):
        nf.FloatCNN(pretrained.params, activation_transform="int8")
