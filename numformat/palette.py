"""The course's colours: one home for the colour of every kind of bit and every format.

Every picture of a number — FloatBits' and QFormat's HTML bit boxes, the explorers' buttons,
the figures in ``numformat.plots`` — paints a sign bit blue, exponent and integer bits green,
mantissa and fraction bits orange, so a student reads one picture after another without a
legend.  A bit that is 0 is drawn in the pale version of its colour.

Examples
--------
>>> FIELD_COLOURS["sign"], FIELD_COLOURS["exponent"] == FIELD_COLOURS["integer"]
('#4a90d9', True)
>>> PALE_COLOURS["fraction"]
'#f8e0cd'
"""

BLUE = "#4a90d9"
GREEN = "#3aa655"
ORANGE = "#e0803a"
RED = "#d9534f"
PURPLE = "#8e6bbf"
VIOLET = "#8e44ad"
LIGHT_GREEN = "#5cb85c"
YELLOW = "#f0ad4e"
GREY = "#9e9e9e"
DARK_GREY = "#555555"

# The fields of a float and the roles of a fixed-point word: exponent and integer bits share a
# colour (they set the range), mantissa and fraction bits share one (they set the resolution).
FIELD_COLOURS = {"sign": BLUE, "exponent": GREEN, "mantissa": ORANGE, "integer": GREEN, "fraction": ORANGE}
PALE_COLOURS = {"sign": "#d6e6f7", "exponent": "#d3eed9", "mantissa": "#f8e0cd",
                "integer": "#d3eed9", "fraction": "#f8e0cd"}  # the same fields, bit = 0

# One colour per float format in the figures that compare formats.
FORMAT_COLOURS = {"float32": BLUE, "float16": ORANGE, "bfloat16": GREEN, "float8_e4m3fn": RED,
                  "float8_e5m2": PURPLE, "float64": DARK_GREY}

# One colour per way of choosing a quantizer's range (the calibration methods, and QAT's
# learned ranges) in the figures that compare them side by side.
METHOD_COLOURS = {"minmax": BLUE, "percentile": GREEN, "mse": ORANGE, "entropy": PURPLE, "qat": RED}
