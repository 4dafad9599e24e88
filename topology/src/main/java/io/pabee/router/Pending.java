package io.pabee.router;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A validated event waiting in the router's buffer store for its micro-batch. The buffer is a
 * changelogged state store, so under exactly-once an event whose input offset was committed is
 * either already answered or still in the restored buffer: a crash loses nothing.
 */
record Pending(long enqueueTime, long timestamp, String topic, int partition, long offset, byte[] event) {

    byte[] toBytes() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(event.length + 64);
        try (DataOutputStream out = new DataOutputStream(bos)) {
            out.writeLong(enqueueTime);
            out.writeLong(timestamp);
            out.writeUTF(topic == null ? "" : topic);
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeInt(event.length);
            out.write(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    static Pending fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            long enqueue = in.readLong();
            long ts = in.readLong();
            String topic = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            byte[] event = new byte[in.readInt()];
            in.readFully(event);
            return new Pending(enqueue, ts, topic, partition, offset, event);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt router buffer entry", e);
        }
    }
}
