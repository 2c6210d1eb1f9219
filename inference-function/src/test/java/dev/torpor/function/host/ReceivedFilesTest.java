package dev.torpor.function.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.ModelLoadFailed;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file frames of the protocol, and the host's cache of the files they carry. */
class ReceivedFilesTest {
    private static final String KEY = "a".repeat(64);

    @TempDir
    Path root;

    private static ByteBuffer payloadOf(ByteBuffer frame, byte type, long id) {
        ByteBuffer b = frame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt()).isEqualTo(b.remaining());
        assertThat(b.get()).isEqualTo(type);
        assertThat(b.getLong()).isEqualTo(id);
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Sends {@code bytes} as FILE_CHUNK frames through the codec, as the router does; the last answer. */
    private static Path sendChunks(ReceivedFiles files, long id, byte[] bytes) throws Exception {
        Path stored = null;
        for (int at = 0; at < bytes.length; at += Wire.MAX_CHUNK_BYTES) {
            int length = Math.min(Wire.MAX_CHUNK_BYTES, bytes.length - at);
            ByteBuffer frame = Wire.fileChunk(id, at, bytes, at, length);
            assertThat(stored).as("stored only after the last chunk").isNull();
            stored = files.chunk(id, Wire.fileChunk(payloadOf(frame, Frame.FILE_CHUNK, id)));
        }
        return stored;
    }

    @Test
    void theFileFramesRoundTrip() {
        assertThat(Wire.token(new Frame(Frame.TOKEN, 0, payloadOf(Wire.token("s3cret"), Frame.TOKEN, 0))))
                .isEqualTo("s3cret");
        assertThatThrownBy(() -> Wire.token(new Frame(Frame.HELLO, 0, ByteBuffer.allocate(0))))
                .isInstanceOf(IllegalArgumentException.class);
        var offer = new Wire.FileOffer(KEY, "dir/model.onnx", "b".repeat(64), 123_456_789_012L);
        assertThat(Wire.fileOffer(payloadOf(Wire.fileOffer(5, offer), Frame.FILE_OFFER, 5))).isEqualTo(offer);
        byte[] data = {9, 8, 7, 6, 5};
        Wire.FileChunk chunk = Wire.fileChunk(payloadOf(Wire.fileChunk(6, 42, data, 1, 3), Frame.FILE_CHUNK, 6));
        assertThat(chunk.offset()).isEqualTo(42);
        byte[] back = new byte[chunk.bytes().remaining()];
        chunk.bytes().get(back);
        assertThat(back).containsExactly(8, 7, 6);
        assertThat(Wire.fileStored(payloadOf(Wire.fileStored(7, "/x/y"), Frame.FILE_STORED, 7))).isEqualTo("/x/y");
        assertThat(payloadOf(Wire.fileWanted(8), Frame.FILE_WANTED, 8).remaining()).isZero();
    }

