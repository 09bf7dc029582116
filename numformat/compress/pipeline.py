"""Deep Compression end to end, and the compression report: bits, bytes, ratio to float32, accuracy.

:func:`deep_compression` chains the three stages of Han, Mao & Dally (ICLR 2016) on the digits
CNN -- prune and fine-tune (:func:`~numformat.compress.prune.prune`), share weights by k-means
and fine-tune the centroids (:mod:`numformat.compress.share`), Huffman-code the indices
(:mod:`numformat.compress.encoding`) -- and keeps every intermediate model, so a lesson can
show what each stage costs and saves.

:class:`ReportRow` is one line of a report: a model's storage in bits (everything needed to
rebuild it: see :mod:`numformat.compress.encoding` for what is counted), bits per parameter
(3,818 parameters in the digits CNN), bytes, the ratio to float32, and the test accuracy.
"""

from __future__ import annotations

import dataclasses
import math

from ..checks import check_int
from ..nn.architecture import DIGITS_CNN
from .prune import prune
from .share import fine_tune_shared, share_weights
from .encoding import encode_model

PARAMETERS = DIGITS_CNN.parameter_count     # the digits CNN's
FLOAT32_BITS = 32 * PARAMETERS

# The setting the README and lesson 9 report: 1 percentage point of float accuracy at most.
DEEP_COMPRESSION_SETTINGS = {
    "sparsity": {"conv1_weight": 0.0, "conv2_weight": 0.7, "fc_weight": 0.75},
    "weight_bits": {"conv1_weight": 4, "conv2_weight": 3, "fc_weight": 3},
    "index_bits": {"conv1_weight": 3, "conv2_weight": 3, "fc_weight": 4},
}


@dataclasses.dataclass(frozen=True)
class ReportRow:
    """One model in a compression report."""

    stage: str
    bits: int
    accuracy: float = None
    parameters: int = PARAMETERS

    @property
    def bits_per_parameter(self):
        return self.bits / self.parameters

    @property
    def nbytes(self):
        return (self.bits + 7) // 8

    @property
    def ratio(self):
        """How many times smaller than float32."""
        return 32 * self.parameters / self.bits


def report_table(rows):
    """The rows as a Markdown table (bits per parameter, bytes, × smaller than float32, accuracy).

    Examples
    --------
    >>> print(report_table([ReportRow("float32", FLOAT32_BITS, 0.9933), ReportRow("int8", 32880)]))
    | model | bits/parameter | bytes | × smaller | test accuracy |
    |---|---|---|---|---|
    | float32 | 32.00 | 15,272 | 1.0 | 99.33% |
    | int8 | 8.61 | 4,110 | 3.7 | — |
    """
    lines = ["| model | bits/parameter | bytes | × smaller | test accuracy |", "|---|---|---|---|---|"]
    for row in rows:
        accuracy = "—" if row.accuracy is None else f"{row.accuracy:.2%}"
        lines.append(f"| {row.stage} | {row.bits_per_parameter:.2f} | {row.nbytes:,} | {row.ratio:.1f} | {accuracy} |")
    return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class DeepCompression:
    """Every stage of one :func:`deep_compression` run."""

    pruned: object          # FloatCNN, pruned and fine-tuned
    masks: dict
    shared_before_tuning: dict
    shared: dict            # SharedWeights per layer, centroids fine-tuned
    encoded: object         # EncodedModel: the compressed file

    def decoded(self):
        """The model the compressed file holds (float16 codebooks and biases included)."""
        return self.encoded.decode()

    def report(self, x_test, y_test, float_model):
        """Rows for the float model and each stage, accuracy measured on the model each stage stores.

        Weight sharing and Huffman coding store the same numbers (Huffman coding is lossless),
        so both rows show the decoded file's accuracy.
        """
        stages = self.encoded.stage_bits()
        decoded = self.decoded()
        models = {"float32": float_model, "pruned": self.pruned, "weight sharing": decoded, "Huffman coding": decoded}
        parameters = self.pruned.architecture.parameter_count
        return [ReportRow(stage, bits, models[stage].accuracy(x_test, y_test), parameters)
                for stage, bits in stages.items()]


