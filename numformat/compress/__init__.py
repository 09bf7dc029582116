"""Beyond int8: pruning, k-means weight sharing, Huffman coding, power-of-two weights (INQ).

One module per idea: :mod:`.prune` (magnitude pruning with fine-tuning), :mod:`.share`
(k-means weight sharing), :mod:`.huffman` (canonical Huffman codes), :mod:`.storage` (Deep
Compression's sparse, shared, Huffman-coded file with every bit counted), :mod:`.inq`
(incremental power-of-two quantization), :mod:`.report` (the whole pipeline and its report).
"""

from .huffman import HuffmanCode, canonical_codes, entropy_bits, huffman_code_lengths, huffman_decode, huffman_encode
from .inq import INQ_PORTIONS, PowerOfTwoGrid, inq, inq_partition, shift_add_dot
from .prune import WEIGHT_NAMES, apply_masks, magnitude_mask, prune, prune_masks, sparsity_of
from .report import (
    DEEP_COMPRESSION_SETTINGS,
    FLOAT32_BITS,
    PARAMETERS,
    DeepCompression,
    ReportRow,
    deep_compression,
    power_of_two_bits,
    report_table,
)
from .share import KMEANS_INITS, SharedWeights, fine_tune_shared, initial_centroids, kmeans_1d, share_model, share_weights
from .storage import EncodedLayer, EncodedModel, encode_layer, encode_model, entry_positions, relative_indices

__all__ = [
    "DEEP_COMPRESSION_SETTINGS", "FLOAT32_BITS", "INQ_PORTIONS", "KMEANS_INITS", "PARAMETERS", "WEIGHT_NAMES",
    "DeepCompression", "EncodedLayer", "EncodedModel", "HuffmanCode", "PowerOfTwoGrid", "ReportRow", "SharedWeights",
    "apply_masks", "canonical_codes", "deep_compression", "encode_layer", "encode_model", "entropy_bits",
    "entry_positions", "fine_tune_shared", "huffman_code_lengths", "huffman_decode", "huffman_encode",
    "initial_centroids", "inq", "inq_partition", "kmeans_1d", "magnitude_mask", "power_of_two_bits", "prune",
    "prune_masks", "relative_indices", "report_table", "share_model", "share_weights", "shift_add_dot",
    "sparsity_of",
]
