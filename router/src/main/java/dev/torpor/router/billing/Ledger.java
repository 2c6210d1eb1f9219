package dev.torpor.router.billing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable billing ledger, with group commit.
 *
 * <p>{@link #append} queues a record and returns at once; one writer thread takes whatever is waiting (up to
 * {@code maxBatch} records) and writes it as <em>one</em> transaction, then completes each record's future. A future
 * completes normally only after the commit that holds its record, so a caller that answers its HTTP request after
 * the future never answers for an unbilled request. One fsync then serves many requests, which is what makes
 * {@code synchronous=FULL} affordable.
 *
 * <p>Inserts are {@code ON CONFLICT(id) DO NOTHING}: a record appended twice (a retry) is stored once, and the second
 * future still completes normally. A failed transaction is rolled back and the whole batch retried on a fresh
 * connection, up to {@code maxAttempts} tries with doubling backoff; then every future of the batch fails with the
 * last {@link SQLException} and the writer goes on with the next batch.
 *
 * <p>Futures complete on the writer thread: a continuation attached with a non-async method ({@code thenApply},
 * {@code whenComplete}) runs there and delays the next commit, so keep such continuations short (hand the response to
 * the event loop) or use the {@code …Async} variants.
 *
 * <p>The queue is unbounded on purpose: a billing record is never dropped, and its size is bounded in practice by
 * the requests in flight, since each caller waits for its future before answering.
 *
 * <p>Thread-safe. {@link #close()} stops accepting records, writes every record already accepted, and stops the
 * writer thread; it must be called (on shutdown, before the database is closed) or the last records are lost.
 */
public final class Ledger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    /** Marks the end of the queue; only {@link #close()} enqueues it, after the last accepted record. */
    private static final Pending END = new Pending(null, null);

    public static final int DEFAULT_MAX_BATCH = 512;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(50);
    /** The PostgreSQL advisory lock key that serializes ledger transactions (ASCII "torpor-L" as a long). */
    static final long COMMIT_ORDER_LOCK = 0x746f72706f722d4cL;

    private record Pending(BillingRecord record, CompletableFuture<BillingRecord> future) {
    }

    private final DataSource dataSource;
    private final boolean discard;
    private final int maxBatch;
    private final int maxAttempts;
    private final Duration firstBackoff;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Object acceptLock = new Object();
    private final Thread writer;
    private boolean closed; // guarded by acceptLock
    private volatile Boolean postgres; // found from the first connection's metadata

    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong committedBatches = new AtomicLong();
    private final AtomicLong committedRecords = new AtomicLong();
    private final AtomicLong failedRecords = new AtomicLong();

    /** A ledger with the default batch size (512), attempts (3) and first backoff (50 ms). */
    public Ledger(DataSource dataSource) {
        this(dataSource, DEFAULT_MAX_BATCH, DEFAULT_MAX_ATTEMPTS, DEFAULT_FIRST_BACKOFF);
    }

    /**
     * @param maxBatch     most records in one transaction (≥ 1)
     * @param maxAttempts  tries per batch before its futures fail (≥ 1)
     * @param firstBackoff wait after the first failed try; doubled after each further one
     */
    public Ledger(DataSource dataSource, int maxBatch, int maxAttempts, Duration firstBackoff) {
        this(Objects.requireNonNull(dataSource, "dataSource"), maxBatch, maxAttempts, firstBackoff, false);
    }

    /**
     * A ledger that writes nothing and completes every append at once: only for measuring what the ledger costs
     * ({@code TORPOR_BILLING_LEDGER=off}, a benchmark switch; never for serving anyone who pays).
     */
    public static Ledger discarding() {
        return new Ledger(null, 1, 1, Duration.ZERO, true);
    }

    private Ledger(DataSource dataSource, int maxBatch, int maxAttempts, Duration firstBackoff, boolean discard) {
        this.dataSource = dataSource;
        this.discard = discard;
        if (maxBatch < 1 || maxAttempts < 1 || firstBackoff.isNegative()) {
            throw new IllegalArgumentException("maxBatch and maxAttempts must be >= 1, firstBackoff >= 0");
        }
        this.maxBatch = maxBatch;
        this.maxAttempts = maxAttempts;
        this.firstBackoff = firstBackoff;
        this.writer = new Thread(this::run, "torpor-ledger-writer");
        // A daemon so a forgotten close() cannot hang JVM exit; shutdown must still close() to flush.
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Queues {@code record} for the next group commit.
     *
     * @return completes with {@code record} once it is committed (or was already stored under its id); fails with
     *     the {@link SQLException} of the last try when it could not be committed, or with
     *     {@link IllegalStateException} when the ledger is closed
     */
    public CompletableFuture<BillingRecord> append(BillingRecord record) {
        Objects.requireNonNull(record, "record");
        if (discard) {
            return CompletableFuture.completedFuture(record);
        }
        CompletableFuture<BillingRecord> future = new CompletableFuture<>();
        // The check and the enqueue are atomic with close(), so nothing can land behind END and be forgotten.
        synchronized (acceptLock) {
            if (closed) {
                future.completeExceptionally(new IllegalStateException("ledger is closed"));
                return future;
            }
            queue.add(new Pending(record, future));
            appended.incrementAndGet();
        }
        return future;
    }

    /** Records accepted by {@link #append} (not counting those refused after close). */
    public long appendedCount() {
        return appended.get();
    }

    /** Transactions committed; fewer than {@link #committedRecordCount()} when group commit batched. */
    public long committedBatchCount() {
        return committedBatches.get();
    }

    /** Records whose futures completed normally (duplicates included). */
    public long committedRecordCount() {
        return committedRecords.get();
    }

    /** Records whose futures failed because every try to commit them failed. */
    public long failedRecordCount() {
        return failedRecords.get();
    }

    /** Records accepted and not yet committed or failed (approximate while appends run). */
    public long pendingCount() {
        return appended.get() - committedRecords.get() - failedRecords.get();
    }

    /**
     * Stops accepting, writes every record accepted before, and stops the writer. Blocks until then (at most the
     * retries of the last batches), except when called on the writer thread itself. Idempotent.
     */
    @Override
    public void close() {
        synchronized (acceptLock) {
            if (!closed) {
                closed = true;
                queue.add(END);
            }
        }
        if (Thread.currentThread() == writer) {
            return; // called from a future's continuation: the writer flushes up to END by itself; joining would hang
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true; // finish the flush anyway: losing billing records is worse than a late exit
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        boolean ending = false;
        while (!ending) {
            batch.clear();
            Pending first = takeUninterruptibly();
            if (first == END) {
                break;
            }
            batch.add(first);
            List<Pending> more = new ArrayList<>();
            queue.drainTo(more, maxBatch - 1);
            for (Pending p : more) {
                if (p == END) {
                    ending = true; // END is the last element ever queued: nothing follows it
                } else {
                    batch.add(p);
                }
            }
            try {
                commitWithRetries(batch);
            } catch (Throwable t) { // the writer must outlive any surprise, or every later append would hang
                LOG.error("billing ledger writer failed on a batch of {}", batch.size(), t);
                fail(batch, t);
            }
        }
    }

    private Pending takeUninterruptibly() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // Only close() ends the writer, through END; an interrupt must not drop queued records.
            }
        }
    }

    private void commitWithRetries(List<Pending> batch) {
        SQLException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                insert(batch);
                committedBatches.incrementAndGet();
                committedRecords.addAndGet(batch.size());
                for (Pending p : batch) {
                    p.future().complete(p.record());
                }
                return;
            } catch (SQLException e) {
                last = e;
                LOG.warn("billing ledger commit of {} records failed (try {} of {})",
                        batch.size(), attempt, maxAttempts, e);
                if (attempt < maxAttempts) {
                    pause(firstBackoff.multipliedBy(1L << (attempt - 1)));
                }
            }
        }
        fail(batch, last);
    }

    private void insert(List<Pending> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(BillingRows.INSERT)) {
                if (isPostgres(c)) {
                    // Commit order = seq order across every router sharing the database: no ledger transaction may
                    // take a seq until the previous one has committed (and is visible; PostgreSQL releases
                    // transaction locks after making the commit visible). See BillingQuery's paging guarantee.
                    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                        lock.setLong(1, COMMIT_ORDER_LOCK);
                        lock.execute();
                    }
                }
                for (Pending p : batch) {
                    BillingRows.bind(ps, p.record());
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        }
    }

    private boolean isPostgres(Connection c) throws SQLException {
        Boolean known = postgres;
        if (known == null) {
            known = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
            postgres = known;
        }
        return known;
    }

    private void fail(List<Pending> batch, Throwable cause) {
        failedRecords.addAndGet(batch.size());
        for (Pending p : batch) {
            p.future().completeExceptionally(cause);
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
