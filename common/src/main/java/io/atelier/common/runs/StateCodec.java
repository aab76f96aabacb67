package io.atelier.common.runs;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

/**
 * The binary form of a {@link TrainingState} in a checkpoint's {@code state.bin}. Big-endian:
 * <pre>
 * int32  magic 0x41545354 ("ATST")     int32  format version (1)
 * int64  step                          int32  round
 * int32  tensor count, then per tensor, in state order:
 *        int32 name length, name (UTF-8), int32 value count, values (IEEE 754 float32 bits)
 * </pre>
 * Float bits are written raw, so a state read back is bit-identical to the one written.
 */
final class StateCodec {
    static final int MAGIC = 0x41545354;
    static final int VERSION = 1;
    private static final int MAX_NAME_BYTES = 4096;
    private static final int CHUNK_FLOATS = 16 * 1024;

    private StateCodec() {
    }

    static void write(TrainingState state, OutputStream sink) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(sink, 1 << 16));
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(state.step());
        out.writeInt(state.round());
        out.writeInt(state.tensors().size());
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
        for (var e : state.tensors().entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            float[] v = e.getValue();
            out.writeInt(name.length);
            out.write(name);
            out.writeInt(v.length);
            for (int i = 0; i < v.length; i += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, v.length - i);
                chunk.clear();
                chunk.asFloatBuffer().put(v, i, n);
                out.write(chunk.array(), 0, n * Float.BYTES);
            }
        }
        out.flush();
    }

    /** @param what names the source in error messages */
    static TrainingState read(InputStream source, String what) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(source, 1 << 16));
        try {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IOException(what + " is not an Atelier training state (magic " + Integer.toHexString(magic) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(what + " has state format " + version + "; this Atelier reads format " + VERSION);
            }
            long step = in.readLong();
            int round = in.readInt();
            int count = in.readInt();
            if (count < 0) {
                throw new IOException(what + " claims " + count + " tensors");
            }
            LinkedHashMap<String, float[]> tensors = new LinkedHashMap<>();
            byte[] chunk = new byte[CHUNK_FLOATS * Float.BYTES];
            for (int t = 0; t < count; t++) {
                int nameLength = in.readInt();
                if (nameLength < 0 || nameLength > MAX_NAME_BYTES) {
                    throw new IOException(what + ": tensor " + t + " has a name of " + nameLength + " bytes");
                }
                byte[] name = new byte[nameLength];
                in.readFully(name);
                int length = in.readInt();
                if (length < 0) {
                    throw new IOException(what + ": tensor " + t + " claims " + length + " values");
                }
                float[] v = new float[length];
                for (int i = 0; i < length; i += CHUNK_FLOATS) {
                    int n = Math.min(CHUNK_FLOATS, length - i);
                    in.readFully(chunk, 0, n * Float.BYTES);
                    ByteBuffer.wrap(chunk, 0, n * Float.BYTES).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(v, i, n);
                }
                tensors.put(new String(name, StandardCharsets.UTF_8), v);
            }
            if (in.read() != -1) {
                throw new IOException(what + " has bytes after its last tensor");
            }
            return new TrainingState(tensors, step, round);
        } catch (EOFException e) {
            throw new IOException(what + " ends early: it is truncated", e);
        }
    }
}
