"""Huffman coding of small integer symbols (cluster indices, index gaps), with the real bit count.

Huffman (1952) gives each symbol a prefix-free codeword whose length grows as the symbol gets
rarer; no prefix code spends fewer bits on the same symbol counts.  Deep Compression (Han, Mao
& Dally, ICLR 2016, section 4) Huffman-codes the quantized weights' cluster indices and the
sparse matrix's relative indices, because both are far from uniform, and saves another 20-30%.

The code is **canonical** (RFC 1951, DEFLATE, section 3.2.2): codewords are handed out in order
of (length, symbol), so the code lengths alone describe the whole code.  A decoder needs only
those lengths -- the table a compressed file stores, and counts in its size
(:attr:`HuffmanCode.table_bits`).

Encoding and decoding work on whole arrays.  Decoding is sequential by nature (where a
codeword starts depends on every earlier one), so :func:`huffman_decode` first decodes "the
codeword that would start here" at *every* bit position at once, then finds the positions
that really start a codeword by pointer jumping: knowing where the first m codewords start and
where a jump of m codewords leads from every position, it gets the next m starts in one step.

Examples
--------
>>> code = HuffmanCode.from_symbols([0, 0, 0, 0, 1, 1, 2, 3])
>>> code.lengths.tolist(), [code.codeword(s) for s in range(4)]
([1, 2, 3, 3], ['0', '10', '110', '111'])
>>> packed, nbits = huffman_encode([0, 2, 1, 0], code)
>>> nbits, huffman_decode(packed, nbits, code, count=4).tolist()
(7, [0, 2, 1, 0])
"""

from __future__ import annotations

import dataclasses
import heapq

import numpy as np

from ..checks import check_int

MAX_CODE_LENGTH = 62  # codewords live in int64; reaching 62 would take over 10^12 symbols (Fibonacci counts)
TABLE_HEADER_BITS = 3  # the width of the code-length fields, stored once per table


def _check_symbols(symbols, alphabet_size=None, name="symbols"):
    """``symbols`` as a 1-D int64 array of non-negative integers (below ``alphabet_size``)."""
    array = np.asarray(symbols)
    if array.size == 0:
        array = array.astype(np.int64)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must be integers, got dtype {array.dtype}")
    array = array.astype(np.int64).ravel()
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must be non-negative, got {int(array.min())}")
    if alphabet_size is not None and array.size and array.max() >= alphabet_size:
        raise ValueError(f"{name} holds {int(array.max())}, outside the code's alphabet 0..{alphabet_size - 1}")
    return array


def huffman_code_lengths(counts):
    """The codeword length of every symbol in an optimal (Huffman) prefix code.

    Parameters
    ----------
    counts : array_like of int
        How often each symbol ``0 .. len(counts) - 1`` occurs.

    Returns
    -------
    numpy.ndarray of int64
        Length in bits per symbol; 0 for symbols that never occur.  A lone symbol gets 1 bit
        (a decoder must still see one bit per symbol to count them).

    Notes
    -----
    The textbook algorithm: repeatedly merge the two lightest subtrees; every symbol under a
    merge moves one level deeper.  Ties are broken by creation order, so the code is
    deterministic.  The loop runs once per *distinct symbol* (the alphabet), not per element.

    Examples
    --------
    >>> huffman_code_lengths([45, 13, 12, 16, 9, 5]).tolist()   # CLRS's example: 224 bits in all
    [1, 3, 3, 3, 4, 4]
    """
    counts = _check_symbols(counts, name="counts")
    lengths = np.zeros(counts.size, dtype=np.int64)
    used = np.flatnonzero(counts)
    if used.size == 1:
        lengths[used] = 1
        return lengths
    heap = [(int(counts[symbol]), order, [int(symbol)]) for order, symbol in enumerate(used)]
    heapq.heapify(heap)
    order = len(heap)
    while len(heap) > 1:
        weight_a, _, members_a = heapq.heappop(heap)
        weight_b, _, members_b = heapq.heappop(heap)
        merged = members_a + members_b
        lengths[merged] += 1
        heapq.heappush(heap, (weight_a + weight_b, order, merged))
        order += 1
    return lengths


def canonical_codes(lengths):
    """Canonical codewords (RFC 1951, section 3.2.2) for the given code lengths.

    Symbols sorted by (length, symbol) get consecutive codewords, each shifted left when the
    length grows.  Equivalently, codeword ``i`` is the Kraft sum ``Σ_{j<i} 2^-L_j`` of the
    codewords before it, written with ``L_i`` bits -- a cumulative sum, so no loop.

    Examples
    --------
    >>> canonical_codes([3, 3, 3, 3, 3, 2, 4, 4]).tolist()   # RFC 1951's own example
    [2, 3, 4, 5, 6, 0, 14, 15]
    """
    lengths = _check_symbols(lengths, name="lengths")
    codes = np.zeros(lengths.size, dtype=np.int64)
    used = np.flatnonzero(lengths)
    if used.size == 0:
        return codes
    longest = int(lengths.max())
    if longest > MAX_CODE_LENGTH:
        raise ValueError(f"code lengths up to {MAX_CODE_LENGTH} bits are supported, got {longest}")
    order = used[np.lexsort((used, lengths[used]))]
    units = np.left_shift(np.int64(1), longest - lengths[order])  # 2^-L_j in units of 2^-longest
    kraft = np.concatenate([[0], np.cumsum(units)])
    if kraft[-1] > (1 << longest):
        raise ValueError(f"lengths {lengths.tolist()} break Kraft's inequality: no prefix code has them")
    codes[order] = kraft[:-1] >> (longest - lengths[order])
    return codes