def share_and_encode(pruned, masks, clusters, *, index_bits="best", share_epochs=3, learning_rate=0.01,
                     codebook_dtype="float16", bias_dtype="float16", seed=0, data=None, on_epoch=None):
    """Stages 2 and 3 on a pruned model: k-means, centroid fine-tuning, Huffman-coded file.

    ``clusters`` is the number of shared values of each layer (a dict per weight name); each
    layer's weight indices get ``clusters.bit_length()`` bits (room for the fillers' 0).

    Returns
    -------
    shared_before_tuning, shared : dict of str → SharedWeights
    tuned : FloatCNN
        The fine-tuned model (weights exactly ``codebook[indices]``, biases in float32).
    encoded : EncodedModel
    """
    shared_before = {name: share_weights(pruned.params[name], clusters[name], mask=masks[name])
                     for name in pruned.architecture.weight_names}
    tuned, shared = fine_tune_shared(pruned, shared_before, epochs=share_epochs, learning_rate=learning_rate,
                                     seed=seed, data=data, on_epoch=on_epoch)
    weight_bits = {name: int(count).bit_length() for name, count in clusters.items()}
    encoded = encode_model(shared, tuned, index_bits=index_bits, weight_bits=weight_bits,
                           codebook_dtype=codebook_dtype, bias_dtype=bias_dtype)
    return shared_before, shared, tuned, encoded


def deep_compression(model, *, sparsity=None, weight_bits=None, index_bits=None, clusters=None, prune_steps=3,
                     prune_epochs=3, share_epochs=3, learning_rate=0.01, share_learning_rate=None,
                     codebook_dtype="float16", bias_dtype="float16", seed=0, data=None, on_epoch=None):
    """Prune, share and Huffman-code a ``FloatCNN`` (defaults: :data:`DEEP_COMPRESSION_SETTINGS`,
    the digits CNN's; another architecture needs its own ``sparsity`` and ``weight_bits`` or ``clusters``).

    ``clusters`` (shared values per layer) overrides ``weight_bits`` (``2^bits - 1`` values);
    ``index_bits="best"`` picks each layer's smallest encoding.  ``seed`` (the shuffles),
    ``data`` (default: the whole training set) and ``on_epoch`` go to every fine-tuning
    (:func:`numformat.nn.train.train`).  Deterministic: pruning masks, linear k-means
    initialisation and the seeded training loop decide everything, so the same arguments give
    the same bits.
    """
    settings = DEEP_COMPRESSION_SETTINGS
    sparsity = settings["sparsity"] if sparsity is None else sparsity
    weight_bits = settings["weight_bits"] if weight_bits is None else weight_bits
    index_bits = settings["index_bits"] if index_bits is None else index_bits
    if clusters is None:
        weight_names = model.architecture.weight_names
        bits = weight_bits if isinstance(weight_bits, dict) else dict.fromkeys(weight_names, weight_bits)
        clusters = {name: (1 << check_int(bits[name], f"weight_bits[{name!r}]", low=1)) - 1 for name in weight_names}
    pruned, masks = prune(model, sparsity, steps=prune_steps, epochs=prune_epochs, learning_rate=learning_rate,
                          seed=seed, data=data, on_epoch=on_epoch)
    shared_before, shared, _, encoded = share_and_encode(
        pruned, masks, clusters, index_bits=index_bits, share_epochs=share_epochs,
        learning_rate=learning_rate if share_learning_rate is None else share_learning_rate,
        codebook_dtype=codebook_dtype, bias_dtype=bias_dtype, seed=seed, data=data, on_epoch=on_epoch)
    return DeepCompression(pruned, masks, shared_before, shared, encoded)


def power_of_two_bits(grids, bias_bits=32, architecture=DIGITS_CNN):
    """Storage of an INQ model of ``architecture``: ``grid.bits`` per weight, each layer's
    ``n_high`` (8 bits), the biases.

    Examples
    --------
    >>> from numformat.compress.inq import PowerOfTwoGrid
    >>> grids = {name: PowerOfTwoGrid(0, -7) for name in ("conv1_weight", "conv2_weight", "fc_weight")}
    >>> power_of_two_bits(grids)          # 3,784 weights × 5 bits + 3 × 8 + 34 biases × 32
    20032
    """
    shapes = architecture.parameter_shapes()
    weights = sum(grid.bits * int(math.prod(shapes[name])) for name, grid in grids.items())
    biases = sum(bias_bits * shapes[name][0] for name in architecture.bias_names)
    return weights + 8 * len(grids) + biases
