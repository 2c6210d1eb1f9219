package dev.torpor.router.http;

import dev.torpor.error.CapacityExhausted;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor the controllers' blocking work runs on (Micronaut's {@code blocking} executor: request bodies,
 * uploads, database reads, admin calls). Like a cached pool it starts a thread when none is idle and ends one idle
 * for a minute, but it holds at most {@code maxThreads} ({@code TORPOR_MAX_BLOCKING_THREADS}) and queues nothing:
 * a task that finds every thread busy is refused at once with {@link CapacityExhausted} (503, {@code Retry-After: 1})
 * naming the limit, so a flood of slow uploads costs a bounded number of threads and its excess a precise answer.
 * Thread-safe.
 */
public final class BlockingPool extends ThreadPoolExecutor {
    /** The wait a refused client is told: threads free up as soon as a body is read or an upload ends. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final int maxThreads;

    public BlockingPool(int maxThreads) {
        super(0, maxThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), threads(), BlockingPool::refuse);
        this.maxThreads = maxThreads;
    }

    private static void refuse(Runnable task, ThreadPoolExecutor pool) {
        if (pool.isShutdown()) {
            throw new java.util.concurrent.RejectedExecutionException("the router is shutting down");
        }
        throw new CapacityExhausted("the router is busy: all " + ((BlockingPool) pool).maxThreads + " threads for"
                + " blocking work (request bodies, uploads, admin calls) are in use; the limit is"
                + " TORPOR_MAX_BLOCKING_THREADS", RETRY_AFTER);
    }

    private static ThreadFactory threads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "blocking-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
