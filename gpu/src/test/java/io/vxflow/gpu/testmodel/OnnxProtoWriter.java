package io.vxflow.gpu.testmodel;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal, hand-written protobuf encoder for ONNX {@code ModelProto}: enough to write a small
 * inference graph (nodes with int, float and int-list attributes, float and int64 initializers as
 * {@code raw_data}, tensor inputs and outputs with static or named dimensions, metadata). No
 * protobuf library and no generated code: field numbers are those of {@code onnx/onnx.proto}.
 *
 * <p>Owns only the bytes it builds. Output is deterministic: the same calls in the same order give
 * the same bytes, so a committed model can be checked against the code that made it.
 *
 * <p>Limits: float32 and int64 tensors only; no subgraphs, sparse tensors, external data, functions
 * or training info.
 */
public final class OnnxProtoWriter {
    /** {@code TensorProto.DataType} values used here. */
    public static final int FLOAT = 1;
    public static final int INT64 = 7;

    // AttributeProto.AttributeType
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private OnnxProtoWriter() {}

    /** One node attribute, already encoded as an {@code AttributeProto}. */
    public record Attribute(byte[] encoded) {}

    public static Attribute intAttr(String name, long value) {
        return new Attribute(new Message().string(1, name).varint(20, ATTR_INT).varint(3, value).bytes());
    }

    public static Attribute floatAttr(String name, float value) {
        return new Attribute(new Message().string(1, name).varint(20, ATTR_FLOAT).fixed32(2, value).bytes());
    }

    public static Attribute intsAttr(String name, long... values) {
        Message m = new Message().string(1, name).varint(20, ATTR_INTS);
        for (long v : values) {
            m.varint(8, v);
        }
        return new Attribute(m.bytes());
    }

    /**
     * A graph under construction: nodes in topological order, initializers, inputs and outputs.
     * A dimension given as a {@link String} is symbolic ({@code dim_param}), as a number static.
     */
    public static final class Graph {
        private final String name;
        private final List<byte[]> nodes = new ArrayList<>();
        private final List<byte[]> initializers = new ArrayList<>();
        private final List<byte[]> inputs = new ArrayList<>();
        private final List<byte[]> outputs = new ArrayList<>();

        public Graph(String name) {
            this.name = name;
        }

        /** Adds a node; its name is its first output. Returns that output's name. */
        public String node(String opType, List<String> in, List<String> out, Attribute... attributes) {
            Message m = new Message();
            in.forEach(s -> m.string(1, s));
            out.forEach(s -> m.string(2, s));
            m.string(3, out.get(0)).string(4, opType);
            for (Attribute a : attributes) {
                m.message(5, a.encoded());
            }
            nodes.add(m.bytes());
            return out.get(0);
        }

        /** Adds a single-output node named after its output. */
        public String node(String opType, String output, List<String> in, Attribute... attributes) {
            return node(opType, in, List.of(output), attributes);
        }

        public String floats(String tensorName, long[] dims, float... values) {
            checkCount(tensorName, dims, values.length);
            ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                raw.putFloat(v);
            }
            initializers.add(tensor(tensorName, dims, FLOAT, raw.array()));
            return tensorName;
        }

        public String int64s(String tensorName, long[] dims, long... values) {
            checkCount(tensorName, dims, values.length);
            ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) {
                raw.putLong(v);
            }
            initializers.add(tensor(tensorName, dims, INT64, raw.array()));
            return tensorName;
        }

        public void input(String valueName, int elemType, Object... dims) {
            inputs.add(valueInfo(valueName, elemType, dims));
        }

        public void output(String valueName, int elemType, Object... dims) {
            outputs.add(valueInfo(valueName, elemType, dims));
        }

        byte[] encode() {
            Message m = new Message();
            nodes.forEach(n -> m.message(1, n));
            m.string(2, name);
            initializers.forEach(t -> m.message(5, t));
            inputs.forEach(v -> m.message(11, v));
            outputs.forEach(v -> m.message(12, v));
            return m.bytes();
        }

        private static void checkCount(String tensorName, long[] dims, int count) {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            if (n != count) {
                throw new IllegalArgumentException(tensorName + ": dims hold " + n + " values, got " + count);
            }
        }

        private static byte[] tensor(String tensorName, long[] dims, int dataType, byte[] raw) {
            Message m = new Message();
            for (long d : dims) {
                m.varint(1, d);
            }
            return m.varint(2, dataType).string(8, tensorName).bytes(9, raw).bytes();
        }

        private static byte[] valueInfo(String valueName, int elemType, Object... dims) {
            Message shape = new Message();
            for (Object d : dims) {
                Message dim = new Message();
                if (d instanceof String param) {
                    dim.string(2, param);
                } else {
                    dim.varint(1, ((Number) d).longValue());
                }
                shape.message(1, dim.bytes());
            }
            byte[] tensorType = new Message().varint(1, elemType).message(2, shape.bytes()).bytes();
            byte[] type = new Message().message(1, tensorType).bytes();
            return new Message().string(1, valueName).message(2, type).bytes();
        }
    }

    /**
     * Encodes a {@code ModelProto} around {@code graph}, importing the default ONNX domain at
     * {@code opset}; {@code metadata} is written in its iteration order.
     */
    public static byte[] model(Graph graph, long irVersion, long opset, String producerName, String producerVersion,
            LinkedHashMap<String, String> metadata) {
        Message m = new Message().varint(1, irVersion).string(2, producerName).string(3, producerVersion);
        m.message(7, graph.encode());
        m.message(8, new Message().string(1, "").varint(2, opset).bytes());
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            m.message(14, new Message().string(1, e.getKey()).string(2, e.getValue()).bytes());
        }
        return m.bytes();
    }

    /** Protobuf wire format: tags, varints, fixed32 and length-delimited fields. */
    static final class Message {
        private static final int VARINT = 0;
        private static final int LENGTH_DELIMITED = 2;
        private static final int FIXED32 = 5;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Message varint(int field, long value) {
            tag(field, VARINT);
            rawVarint(value);
            return this;
        }

        Message fixed32(int field, float value) {
            tag(field, FIXED32);
            int bits = Float.floatToIntBits(value);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
            return this;
        }

        Message bytes(int field, byte[] value) {
            tag(field, LENGTH_DELIMITED);
            rawVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        Message string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Message message(int field, byte[] encoded) {
            return bytes(field, encoded);
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        /** Negative values take ten bytes, as protobuf writes int64. */
        private void rawVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
