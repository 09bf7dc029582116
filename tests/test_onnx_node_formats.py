"""ONNX's own node tests for numformat's format families, run through numformat's public API.

The installed onnx rebuilds every node test's inputs and expected outputs at run time
(``onnx.backend.test.case.node``).  Each Cast, CastLike, QuantizeLinear and DequantizeLinear
case whose types are all numformat formats (IEEE and ML floats, FP4, FNUZ, E8M0, int2 to int16)
is computed here with numformat alone: sub-byte tensors are unpacked with ``unpack_ints``,
floats decoded with ``from_bits`` and encoded with ``to_bits`` / ``e8m0_codes``.
"""

import numpy as np
import pytest

import numformat as nf
from numformat.blocks import affine_codes, e8m0_codes
from numformat.rounding import round_half

onnx = pytest.importorskip("onnx")
pytest.importorskip("ml_dtypes")
from onnx import TensorProto  # noqa: E402
from onnx.backend.test.case.node import collect_testcases  # noqa: E402

FLOATS = {TensorProto.FLOAT: nf.FLOAT32, TensorProto.FLOAT16: nf.FLOAT16, TensorProto.DOUBLE: nf.FLOAT64,
          TensorProto.BFLOAT16: nf.BFLOAT16, TensorProto.FLOAT8E4M3FN: nf.FLOAT8_E4M3FN,
          TensorProto.FLOAT8E5M2: nf.FLOAT8_E5M2, TensorProto.FLOAT8E4M3FNUZ: nf.FLOAT8_E4M3FNUZ,
          TensorProto.FLOAT8E5M2FNUZ: nf.FLOAT8_E5M2FNUZ, TensorProto.FLOAT8E8M0: nf.FLOAT8_E8M0FNU,
          TensorProto.FLOAT4E2M1: nf.FLOAT4_E2M1FN}
INTS = {TensorProto.INT2: (2, True), TensorProto.UINT2: (2, False), TensorProto.INT4: (4, True),
        TensorProto.UINT4: (4, False), TensorProto.INT8: (8, True), TensorProto.UINT8: (8, False),
        TensorProto.INT16: (16, True), TensorProto.UINT16: (16, False)}
OPS = ("Cast", "CastLike", "QuantizeLinear", "DequantizeLinear")
NEW_TYPES = {TensorProto.FLOAT8E4M3FNUZ, TensorProto.FLOAT8E5M2FNUZ, TensorProto.FLOAT8E8M0,
             TensorProto.FLOAT4E2M1, TensorProto.INT4, TensorProto.UINT4, TensorProto.INT2, TensorProto.UINT2}


def tensor_types(case):
    graph = case.model.graph
    return [value.type.tensor_type.elem_type for value in [*graph.input, *graph.output]]


def family_cases():
    cases = []
    for case in collect_testcases(None):
        nodes = case.model.graph.node
        if len(nodes) == 1 and nodes[0].op_type in OPS and all(t in FLOATS or t in INTS for t in tensor_types(case)):
            cases.append(case)
    return cases


with np.errstate(all="ignore"):
    CASES = family_cases()


def codes_of(tensor, elem_type):
    """The stored codes (floats) or values (ints) of a node test's tensor, numformat-decoded."""
    if isinstance(tensor, (np.ndarray, np.generic)):  # numpy arrays and scalars (ml_dtypes included)
        array = np.asarray(tensor)
        if elem_type in FLOATS:
            return array.view(f"u{array.dtype.itemsize}").astype(np.uint64)
        return array.astype(np.int64)
    bits = INTS[elem_type][0] if elem_type in INTS else FLOATS[elem_type].width
    count = int(np.prod(tensor.dims, dtype=np.int64))
    if bits < 8:  # sub-byte: packed low bits first, in raw_data or int32_data
        packed = np.frombuffer(tensor.raw_data, np.uint8) if tensor.raw_data else np.array(tensor.int32_data, np.uint8)
        signed = INTS[elem_type][1] if elem_type in INTS else False
        return np.asarray(nf.unpack_ints(packed, bits, count, signed=signed), np.int64).reshape(tensor.dims)
    array = onnx.numpy_helper.to_array(tensor)
    return codes_of(np.asarray(array), elem_type)


def values_of(tensor, elem_type):
    codes = codes_of(tensor, elem_type)
    return nf.from_bits(codes, FLOATS[elem_type]) if elem_type in FLOATS else codes.astype(np.float64)


def encode(values, elem_type, saturate=True, round_mode="up"):
    """Codes of ``elem_type`` for float64 values (ints: ONNX's truncation; see ``in_range``)."""
    if elem_type == TensorProto.FLOAT8E8M0:
        return e8m0_codes(values, {"up": "up", "down": "down", "nearest": "nearest"}[round_mode], saturate=saturate)
    if elem_type in FLOATS:
        fmt = FLOATS[elem_type]
        return nf.to_bits(values, fmt, saturate=saturate and fmt.width <= 8).astype(np.uint64)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(round_half(values, "zero")).astype(np.int64)


