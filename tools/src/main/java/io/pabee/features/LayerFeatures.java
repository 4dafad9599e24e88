package io.pabee.features;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The [CLS] vector after every encoder layer for every record of a data split: [layer][record][hidden].
 * Cached on disk so that fitting heads and evaluating policies never re-run the encoder.
 */
public final class LayerFeatures {
    private static final int MAGIC = 0x50414246; // "PABF"
    private final int numLayers;
    private final int count;
    private final int hidden;
    /** One float array per layer, row-major [record][hidden]. */
    private final float[][] data;

    public LayerFeatures(int numLayers, int count, int hidden) {
        this.numLayers = numLayers;
        this.count = count;
        this.hidden = hidden;
        this.data = new float[numLayers][count * hidden];
    }

    public int numLayers() {
        return numLayers;
    }

    public int count() {
        return count;
    }

    public int hidden() {
        return hidden;
    }

    /** Layer {@code layer} (1-based) as one row-major array [record][hidden]. */
    public float[] layer(int layer) {
        return data[layer - 1];
    }

    /** Layer {@code layer} (1-based) as rows, copied. */
    public float[][] rows(int layer) {
        float[][] out = new float[count][hidden];
        float[] src = data[layer - 1];
        for (int i = 0; i < count; i++) {
            System.arraycopy(src, i * hidden, out[i], 0, hidden);
        }
        return out;
    }

    public void set(int layer, int record, float[] hiddenState) {
        System.arraycopy(hiddenState, 0, data[layer - 1], record * hidden, hidden);
    }

    /** Writes the cache file atomically, with a header checked on read. */
    public void write(Path file, String key) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os, 1 << 20))) {
            out.writeInt(MAGIC);
            out.writeUTF(key);
            out.writeInt(numLayers);
            out.writeInt(count);
            out.writeInt(hidden);
            ByteBuffer bb = ByteBuffer.allocate(hidden * 4 * 256).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] layer : data) {
                for (int off = 0; off < layer.length; ) {
                    int n = Math.min(bb.capacity() / 4, layer.length - off);
                    bb.clear();
                    bb.asFloatBuffer().put(layer, off, n);
                    out.write(bb.array(), 0, n * 4);
                    off += n;
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a cache file; returns null when it is absent or was made for another {@code key}. */
    public static LayerFeatures read(Path file, String key) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             InputStream is = java.nio.channels.Channels.newInputStream(ch);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(is, 1 << 20))) {
            if (in.readInt() != MAGIC || !in.readUTF().equals(key)) {
                return null;
            }
            LayerFeatures f = new LayerFeatures(in.readInt(), in.readInt(), in.readInt());
            byte[] buf = new byte[f.hidden * 4 * 256];
            for (float[] layer : f.data) {
                for (int off = 0; off < layer.length; ) {
                    int n = Math.min(buf.length / 4, layer.length - off);
                    in.readFully(buf, 0, n * 4);
                    ByteBuffer.wrap(buf, 0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(layer, off, n);
                    off += n;
                }
            }
            return f;
        }
    }
}
