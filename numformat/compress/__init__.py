"""Beyond int8: pruning, k-means weight sharing, Huffman coding, power-of-two weights."""

from .huffman import HuffmanCode, canonical_codes, entropy_bits, huffman_code_lengths, huffman_decode, huffman_encode

__all__ = ["HuffmanCode", "canonical_codes", "entropy_bits", "huffman_code_lengths", "huffman_decode",
           "huffman_encode"]
