package dev.torpor.router.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RecordIdsTest {
    private static final String CROCKFORD = "[0-9A-HJKMNP-TV-Z]{26}";

    @Test
    void timestampPrefixFollowsTheUlidLayout() {
        // The ULID specification's example timestamp: 1469918176385 ms → "01ARYZ6S41".
        RecordIds ids = new RecordIds(new MutableClock(Instant.ofEpochMilli(1_469_918_176_385L)));
        String id = ids.next();
        assertThat(id).hasSize(26).matches(CROCKFORD).startsWith("01ARYZ6S41");
        assertThat(new RecordIds(new MutableClock(Instant.ofEpochMilli(0))).next()).startsWith("0000000000");
    }

    @Test
    void strictlyIncreasingWithinOneMillisecondAndWhenTheClockStepsBack() {
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(1_700_000_000_000L));
        RecordIds ids = new RecordIds(clock);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            if (i == 2000) {
                clock.advance(Duration.ofMillis(-10_000)); // NTP stepped the clock back
            }
            if (i == 4000) {
                clock.advance(Duration.ofMillis(20_000));
            }
            out.add(ids.next());
        }
        assertThat(out).isSorted().doesNotHaveDuplicates().allMatch(s -> s.matches(CROCKFORD));
    }

    @Test
    void overflowOfTheRandomPartBorrowsTheNextMillisecond() {
        RandomGenerator allOnes = () -> -1L;
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(1_000));
        RecordIds ids = new RecordIds(clock, allOnes);
        String first = ids.next();
        assertThat(first).endsWith("ZZZZZZZZZZZZZZZZ");
        String second = ids.next();
        assertThat(second).isGreaterThan(first).endsWith("0000000000000000");
        assertThat(second.substring(0, 10))
                .isEqualTo(new RecordIds(new MutableClock(Instant.ofEpochMilli(1_001))).next().substring(0, 10));
    }

    @Test
    void uniqueAcrossThreads() throws Exception {
        RecordIds ids = new RecordIds(Clock.systemUTC());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            pool.submit(() -> {
                for (int i = 0; i < 5000; i++) {
                    seen.add(ids.next());
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).hasSize(40_000);
        assertThat(new HashSet<>(seen)).allMatch(s -> s.length() == RecordIds.LENGTH);
    }
}
