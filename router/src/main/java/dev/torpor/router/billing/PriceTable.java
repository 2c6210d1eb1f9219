package dev.torpor.router.billing;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The operators' prices, versioned, in table {@code prices}: each change inserts a new version row (never an
 * update), so a billing record's {@code priceVersion} always names the prices it was computed with.
 *
 * <p>On an empty table, {@link #PriceTable construction} stores the configured defaults as version 1 (free unless
 * the {@code TORPOR_PRICE_*} settings say otherwise); after that the table wins over the settings, and prices change
 * only through {@link #update} ({@code PUT /admin/prices}).
 *
 * <p>{@link #current()} is on every request's path, so it is cached: a change made by this router is seen at once;
 * one made by another router sharing the database is picked up within {@link #REFRESH} (the cache re-reads the
 * newest version when it is older than that). Thread-safe.
 */
public final class PriceTable {
    /** How stale the cached prices may get when another router changed them. */
    public static final Duration REFRESH = Duration.ofSeconds(5);
    private static final int MAX_UPDATE_TRIES = 5;

    private final DataSource dataSource;
    private final Clock clock;
    private volatile Prices cached;
    private volatile Instant readAt;

    /** Opens the table, storing {@code defaults} as version 1 if it is empty. */
    public PriceTable(DataSource dataSource, Clock clock, Prices defaults) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (newest().isEmpty()) {
            insert(defaults.withVersion(1)); // a concurrent first start of another router may win: fine
        }
        refresh();
    }

    /** The prices new records are priced with. */
    public Prices current() {
        Prices p = cached;
        if (Duration.between(readAt, clock.instant()).compareTo(REFRESH) >= 0) {
            p = refresh();
        }
        return p;
    }

    /** A stored version, if it exists. */
    public Optional<Prices> version(int version) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT document FROM prices WHERE version = ?")) {
            ps.setInt(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(PriceDocument.fromStored(version, rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading prices failed", e);
        }
    }

    /** Every version, oldest first. */
    public List<Prices> history() {
        List<Prices> all = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT version, document FROM prices ORDER BY version");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(PriceDocument.fromStored(rs.getInt(1), rs.getString(2)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading prices failed", e);
        }
        return all;
    }

    /**
     * Merges {@code patch} into the newest prices and stores the result as the next version; records appended
     * after this returns are priced with it. A patch that changes nothing still creates a version (the audit trail
     * of operators' actions).
     *
     * @throws dev.torpor.error.BadRequest naming the field (see {@link PriceDocument#merge})
     */
    public Prices update(JsonNode patch) {
        for (int attempt = 1; ; attempt++) {
            Prices newest = newest().orElseGet(() -> Prices.free(1).withVersion(1));
            Prices next = PriceDocument.merge(newest, patch, newest.version() + 1);
            if (insert(next)) {
                cached = next;
                readAt = clock.instant();
                return next;
            }
            if (attempt == MAX_UPDATE_TRIES) { // another router kept taking the next version number
                throw new IllegalStateException("could not store prices: concurrent changes");
            }
        }
    }

    private synchronized Prices refresh() {
        Prices newest = newest().orElseThrow(() -> new IllegalStateException("the prices table is empty"));
        cached = newest;
        readAt = clock.instant();
        return newest;
    }

    private Optional<Prices> newest() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT version, document FROM prices ORDER BY version DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(PriceDocument.fromStored(rs.getInt(1), rs.getString(2))) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("reading prices failed", e);
        }
    }

    /** Stores a version; false when that version number exists already (another router took it). */
    private boolean insert(Prices p) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO prices (version, document, created_at)"
                     + " VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING")) {
            ps.setInt(1, p.version());
            ps.setString(2, PriceDocument.toStored(p));
            ps.setLong(3, clock.millis());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("storing prices failed", e);
        }
    }
}
