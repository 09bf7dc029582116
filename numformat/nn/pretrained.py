"""The networks the package ships, by name.

``load_pretrained()`` is the digits CNN (``python -m numformat.nn.train``, seed 0);
``load_pretrained("spoken_digits")`` the spoken-digit CNN (``python -m numformat.nn.spoken_train``).
Both are float :class:`~numformat.nn.model.FloatCNN` objects; ``quantize_model`` makes them int8.

Examples
--------
>>> load_pretrained().architecture.name, load_pretrained("spoken_digits").architecture.name
('digits', 'spoken_digits')
"""

from __future__ import annotations

from ..checks import check_mode
from .model import WEIGHTS_PATH, FloatCNN
from .spoken import load_spoken_model

PRETRAINED = ("digits", "spoken_digits")


def load_pretrained(name="digits"):
    """The shipped float network called ``name``: ``"digits"`` (8×8 images) or ``"spoken_digits"`` (log-mel clips)."""
    check_mode(name, PRETRAINED, "name")
    return FloatCNN.load(WEIGHTS_PATH) if name == "digits" else load_spoken_model()
