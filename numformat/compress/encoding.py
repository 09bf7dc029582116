"""Deep Compression's storage format, every bit counted, and its exact decoder.

A pruned, weight-shared layer is stored as a list of *entries*, one per kept weight, each a
pair of small integers (Han, Mao & Dally, ICLR 2016, sections 2-4; EIE, Han et al., ISCA 2016):

* a **relative index**: how many zeros lie between this entry and the previous one, in
  ``index_bits`` bits.  A longer run of zeros is bridged by *filler* entries that hold the
  value 0 (the paper's figure 2), each one covering ``2^index_bits`` positions;
* a **weight index**: ``weight_bits`` bits naming one of ``2^weight_bits - 1`` shared values,
  or 0 for a filler's zero (EIE's convention: code 0 of the codebook is zero).

Both streams are then Huffman-coded (:mod:`numformat.compress.huffman`).  What one layer costs,
counted by :meth:`EncodedLayer.bits` (the architecture -- layer shapes and order -- is the file
format and costs nothing):

``header``
    48 bits: the entry count (32), ``index_bits`` and ``weight_bits`` (8 each);
``codebook``
    the shared values, in ``codebook_dtype`` (float32 by default);
``tables``
    the two canonical Huffman codes (:attr:`HuffmanCode.table_bits`: every symbol's length);
``relative indices`` and ``weight indices``
    the two Huffman-coded streams.

Only the shared values some weight uses are stored (a cluster that k-means or fine-tuning left
empty is dropped), so the codebook's length is the largest weight index the table can send.

:class:`EncodedModel` adds 8 bits for the whole file (which storage types it uses) and the
biases, in ``bias_dtype``: float32, float16, or ``"int8"`` -- 8-bit integers with one float16
scale per layer (``bias = scale · q``, ``scale = max|bias| / 127``), a step beyond the paper,
which keeps biases in full precision.  It records the network's architecture (the layers'
names and shapes, in order) and decodes back to a ``FloatCNN`` of it -- its accuracy is
always measured on that decoded model, so every rounding the format makes (float16 codebooks,
int8 biases) is in the reported number.  :mod:`numformat.compress.file_format` writes it to
bytes, bit for bit as counted here, and reads it back.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..checks import check_int
from ..nn.architecture import DIGITS_CNN, check_architecture
from ..nn.model import FloatCNN
from ..rounding import round_half
from .huffman import HuffmanCode, huffman_decode, huffman_encode
from .share import SharedWeights

LAYER_HEADER_BITS = 32 + 8 + 8
FILE_HEADER_BITS = 8              # two 4-bit fields: the codebook's and the biases' storage type
STORAGE_DTYPES = {"float32": np.float32, "float16": np.float16}
BIAS_STORAGE = ("float32", "float16", "int8")
BIAS_SCALE_BITS = 16              # the float16 scale of an int8 bias vector
MAX_SYMBOL_BITS = 16              # index_bits and weight_bits: 1..16 (Huffman alphabets of up to 2**16 symbols)
MAX_BEST_INDEX_BITS = 8           # index_bits="best" tries 1..8 (a longer skip alphabet only grows its table)
BIAS_NAMES = DIGITS_CNN.bias_names  # the digits CNN's; any model: model.architecture.bias_names


def _storage_dtype(name, parameter):
    if name not in STORAGE_DTYPES:
        raise ValueError(f"{parameter}={name!r} is not a storage type; use one of {sorted(STORAGE_DTYPES)}")
    return STORAGE_DTYPES[name]


def relative_indices(mask, index_bits):
    """The sparse entries of a mask: ``(skips, is_filler)`` in Deep Compression's relative form.

    ``skips[i]`` is the number of zeros between entry ``i`` and the one before it (``0 ..
    2^index_bits - 1``).  A kept weight further than ``2^index_bits`` positions from the
    previous entry is preceded by filler entries.  Trailing zeros need no entry.

    Examples
    --------
    >>> mask = np.zeros(20, dtype=bool); mask[[1, 2, 15]] = True
    >>> skips, is_filler = relative_indices(mask, index_bits=3)
    >>> skips.tolist(), is_filler.tolist()          # 15 = 2 + (7 + 1) + 4 + 1: one filler at 10
    ([1, 0, 7, 4], [False, False, True, False])
    >>> entry_positions(skips).tolist()
    [1, 2, 10, 15]
    """
    index_bits = check_int(index_bits, "index_bits", low=1, high=MAX_SYMBOL_BITS)
    positions = np.flatnonzero(np.asarray(mask, dtype=bool).ravel())
    span = 1 << index_bits
    gaps = np.diff(positions, prepend=-1) - 1            # zeros before each kept weight
    fillers = gaps // span
    real = np.cumsum(fillers + 1) - 1                    # where each kept weight lands among the entries
    entries = int(real[-1]) + 1 if real.size else 0
    skips = np.full(entries, span - 1, dtype=np.int64)   # a filler covers span - 1 zeros and itself
    is_filler = np.ones(entries, dtype=bool)
    skips[real] = gaps % span
    is_filler[real] = False
    return skips, is_filler


def entry_positions(skips):
    """Where each entry sits in the flattened layer: ``cumsum(skips + 1) - 1``."""
    return np.cumsum(np.asarray(skips, dtype=np.int64) + 1) - 1


@dataclasses.dataclass(frozen=True, eq=False)
class EncodedLayer:
    """One weight tensor in Deep Compression's format (build with :func:`encode_layer`)."""

    shape: tuple
    index_bits: int
    weight_bits: int
    codebook: np.ndarray          # the shared values as stored (float32 or float16)
    entries: int
    fillers: int
    skip_code: HuffmanCode
    skip_stream: tuple            # (packed uint8, nbits)
    symbol_code: HuffmanCode
    symbol_stream: tuple

    def decode(self):
        """The float32 weights this layer stores."""
        skips = huffman_decode(*self.skip_stream, self.skip_code, self.entries)
        symbols = huffman_decode(*self.symbol_stream, self.symbol_code, self.entries)
        values = np.concatenate([[0.0], self.codebook.astype(np.float64)])  # symbol 0: a filler's zero
        flat = np.zeros(math.prod(self.shape), dtype=np.float32)
        flat[entry_positions(skips)] = values[symbols]
        return flat.reshape(self.shape)

    def bits(self):
        """Bits of each part of the stored layer (see the module docstring)."""
        return {"header": LAYER_HEADER_BITS,
                "codebook": 8 * self.codebook.nbytes,
                "tables": self.skip_code.table_bits + self.symbol_code.table_bits,
                "relative indices": self.skip_stream[1],
                "weight indices": self.symbol_stream[1]}

    def fixed_width_bits(self):
        """The same entries without Huffman coding: ``index_bits + weight_bits`` each."""
        return LAYER_HEADER_BITS + 8 * self.codebook.nbytes + self.entries * (self.index_bits + self.weight_bits)


