"""Deep Compression end to end, and the compression report: bits, bytes, ratio to float32, accuracy.

:func:`deep_compression` chains the three stages of Han, Mao & Dally (ICLR 2016) on the digits
CNN -- prune and fine-tune (:func:`~numformat.compress.prune.prune`), share weights by k-means
and fine-tune the centroids (:mod:`numformat.compress.share`), Huffman-code the indices
(:mod:`numformat.compress.storage`) -- and keeps every intermediate model, so a lesson can
show what each stage costs and saves.

:class:`ReportRow` is one line of a report: a model's storage in bits (everything needed to
rebuild it: see :mod:`numformat.compress.storage` for what is counted), bits per parameter
(3,818 parameters), bytes, the ratio to float32, and the test accuracy.
"""

from __future__ import annotations

import dataclasses
import math

from ..nn.model import PARAMETER_SHAPES
from .prune import prune
from .share import fine_tune_shared, share_model
from .storage import encode_model

PARAMETERS = sum(int(math.prod(shape)) for shape in PARAMETER_SHAPES.values())
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
        return [ReportRow(stage, bits, models[stage].accuracy(x_test, y_test)) for stage, bits in stages.items()]


def deep_compression(model, *, sparsity=None, weight_bits=None, index_bits=None, prune_steps=3, prune_epochs=3,
                     share_epochs=3, learning_rate=0.01, codebook_dtype="float16", bias_dtype="float16"):
    """Prune, share and Huffman-code a ``FloatCNN`` (defaults: :data:`DEEP_COMPRESSION_SETTINGS`).

    Deterministic: pruning masks, linear k-means initialisation and the seeded training loop
    decide everything, so the same arguments give the same bits.
    """
    settings = DEEP_COMPRESSION_SETTINGS
    sparsity = settings["sparsity"] if sparsity is None else sparsity
    weight_bits = settings["weight_bits"] if weight_bits is None else weight_bits
    index_bits = settings["index_bits"] if index_bits is None else index_bits
    pruned, masks = prune(model, sparsity, steps=prune_steps, epochs=prune_epochs, learning_rate=learning_rate)
    shared_before = share_model(pruned, weight_bits, masks=masks)
    tuned, shared = fine_tune_shared(pruned, shared_before, epochs=share_epochs, learning_rate=learning_rate)
    encoded = encode_model(shared, tuned, index_bits=index_bits, weight_bits=weight_bits,
                           codebook_dtype=codebook_dtype, bias_dtype=bias_dtype)
    return DeepCompression(pruned, masks, shared_before, shared, encoded)


def power_of_two_bits(grids, bias_bits=32):
    """Storage of an INQ model: ``grid.bits`` per weight, each layer's ``n_high`` (8 bits), the biases.

    Examples
    --------
    >>> from numformat.compress.inq import PowerOfTwoGrid
    >>> grids = {name: PowerOfTwoGrid(0, -7) for name in ("conv1_weight", "conv2_weight", "fc_weight")}
    >>> power_of_two_bits(grids)          # 3,784 weights × 5 bits + 3 × 8 + 34 biases × 32
    20032
    """
    weights = sum(grid.bits * int(math.prod(PARAMETER_SHAPES[name])) for name, grid in grids.items())
    biases = sum(bias_bits * shape[0] for name, shape in PARAMETER_SHAPES.items() if name.endswith("bias"))
    return weights + 8 * len(grids) + biases
