"""Beyond int8: pruning, k-means weight sharing, Huffman coding, power-of-two weights (INQ).

One module per idea: :mod:`.prune` (magnitude pruning with fine-tuning), :mod:`.share`
(k-means weight sharing), :mod:`.huffman` (canonical Huffman codes), :mod:`.encoding` (Deep
Compression's sparse, shared, Huffman-coded format with every bit counted), :mod:`.file_format`
(that format written to bytes and read back), :mod:`.inq` (incremental power-of-two
quantization), :mod:`.pipeline` (the whole pipeline and its report), :mod:`.search` (settings
chosen by cross-validation) and :mod:`.build` (the shipped compressed CNN, rebuilt from a seed).
"""

from .file_format import from_bytes, load_compressed, read_compressed, save_compressed, to_bytes
from .huffman import (
    HuffmanCode,
    canonical_codes,
    entropy_bits,
    huffman_code_lengths,
    huffman_decode,
    huffman_decode_prefix,
    huffman_encode,
)
from .inq import INQ_PORTIONS, PowerOfTwoGrid, inq, inq_partition, shift_add_dot
from .prune import WEIGHT_NAMES, apply_masks, magnitude_mask, prune, prune_masks, sparsity_of
from .pipeline import (
    DEEP_COMPRESSION_SETTINGS,
    FLOAT32_BITS,
    PARAMETERS,
    DeepCompression,
    ReportRow,
    deep_compression,
    power_of_two_bits,
    report_table,
    share_and_encode,
)
from .share import KMEANS_INITS, SharedWeights, fine_tune_shared, initial_centroids, kmeans_1d, share_model, share_weights
from .encoding import (
    BIAS_STORAGE,
    EncodedLayer,
    EncodedModel,
    encode_layer,
    encode_model,
    entry_positions,
    quantize_bias,
    relative_indices,
)

__all__ = [
    "BIAS_STORAGE", "DEEP_COMPRESSION_SETTINGS", "FLOAT32_BITS", "INQ_PORTIONS", "KMEANS_INITS", "PARAMETERS",
    "WEIGHT_NAMES", "DeepCompression", "EncodedLayer", "EncodedModel", "HuffmanCode", "PowerOfTwoGrid", "ReportRow",
    "SharedWeights", "apply_masks", "canonical_codes", "deep_compression", "encode_layer", "encode_model",
    "entropy_bits", "entry_positions", "fine_tune_shared", "from_bytes", "huffman_code_lengths", "huffman_decode",
    "huffman_decode_prefix", "huffman_encode", "initial_centroids", "inq", "inq_partition", "kmeans_1d",
    "load_compressed", "magnitude_mask", "power_of_two_bits", "prune", "prune_masks", "quantize_bias",
    "read_compressed", "relative_indices", "report_table", "save_compressed", "share_and_encode", "share_model",
    "share_weights", "shift_add_dot", "sparsity_of", "to_bytes",
]
