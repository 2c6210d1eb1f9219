package dev.torpor.router.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        volatile long millis;

        ManualClock(long millis) {
            this.millis = millis;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void timestampPrefixFollowsTheUlidLayout() {
        // The ULID specification's example timestamp: 1469918176385 ms → "01ARYZ6S41".
        RecordIds ids = new RecordIds(new ManualClock(1_469_918_176_385L));
        String id = ids.next();
        assertThat(id).hasSize(26).matches(CROCKFORD).startsWith("01ARYZ6S41");
        assertThat(new RecordIds(new ManualClock(0)).next()).startsWith("0000000000");
    }

    @Test
    void strictlyIncreasingWithinOneMillisecondAndWhenTheClockStepsBack() {
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        RecordIds ids = new RecordIds(clock);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            if (i == 2000) {
                clock.millis -= 10_000; // NTP stepped the clock back
            }
            if (i == 4000) {
                clock.millis += 20_000;
            }
            out.add(ids.next());
        }
        assertThat(out).isSorted().doesNotHaveDuplicates().allMatch(s -> s.matches(CROCKFORD));
    }

    @Test
    void overflowOfTheRandomPartBorrowsTheNextMillisecond() {
        RandomGenerator allOnes = () -> -1L;
        ManualClock clock = new ManualClock(1_000);
        RecordIds ids = new RecordIds(clock, allOnes);
        String first = ids.next();
        assertThat(first).endsWith("ZZZZZZZZZZZZZZZZ");
        String second = ids.next();
        assertThat(second).isGreaterThan(first).endsWith("0000000000000000");
        assertThat(second.substring(0, 10)).isEqualTo(new RecordIds(new ManualClock(1_001)).next().substring(0, 10));
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
