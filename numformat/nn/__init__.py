"""Networks as data: float layers and training, the int8 engine, ONNX export, and what lies
beyond int8: fake quantization at any width, quantization-aware training, per-layer
sensitivity and mixed precision, FP8.

A network is an ``Architecture``, a list of ``Conv2d``, ``ReLU``, ``MaxPool``, ``Flatten`` and
``Dense`` layers (:mod:`numformat.nn.architecture`); everything here works from that list.
The course's digits CNN is one instance, ``DIGITS_CNN``: ``load_digits_split`` gives the data, ``load_pretrained`` the trained :class:`FloatCNN`,
``quantize_model`` its :class:`Int8CNN`, ``export_onnx`` an onnxruntime model of it and
``export_tflite`` a LiteRT (TensorFlow Lite) one, which ``run_litert`` runs with any of LiteRT's
three kernel sets (``Int8CNN.forward(x, requant="litert-...")`` gives each one's integers).
``post_training_quantize`` and ``quantization_aware_training`` give simulated 2- to 16-bit
models, ``layer_sensitivity`` and ``assign_bits`` a mixed-precision assignment, ``fp8_model``
an E4M3 or E5M2 one.  The spoken-digit CNN is the second instance, ``SPOKEN_CNN``:
``load_spoken_digits`` gives the recordings, ``spoken_digit_features`` the log-mel front end,
``load_spoken_model``/``load_spoken_int8`` the shipped models and ``recognise`` the microphone.
"""

from .architecture import DIGITS_CNN, Architecture, Conv2d, Dense, Flatten, MaxPool, ReLU
from .data import load_digits_split, validation_folds
from .distill import distillation_targets
from .ptq import ActivationQuantizer, fake_quantize_weights, post_training_quantize, weight_qparams
from .fp8 import fp8_model
from .int8 import ENGINES, REQUANT_CHOICES, Int8CNN, QuantizedLayer, quantize_model
from .litert import litert_interpreter, run_litert
from .model import FloatCNN
from .pretrained import PRETRAINED, load_pretrained
from .onnx_export import export_onnx, onnxruntime_session, run_onnxruntime
from .qat import quantization_aware_training
from .sensitivity import Sensitivity, assign_bits, layer_sensitivity
from .tflite_export import export_tflite
from .features import spoken_digit_features
from .spoken import (SPOKEN_CNN, Recognition, SpokenDigits, load_spoken_digits, load_spoken_int8, load_spoken_model,
                     recognise)

__all__ = ["DIGITS_CNN", "ENGINES", "ActivationQuantizer", "Architecture", "Conv2d", "Dense", "Flatten", "FloatCNN",
           "Int8CNN", "MaxPool", "QuantizedLayer", "REQUANT_CHOICES", "ReLU", "Sensitivity", "assign_bits", "distillation_targets",
           "export_onnx", "export_tflite", "fake_quantize_weights", "fp8_model", "layer_sensitivity", "litert_interpreter", "load_digits_split",
           "load_pretrained", "PRETRAINED", "onnxruntime_session", "post_training_quantize", "quantization_aware_training",
           "quantize_model", "run_litert", "run_onnxruntime", "validation_folds", "weight_qparams",
           "SPOKEN_CNN", "Recognition", "SpokenDigits", "load_spoken_digits", "load_spoken_int8", "load_spoken_model",
           "recognise", "spoken_digit_features"]
