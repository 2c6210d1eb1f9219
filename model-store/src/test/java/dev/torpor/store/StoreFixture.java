package dev.torpor.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.error.BadInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Shared helpers for the store tests: fixed inspectors and "nothing changed" checks. */
final class StoreFixture {
    static final Signature SIGNATURE = new Signature(
            List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 512})),
            List.of(new TensorSpec("output", DataType.FP32, new long[] {-1, 1})));

    static final ModelInspector ACCEPT = (artifact, format, declared) -> SIGNATURE;

    static final ModelInspector REJECT = (artifact, format, declared) -> {
        throw new BadInput("input 'x' uses the unsupported datatype BF16");
    };

    private StoreFixture() {
    }

    static PublishRequest onnx(String name, String version) {
        return new PublishRequest(new ModelId(name, version), "default", PublishRequest.UploadKind.ONNX_FILE,
                1024 * 1024);
    }

    static PublishRequest archive(String name, String version) {
        return new PublishRequest(new ModelId(name, version), "default", PublishRequest.UploadKind.ZIP_ARCHIVE,
                64 * 1024 * 1024);
    }

    static ByteArrayInputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> children(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The failed publish of {@code id} left no trace: not listed, no directory, staging and trash empty. */
    static void assertNoTrace(ModelStore store, Path root, ModelId id) {
        assertThat(store.find(id)).isEmpty();
        assertThat(store.versions(id.name())).extracting(ModelManifest::version).doesNotContain(id.version());
        assertThat(root.resolve(id.name()).resolve(id.version())).doesNotExist();
        assertThat(children(root.resolve(FileSystemModelStore.STAGING_DIR))).isEmpty();
        assertThat(children(root.resolve(FileSystemModelStore.TRASH_DIR))).isEmpty();
    }
}
