package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two cgroup versions' files, on a directory laid out as the kernel lays them out (the real cgroups are
 * exercised by {@link IsolationTest} where the machine has them).
 */
class MemoryCgroupsTest {
    private static final long MIB = 1024L * 1024;

    @TempDir
    Path parent;

    @Test
    void v2LimitsMemoryAndSwapAndReadsOomKillsFromMemoryEvents() throws Exception {
        MemoryCgroups v2 = new CgroupV2(parent);
        Path cgroup = parent.resolve("torpor-fn-1-p1");
        Files.createDirectory(cgroup);
        Files.writeString(cgroup.resolve("memory.swap.max"), "max");

        assertThat(v2.limit(cgroup, 300)).isTrue();
        assertThat(Files.readString(cgroup.resolve("memory.max"))).isEqualTo(Long.toString(300 * MIB));
        assertThat(Files.readString(cgroup.resolve("memory.swap.max"))).isEqualTo("0");
        assertThat(v2.limit(cgroup, 0)).as("no limit to set").isFalse();
        assertThat(v2.limit(null, 300)).as("no cgroup").isFalse();

        assertThat(v2.oomKilled(cgroup)).as("no memory.events").isFalse();
        Files.writeString(cgroup.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 0\n");
        assertThat(v2.oomKilled(cgroup)).isFalse();
        Files.writeString(cgroup.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        assertThat(v2.oomKilled(cgroup)).isTrue();
    }

    @Test
    void v1WritesMemoryAndMemswAndCountsAnOomFromFailcntUnderOom() throws Exception {
        MemoryCgroups v1 = new CgroupV1(parent);
        Path cgroup = v1.create("torpor-fn-1-p2", 100);
        assertThat(Files.readString(cgroup.resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(100 * MIB));
        assertThat(cgroup.resolve("memory.memsw.limit_in_bytes")).as("no swap accounting here").doesNotExist();

        Files.writeString(cgroup.resolve("memory.memsw.limit_in_bytes"), "0");
        assertThat(v1.limit(cgroup, 200)).isTrue();
        assertThat(Files.readString(cgroup.resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(200 * MIB));

        Files.writeString(cgroup.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");
        Files.writeString(cgroup.resolve("memory.failcnt"), "3\n");
        assertThat(v1.oomKilled(cgroup)).isFalse();
        Files.writeString(cgroup.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 1\n");
        assertThat(v1.oomKilled(cgroup)).as("older kernels: the limit was hit while under OOM").isTrue();
        Files.writeString(cgroup.resolve("memory.failcnt"), "0\n");
        Files.writeString(cgroup.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertThat(v1.oomKilled(cgroup)).isTrue();
    }

    @Test
    void theJoinPrefixWritesTheShellsPidIntoTheCgroupThenExecs() {
        assertThat(MemoryCgroups.joinPrefix(parent.resolve("c"))).containsExactly("/bin/sh", "-c",
                "echo $$ > \"$0\" && exec \"$@\"", parent.resolve("c").resolve("cgroup.procs").toString());
    }
}