    @Test
    void anOversizedOrTruncatedChunkIsACorruptFrame() {
        byte[] big = new byte[Wire.MAX_CHUNK_BYTES + 1];
        assertThatThrownBy(() -> Wire.fileChunk(1, 0, big, 0, big.length)).isInstanceOf(IllegalArgumentException.class);
        ByteBuffer claimsTooMuch = payloadOf(new FrameWriter(16).i64(0).i32(Wire.MAX_CHUNK_BYTES + 1)
                .frame(Frame.FILE_CHUNK, 1), Frame.FILE_CHUNK, 1);
        assertThatThrownBy(() -> Wire.fileChunk(claimsTooMuch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + Wire.MAX_CHUNK_BYTES);
        ByteBuffer truncated = payloadOf(new FrameWriter(16).i64(0).i32(100).i32(7)
                .frame(Frame.FILE_CHUNK, 1), Frame.FILE_CHUNK, 1);
        assertThatThrownBy(() -> Wire.fileChunk(truncated)).isInstanceOf(IllegalArgumentException.class);
        ByteBuffer negativeSize = payloadOf(new FrameWriter(16).str(KEY).str("m").str("c".repeat(64)).i64(-1)
                .frame(Frame.FILE_OFFER, 1), Frame.FILE_OFFER, 1);
        assertThatThrownBy(() -> Wire.fileOffer(negativeSize)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFileIsStoredOnceCheckedAndThenServedFromTheCache() throws Exception {
        byte[] model = bytes(Wire.MAX_CHUNK_BYTES * 2 + 17, 1);
        ReceivedFiles files = new ReceivedFiles(root);
        var offer = new Wire.FileOffer(KEY, "sub/model.onnx", sha256(model), model.length);
        assertThat(files.offer(3, offer)).as("not cached yet: send it").isNull();
        Path stored = sendChunks(files, 3, model);
        assertThat(stored).isEqualTo(root.resolve("models").resolve(KEY).resolve("sub/model.onnx").toAbsolutePath());
        assertThat(Files.readAllBytes(stored)).isEqualTo(model);
        assertThat(Files.readAllBytes(root.resolve("blobs").resolve(offer.sha256()))).isEqualTo(model);

        // Another model (key) with the same file, and a new host on the same directory: no transfer.
        var again = new Wire.FileOffer("b".repeat(64), "model.onnx", offer.sha256(), model.length);
        Path cached = new ReceivedFiles(root).offer(9, again);
        assertThat(cached).isNotNull();
        assertThat(Files.readAllBytes(cached)).isEqualTo(model);
        assertThat(files.offer(10, offer)).isEqualTo(stored);
        try (var blobs = Files.list(root.resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).containsExactly(offer.sha256());
        }
    }

    @Test
    void aDigestMismatchFailsTheFileAndLeavesNothing() throws Exception {
        byte[] model = bytes(1000, 2);
        ReceivedFiles files = new ReceivedFiles(root);
        String wrong = sha256(bytes(1000, 3));
        assertThat(files.offer(4, new Wire.FileOffer(KEY, "model.onnx", wrong, model.length))).isNull();
        assertThatThrownBy(() -> sendChunks(files, 4, model)).isInstanceOf(ModelLoadFailed.class)
                .hasMessageContaining("model.onnx").hasMessageContaining("sha256 " + sha256(model))
                .hasMessageContaining("not the offered " + wrong);
        try (var blobs = Files.list(root.resolve("blobs"))) {
            assertThat(blobs).as("neither the part nor a blob is left").isEmpty();
        }
        assertThatThrownBy(() -> files.chunk(4, new Wire.FileChunk(0, ByteBuffer.wrap(model))))
                .as("a failed file takes no more chunks").isInstanceOf(ModelLoadFailed.class);
        ByteBuffer answer = files.answerChunk(4, new Wire.FileChunk(0, ByteBuffer.wrap(model)));
        assertThat(Wire.error(payloadOf(answer, Frame.ERROR, 4))).isInstanceOf(ModelLoadFailed.class);
    }

    @Test
    void chunksOutOfOrderOrPastTheSizeAndNamesOutsideTheModelAreRefused() throws Exception {
        byte[] model = bytes(100, 4);
        ReceivedFiles files = new ReceivedFiles(root);
        var offer = new Wire.FileOffer(KEY, "model.onnx", sha256(model), model.length);
        assertThat(files.offer(1, offer)).isNull();
        assertThatThrownBy(() -> files.chunk(1, new Wire.FileChunk(10, ByteBuffer.wrap(model, 10, 10))))
                .isInstanceOf(ModelLoadFailed.class).hasMessageContaining("does not continue");
        assertThat(files.offer(2, offer)).isNull();
        assertThatThrownBy(() -> files.chunk(2, new Wire.FileChunk(0, ByteBuffer.wrap(bytes(101, 4)))))
                .isInstanceOf(ModelLoadFailed.class);
        for (String name : new String[] {"../escape.onnx", "/etc/passwd", "", "a/../../b"}) {
            assertThatThrownBy(() -> files.offer(5, new Wire.FileOffer(KEY, name, offer.sha256(), 100)))
                    .as(name).isInstanceOf(ModelLoadFailed.class);
        }
        assertThatThrownBy(() -> files.offer(6, new Wire.FileOffer("../k", "m", offer.sha256(), 100)))
                .isInstanceOf(ModelLoadFailed.class);
        assertThatThrownBy(() -> files.offer(7, new Wire.FileOffer(KEY, "m", "not-a-digest", 100)))
                .isInstanceOf(ModelLoadFailed.class);
        ByteBuffer refused = files.answerOffer(8, new Wire.FileOffer(KEY, "../x", offer.sha256(), 100));
        assertThat(Wire.error(payloadOf(refused, Frame.ERROR, 8))).isInstanceOf(ModelLoadFailed.class)
                .hasMessageContaining("outside its model");
        assertThat(Files.exists(root.resolve("escape.onnx"))).isFalse();
    }

    @Test
    void theWarmUpReceivesFilesThroughTheRealPathAndStoresEachOnce() throws Exception {
        ReceivedFiles.warmUp(root);
        try (var blobs = java.nio.file.Files.list(root.resolve("blobs"))) {
            java.util.List<Path> stored = blobs.toList();
            org.assertj.core.api.Assertions.assertThat(stored).as("three distinct files, digests checked, no part left")
                    .hasSize(3).allSatisfy(blob -> org.assertj.core.api.Assertions.assertThat(blob.getFileName()
                            .toString()).matches("[0-9a-f]{64}"));
        }
    }
}
