"""A TFLite flatbuffer from a list of tensors and operators: the schema's layout, nothing of any network.

:class:`Subgraph` collects tensors (with their buffers and quantization) and builtin operators;
:class:`FlatbufferWriter` writes them in TFLite's schema (``schema.fbs``: version 3, file
identifier ``TFL3``, buffer 0 empty for every activation, one buffer per constant) with the
``flatbuffers`` package and the schema's generated bindings in the ``tflite`` package (no
TensorFlow).  :mod:`numformat.nn.tflite_export` fills a ``Subgraph`` from a network.

Examples
--------
>>> graph = Subgraph()
>>> x = graph.tensor("x", (1, 4), "FLOAT32")
>>> y = graph.operator("RELU", [x], graph.tensor("y", (1, 4), "FLOAT32"))
>>> graph.inputs, graph.outputs = [x], [y]
>>> content = graph.serialize("one ReLU")
>>> content[4:8]
b'TFL3'
"""

from __future__ import annotations

import importlib

import numpy as np

SCHEMA_VERSION = 3
FILE_IDENTIFIER = b"TFL3"
#: (op, version) as TFLite's converter stamps them for int8 tensors.
OP_VERSIONS = {"CONV_2D": 3, "FULLY_CONNECTED": 4, "MAX_POOL_2D": 2, "RESHAPE": 1, "QUANTIZE": 2,
               "DEQUANTIZE": 2, "PAD": 2, "CAST": 1, "MUL": 1,
               "BATCH_MATMUL": 4, "ADD": 1, "RELU": 1}
BUFFER_ALIGNMENT = 16  # schema.fbs: Buffer.data is (force_align: 16)