def encode_layer(shared, *, index_bits, weight_bits, codebook_dtype="float32"):
    """Store a :class:`SharedWeights` layer as Huffman-coded relative and weight indices.

    ``shared.clusters`` must be at most ``2^weight_bits - 1`` (code 0 is a filler's zero).
    """
    if not isinstance(shared, SharedWeights):
        raise TypeError(f"shared must be a SharedWeights (from share_weights), got {type(shared).__name__}")
    index_bits = check_int(index_bits, "index_bits", low=1, high=MAX_SYMBOL_BITS)
    weight_bits = check_int(weight_bits, "weight_bits", low=1, high=MAX_SYMBOL_BITS)
    if shared.clusters > (1 << weight_bits) - 1:
        raise ValueError(f"{shared.clusters} shared values need more than weight_bits={weight_bits} "
                         f"(at most {(1 << weight_bits) - 1}: code 0 is the fillers' zero)")
    skips, is_filler = relative_indices(shared.mask, index_bits)
    kept = shared.indices.ravel()[shared.mask.ravel()]
    used = np.flatnonzero(np.bincount(kept, minlength=shared.clusters))   # empty clusters are not stored
    renumber = np.zeros(shared.clusters, dtype=np.int64)
    renumber[used] = np.arange(used.size)
    symbols = np.zeros(skips.size, dtype=np.int64)
    symbols[~is_filler] = renumber[kept] + 1
    skip_code = HuffmanCode.from_symbols(skips, 1 << index_bits)
    symbol_code = HuffmanCode.from_symbols(symbols, 1 << weight_bits)
    codebook = shared.codebook[used].astype(_storage_dtype(codebook_dtype, "codebook_dtype"))
    return EncodedLayer(tuple(shared.shape), index_bits, weight_bits, codebook, int(skips.size),
                        int(is_filler.sum()), skip_code, huffman_encode(skips, skip_code),
                        symbol_code, huffman_encode(symbols, symbol_code))


