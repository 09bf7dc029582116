"""Huffman coding: optimal lengths (against an independent merge-cost oracle and Shannon's bound),
canonical prefix-free codes, exact round trips, and clear errors on streams that do not decode."""

import heapq

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numformat.compress import HuffmanCode, canonical_codes, entropy_bits, huffman_code_lengths, huffman_decode, \
    huffman_decode_prefix, huffman_encode


def merge_cost(counts):
    """The bits of an optimal prefix code, computed independently: the sum of all merged weights.

    Every merge of two subtrees adds one bit to each symbol beneath it, so the encoded length
    is the sum of the merged weights -- no tree, no lengths.
    """
    heap = [int(c) for c in counts if c > 0]
    if len(heap) == 1:
        return heap[0]  # one symbol still costs a bit each
    heapq.heapify(heap)
    total = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        total += merged
        heapq.heappush(heap, merged)
    return total


def random_counts(rng, trials):
    for _ in range(trials):
        size = int(rng.integers(1, 300))
        kind = rng.integers(3)
        if kind == 0:
            counts = rng.integers(0, 1000, size)
        elif kind == 1:  # skewed, like cluster indices of a pruned layer
            counts = np.floor(rng.pareto(1.0, size) * 10).astype(np.int64)
        else:  # Fibonacci-like: the deepest trees
            counts = np.array([1, 1] + [0] * (min(size, 40) - 2), dtype=np.int64)
            for i in range(2, counts.size):
                counts[i] = counts[i - 1] + counts[i - 2]
        if counts.sum() == 0:
            counts[0] = 1
        yield counts


def test_huffman_bits_match_merge_cost_oracle(rng):
    for counts in random_counts(rng, 2000):
        lengths = huffman_code_lengths(counts)
        assert int((lengths * counts).sum()) == merge_cost(counts)
        assert np.all((lengths > 0) == (counts > 0))


def test_huffman_bits_lie_within_the_entropy_bound(rng):
    for counts in random_counts(rng, 500):
        bits = int((huffman_code_lengths(counts) * counts).sum())
        entropy = entropy_bits(counts)
        assert entropy - 1e-9 <= bits < entropy + counts.sum() + 1e-9


def test_canonical_codes_are_prefix_free_and_complete(rng):
    for counts in random_counts(rng, 300):
        code = HuffmanCode.from_counts(counts)
        words = [code.codeword(symbol) for symbol in range(code.alphabet_size) if code.lengths[symbol]]
        ordered = sorted(words)
        assert all(not later.startswith(earlier) for earlier, later in zip(ordered, ordered[1:]))
        used = code.lengths[code.lengths > 0]
        kraft = sum(2.0 ** -float(length) for length in used)
        assert kraft == (0.5 if used.size == 1 else 1.0)


def test_canonical_codes_follow_rfc1951():
    # RFC 1951 section 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) for A..H give these codes
    assert [format(int(c), f"0{n}b") for c, n in zip(canonical_codes([3, 3, 3, 3, 3, 2, 4, 4]),
                                                    [3, 3, 3, 3, 3, 2, 4, 4])] == \
        ["010", "011", "100", "101", "110", "00", "1110", "1111"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=400), st.integers(0, 5))
def test_huffman_round_trip(symbols, extra_alphabet):
    symbols = np.array(symbols)
    code = HuffmanCode.from_symbols(symbols, int(symbols.max()) + 1 + extra_alphabet)
    packed, nbits = huffman_encode(symbols, code)
    assert nbits == code.encoded_bits(symbols) == int(code.lengths[symbols].sum())
    assert packed.size == (nbits + 7) // 8
    assert huffman_decode(packed, nbits, code, symbols.size).tolist() == symbols.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=400), st.lists(st.integers(0, 1), max_size=64))
def test_prefix_decoding_stops_where_the_stream_ends(symbols, trailing):
    """A stream followed by other bits: the decoder reads exactly the codewords and says where they end."""
    symbols = np.array(symbols)
    code = HuffmanCode.from_symbols(symbols)
    packed, nbits = huffman_encode(symbols, code)
    bits = np.concatenate([np.unpackbits(packed)[:nbits], np.array(trailing, dtype=np.uint8)])
    decoded, used = huffman_decode_prefix(bits, code, symbols.size)
    assert used == nbits and decoded.tolist() == symbols.tolist()


def test_round_trip_of_a_large_skewed_stream(rng):
    symbols = np.minimum(rng.geometric(0.3, 200_000) - 1, 15)
    code = HuffmanCode.from_symbols(symbols, 16)
    packed, nbits = huffman_encode(symbols, code)
    assert np.array_equal(huffman_decode(packed, nbits, code, symbols.size), symbols)
    assert nbits < 4 * symbols.size  # fewer than the 4 fixed-width bits per symbol


def test_bitstream_is_the_concatenated_codewords():
    code = HuffmanCode.from_counts([5, 2, 1, 1])
    symbols = [3, 0, 1, 2, 0]
    packed, nbits = huffman_encode(symbols, code)
    expected = "".join(code.codeword(s) for s in symbols)
    assert "".join(map(str, np.unpackbits(packed)[:nbits])) == expected


def test_table_bits_count_every_length_field():
    code = HuffmanCode.from_counts([10, 0, 3, 3, 1, 1])  # longest codeword 4 bits → 3-bit fields
    assert code.max_length == 4
    assert code.table_bits == 3 + 6 * 3


@pytest.mark.parametrize("call, error, message", [
    (lambda: huffman_code_lengths([1.5, 2]), TypeError, "counts must be integers"),
    (lambda: huffman_code_lengths([-1, 2]), ValueError, "counts must be non-negative"),
    (lambda: canonical_codes([1, 1, 1]), ValueError, "break Kraft's inequality"),
    (lambda: huffman_encode([0, 3], HuffmanCode.from_counts([1, 1, 1])), ValueError, "outside the code's alphabet"),
    (lambda: huffman_encode([2], HuffmanCode.from_counts([1, 1, 0])), ValueError, "symbol 2 has no codeword"),
    (lambda: huffman_decode(np.zeros(1, np.uint8), 9, HuffmanCode.from_counts([1, 1]), 9), ValueError,
     "nbits=9 is more than the 8 bits"),
    (lambda: huffman_decode(np.zeros(1, np.int64), 8, HuffmanCode.from_counts([1, 1]), 8), TypeError,
     "packed must be a uint8 array"),
    (lambda: huffman_decode(np.zeros(1, np.uint8), 8, HuffmanCode.from_counts([1, 1]), 9), ValueError,
     "are not 9 codewords"),
    (lambda: huffman_decode(np.zeros(1, np.uint8), 8, HuffmanCode.from_counts([1, 1]), 7), ValueError,
     "are not 7 codewords"),
    (lambda: huffman_decode(np.array([255], np.uint8), 8, HuffmanCode.from_counts([4]), 8), ValueError,
     "are not 8 codewords"),
    (lambda: huffman_decode(np.zeros(1, np.uint8), 4, HuffmanCode.from_counts([1, 1]), -1), ValueError,
     "count=-1 must be at least 0"),
    (lambda: huffman_decode_prefix([0, 1, 1], HuffmanCode.from_counts([2, 1, 1]), 3), ValueError,
     "the 3 bits do not begin with 3 codewords"),
    (lambda: huffman_decode_prefix([0, 2], HuffmanCode.from_counts([1, 1]), 1), ValueError, "0s and 1s"),
    (lambda: huffman_decode_prefix([], HuffmanCode.from_counts([1, 1]), 1), ValueError, "the 0 bits do not begin"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
