package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataArchiveTest {
    @TempDir
    Path dir;

    @Test
    void aClassPathWithDirectoriesGetsNoArchive() {
        ClassDataArchive archive = new ClassDataArchive(dir, ProcessSettings.currentJava(),
                "/app/classes:/app/lib/a.jar");
        assertThat(archive.needsTraining()).isFalse();
        assertThat(archive.options()).isEmpty();
    }

    @Test
    void aJarClassPathIsTrainedOnceThenUsedAndTheNameFollowsTheClassPath() throws Exception {
        ClassDataArchive archive = new ClassDataArchive(dir, ProcessSettings.currentJava(), "/app/torpor.jar");
        assertThat(archive.needsTraining()).isTrue();
        assertThat(archive.options()).isEmpty();
        Files.write(archive.file(), new byte[] {1});
        assertThat(archive.needsTraining()).isFalse();
        assertThat(archive.options()).contains(List.of("-XX:SharedArchiveFile=" + archive.file(), "-Xshare:auto"));
        assertThat(new ClassDataArchive(dir, ProcessSettings.currentJava(), "/app/torpor-2.jar").file())
                .isNotEqualTo(archive.file());
    }

    /** The fallback the launcher relies on: with -Xshare:auto a JVM ignores an archive it cannot map. */
    @Test
    void anUnusableArchiveDoesNotStopAJvm() throws Exception {
        Path garbage = dir.resolve("broken.jsa");
        Files.write(garbage, new byte[] {'n', 'o', 't', ' ', 'a', 'n', ' ', 'a', 'r', 'c', 'h', 'i', 'v', 'e'});
        List<String> command = new ArrayList<>(List.of(ProcessSettings.currentJava(),
                "-XX:SharedArchiveFile=" + garbage, "-Xshare:auto", "-version"));
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.getInputStream().readAllBytes();
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).isZero();
    }
}
