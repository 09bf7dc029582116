"""The small digits CNN: float layers and training, the int8 engine, ONNX export.

``load_digits_split`` gives the data, ``load_pretrained`` the trained :class:`FloatCNN`,
``quantize_model`` its :class:`Int8CNN`, and ``export_onnx`` an onnxruntime model of it.
"""

from .data import load_digits_split, validation_folds
from .int8 import ENGINES, Int8CNN, QuantizedLayer, quantize_model
from .model import FloatCNN, load_pretrained
from .onnx_export import export_onnx, onnxruntime_session, run_onnxruntime

__all__ = ["ENGINES", "FloatCNN", "Int8CNN", "QuantizedLayer", "export_onnx", "load_digits_split",
           "load_pretrained", "onnxruntime_session", "quantize_model", "run_onnxruntime", "validation_folds"]
