"""int8 quantization: the affine mapping, calibration, and integer-only requantization.

* :mod:`.mapping` — ``real = scale · (q - zero_point)``: :class:`QParams`, :func:`choose_qparams`,
  :func:`quantize`, :func:`dequantize`, :func:`fake_quantize`;
* :mod:`.calibration` — choosing the ``[min, max]`` range from samples: :func:`calibrate`
  (min-max, percentile, MSE, TensorRT's entropy);
* :mod:`.requantization` — the int32 accumulator back to int8 codes as TFLite, gemmlowp and
  onnxruntime do it: :func:`quantize_multiplier`, :func:`requantize` and the fixed-point steps.

Examples
--------
>>> qp = choose_qparams(min=-1.0, max=3.0)
>>> quantize([0.0, 0.5, 5.0], qp).tolist()
[-64, -32, 127]
>>> quantize_multiplier(0.1)
(1717986918, -3)
"""

from .calibration import CALIBRATION_METHODS, calibrate, entropy_threshold
from .mapping import QParams, choose_qparams, code_range, dequantize, fake_quantize, quantize
from .requantization import (
    ARITHMETIC_MODES,
    REQUANT_MODES,
    RUNTIMES,
    float32_multiplier,
    quantize_multiplier,
    requantize,
    rounding_divide_by_pot,
    quantize_input,
    saturating_rounding_doubling_high_mul,
)

__all__ = [
    "ARITHMETIC_MODES", "RUNTIMES", "quantize_input", "CALIBRATION_METHODS", "QParams", "REQUANT_MODES", "calibrate", "choose_qparams", "code_range",
    "dequantize", "entropy_threshold", "fake_quantize", "float32_multiplier", "quantize",
    "quantize_multiplier", "requantize", "rounding_divide_by_pot", "saturating_rounding_doubling_high_mul",
]
