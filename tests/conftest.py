"""Shared test fixtures: the table of float formats and their oracles, seeded generators."""

import numpy as np
import pytest

import numformat as nf

try:  # ml_dtypes is in the dev extra; the tests that need it skip clearly without it
    import ml_dtypes
except ImportError:  # pragma: no cover
    ml_dtypes = None


def _oracle_formats():
    """(FloatFormat, numpy dtype that implements it) for every format with a reference."""
    table = [(nf.FLOAT16, np.dtype(np.float16)), (nf.FLOAT32, np.dtype(np.float32))]
    if ml_dtypes is not None:
        table += [
            (nf.BFLOAT16, np.dtype(ml_dtypes.bfloat16)),
            (nf.FLOAT8_E4M3FN, np.dtype(ml_dtypes.float8_e4m3fn)),
            (nf.FLOAT8_E5M2, np.dtype(ml_dtypes.float8_e5m2)),
            # IEEE-style variants ml_dtypes also ships: custom FloatFormats checked against them
            (nf.FloatFormat(4, 3), np.dtype(ml_dtypes.float8_e4m3)),
            (nf.FloatFormat(3, 4), np.dtype(ml_dtypes.float8_e3m4)),
            # the formats of 4-bit and block-scaled ML (issue 14)
            (nf.FLOAT8_E4M3FNUZ, np.dtype(ml_dtypes.float8_e4m3fnuz)),
            (nf.FLOAT8_E5M2FNUZ, np.dtype(ml_dtypes.float8_e5m2fnuz)),
            (nf.FLOAT8_E8M0FNU, np.dtype(ml_dtypes.float8_e8m0fnu)),
            (nf.FLOAT6_E2M3FN, np.dtype(ml_dtypes.float6_e2m3fn)),
            (nf.FLOAT6_E3M2FN, np.dtype(ml_dtypes.float6_e3m2fn)),
            (nf.FLOAT4_E2M1FN, np.dtype(ml_dtypes.float4_e2m1fn)),
        ]
    return table


ORACLE_FORMATS = _oracle_formats()
SMALL_ORACLE_FORMATS = [(fmt, dtype) for fmt, dtype in ORACLE_FORMATS if fmt.width <= 16]


def format_id(pair):
    return pair[0].name


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


# Fixed-point formats every fixed-point test runs over: the classic DSP words, an 8-bit
# integer, two 32- and 64-bit words whose products and casts need care past int64, and a
# 64-bit unsigned word whose raws only Python ints hold.
FIXED_FORMATS = [nf.QFormat(3, 12), nf.QFormat(0, 15), nf.QFormat(8, 8, signed=False), nf.QFormat(7, 0),
                 nf.QFormat(15, 16), nf.QFormat(31, 32), nf.QFormat(0, 63), nf.QFormat(32, 32, signed=False)]


@pytest.fixture
def plots():
    """``numformat.plots`` on matplotlib's Agg backend; every figure is closed afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numformat import plots

    yield plots
    plt.close("all")


@pytest.fixture(scope="session")
def digits():
    """``(x_train, y_train, x_test, y_test)``: the seed-0 digits split the shipped CNN was trained on."""
    return nf.load_digits_split()


@pytest.fixture(scope="session")
def pretrained():
    """The shipped float CNN."""
    return nf.load_pretrained()
