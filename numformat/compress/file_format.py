"""The compressed file, bit for bit: write an :class:`~numformat.compress.encoding.EncodedModel` to
bytes and read it back.

The file holds exactly the parts :meth:`EncodedModel.bits` counts, one after another, most
significant bit first, then zero bits up to a whole byte -- so its size *is* the bit count::

    file header   8 bits   codebook storage (4 bits: 0 float32, 1 float16),
                           bias storage (4 bits: 0 float32, 1 float16, 2 int8)
    per weight tensor, in the order conv1, conv2, fc:
      header      48 bits  entries (32), index_bits (8), weight_bits (8)
      tables               relative-index code, then weight-index code: each a 3-bit field
                           width w, then one w-bit code length per symbol (2^index_bits,
                           2^weight_bits symbols; RFC 1951 canonical codes need nothing else)
      codebook             K values, K = the largest weight index with a codeword
      streams              the Huffman-coded relative indices, then the weight indices
                           (``entries`` codewords each: the reader knows where they end)
    biases                 conv1, conv2, fc: [a float16 scale if int8] then the values
    padding                < 8 zero bits

The architecture -- tensor shapes and order -- is the format itself, as a JPEG decoder knows
what a DCT block is.  Nothing here is pickled: the reader parses integers and IEEE-754 bit
patterns, and rejects a file whose bits do not parse exactly.  It is written for hostile input:
every count is checked against what the format and the bytes left allow *before* anything is
allocated (a flipped bit in an entry count cannot ask for gigabytes), every field it rejects
is named with its value and the bound in a ``ValueError``, and a file that parses is the one
file :func:`to_bytes` writes for what it holds, byte for byte (the code-length fields must
have the writer's width).

Examples
--------
>>> writer = BitWriter(); writer.write(5, 3); writer.write_values(np.array([1.5], np.float16))
>>> data = writer.to_bytes(); len(data), writer.nbits
(3, 19)
>>> reader = BitReader(data); reader.read(3), reader.read_values(np.float16, 1).tolist()
(5, [1.5])
"""

from __future__ import annotations

import math
import pathlib

import numpy as np

from ..nn.architecture import DIGITS_CNN, check_architecture
from .huffman import MAX_CODE_LENGTH, TABLE_HEADER_BITS, HuffmanCode, huffman_decode_prefix
from .encoding import BIAS_STORAGE, MAX_SYMBOL_BITS, EncodedLayer, EncodedModel, STORAGE_DTYPES

COMPRESSED_PATH = pathlib.Path(__file__).resolve().parent.parent / "data" / "digits_cnn_compressed.bin"
CODEBOOK_STORAGE = tuple(STORAGE_DTYPES)        # ("float32", "float16"): the 4-bit field's values
BIT_TYPES = {np.dtype(np.float32): np.uint32, np.dtype(np.float16): np.uint16, np.dtype(np.int8): np.uint8}
MAX_LENGTH_FIELD = MAX_CODE_LENGTH.bit_length()  # the widest code-length field a valid table needs


def max_file_bits(architecture=DIGITS_CNN):
    """The most bits any file of ``architecture``'s format can hold: every count at its largest.

    A reader refuses longer data before unpacking it.

    >>> max_file_bits() // 8 < 2 ** 21          # about a megabyte
    True
    """
    table = TABLE_HEADER_BITS + (1 << MAX_SYMBOL_BITS) * MAX_LENGTH_FIELD
    codebook = ((1 << MAX_SYMBOL_BITS) - 1) * 32
    shapes = architecture.parameter_shapes()
    layers = sum(32 + 8 + 8 + 2 * table + codebook + 2 * MAX_CODE_LENGTH * math.prod(shapes[name])
                 for name in architecture.weight_names)
    biases = sum(16 + 32 * shapes[name][0] for name in architecture.bias_names)
    return 8 + layers + biases + 7


def _int_bits(value, width):
    """``value`` as ``width`` bits, most significant first."""
    return (int(value) >> np.arange(width - 1, -1, -1, dtype=np.int64)) & 1


class BitWriter:
    """Collects fields of bits; :meth:`to_bytes` packs them, zero-padded to a whole byte."""

    def __init__(self):
        self.parts = []
        self.nbits = 0

    def write_bits(self, bits):
        bits = np.asarray(bits, dtype=np.uint8)
        self.parts.append(bits)
        self.nbits += bits.size

    def write(self, value, width):
        """An unsigned integer in ``width`` bits."""
        if not 0 <= value < (1 << width):
            raise ValueError(f"{value} does not fit in {width} bits")
        self.write_bits(_int_bits(value, width))

    def write_values(self, array):
        """float32, float16 or int8 values as their bit patterns (IEEE-754 or two's complement)."""
        array = np.ascontiguousarray(array)
        raw = array.view(BIT_TYPES[array.dtype]).astype(np.int64)
        width = 8 * array.dtype.itemsize
        self.write_bits(((raw[:, None] >> np.arange(width - 1, -1, -1)) & 1).ravel())

    def to_bytes(self):
        return np.packbits(np.concatenate(self.parts) if self.parts else np.zeros(0, np.uint8)).tobytes()


