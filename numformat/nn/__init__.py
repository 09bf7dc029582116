"""The small digits CNN: float layers and training, the int8 engine, ONNX export."""

from .data import load_digits_split
from .model import FloatCNN, load_pretrained

__all__ = ["FloatCNN", "load_digits_split", "load_pretrained"]
