"""numformat: how numbers become bits, bit-exact.

IEEE-754 and ML floats, Qm.n fixed point, audio ADC quantization and int8 neural networks,
each checked against a real reference library.

>>> import numformat
>>> numformat.encode_float32(8.625).hex
'0x410A0000'
"""

from . import adc, audio
from .adc import (
    QUANTIZER_KINDS,
    Quantizer,
    alias_frequency,
    reconstruct,
    sample,
    sqnr_db,
    theoretical_sqnr_db,
    tpdf_dither,
)
from .floats import (
    BFLOAT16,
    FLOAT4_E2M1FN,
    FLOAT6_E2M3FN,
    FLOAT6_E3M2FN,
    FLOAT8_E4M3FNUZ,
    FLOAT8_E5M2FNUZ,
    FLOAT8_E8M0FNU,
    FLOAT8_E4M3FN,
    FLOAT8_E5M2,
    FLOAT16,
    FLOAT32,
    FLOAT64,
    FloatFormat,
    fields,
    float_format,
    from_bits,
    next_down,
    next_up,
    round_to,
    to_bits,
    ulp,
)
from .fixed import Fixed, QFormat
from .floats import FloatBits, decode, decode_float32, encode, encode_float32
from .integers import cast_int, int_binary, int_dtype, int_formula, int_from_bits, int_hex, int_range, int_to_bits
from .integers import pack_ints, unpack_ints
from . import blocks
from .blocks import (MXFP4_E2M1, MXFP6_E2M3, MXFP6_E3M2, MXFP8_E4M3, MXFP8_E5M2, MXINT8, NF4, NVFP4, BlockFormat,
                     bits_per_value, block_dequantize, block_quantize, int4_groups)
from .adc import alaw_decode, alaw_encode, mulaw_compress, mulaw_decode, mulaw_encode, mulaw_expand
from .adc import (
    NonIdealADC,
    coherent_frequency,
    enob,
    histogram_test,
    noise_shape,
    sfdr_db,
    sigma_delta,
    sinad_db,
    sine_fit,
    snr_db,
    thd_db,
)
from .rounding import OVERFLOW_MODES, ROUNDING_MODES
from .quant import (
    CALIBRATION_METHODS,
    REQUANT_MODES,
    QParams,
    calibrate,
    choose_qparams,
    dequantize,
    fake_quantize,
    float32_multiplier,
    quantize,
    quantize_multiplier,
    requantize,
    rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul,
)
from . import html_repr  # noqa: F401  (gives FloatBits, QFormat, Fixed, Quantizer and QParams their Jupyter pictures)

# The network half loads on first use (PEP 562), so `import numformat` stays fast for the
# number-format lessons: numformat.nn, numformat.compress and the three nn names below.
_LAZY_MODULES = ("nn", "compress")
_LAZY_NN_NAMES = ("FloatCNN", "load_digits_split", "load_pretrained")


def __getattr__(name):
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NN_NAMES:
        return getattr(importlib.import_module(".nn", __name__), name)
    raise AttributeError(f"module 'numformat' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NN_NAMES))

__version__ = "0.1.0"

__all__ = [
    "BFLOAT16", "FLOAT8_E4M3FN", "FLOAT8_E5M2", "FLOAT16", "FLOAT32", "FLOAT64",
    "FLOAT4_E2M1FN", "FLOAT6_E2M3FN", "FLOAT6_E3M2FN", "FLOAT8_E4M3FNUZ", "FLOAT8_E5M2FNUZ", "FLOAT8_E8M0FNU",
    "Fixed", "FloatBits", "FloatFormat", "OVERFLOW_MODES", "QFormat", "ROUNDING_MODES",
    "decode", "decode_float32", "encode", "encode_float32", "fields", "float_format",
    "from_bits", "next_down", "next_up", "round_to", "to_bits", "ulp",
    "cast_int", "int_binary", "int_dtype", "int_formula", "int_from_bits", "int_hex", "int_range", "int_to_bits",
    "pack_ints", "unpack_ints",
    # block-scaled formats (numformat.blocks): MX, NVFP4, int4 groups, NF4
    "blocks", "BlockFormat", "MXFP4_E2M1", "MXFP6_E2M3", "MXFP6_E3M2", "MXFP8_E4M3", "MXFP8_E5M2", "MXINT8", "NF4",
    "NVFP4", "bits_per_value", "block_dequantize", "block_quantize", "int4_groups",
    # ADC: sampling, quantization, SQNR, dither, G.711 (numformat.adc); audio I/O
    # stays in the numformat.audio namespace
    "QUANTIZER_KINDS", "Quantizer", "alias_frequency", "reconstruct", "sample", "sqnr_db",
    "theoretical_sqnr_db", "tpdf_dither",
    "alaw_decode", "alaw_encode", "mulaw_compress", "mulaw_decode", "mulaw_encode", "mulaw_expand",
    # measuring converters (IEEE 1241), noise shaping, sigma-delta (more in numformat.adc)
    "NonIdealADC", "coherent_frequency", "enob", "histogram_test", "noise_shape", "sfdr_db", "sigma_delta",
    "sinad_db", "sine_fit", "snr_db", "thd_db",
    "adc", "audio",
    # int8 mapping
    "CALIBRATION_METHODS", "QParams", "REQUANT_MODES", "calibrate", "choose_qparams", "dequantize",
    "fake_quantize", "float32_multiplier", "quantize", "quantize_multiplier", "requantize",
    "rounding_divide_by_pot", "saturating_rounding_doubling_high_mul",
    # nn, loaded on first use
    "FloatCNN", "load_digits_split", "load_pretrained", "nn",
    # beyond int8 (names stay in the numformat.compress namespace), loaded on first use
    "compress",
]