def quantize_bias(bias):
    """``(q, scale)``: int8 ``q`` and float16 ``scale`` with ``bias ≈ scale · q``, |q| ≤ 127.

    ``scale = max|bias| / 127`` rounded to float16, ``q`` rounded half to even from
    ``bias / scale`` (the float16 scale is what the decoder has).  An all-zero bias gets scale 0.

    Examples
    --------
    >>> q, scale = quantize_bias(np.array([0.5, -0.25, 0.01], dtype=np.float32))
    >>> q.tolist(), float(scale), (q * np.float32(scale)).tolist()
    ([127, -64, 3], 0.003936767578125, [0.499969482421875, -0.251953125, 0.011810302734375])
    """
    bias = np.asarray(bias, dtype=np.float64)
    scale = np.float16(np.abs(bias).max(initial=0.0) / 127)
    if scale == 0:
        return np.zeros(bias.shape, dtype=np.int8), scale
    return np.clip(round_half(bias / float(scale)), -127, 127).astype(np.int8), scale


@dataclasses.dataclass(frozen=True, eq=False)
class EncodedModel:
    """A whole network compressed: an :class:`EncodedLayer` per weight tensor and the biases.

    ``layers`` maps each weight name to its layer (for the digits CNN: three);
    ``biases`` maps each bias name to its stored array (float32, float16 or int8);
    ``bias_scales`` holds the float16 scale of each int8 bias (empty for float biases);
    ``architecture`` is the network they belong to (default: the digits CNN).
    """

    layers: dict
    biases: dict
    bias_scales: dict = dataclasses.field(default_factory=dict)
    architecture: object = DIGITS_CNN

    @property
    def codebook_dtype(self):
        return next(iter(self.layers.values())).codebook.dtype.name

    @property
    def bias_dtype(self):
        return next(iter(self.biases.values())).dtype.name

    def bias_values(self):
        """The float32 biases the decoded model uses."""
        return {name: (bias.astype(np.float32) * np.float32(self.bias_scales[name]) if name in self.bias_scales
                       else bias.astype(np.float32)) for name, bias in self.biases.items()}

    def decode(self):
        """The ``FloatCNN`` this file stores (the model whose accuracy is reported)."""
        params = {name: layer.decode() for name, layer in self.layers.items()}
        params.update(self.bias_values())
        return FloatCNN(params, architecture=self.architecture)

    def bits(self):
        """Bits per part, summed over the layers, plus ``"biases"`` and ``"total"``.

        ``"header"`` holds the file's 8 bits and every layer's 48.
        """
        table = {"header": FILE_HEADER_BITS}
        for layer in self.layers.values():
            for part, bits in layer.bits().items():
                table[part] = table.get(part, 0) + bits
        table["biases"] = self._bias_bits()
        table["total"] = sum(table.values())
        return table

    def _bias_bits(self):
        return sum(8 * bias.nbytes for bias in self.biases.values()) + BIAS_SCALE_BITS * len(self.bias_scales)

    @property
    def nbytes(self):
        """The file's size: all the bits, rounded up to whole bytes."""
        return (self.bits()["total"] + 7) // 8

    def stage_bits(self):
        """Bits after each stage of the pipeline, as Deep Compression's figure 1 adds them.

        ``"float32"``: every parameter dense in 32 bits; ``"pruned"``: the same entries with
        float32 values and fixed-width relative indices, float32 biases; ``"weight sharing"``:
        fixed-width weight indices and the codebooks instead of the values, biases as stored;
        ``"Huffman coding"``: the file itself (:meth:`bits`).
        """
        float32_biases = sum(32 * bias.size for bias in self.biases.values())
        parameters = sum(math.prod(layer.shape) for layer in self.layers.values()) + sum(
            bias.size for bias in self.biases.values())
        return {
            "float32": 32 * parameters,
            "pruned": float32_biases + sum(LAYER_HEADER_BITS + layer.entries * (32 + layer.index_bits)
                                           for layer in self.layers.values()),
            "weight sharing": FILE_HEADER_BITS + self._bias_bits() + sum(
                layer.fixed_width_bits() for layer in self.layers.values()),
            "Huffman coding": self.bits()["total"],
        }