@dataclasses.dataclass(frozen=True, eq=False)
class HuffmanCode:
    """A canonical prefix code over the symbols ``0 .. alphabet_size - 1``.

    Build one with :meth:`from_counts` or :meth:`from_symbols`; ``lengths`` (0 for a symbol
    the code cannot send) decide everything else.
    """

    lengths: np.ndarray

    def __post_init__(self):
        lengths = _check_symbols(self.lengths, name="lengths")
        object.__setattr__(self, "lengths", lengths)
        object.__setattr__(self, "codes", canonical_codes(lengths))

    @classmethod
    def from_counts(cls, counts):
        """The Huffman code for symbol counts (``counts[s]`` = occurrences of symbol ``s``)."""
        return cls(huffman_code_lengths(counts))

    @classmethod
    def from_symbols(cls, symbols, alphabet_size=None):
        """The Huffman code for the symbols of an array (alphabet: ``0 .. max`` unless given)."""
        symbols = _check_symbols(symbols)
        size = int(symbols.max(initial=-1)) + 1 if alphabet_size is None else check_int(alphabet_size, "alphabet_size", low=0)
        return cls.from_counts(np.bincount(_check_symbols(symbols, size), minlength=size))

    @property
    def alphabet_size(self):
        return int(self.lengths.size)

    @property
    def max_length(self):
        return int(self.lengths.max(initial=0))

    @property
    def table_bits(self):
        """Bits to store the code: a 3-bit field width, then every symbol's length in that width.

        Canonical codes need nothing else (RFC 1951); the alphabet size is part of the format.
        """
        return TABLE_HEADER_BITS + self.alphabet_size * max(1, self.max_length.bit_length())

    def codeword(self, symbol):
        """The codeword of ``symbol`` as a string of 0/1 (empty if the code cannot send it)."""
        length = int(self.lengths[symbol])
        return format(int(self.codes[symbol]), f"0{length}b") if length else ""

    def encoded_bits(self, symbols):
        """How many bits :func:`huffman_encode` writes for ``symbols`` (without the table)."""
        return int(self.lengths[_check_symbols(symbols, self.alphabet_size)].sum())


def huffman_encode(symbols, code):
    """Write the codewords of ``symbols`` one after another, most significant bit first.

    Returns
    -------
    packed : numpy.ndarray of uint8
        The bit string, 8 bits a byte (``np.packbits``), zero-padded to a whole byte.
    nbits : int
        How many of those bits are codewords (``code.encoded_bits(symbols)``).
    """
    symbols = _check_symbols(symbols, code.alphabet_size)
    lengths = code.lengths[symbols]
    if np.any(lengths == 0):
        missing = int(symbols[lengths == 0][0])
        raise ValueError(f"symbol {missing} has no codeword in this code (it had count 0 when the code was built)")
    nbits = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    owner = np.repeat(np.arange(symbols.size), lengths)            # which symbol each output bit belongs to
    bit_in_codeword = np.arange(nbits) - starts[owner]
    shift = lengths[owner] - 1 - bit_in_codeword                    # most significant bit first
    bits = (code.codes[symbols][owner] >> shift) & 1
    return np.packbits(bits.astype(np.uint8)), nbits


def _decode_everywhere(bits, code):
    """For every bit position: the symbol and length of the codeword that would start there.

    Canonical decoding as zlib's ``puff.c`` does it: for L = 1, 2, ..., the first L bits are a
    codeword of length L exactly when they lie in ``[first_code[L], first_code[L] + count[L])``.
    Positions where nothing decodes (only possible for an incomplete code) get length 0.
    """
    longest = code.max_length
    padded = np.concatenate([bits, np.zeros(longest, dtype=np.int64)])
    positions = bits.size
    count_per_length = np.bincount(code.lengths, minlength=longest + 1)
    count_per_length[0] = 0
    used = np.flatnonzero(code.lengths)
    sorted_symbols = used[np.lexsort((used, code.lengths[used]))]
    first_index = np.concatenate([[0], np.cumsum(count_per_length)])  # where length L starts in sorted_symbols
    symbol = np.zeros(positions, dtype=np.int64)
    length = np.zeros(positions, dtype=np.int64)
    prefix = np.zeros(positions, dtype=np.int64)
    first_code = 0
    for bit_length in range(1, longest + 1):  # a loop over code lengths, each a whole-array step
        prefix = (prefix << 1) | padded[bit_length - 1:bit_length - 1 + positions]
        offset = prefix - first_code
        found = (length == 0) & (offset >= 0) & (offset < count_per_length[bit_length])
        symbol[found] = sorted_symbols[first_index[bit_length] + offset[found]]
        length[found] = bit_length
        first_code = (first_code + count_per_length[bit_length]) << 1
    return symbol, length