def require(module):
    """Import ``module`` (a dev-extra dependency) or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{module} is needed for TFLite export and LiteRT inference: install the dev extra "
                          'with pip install -e ".[dev]" (or pip install ai-edge-litert tflite flatbuffers)') from None


class Subgraph:
    """The tensors, buffers and operators of one subgraph, added in order; ``inputs`` and
    ``outputs`` are tensor indices, ``current`` the output of the last operator."""

    def __init__(self):
        self.tensors, self.buffers, self.operators, self.opcodes = [], [b""], [], {}
        self.inputs, self.outputs, self.current = [], [], None

    def tensor(self, name, shape, dtype, *, data=None, qp=None):
        """Add a tensor (batch axis first for activations) and return its index.

        ``data`` makes it a constant with a buffer of its own; ``qp`` is ``(scale, zero_point,
        quantized_dimension)`` with arrays for per-channel parameters.
        """
        buffer = 0
        if data is not None:
            self.buffers.append(np.ascontiguousarray(data).tobytes())
            buffer = len(self.buffers) - 1
            shape = tuple(data.shape)
        self.tensors.append({"name": name, "shape": tuple(shape), "type": dtype, "buffer": buffer, "qp": qp,
                             "batched": data is None})
        return len(self.tensors) - 1

    def operator(self, op, inputs, output, *, options=None):
        """Add ``op`` reading ``inputs`` (-1: an omitted optional input) and writing ``output``."""
        self.opcodes.setdefault(op, len(self.opcodes))
        self.operators.append((op, list(inputs), [output], options))
        self.current = output
        return output

    def serialize(self, description):
        """The ``.tflite`` bytes: schema version 3, identifier ``TFL3``."""
        return FlatbufferWriter().model(self, description)


class FlatbufferWriter:
    """Writes a :class:`TfliteGraph` with the ``tflite`` package's generated schema builders.

    A flatbuffer is built back to front: every vector, string and child table is written
    before the table that points to it.
    """

    def __init__(self):
        self.schema = require("tflite")
        self.builder = require("flatbuffers").Builder(4096)

    def call(self, table, field, *args):
        return getattr(self.schema, f"{table}{field}")(self.builder, *args)

    def table(self, name, fields):
        """A table ``name`` with scalar or offset ``fields`` (written after their children)."""
        self.call(name, "Start")
        for field, value in fields.items():
            if value is not None:
                self.call(name, f"Add{field}", value)
        return self.call(name, "End")

    def numbers(self, values, dtype):
        return self.builder.CreateNumpyVector(np.asarray(values, dtype=dtype).ravel())

    def offsets(self, table, field, offsets):
        """A vector of tables or strings (``table``'s ``Start{field}Vector``)."""
        self.call(table, f"Start{field}Vector", len(offsets))
        for offset in reversed(offsets):
            self.builder.PrependUOffsetTRelative(offset)
        return self.builder.EndVector()

    def aligned_bytes(self, data):
        """A buffer's bytes, 16-byte aligned as the schema asks (``force_align: 16``)."""
        self.builder.StartVector(1, len(data), BUFFER_ALIGNMENT)
        self.builder.head -= len(data)
        self.builder.Bytes[self.builder.head:self.builder.head + len(data)] = data
        return self.builder.EndVector()

    def quantization(self, qp):
        scale, zero_point, axis = qp
        return self.table("QuantizationParameters", {
            "Scale": self.numbers(np.atleast_1d(scale), np.float32),
            "ZeroPoint": self.numbers(np.atleast_1d(zero_point), np.int64), "QuantizedDimension": axis})

    def tensor(self, tensor):
        tensor_type = getattr(self.schema.TensorType, tensor["type"])
        shape = list(tensor["shape"])
        signature = [-1, *shape[1:]] if tensor["batched"] else None
        return self.table("Tensor", {
            "Shape": self.numbers(shape, np.int32),
            "ShapeSignature": None if signature is None else self.numbers(signature, np.int32),
            "Type": tensor_type, "Buffer": tensor["buffer"], "Name": self.builder.CreateString(tensor["name"]),
            "Quantization": None if tensor["qp"] is None else self.quantization(tensor["qp"])})

    def operator(self, graph, op, inputs, outputs, options):
        fields = {"OpcodeIndex": graph.opcodes[op], "Inputs": self.numbers(inputs, np.int32),
                  "Outputs": self.numbers(outputs, np.int32)}
        if options is not None:
            name, values = options
            values = {field: self.numbers(value, np.int32) if isinstance(value, list) else value
                      for field, value in values.items()}
            fields["BuiltinOptionsType"] = getattr(self.schema.BuiltinOptions, name)
            fields["BuiltinOptions"] = self.table(name, values)
        return self.table("Operator", fields)

    def opcode(self, op):
        code = getattr(self.schema.BuiltinOperator, op)
        # builtin_code came in schema 3a; readers still look at the int8 deprecated field below 127
        return self.table("OperatorCode", {"DeprecatedBuiltinCode": min(code, 127), "BuiltinCode": code,
                                           "Version": OP_VERSIONS[op]})

    def model(self, graph, description):
        buffers = [self.table("Buffer", {"Data": self.aligned_bytes(data) if data else None})
                   for data in graph.buffers]
        tensors = [self.tensor(tensor) for tensor in graph.tensors]
        operators = [self.operator(graph, *operator) for operator in graph.operators]
        subgraph = self.table("SubGraph", {
            "Tensors": self.offsets("SubGraph", "Tensors", tensors),
            "Inputs": self.numbers(graph.inputs, np.int32), "Outputs": self.numbers(graph.outputs, np.int32),
            "Operators": self.offsets("SubGraph", "Operators", operators),
            "Name": self.builder.CreateString("main")})
        opcodes = [self.opcode(op) for op in graph.opcodes]
        model = self.table("Model", {
            "Version": SCHEMA_VERSION,
            "OperatorCodes": self.offsets("Model", "OperatorCodes", opcodes),
            "Subgraphs": self.offsets("Model", "Subgraphs", [subgraph]),
            "Description": self.builder.CreateString(description),
            "Buffers": self.offsets("Model", "Buffers", buffers)})
        self.builder.Finish(model, file_identifier=FILE_IDENTIFIER)
        return bytes(self.builder.Output())
