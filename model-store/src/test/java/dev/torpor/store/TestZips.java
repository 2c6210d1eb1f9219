package dev.torpor.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Builds zip archives in memory for tests, including the hostile ones a real client would never send. */
final class TestZips {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes);

    static TestZips zip() {
        return new TestZips();
    }

    TestZips file(String name, byte[] content) {
        try {
            zip.putArchiveEntry(new ZipArchiveEntry(name));
            zip.write(content);
            zip.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    TestZips file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    TestZips directory(String name) {
        try {
            zip.putArchiveEntry(new ZipArchiveEntry(name.endsWith("/") ? name : name + "/"));
            zip.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A symbolic link entry: Unix mode 0120777, the link target as its content. */
    TestZips symlink(String name, String target) {
        try {
            ZipArchiveEntry entry = new ZipArchiveEntry(name);
            entry.setUnixMode(0120777);
            zip.putArchiveEntry(entry);
            zip.write(target.getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** An entry of {@code size} zero bytes, deflated: a few kilobytes on the wire. */
    TestZips zeros(String name, long size) {
        try {
            zip.putArchiveEntry(new ZipArchiveEntry(name));
            byte[] block = new byte[1024 * 1024];
            for (long left = size; left > 0; left -= block.length) {
                zip.write(block, 0, (int) Math.min(block.length, left));
            }
            zip.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    byte[] bytes() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
