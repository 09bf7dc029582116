"""Hypothesis strategies the property tests share: one definition of each kind of input."""

from hypothesis import strategies as st

#: every finite float64 (subnormals and huge magnitudes included)
finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
#: every int16 PCM sample
int16 = st.integers(-(2 ** 15), 2 ** 15 - 1)
#: every int8 code
int8 = st.integers(-128, 127)
#: every integer width the library handles, 1 to 64 bits
int_widths = st.integers(1, 64)
#: a quantization range [a, b] in either order, neither end subnormal
ranges = st.tuples(st.floats(-1e6, 1e6, allow_subnormal=False), st.floats(-1e6, 1e6, allow_subnormal=False))
