package io.gptlens.core.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the parts of an ONNX model GPTLens needs to convert it: the graph's initializers (weight
 * tensors) and nodes (operator type, inputs, outputs). ONNX is a protocol-buffers message; this
 * is a minimal reader of the wire format (varints, 64/32-bit fields, length-delimited fields),
 * following {@code onnx.proto}:
 * <ul>
 *   <li>ModelProto: {@code graph = 7}</li>
 *   <li>GraphProto: {@code node = 1}, {@code initializer = 5}</li>
 *   <li>NodeProto: {@code input = 1}, {@code output = 2}, {@code name = 3}, {@code op_type = 4}</li>
 *   <li>TensorProto: {@code dims = 1}, {@code data_type = 2}, {@code float_data = 4}, {@code name = 8}, {@code raw_data = 9}</li>
 * </ul>
 * Every length is checked against the bytes that remain. Stateless.
 */
public final class OnnxReader {

    /** ONNX's FLOAT data type id. */
    public static final int FLOAT = 1;

    /** A weight tensor: name, dimensions (row-major, outermost first), data type, raw little-endian bytes. */
    public record Tensor(String name, long[] dims, int dataType, ByteBuffer data) {
        /** The data as floats (FLOAT tensors only). */
        public float[] floats() {
            if (dataType != FLOAT) {
                throw new IllegalStateException(name + " is not FLOAT but type " + dataType);
            }
            float[] f = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        }
    }

    /** An operator node. */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs) {
    }

    /** The graph's initializers by name, and its nodes in order. */
    public record Graph(Map<String, Tensor> initializers, List<Node> nodes) {
    }

    private OnnxReader() {
    }

    /** Parses a whole ONNX model. */
    public static Graph read(ByteBuffer model) throws IOException {
        ByteBuffer graph = null;
        for (Field f : fields(model)) {
            if (f.number == 7 && f.bytes != null) {
                graph = f.bytes;
            }
        }
        if (graph == null) {
            throw new IOException("Not an ONNX model: no graph (field 7)");
        }
        Map<String, Tensor> inits = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Field f : fields(graph)) {
            if (f.number == 5 && f.bytes != null) {
                Tensor t = tensor(f.bytes);
                inits.put(t.name(), t);
            } else if (f.number == 1 && f.bytes != null) {
                nodes.add(node(f.bytes));
            }
        }
        return new Graph(inits, nodes);
    }

    private static Tensor tensor(ByteBuffer b) throws IOException {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = "";
        ByteBuffer raw = null;
        ByteBuffer floatData = null;
        for (Field f : fields(b)) {
            switch (f.number) {
                case 1 -> {
                    if (f.bytes != null) { // packed
                        ByteBuffer p = f.bytes.duplicate();
                        while (p.hasRemaining()) {
                            dims.add(varint(p));
                        }
                    } else {
                        dims.add(f.value);
                    }
                }
                case 2 -> type = (int) f.value;
                case 4 -> floatData = f.bytes;
                case 8 -> name = string(f.bytes);
                case 9 -> raw = f.bytes;
                default -> {
                }
            }
        }
        ByteBuffer data = raw != null ? raw : floatData != null ? floatData : ByteBuffer.allocate(0);
        return new Tensor(name, dims.stream().mapToLong(Long::longValue).toArray(), type, data.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    private static Node node(ByteBuffer b) throws IOException {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String name = "";
        String op = "";
        for (Field f : fields(b)) {
            switch (f.number) {
                case 1 -> in.add(string(f.bytes));
                case 2 -> out.add(string(f.bytes));
                case 3 -> name = string(f.bytes);
                case 4 -> op = string(f.bytes);
                default -> {
                }
            }
        }
        return new Node(name, op, in, out);
    }

    private static String string(ByteBuffer b) {
        if (b == null) {
            return "";
        }
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    /** One field: its number and either a scalar value or a length-delimited slice. */
    private record Field(int number, long value, ByteBuffer bytes) {
    }

    private static List<Field> fields(ByteBuffer msg) throws IOException {
        ByteBuffer b = msg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        List<Field> out = new ArrayList<>();
        while (b.hasRemaining()) {
            long key = varint(b);
            int number = (int) (key >>> 3);
            int wire = (int) (key & 7);
            switch (wire) {
                case 0 -> out.add(new Field(number, varint(b), null));
                case 1 -> {
                    need(b, 8);
                    out.add(new Field(number, b.getLong(), null));
                }
                case 2 -> {
                    long len = varint(b);
                    if (len < 0 || len > b.remaining()) {
                        throw new IOException("Malformed ONNX: field " + number + " claims " + len + " bytes, " + b.remaining() + " remain");
                    }
                    ByteBuffer slice = b.slice(b.position(), (int) len);
                    b.position(b.position() + (int) len);
                    out.add(new Field(number, 0, slice));
                }
                case 5 -> {
                    need(b, 4);
                    out.add(new Field(number, b.getInt(), null));
                }
                default -> throw new IOException("Malformed ONNX: wire type " + wire + " of field " + number);
            }
        }
        return out;
    }

    private static void need(ByteBuffer b, int n) throws IOException {
        if (b.remaining() < n) {
            throw new IOException("Malformed ONNX: truncated");
        }
    }

    private static long varint(ByteBuffer b) throws IOException {
        long r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(b, 1);
            byte c = b.get();
            r |= (long) (c & 0x7F) << shift;
            if ((c & 0x80) == 0) {
                return r;
            }
        }
        throw new IOException("Malformed ONNX: varint longer than 10 bytes");
    }
}
