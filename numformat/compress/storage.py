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

:class:`EncodedModel` adds the biases (in ``bias_dtype``) and decodes back to a ``FloatCNN``
-- its accuracy is always measured on that decoded model, so every rounding the format makes
(float16 codebooks, say) is in the reported number.
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np

from ..nn.model import PARAMETER_SHAPES, FloatCNN
from .huffman import HuffmanCode, huffman_decode, huffman_encode
from .prune import WEIGHT_NAMES
from .share import SharedWeights

LAYER_HEADER_BITS = 32 + 8 + 8
STORAGE_DTYPES = {"float32": np.float32, "float16": np.float16}
BIAS_NAMES = tuple(name for name in PARAMETER_SHAPES if name.endswith("bias"))


def _check_bits(value, name, low=1, high=16):
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}={value} must be between {low} and {high}")
    return int(value)


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
    index_bits = _check_bits(index_bits, "index_bits")
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
    index_bits = _check_bits(index_bits, "index_bits")
    weight_bits = _check_bits(weight_bits, "weight_bits")
    if shared.clusters > (1 << weight_bits) - 1:
        raise ValueError(f"{shared.clusters} shared values need more than weight_bits={weight_bits} "
                         f"(at most {(1 << weight_bits) - 1}: code 0 is the fillers' zero)")
    skips, is_filler = relative_indices(shared.mask, index_bits)
    symbols = np.zeros(skips.size, dtype=np.int64)
    symbols[~is_filler] = shared.indices.ravel()[shared.mask.ravel()] + 1
    skip_code = HuffmanCode.from_symbols(skips, 1 << index_bits)
    symbol_code = HuffmanCode.from_symbols(symbols, 1 << weight_bits)
    codebook = shared.codebook.astype(_storage_dtype(codebook_dtype, "codebook_dtype"))
    return EncodedLayer(tuple(shared.shape), index_bits, weight_bits, codebook, int(skips.size),
                        int(is_filler.sum()), skip_code, huffman_encode(skips, skip_code),
                        symbol_code, huffman_encode(symbols, symbol_code))


@dataclasses.dataclass(frozen=True, eq=False)
class EncodedModel:
    """The whole CNN compressed: three :class:`EncodedLayer` and the biases."""

    layers: dict
    biases: dict                   # name → array in the stored dtype

    def decode(self):
        """The ``FloatCNN`` this file stores (the model whose accuracy is reported)."""
        params = {name: layer.decode() for name, layer in self.layers.items()}
        params.update({name: bias.astype(np.float32) for name, bias in self.biases.items()})
        return FloatCNN(params)

    def bits(self):
        """Bits per part, summed over the layers, plus ``"biases"`` and ``"total"``."""
        table = {}
        for layer in self.layers.values():
            for part, bits in layer.bits().items():
                table[part] = table.get(part, 0) + bits
        table["biases"] = sum(8 * bias.nbytes for bias in self.biases.values())
        table["total"] = sum(table.values())
        return table

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
        biases = sum(8 * bias.nbytes for bias in self.biases.values())
        float32_biases = sum(32 * bias.size for bias in self.biases.values())
        parameters = sum(math.prod(layer.shape) for layer in self.layers.values()) + sum(
            bias.size for bias in self.biases.values())
        return {
            "float32": 32 * parameters,
            "pruned": float32_biases + sum(LAYER_HEADER_BITS + layer.entries * (32 + layer.index_bits)
                                           for layer in self.layers.values()),
            "weight sharing": biases + sum(layer.fixed_width_bits() for layer in self.layers.values()),
            "Huffman coding": self.bits()["total"],
        }


def encode_model(shared_layers, model, *, index_bits, weight_bits, codebook_dtype="float32", bias_dtype="float32"):
    """Store a weight-shared CNN: ``shared_layers`` maps each weight name to its :class:`SharedWeights`.

    ``index_bits`` and ``weight_bits`` are one int for every layer or a dict per weight name;
    the biases are taken from ``model`` and stored in ``bias_dtype``.
    """
    if not isinstance(shared_layers, dict) or sorted(shared_layers) != sorted(WEIGHT_NAMES):
        raise ValueError(f"shared_layers must map exactly {list(WEIGHT_NAMES)} to SharedWeights")
    per_layer = {}
    for option, value in (("index_bits", index_bits), ("weight_bits", weight_bits)):
        per_layer[option] = value if isinstance(value, dict) else dict.fromkeys(WEIGHT_NAMES, value)
    layers = {name: encode_layer(shared_layers[name], index_bits=per_layer["index_bits"][name],
                                 weight_bits=per_layer["weight_bits"][name], codebook_dtype=codebook_dtype)
              for name in WEIGHT_NAMES}
    bias_type = _storage_dtype(bias_dtype, "bias_dtype")
    return EncodedModel(layers, {name: model.params[name].astype(bias_type) for name in BIAS_NAMES})