class BitReader:
    """Reads fields back from bytes; :meth:`finish` checks nothing but zero padding is left."""

    def __init__(self, data):
        self.bits = np.unpackbits(np.frombuffer(bytes(data), dtype=np.uint8))
        self.position = 0

    @property
    def remaining(self):
        """How many bits are left to read."""
        return self.bits.size - self.position

    def read_bits(self, count):
        if self.position + count > self.bits.size:
            raise ValueError(f"the file ends after {self.bits.size} bits; {count} more were expected at bit {self.position}")
        bits = self.bits[self.position:self.position + count]
        self.position += count
        return bits

    def read(self, width):
        return int(np.dot(self.read_bits(width), 1 << np.arange(width - 1, -1, -1, dtype=np.int64))) if width else 0

    def read_values(self, dtype, count):
        dtype = np.dtype(dtype)
        width = 8 * dtype.itemsize
        bits = self.read_bits(width * count).reshape(count, width)
        raw = bits @ (1 << np.arange(width - 1, -1, -1, dtype=np.int64))
        return raw.astype(BIT_TYPES[dtype]).view(dtype)

    def read_huffman(self, code, count):
        """``count`` symbols of a Huffman stream and the stream as ``(packed, nbits)``.

        Only the bits ``count`` codewords can fill are looked at: ``count · max_length``.
        """
        window = self.bits[self.position:self.position + count * code.max_length]
        symbols, nbits = huffman_decode_prefix(window, code, count)
        return symbols, (np.packbits(self.read_bits(nbits)), nbits)

    def finish(self):
        rest = self.bits[self.position:]
        if rest.size >= 8 or np.any(rest):
            raise ValueError(f"{rest.size} bits are left after the model; a file ends with fewer than 8 zero bits")


def _write_table(writer, code):
    width = max(1, code.max_length.bit_length())
    writer.write(width, TABLE_HEADER_BITS)
    for length in code.lengths:
        writer.write(int(length), width)


def _read_table(reader, alphabet_size, field):
    """A canonical Huffman table, checked as :func:`_write_table` writes it (``field`` names it)."""
    width = reader.read(TABLE_HEADER_BITS)
    if width == 0:
        raise ValueError(f"{field}: length field width=0 is impossible: the writer uses 1 to {MAX_LENGTH_FIELD} bits")
    lengths = reader.read_bits(width * alphabet_size).reshape(alphabet_size, width) @ (
        1 << np.arange(width - 1, -1, -1, dtype=np.int64))
    longest = int(lengths.max())
    if longest > MAX_CODE_LENGTH:
        raise ValueError(f"{field}: a code length of {longest} bits is impossible: codes are at most "
                         f"{MAX_CODE_LENGTH} bits long")
    if width != max(1, longest.bit_length()):
        raise ValueError(f"{field}: length field width={width} is not the writer's: the longest code "
                         f"({longest} bits) is written in {max(1, longest.bit_length())}")
    per_length = np.bincount(lengths, minlength=longest + 1).tolist()
    kraft = sum(count << (longest - length) for length, count in enumerate(per_length) if length)
    if kraft > 1 << longest:       # Python ints: 2^16 symbols of 2^61 units cannot wrap around
        raise ValueError(f"{field}: the code lengths break Kraft's inequality (sum of 2^-length = "
                         f"{kraft / (1 << longest):g} > 1): no prefix code has them")
    return HuffmanCode(lengths)


def to_bytes(encoded):
    """The file of an :class:`EncodedModel`: ``encoded.bits()["total"]`` bits, zero-padded to bytes."""
    if not isinstance(encoded, EncodedModel):
        raise TypeError(f"encoded must be an EncodedModel (from encode_model), got {type(encoded).__name__}")
    writer = BitWriter()
    writer.write(CODEBOOK_STORAGE.index(encoded.codebook_dtype), 4)
    writer.write(BIAS_STORAGE.index(encoded.bias_dtype), 4)
    for name in encoded.architecture.weight_names:
        layer = encoded.layers[name]
        if layer.codebook.size != np.flatnonzero(layer.symbol_code.lengths).max(initial=0):
            raise ValueError(f"{name}: the codebook must hold exactly the values the weight indices use")
        for value, width in ((layer.entries, 32), (layer.index_bits, 8), (layer.weight_bits, 8)):
            writer.write(value, width)
        _write_table(writer, layer.skip_code)
        _write_table(writer, layer.symbol_code)
        writer.write_values(layer.codebook)
        for packed, nbits in (layer.skip_stream, layer.symbol_stream):
            writer.write_bits(np.unpackbits(packed)[:nbits])
    for name in encoded.architecture.bias_names:
        if name in encoded.bias_scales:
            writer.write_values(np.array([encoded.bias_scales[name]], dtype=np.float16))
        writer.write_values(encoded.biases[name])
    return writer.to_bytes()


