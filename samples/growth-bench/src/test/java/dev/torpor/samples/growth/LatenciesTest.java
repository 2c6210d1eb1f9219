package dev.torpor.samples.growth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenciesTest {
    @Test
    void percentilesAreNearestRankInMicroseconds() {
        long[] nanos = new long[100];
        for (int i = 0; i < nanos.length; i++) {
            nanos[nanos.length - 1 - i] = (i + 1) * 1000L; // 1..100 µs, in reverse order
        }

        Latencies latencies = Latencies.of(nanos);

        assertThat(latencies.count()).isEqualTo(100);
        assertThat(latencies.p50Micros()).isEqualTo(50.0);
        assertThat(latencies.p99Micros()).isEqualTo(99.0);
    }

    @Test
    void rssLinesAreReadInKibibytes() {
        assertThat(Rss.parseKib("VmRSS:\t  123456 kB")).isEqualTo(123456);
    }
}
