package dev.torpor.router.billing;

import static dev.torpor.router.billing.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.BadRequest;
import dev.torpor.router.db.Database;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BillingQueryTest extends LedgerFixture {
    private static final Instant T0 = Instant.parse("2026-11-30T00:00:00Z");

    BillingQuery query;


    @BeforeEach
    void open() {
        query = new BillingQuery(db.dataSource());
    }


    @Test
    void pagesOfSevenReturnEveryRecordOnceInLedgerOrder() {
        List<BillingRecord> appended = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 100; i++) {
            // startedAt deliberately out of order: pages follow the ledger, not the clock.
            BillingRecord r = record().startedAt(T0.plusMillis(random.nextInt(1_000_000))).build();
            ledger.append(r).join();
            appended.add(r);
        }
        List<BillingRecord> seen = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            BillingQuery.Page page = query.list(RecordFilter.ALL, 7, cursor);
            assertThat(page.records()).hasSizeLessThanOrEqualTo(7);
            seen.addAll(page.records());
            cursor = page.next();
            if (cursor != null) {
                assertThat(cursor).matches("[A-Za-z0-9_-]+");
            }
            pages++;
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(appended);
        assertThat(pages).isEqualTo(15); // 14 full pages and one of 2: no empty trailing page
    }

    @Test
    void pagingWhileOthersAppendNeverSkipsOrRepeatsACommittedRecord() throws Exception {
        // Two ledgers on one file: two writers contending for SQLite's write lock.
        Ledger second = new Ledger(db.dataSource());
        RecordIds ids = new RecordIds(Clock.systemUTC());
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            Ledger target = w % 2 == 0 ? ledger : second;
            Random random = new Random(w);
            done.add(writers.submit(() -> {
                for (int chunk = 0; chunk < 60; chunk++) {
                    List<CompletableFuture<BillingRecord>> inFlight = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        inFlight.add(target.append(record().id(ids.next())
                                .startedAt(T0.plusMillis(random.nextInt(1_000_000))).build()));
                    }
                    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
                }
            }));
        }
        List<List<String>> scans = new ArrayList<>();
        Thread stopper = new Thread(() -> {
            try {
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                writing.set(false);
            }
        });
        stopper.start();
        while (writing.get()) {
            scans.add(scanIds(RecordFilter.ALL));
        }
        stopper.join();
        for (Future<?> f : done) {
            f.get(); // surface writer failures
        }
        writers.shutdown();
        second.close();

        List<String> all = scanIds(RecordFilter.ALL);
        assertThat(all).hasSize(2400).doesNotHaveDuplicates();
        // Each scan, taken while commits kept landing, is exactly a prefix of the final ledger order.
        for (List<String> scan : scans) {
            assertThat(scan).containsExactlyElementsOf(all.subList(0, scan.size()));
        }
        if (db.vendor() == Database.Vendor.SQLITE) {
            // That the scans overlapped the writes (PostgreSQL may finish first; the several-routers test
            // proves the overlap there).
            assertThat(scans).anyMatch(s -> !s.isEmpty() && s.size() < all.size());
        }
        assertThat(new HashSet<>(all)).hasSize(2400);
    }

    @Test
    void severalRoutersCommittingOutOfOrderNeverMakeAPagerSkipOrRepeat() throws Exception {
        // Three "routers": each its own Database (own connection pool) and Ledger on the same database, with
        // batches of at most 3 so that many transactions race; a pager follows cursors all along.
        List<Database> routers = new ArrayList<>();
        List<Ledger> ledgers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Database other = new Database(url);
            routers.add(other);
            ledgers.add(new Ledger(other.dataSource(), 3, 3, java.time.Duration.ofMillis(10)));
        }
        RecordIds ids = new RecordIds(Clock.systemUTC());
        ExecutorService writers = Executors.newFixedThreadPool(6);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            Ledger target = ledgers.get(w % 3);
            done.add(writers.submit(() -> {
                for (int chunk = 0; chunk < 50; chunk++) {
                    List<CompletableFuture<BillingRecord>> inFlight = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        inFlight.add(target.append(record().id(ids.next()).build()));
                    }
                    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
                }
            }));
        }
        // Pages of 7 following the cursors while records land: every id exactly once, in ledger order.
        List<String> paged = new ArrayList<>();
        int caughtUp = 0;
        String cursor = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (paged.size() < 1500 && System.nanoTime() < deadline) {
            BillingQuery.Page page = query.list(RecordFilter.ALL, 7, cursor);
            if (page.next() != null) {
                page.records().forEach(r -> paged.add(r.id()));
                cursor = page.next();
            } else if (paged.size() + page.records().size() == 1500) {
                page.records().forEach(r -> paged.add(r.id())); // the last, partial page once all have landed
            } else {
                caughtUp++; // the end of the ledger for now: ask again from the same cursor
                Thread.onSpinWait();
            }
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        writers.shutdown();
        ledgers.forEach(Ledger::close);
        routers.forEach(Database::close);
        assertThat(caughtUp).as("the pager overlapped the writers").isPositive();
        assertThat(paged).hasSize(1500).doesNotHaveDuplicates();
        assertThat(paged).containsExactlyElementsOf(scanIds(RecordFilter.ALL));
    }

    @Test
    void filtersByModelTenantAndHalfOpenTimeRange() {
        List<BillingRecord> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            BillingRecord r = record().model(i % 2 == 0 ? "vad" : "ocr").tenant(i % 4 < 2 ? "t1" : "t2")
                    .startedAt(T0.plusSeconds(i)).build();
            ledger.append(r).join();
            all.add(r);
        }
        assertThat(list(new RecordFilter("vad", null, null, null)))
                .containsExactlyElementsOf(all.stream().filter(r -> r.model().equals("vad")).toList());
        assertThat(list(new RecordFilter(null, "t2", null, null)))
                .containsExactlyElementsOf(all.stream().filter(r -> r.tenant().equals("t2")).toList());
        assertThat(list(new RecordFilter("ocr", "t1", null, null)))
                .containsExactlyElementsOf(all.stream()
                        .filter(r -> r.model().equals("ocr") && r.tenant().equals("t1")).toList());
        // from inclusive, to exclusive, both exactly on records' startedAt.
        assertThat(list(new RecordFilter(null, null, T0.plusSeconds(10), T0.plusSeconds(20))))
                .containsExactlyElementsOf(all.subList(10, 20));
        // A nanosecond past a record's start excludes it from "from" and includes it under "to".
        assertThat(list(new RecordFilter(null, null, T0.plusSeconds(10).plusNanos(1), T0.plusSeconds(20).plusNanos(1))))
                .containsExactlyElementsOf(all.subList(11, 21));
        assertThat(list(new RecordFilter(null, null, T0.plusSeconds(5), T0.plusSeconds(5)))).isEmpty();
        assertThat(list(new RecordFilter("nope", null, null, null))).isEmpty();
        assertThat(list(new RecordFilter(null, null, Instant.MIN, Instant.MAX))).hasSize(40);
    }

    @Test
    void filteredPagingCarriesTheFilterAcrossPages() {
        List<BillingRecord> vad = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            BillingRecord r = record().model(i % 3 == 0 ? "vad" : "ocr").build();
            ledger.append(r).join();
            if (r.model().equals("vad")) {
                vad.add(r);
            }
        }
        RecordFilter filter = new RecordFilter("vad", null, null, null);
        BillingQuery.Page first = query.list(filter, 4, null);
        BillingQuery.Page second = query.list(filter, 4, first.next());
        BillingQuery.Page third = query.list(filter, 4, second.next());
        assertThat(first.records()).containsExactlyElementsOf(vad.subList(0, 4));
        assertThat(second.records()).containsExactlyElementsOf(vad.subList(4, 8));
        assertThat(third.records()).containsExactlyElementsOf(vad.subList(8, 10));
        assertThat(third.next()).isNull();
    }

    @Test
    void limitOutOfRangeIsABadRequestNamingTheField() {
        assertThatThrownBy(() -> query.list(RecordFilter.ALL, 0, null))
                .isInstanceOf(BadRequest.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> query.list(RecordFilter.ALL, 1001, null))
                .isInstanceOf(BadRequest.class).hasMessageContaining("limit");
        assertThat(query.list(RecordFilter.ALL, 1, null).records()).isEmpty();
        assertThat(query.list(RecordFilter.ALL, 1000, null).next()).isNull();
    }

    @Test
    void malformedOrForgedCursorsAreBadRequests() {
        for (int i = 0; i < 3; i++) {
            ledger.append(record().build()).join();
        }
        String valid = query.list(RecordFilter.ALL, 1, null).next();
        assertThat(query.list(RecordFilter.ALL, 5, valid).records()).hasSize(2);
        List<String> bad = List.of(
                "!!!",                          // not base64
                "12345",                        // not ours (decodes to garbage)
                b64("v1:abc"),                  // non-numeric seq
                b64("v1:"),                     // no seq
                b64("v1:-1"),                   // negative
                b64("v1:007"),                  // not canonical
                b64("v2:1"),                    // unknown version
                b64("v1:99999999999999999999"), // out of range
                valid + "=",                    // padded spelling
                "");
        for (String cursor : bad) {
            assertThatThrownBy(() -> query.list(RecordFilter.ALL, 5, cursor))
                    .as("cursor %s", cursor).isInstanceOf(BadRequest.class).hasMessage("invalid cursor");
        }
    }

    @Test
    void fromAfterToIsABadRequest() {
        assertThatThrownBy(() -> new RecordFilter(null, null, T0.plusSeconds(1), T0))
                .isInstanceOf(BadRequest.class).hasMessageContaining("from");
    }

    private List<BillingRecord> list(RecordFilter filter) {
        List<BillingRecord> out = new ArrayList<>();
        String cursor = null;
        do {
            BillingQuery.Page page = query.list(filter, 3, cursor);
            out.addAll(page.records());
            cursor = page.next();
        } while (cursor != null);
        return out;
    }

    private List<String> scanIds(RecordFilter filter) {
        return list(filter).stream().map(BillingRecord::id).toList();
    }

    private static String b64(String s) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }
}