def in_range(values, elem_type):
    """ONNX's Cast: float to fixed point is undefined out of range, so only in-range values count."""
    if elem_type not in INTS:
        return np.ones(np.shape(values), bool)
    low, high = nf.int_range(*INTS[elem_type])
    return np.isfinite(values) & (np.trunc(values) >= low) & (np.trunc(values) <= high)


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_cast(case, inputs):
    node, graph = case.model.graph.node[0], case.model.graph
    attrs = attributes(node)
    source, target = graph.input[0].type.tensor_type.elem_type, graph.output[0].type.tensor_type.elem_type
    values = values_of(inputs[0], source)
    round_mode = attrs.get("round_mode", b"up")
    round_mode = round_mode.decode() if isinstance(round_mode, bytes) else round_mode
    return encode(values, target, bool(attrs.get("saturate", 1)), round_mode), in_range(values, target)


def broadcast_params(param, shape, axis, block_size):
    """A scale or zero point repeated to the input's shape (per tensor, per axis or per block)."""
    param = np.asarray(param)
    if param.ndim == 0 or param.size == 1:
        return np.broadcast_to(param.reshape(()), shape)
    axis = axis % len(shape)
    if block_size:
        return np.repeat(param, block_size, axis=axis)[tuple(slice(0, n) for n in shape)]
    view = [1] * len(shape)
    view[axis] = -1
    return np.broadcast_to(param.reshape(view), shape)


def linear_operands(case, inputs):
    """``(x, scale, zero, target, attrs)`` of a QuantizeLinear/DequantizeLinear case, the scale and
    zero point broadcast to ``x``'s shape (per tensor, per axis or per block)."""
    node, graph = case.model.graph.node[0], case.model.graph
    attrs = attributes(node)
    types = [v.type.tensor_type.elem_type for v in graph.input]
    target = graph.output[0].type.tensor_type.elem_type
    x = values_of(inputs[0], types[0])
    axis, block = attrs.get("axis", 1), attrs.get("block_size", 0)
    scale = broadcast_params(values_of(inputs[1], types[1]), x.shape, axis, block)
    zero = broadcast_params(values_of(inputs[2], types[2]), x.shape, axis, block) if len(inputs) > 2 else 0.0
    return x, scale, zero, target, attrs


def run_quantize(case, inputs):
    x, scale, zero, target, attrs = linear_operands(case, inputs)
    if target in FLOATS:  # float8/float4 QuantizeLinear: x / scale + zero point, cast (saturating)
        return encode(x / scale + zero, target, bool(attrs.get("saturate", 1))), np.ones(x.shape, bool)
    bits, signed = INTS[target]
    return affine_codes(x, scale, zero, bits, signed=signed).astype(np.int64), np.ones(x.shape, bool)


def run_dequantize(case, inputs):
    x, scale, zero, target, _ = linear_operands(case, inputs)
    # ONNX computes (x - zero_point) * scale in the scale's type: float32 or float16.
    return encode((x - zero) * scale, target, saturate=False), np.ones(x.shape, bool)


RUNNERS = {"Cast": run_cast, "CastLike": run_cast, "QuantizeLinear": run_quantize, "DequantizeLinear": run_dequantize}


def test_the_families_are_all_here():
    names = {case.name for case in CASES}
    new = [case for case in CASES if NEW_TYPES & set(tensor_types(case))]
    assert len(CASES) >= 150 and len(new) >= 80, (len(CASES), len(new))
    assert {"test_cast_FLOAT_to_FLOAT4E2M1", "test_cast_e8m0_FLOAT_to_FLOAT8E8M0",
            "test_quantizelinear_int4", "test_dequantizelinear_blocked"} <= names


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.model.graph.node[0].op_type}-{case.name}")
def test_onnx_node_case_matches_numformat(case):
    inputs, outputs = case.data_sets[0]
    op_type = case.model.graph.node[0].op_type
    target = case.model.graph.output[0].type.tensor_type.elem_type
    with np.errstate(all="ignore"):
        ours, defined = RUNNERS[op_type](case, inputs)
    expected = codes_of(outputs[0], target)
    ours = np.asarray(ours).reshape(expected.shape)
    assert defined.sum() > 0
    if target in FLOATS and FLOATS[target].nan is not None:  # NaN payloads may differ: compare NaN-ness
        fmt = FLOATS[target]
        nan_ours, nan_theirs = np.isnan(nf.from_bits(ours, fmt)), np.isnan(nf.from_bits(expected, fmt))
        np.testing.assert_array_equal(nan_ours, nan_theirs)
        defined = defined & ~nan_theirs
    np.testing.assert_array_equal(ours[defined], expected[defined].astype(ours.dtype))
