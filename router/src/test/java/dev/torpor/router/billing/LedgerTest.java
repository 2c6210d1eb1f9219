package dev.torpor.router.billing;

import static dev.torpor.router.billing.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.router.db.Database;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class LedgerTest extends LedgerFixture {




    @Test
    void appendedRecordReadsBackWithEveryField() {
        BillingRecord full = record().startedAt(Instant.parse("2026-11-30T14:59:06.123456Z")).build();
        BillingRecord sparse = record().instanceId(null).device(null).kind(RecordKind.INSTANCE_TIME)
                .status(BillingStatus.CANCELLED).coldStart(false).gpuMicros(7).build();
        assertThat(ledger.append(full).join()).isEqualTo(full);
        ledger.append(sparse).join();

        List<BillingRecord> read = new BillingQuery(db.dataSource()).list(RecordFilter.ALL, 10, null).records();
        assertThat(read).containsExactly(full, sparse);
    }

    @Test
    void concurrentAppendsAreAllStoredOnceAndGroupCommitted() throws Exception {
        RecordIds ids = new RecordIds(Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<CompletableFuture<BillingRecord>>>> work = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            work.add(pool.submit(() -> {
                start.await();
                List<CompletableFuture<BillingRecord>> futures = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    futures.add(ledger.append(record().id(ids.next()).build()));
                }
                return futures;
            }));
        }
        start.countDown();
        for (Future<List<CompletableFuture<BillingRecord>>> f : work) {
            for (CompletableFuture<BillingRecord> r : f.get(60, TimeUnit.SECONDS)) {
                r.get(60, TimeUnit.SECONDS);
            }
        }
        pool.shutdown();

        assertThat(count("SELECT COUNT(*) FROM billing_records")).isEqualTo(2000);
        assertThat(count("SELECT COUNT(DISTINCT id) FROM billing_records")).isEqualTo(2000);
        assertThat(ledger.appendedCount()).isEqualTo(2000);
        assertThat(ledger.committedRecordCount()).isEqualTo(2000);
        assertThat(ledger.committedBatchCount()).isBetween(1L, 1999L);
        assertThat(ledger.pendingCount()).isZero();
    }

    @Test
    void sameIdAppendedTwiceIsStoredOnce() {
        BillingRecord r = record().build();
        ledger.append(r).join();
        assertThat(ledger.append(r).join()).isEqualTo(r);
        // Also twice inside one batch.
        BillingRecord other = record().build();
        CompletableFuture.allOf(ledger.append(other), ledger.append(other)).join();
        assertThat(count("SELECT COUNT(*) FROM billing_records")).isEqualTo(2);
    }

    @Test
    void closeFlushesPendingAppendsAndAReopenedDatabaseSeesThem() throws Exception {
        List<CompletableFuture<BillingRecord>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(ledger.append(record().build()));
        }
        ledger.close(); // without waiting for any future first
        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        db.close();

        db = new Database(url);
        ledger = new Ledger(db.dataSource());
        assertThat(count("SELECT COUNT(*) FROM billing_records")).isEqualTo(500);
    }

    @Test
    void appendAfterCloseFails() {
        ledger.close();
        ledger.close(); // idempotent
        CompletableFuture<BillingRecord> f = ledger.append(record().build());
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(ledger.appendedCount()).isZero();
    }

    @Test
    void closeFromAContinuationOnTheWriterThreadDoesNotHang() throws Exception {
        CompletableFuture<Void> closing = ledger.append(record().build()).thenRun(ledger::close);
        closing.get(30, TimeUnit.SECONDS);
        assertThat(ledger.append(record().build())).isCompletedExceptionally();
        ledger.close(); // from the test thread: waits for the writer to finish
        assertThat(count("SELECT COUNT(*) FROM billing_records")).isEqualTo(1);
    }

    @Test
    void aCommitThatFailsIsRetriedAndNeverDoublesARecord() throws Exception {
        ledger.close();
        // The first two commits write their rows and then report failure, as a lost acknowledgement would.
        AtomicInteger lyingCommits = new AtomicInteger(2);
        ledger = new Ledger(new CommitFailing(db.dataSource(), lyingCommits, true), 512, 3, Duration.ofMillis(1));
        BillingRecord r = record().build();
        assertThat(ledger.append(r).get(30, TimeUnit.SECONDS)).isEqualTo(r);
        assertThat(lyingCommits.get()).isZero();
        assertThat(count("SELECT COUNT(*) FROM billing_records")).isEqualTo(1);
        assertThat(ledger.committedBatchCount()).isEqualTo(1);
    }

    @Test
    void afterTheLastTryTheFuturesFailAndTheWriterCarriesOn() throws Exception {
        ledger.close();
        AtomicInteger failingCommits = new AtomicInteger(3);
        ledger = new Ledger(new CommitFailing(db.dataSource(), failingCommits, false), 512, 3, Duration.ofMillis(1));
        CompletableFuture<BillingRecord> doomed = ledger.append(record().build());
        assertThatThrownBy(() -> doomed.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(SQLException.class);
        assertThat(ledger.failedRecordCount()).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM billing_records")).isZero();

        BillingRecord next = record().build();
        assertThat(ledger.append(next).get(30, TimeUnit.SECONDS)).isEqualTo(next);
        assertThat(count("SELECT COUNT(*) FROM billing_records")).isEqualTo(1);
    }

    private long count(String sql) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connections whose {@code commit()} throws while {@code failures} lasts: after committing for real when
     * {@code commitFirst} (a lost acknowledgement), or instead of committing (the transaction is rolled back).
     */
    record CommitFailing(DataSource delegate, AtomicInteger failures, boolean commitFirst) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            Connection real = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("commit") && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            if (commitFirst) {
                                real.commit();
                            }
                            throw new SQLException("injected commit failure");
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
