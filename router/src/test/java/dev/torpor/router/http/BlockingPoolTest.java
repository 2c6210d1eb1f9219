package dev.torpor.router.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.torpor.error.CapacityExhausted;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockingPoolTest {
    private final BlockingPool pool = new BlockingPool(2);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private void hold(CountDownLatch started) {
        pool.execute(() -> {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void aTaskPastTheLimitIsRefusedAtOnceNamingItAndTheNextIsRunOnceAThreadIsFree() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        hold(started);
        hold(started);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        CapacityExhausted refused = catchThrowableOfType(CapacityExhausted.class, () -> pool.execute(() -> { }));
        assertThat(refused).isNotNull().hasMessageContaining("all 2 threads")
                .hasMessageContaining("TORPOR_MAX_BLOCKING_THREADS");
        assertThat(refused.retryAfter()).contains(Duration.ofSeconds(1));
        assertThat(pool.getPoolSize()).isEqualTo(2);

        release.countDown();
        CountDownLatch ran = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ran.getCount() > 0 && System.nanoTime() < deadline) {
            try {
                pool.execute(ran::countDown);
            } catch (CapacityExhausted stillBusy) {
                Thread.sleep(10);
            }
        }
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.getLargestPoolSize()).isEqualTo(2);
    }
}
