"""IEEE-754 and machine-learning floats: the formats, whole-array codecs, and one number in full.

* :mod:`.format` — :class:`FloatFormat` and the constants ``FLOAT64`` … ``FLOAT4_E2M1FN``;
* :mod:`.codecs` — arrays of values ↔ bit patterns: :func:`to_bits`, :func:`from_bits`,
  :func:`fields`, :func:`round_to`, :func:`ulp`, :func:`next_up`, :func:`next_down`;
* :mod:`.scalar` — one number with its fields and worked formula: :class:`FloatBits`,
  :func:`encode`, :func:`decode`, :func:`encode_float32`, :func:`decode_float32`.

Examples
--------
>>> encode(8.625).hex, to_bits([1.0, 0.1], FLOAT16).tolist()
('0x410A0000', [15360, 11878])
"""

from .codecs import fields, from_bits, next_down, next_up, round_to, to_bits, ulp
from .format import (BFLOAT16, FLOAT4_E2M1FN, FLOAT6_E2M3FN, FLOAT6_E3M2FN, FLOAT8_E4M3FN, FLOAT8_E4M3FNUZ, FLOAT8_E5M2,
                     FLOAT8_E5M2FNUZ, FLOAT8_E8M0FNU, FLOAT16, FLOAT32, FLOAT64, FORMATS, FloatFormat, float_format)
from .scalar import FloatBits, decode, decode_float32, encode, encode_float32

__all__ = [
    "BFLOAT16", "FLOAT4_E2M1FN", "FLOAT6_E2M3FN", "FLOAT6_E3M2FN", "FLOAT8_E4M3FNUZ", "FLOAT8_E5M2FNUZ",
    "FLOAT8_E8M0FNU", "FLOAT8_E4M3FN", "FLOAT8_E5M2", "FLOAT16", "FLOAT32", "FLOAT64", "FORMATS", "FloatBits",
    "FloatFormat", "decode", "decode_float32", "encode", "encode_float32", "fields", "float_format",
    "from_bits", "next_down", "next_up", "round_to", "to_bits", "ulp",
]
