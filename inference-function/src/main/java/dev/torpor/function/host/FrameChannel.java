package dev.torpor.function.host;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;

/**
 * Frames over a blocking byte channel (a Unix domain socket or a TCP connection). One thread reads ({@link #read()}); any
 * thread may write ({@link #write}), one frame at a time. A frame longer than the reader's limit closes
 * the conversation: a function process must not make the router allocate whatever it claims.
 */
public final class FrameChannel implements AutoCloseable {
    private final ByteChannel channel;
    private final int maxFrameBytes;
    private final ByteBuffer lengthBuffer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);

    public FrameChannel(ByteChannel channel, int maxFrameBytes) {
        this.channel = channel;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Writes one finished frame (from {@link FrameWriter#frame}); blocks until it is all written. */
    public void write(ByteBuffer frame) throws IOException {
        synchronized (channel) {
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        }
    }

    /** Writes a frame with an empty payload. */
    public void write(byte type, long id) throws IOException {
        write(new FrameWriter(0).frame(type, id));
    }

    /**
     * Reads the next frame; only one thread may call this.
     *
     * @throws EOFException when the other side closed the connection
     */
    public Frame read() throws IOException {
        lengthBuffer.clear();
        readFully(lengthBuffer);
        int length = lengthBuffer.getInt(0);
        if (length < Frame.HEADER || length > maxFrameBytes) {
            throw new IOException("frame of " + length + " bytes is outside 9.." + maxFrameBytes);
        }
        ByteBuffer frame = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        readFully(frame);
        frame.flip();
        byte type = frame.get();
        long id = frame.getLong();
        return new Frame(type, id, frame.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the other side closed the connection");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
