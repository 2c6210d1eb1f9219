package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.torpor.function.FunctionInstance;
import dev.torpor.function.RunControl;
import dev.torpor.store.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege and memory cgroups, with real processes. Runs where the tests run as root (CI and these
 * machines); elsewhere the launcher falls back to the router's user, which the other tests cover.
 */
@Timeout(120)
class IsolationTest {
    @TempDir
    Path dataDir;
    TestModels models;
    ProcessLauncher launcher;

    @BeforeEach
    void setUp() {
        models = new TestModels(dataDir);
    }

    @AfterEach
    void tearDown() {
        if (launcher != null) {
            launcher.close();
        }
    }

    /** Runs {@code command} as {@code uid} the way a function process runs; its exit status. */
    private static int as(int uid, String... command) throws Exception {
        List<String> full = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + uid,
                "--clear-groups", "--no-new-privs", "--"));
        full.addAll(List.of(command));
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor();
    }

    @Test
    void aProcessRunsAsItsOwnUidAndReadsOnlyItsOwnModel() throws Exception {
        assumeTrue(UidPool.currentUid() == 0, "the tests do not run as root");
        ModelManifest vad = models.publishSilero("vad");
        ModelManifest other = models.publishSilero("other-tenant");
        Path database = dataDir.resolve("torpor.db");
        Files.writeString(database, "secrets");
        Path operatorFile = dataDir.resolve("operator.env");
        Files.writeString(operatorFile, "TORPOR_KEY=x");
        launcher = new ProcessLauncher(ProcessSettings.defaults(dataDir).withWarmPoolSize(1), Clock.systemUTC())
                .start();
        assertThat(launcher.sandboxed()).isTrue();
        FunctionInstance remote = launcher.launch(models.spec("vad-1-iiii", vad, 1));
        remote.load().get(60, TimeUnit.SECONDS);
        assertThat(remote.infer(TestModels.sileroRequest(0), new RunControl()).get(30, TimeUnit.SECONDS).outputs())
                .isNotEmpty();

        long pid = launcher.livePids().stream().filter(p -> launcher.logs("vad-1-iiii").orElseThrow().stream()
                .anyMatch(line -> line.contains("pid " + p + " "))).findFirst().orElseThrow();
        int uid = UidPool.uidOf(pid);
        assertThat(uid).isBetween(ProcessSettings.DEFAULT_UID_BASE,
                ProcessSettings.DEFAULT_UID_BASE + ProcessSettings.DEFAULT_UID_COUNT - 1);
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertThat(status).containsPattern("Gid:\\s+" + uid + "\\s").containsPattern("Groups:\\s*\\n")
                .containsPattern("NoNewPrivs:\\s+1");

        // Its own model: readable, not writable. The database, other tenants' models, the store, operator files: not.
        Path own = Files.list(dataDir.resolve("run/fn")).map(dir -> dir.resolve("model").resolve(
                models.spec("x", vad, 1).artifact().getFileName())).filter(Files::exists).findFirst().orElseThrow();
        assertThat(as(uid, "/usr/bin/test", "-r", own.toString())).isZero();
        assertThat(as(uid, "/usr/bin/test", "-w", own.toString())).isNotZero();
        for (Path secret : List.of(database, operatorFile, models.spec("x", other, 1).artifact(),
                models.spec("x", vad, 1).artifact(), dataDir.resolve("models"), dataDir.resolve("cache"))) {
            assertThat(as(uid, "/bin/cat", secret.toString())).as("%s readable as uid %d", secret, uid).isNotZero();
        }
        assertThat(as(uid, "/bin/ls", dataDir.toString())).as("the data dir is listable").isNotZero();
        // a file the router creates later (a database journal, with the usual umask) is hidden by the watchdog
        Path journal = dataDir.resolve("torpor.db-wal");
        Files.writeString(journal, "later");
        await(() -> {
            try {
                return as(uid, "/bin/cat", journal.toString()) != 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // another process's private dir (the refilled warm one) is out of reach too
        await(() -> launcher.warmReady() == 1);
        assertThat(Files.list(dataDir.resolve("run/fn")).filter(dir -> !own.startsWith(dir)).toList())
                .isNotEmpty()
                .allSatisfy(dir -> assertThat(as(uid, "/bin/ls", dir.toString())).isNotZero());
        remote.stop();
    }

    @Test
    void eachProcessHasItsOwnMemoryCgroupWithTheModelsLimit() throws Exception {
        ModelManifest vad = models.publishSilero("vad");
        launcher = new ProcessLauncher(ProcessSettings.defaults(dataDir).withWarmPoolSize(0).withOverheadMb(300),
                Clock.systemUTC()).start();
        assumeTrue(launcher.memoryCgroups(), "no writable memory cgroup here");
        FunctionInstance remote = launcher.launch(models.spec("vad-1-cccc", vad, 1));
        remote.load().get(60, TimeUnit.SECONDS);
        long pid = launcher.livePids().get(0);
        Path cgroup = cgroupOf(pid);
        assertThat(cgroup.getFileName().toString()).startsWith("torpor-fn-");
        Path limit = Files.exists(cgroup.resolve("memory.max")) ? cgroup.resolve("memory.max")
                : cgroup.resolve("memory.limit_in_bytes");
        assertThat(Long.parseLong(Files.readString(limit).trim()))
                .isEqualTo((vad.estimatedMemoryMb() + 300) * 1024 * 1024);
        remote.stop();
        await(() -> !Files.exists(cgroup));
    }

    @Test
    void aProcessTheKernelKillsAtItsCgroupLimitIsReportedAsOverItsMemoryLimit() throws Exception {
        ModelManifest vad = models.publishSilero("vad");
        // Limit: the model's ~69 MiB + 0 overhead; the process touches a 200 MiB heap at once. The RSS watchdog
        // would look only after 60 s: the kernel kills it first.
        ProcessSettings d = ProcessSettings.defaults(dataDir);
        launcher = new ProcessLauncher(new ProcessSettings(d.javaCommand(), d.classPath(), dataDir, 0, d.poolHeapMb(),
                0, Duration.ofSeconds(60), Duration.ofSeconds(60), d.startTimeout(),
                List.of("-Xms200m", "-Xmx200m", "-XX:+AlwaysPreTouch")), Clock.systemUTC()).start();
        assumeTrue(launcher.memoryCgroups(), "no writable memory cgroup here");
        FunctionInstance remote = launcher.launch(models.spec("vad-1-oooo", vad, 1));
        try {
            remote.load().get(60, TimeUnit.SECONDS);
            remote.infer(TestModels.sileroRequest(0), new RunControl()).get(30, TimeUnit.SECONDS);
            await(() -> launcher.logs("vad-1-oooo").orElseThrow().stream().anyMatch(l -> l.contains("OOM killer")));
        } catch (ExecutionException failed) {
            assertThat(failed.getCause()).hasMessageContaining("exceeded its memory limit")
                    .hasMessageContaining("OOM killer");
        }
        remote.stop();
    }

    private static Path cgroupOf(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (List.of(parts[1].split(",")).contains("memory")) {
                return Path.of("/sys/fs/cgroup/memory").resolve(parts[2].substring(1));
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            if (line.startsWith("0::")) {
                return Path.of("/sys/fs/cgroup").resolve(line.substring(4));
            }
        }
        throw new AssertionError("no memory cgroup for pid " + pid);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(until);
            Thread.sleep(20);
        }
    }
}