def _check_entries(reader, name, size, entries):
    """An entry count the layer and the bits left can hold: one position and at least 2 bits each."""
    if entries > size:
        raise ValueError(f"{name}: entries={entries} is impossible: at most {size}, one per weight of the layer")
    if 2 * entries > reader.remaining:
        raise ValueError(f"{name}: entries={entries} is impossible: its two streams need at least "
                         f"{2 * entries} bits and {reader.remaining} are left")


def _check_positions(name, size, skips):
    """The entries must land inside the layer (``cumsum(skips + 1) - 1 < size``)."""
    last = int(np.sum(skips + 1)) - 1
    if last >= size:
        raise ValueError(f"{name}: the relative indices reach position {last}, past the layer's {size} weights")


def _read_finite(reader, dtype, count, field):
    """``count`` stored values; NaN or infinity is no weight a model can use."""
    values = reader.read_values(dtype, count)
    bad = ~np.isfinite(values)
    if np.any(bad):
        raise ValueError(f"{field} holds {values[bad][0]} at index {int(np.flatnonzero(bad)[0])}: "
                         "stored parameters must be finite")
    return values


def _read_layer(reader, name, shape, codebook_dtype):
    entries, index_bits, weight_bits = reader.read(32), reader.read(8), reader.read(8)
    for field, value in (("index_bits", index_bits), ("weight_bits", weight_bits)):
        if not 1 <= value <= MAX_SYMBOL_BITS:
            raise ValueError(f"{name}: {field}={value} is impossible: the format allows 1 to {MAX_SYMBOL_BITS}")
    _check_entries(reader, name, math.prod(shape), entries)
    skip_code = _read_table(reader, 1 << index_bits, f"{name} relative-index table")
    symbol_code = _read_table(reader, 1 << weight_bits, f"{name} weight-index table")
    codebook = _read_finite(reader, codebook_dtype, int(np.flatnonzero(symbol_code.lengths).max(initial=0)),
                            f"{name} codebook")
    skips, skip_stream = reader.read_huffman(skip_code, entries)
    _check_positions(name, math.prod(shape), skips)
    symbols, symbol_stream = reader.read_huffman(symbol_code, entries)
    fillers = int(np.sum(symbols == 0))
    return EncodedLayer(shape, index_bits, weight_bits, codebook, entries, fillers,
                        skip_code, skip_stream, symbol_code, symbol_stream)


def from_bytes(data, architecture=DIGITS_CNN):
    """Parse a file written by :func:`to_bytes` back into the :class:`EncodedModel` it holds.

    The file stores no shapes: ``architecture`` (the network the file was written for, default
    the digits CNN) says them, as a JPEG decoder knows the layout of its own format.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    architecture = check_architecture(architecture)
    if 8 * len(data) > max_file_bits(architecture):
        raise ValueError(f"data is {len(data)} bytes; a compressed CNN file is at most {max_file_bits(architecture) // 8}")
    reader = BitReader(data)
    codebook_field, bias_field = reader.read(4), reader.read(4)
    if codebook_field >= len(CODEBOOK_STORAGE) or bias_field >= len(BIAS_STORAGE):
        raise ValueError(f"the file header names storage types {codebook_field}, {bias_field}: not a compressed CNN")
    codebook_dtype, bias_dtype = STORAGE_DTYPES[CODEBOOK_STORAGE[codebook_field]], BIAS_STORAGE[bias_field]
    shapes = architecture.parameter_shapes()
    layers = {name: _read_layer(reader, name, shapes[name], codebook_dtype) for name in architecture.weight_names}
    biases, scales = {}, {}
    for name in architecture.bias_names:
        if bias_dtype == "int8":
            scales[name] = _read_finite(reader, np.float16, 1, f"{name} scale")[0]
        biases[name] = _read_finite(reader, np.int8 if bias_dtype == "int8" else STORAGE_DTYPES[bias_dtype],
                                    shapes[name][0], name)
    reader.finish()
    return EncodedModel(layers, biases, scales, architecture)


def save_compressed(encoded, path=COMPRESSED_PATH):
    """Write ``encoded`` to ``path`` (:func:`to_bytes`); returns the number of bytes written."""
    data = to_bytes(encoded)
    pathlib.Path(path).write_bytes(data)
    return len(data)


def read_compressed(path=COMPRESSED_PATH, architecture=DIGITS_CNN):
    """The :class:`EncodedModel` in a compressed file (default: the shipped one, of the digits CNN)."""
    return from_bytes(pathlib.Path(path).read_bytes(), architecture)


def load_compressed(path=COMPRESSED_PATH, architecture=DIGITS_CNN):
    """The ``FloatCNN`` a compressed file holds (default: the one ``python -m numformat.compress.build`` ships)."""
    return read_compressed(path, architecture).decode()