def _first_codewords(bits, code, count):
    """The first ``count`` codewords of a 0/1 array: ``(symbols, bits they fill)``, or None.

    None when the bits run out first or hold something no codeword of ``code`` starts.
    """
    nbits = bits.size
    symbol, length = _decode_everywhere(bits, code)
    # Pointer jumping: jump[p] is where m codewords starting at p end (nbits is a sink; a
    # position where nothing decodes steps one bit on, and is rejected below if reached).
    jump = np.minimum(np.arange(nbits + 1) + np.append(np.maximum(length, 1), 0), nbits)
    starts = np.zeros(1, dtype=np.int64)
    while starts.size < count:
        starts = np.concatenate([starts, jump[starts]])
        jump = jump[jump]
    starts = starts[:count]
    if starts[-1] >= nbits or np.any(np.diff(starts) <= 0) or np.any(length[starts] == 0):
        return None
    end = int(starts[-1] + length[starts[-1]])
    return (symbol[starts], end) if end <= nbits else None  # the last codeword may not read past the end


def _check_decodable(code, count):
    count = check_int(count, "count", low=0)
    if count and code.max_length == 0:
        raise ValueError("the code has no codewords")
    return count


def _fits(nbits, code, count):
    """Whether ``count`` codewords of ``code`` can fit in ``nbits`` bits at all (each takes its shortest length or more).

    Checked before decoding, which allocates arrays of ``count`` positions.
    """
    shortest = int(code.lengths[code.lengths > 0].min(initial=1))
    return count * shortest <= nbits


def huffman_decode(packed, nbits, code, count):
    """Read ``count`` symbols back from the first ``nbits`` bits of ``packed``.

    Raises ``ValueError`` if those bits are not exactly ``count`` codewords of ``code``.
    """
    nbits = check_int(nbits, "nbits", low=0)
    count = _check_decodable(code, count)
    packed = np.asarray(packed)
    if packed.dtype != np.uint8:
        raise TypeError(f"packed must be a uint8 array (from huffman_encode), got dtype {packed.dtype}")
    if nbits > 8 * packed.size:
        raise ValueError(f"nbits={nbits} is more than the {8 * packed.size} bits packed holds")
    if count == 0:
        if nbits:
            raise ValueError(f"count=0 symbols cannot fill nbits={nbits} bits")
        return np.zeros(0, dtype=np.int64)
    if not _fits(nbits, code, count):
        raise ValueError(f"the {nbits} bits are not {count} codewords of this code: that many need more bits")
    found = _first_codewords(np.unpackbits(packed)[:nbits].astype(np.int64), code, count)
    if found is None or found[1] != nbits:
        raise ValueError(f"the {nbits} bits are not {count} codewords of this code")
    return found[0]


def huffman_decode_prefix(bits, code, count):
    """Read ``count`` symbols from the start of a 0/1 bit array whose length is not known.

    A file stores a Huffman stream followed by more data; the decoder knows how many symbols
    to read, and the stream ends where the last of them does.

    Returns
    -------
    symbols : numpy.ndarray of int64
    nbits : int
        How many bits the ``count`` codewords take: the next field starts there.

    Examples
    --------
    >>> code = HuffmanCode.from_symbols([0, 0, 0, 0, 1, 1, 2, 3])        # 0, 10, 110, 111
    >>> symbols, nbits = huffman_decode_prefix([1, 0, 0, 1, 1, 1, 0, 1], code, count=3)
    >>> symbols.tolist(), nbits                                         # 10 | 0 | 111, then other data
    ([1, 0, 3], 6)
    """
    count = _check_decodable(code, count)
    bits = np.asarray(bits)
    if bits.ndim != 1 or not (bits.size == 0 or np.issubdtype(bits.dtype, np.integer)) or np.any((bits != 0) & (bits != 1)):
        raise ValueError("bits must be a 1-D array of 0s and 1s")
    if count == 0:
        return np.zeros(0, dtype=np.int64), 0
    if not _fits(bits.size, code, count):
        raise ValueError(f"the {bits.size} bits do not begin with {count} codewords of this code: "
                         "that many need more bits")
    found = None if bits.size == 0 else _first_codewords(bits.astype(np.int64), code, count)
    if found is None:
        raise ValueError(f"the {bits.size} bits do not begin with {count} codewords of this code")
    return found


def entropy_bits(counts):
    """Shannon's lower bound ``Σ c_s · log2(N / c_s)`` on the bits any code spends on these counts.

    A Huffman code spends at least this and less than this plus one bit per symbol.

    Examples
    --------
    >>> entropy_bits([2, 1, 1])
    6.0
    """
    counts = _check_symbols(counts, name="counts").astype(np.float64)
    used = counts[counts > 0]
    return float(np.sum(used * np.log2(used.sum() / used)))