def encode_biases(model, bias_dtype):
    """``(biases, bias_scales)`` of ``model`` stored as ``bias_dtype`` (see :data:`BIAS_STORAGE`)."""
    if bias_dtype not in BIAS_STORAGE:
        raise ValueError(f"bias_dtype={bias_dtype!r} is not a bias storage; use one of {list(BIAS_STORAGE)}")
    bias_names = model.architecture.bias_names
    if bias_dtype != "int8":
        return {name: model.params[name].astype(STORAGE_DTYPES[bias_dtype]) for name in bias_names}, {}
    stored = {name: quantize_bias(model.params[name]) for name in bias_names}
    return {name: q for name, (q, _) in stored.items()}, {name: scale for name, (_, scale) in stored.items()}


def encode_model(shared_layers, model, *, index_bits, weight_bits, codebook_dtype="float32", bias_dtype="float32"):
    """Store a weight-shared network: ``shared_layers`` maps each weight name of
    ``model.architecture`` to its :class:`SharedWeights`.

    ``index_bits`` and ``weight_bits`` are one int for every layer or a dict per weight name
    (``index_bits="best"``: for each layer the width from 1 to 8 that makes it smallest --
    short widths need many fillers, long ones a long Huffman table).  The biases are taken
    from ``model`` and stored as ``bias_dtype`` (``"float32"``, ``"float16"`` or ``"int8"``
    with a float16 scale per layer).
    """
    weight_names = model.architecture.weight_names
    if not isinstance(shared_layers, dict) or sorted(shared_layers) != sorted(weight_names):
        raise ValueError(f"shared_layers must map exactly {list(weight_names)} to SharedWeights")
    per_layer = {}
    for option, value in (("index_bits", index_bits), ("weight_bits", weight_bits)):
        per_layer[option] = value if isinstance(value, dict) else dict.fromkeys(weight_names, value)
    layers = {}
    for name in weight_names:
        options = {"weight_bits": per_layer["weight_bits"][name], "codebook_dtype": codebook_dtype}
        if per_layer["index_bits"][name] == "best":
            layers[name] = min((encode_layer(shared_layers[name], index_bits=bits, **options)
                                for bits in range(1, MAX_BEST_INDEX_BITS + 1)), key=lambda layer: sum(layer.bits().values()))
        else:
            layers[name] = encode_layer(shared_layers[name], index_bits=per_layer["index_bits"][name], **options)
    return EncodedModel(layers, *encode_biases(model, bias_dtype), check_architecture(model.architecture))
