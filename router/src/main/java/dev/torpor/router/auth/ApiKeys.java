package dev.torpor.router.auth;

import dev.torpor.error.ModelNotFound;
import dev.torpor.error.VersionConflict;
import io.micronaut.core.annotation.Nullable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key management: creating (the key is returned once and never stored), listing, deleting, and the first
 * start's operator key. Every change is written to the database, installed in the {@link KeyRing} at once and
 * recorded in the {@link AuditLog}.
 */
public final class ApiKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
    /** The file, in the data dir, that receives the bootstrap operator key. */
    public static final String OPERATOR_KEY_FILE = "operator.key";

    private final KeyRepository repository;
    private final KeyRing ring;
    private final AuditLog audit;
    private final Clock clock;

    /** A key as created: its stored form and the key itself, which is shown once. */
    public record Created(StoredKey stored, String key) {
    }

    public ApiKeys(KeyRepository repository, KeyRing ring, AuditLog audit, Clock clock) {
        this.repository = repository;
        this.ring = ring;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Reloads the key ring from the database (other routers may have changed the keys). Synchronized with
     * {@link #create} and {@link #delete}: a periodic reload that read the table before a change must not install
     * its stale copy after the change's own reload.
     */
    public synchronized void refresh() {
        ring.replace(repository.all());
    }

    public synchronized Created create(Caller by, Role role, String tenant) {
        return install(by, role, tenant, ApiKeyFormat.newKey());
    }

    private Created install(Caller by, Role role, String tenant, String key) {
        Tenants.validate(tenant);
        StoredKey stored = new StoredKey(ApiKeyFormat.newId(), ApiKeyFormat.hash(key), role, tenant, clock.instant(),
                by.keyId());
        repository.insert(stored);
        refresh();
        audit.record(by, "key.create", stored.id(), Map.of("role", role.wireName(), "tenant", tenant));
        return new Created(stored, key);
    }

    public List<StoredKey> list() {
        return repository.all();
    }

    /**
     * Deletes a key; it stops working on this router at once and on others within the refresh interval.
     *
     * @throws ModelNotFound   (404) for an unknown id
     * @throws VersionConflict (409) for the last operator key: without one nobody could manage keys again
     */
    public synchronized void delete(Caller by, String id) {
        List<StoredKey> keys = repository.all();
        Optional<StoredKey> target = keys.stream().filter(k -> k.id().equals(id)).findFirst();
        if (target.isEmpty()) {
            throw new ModelNotFound("no key with id '" + Tenants.printable(id) + "'");
        }
        long operators = keys.stream().filter(k -> k.role() == Role.OPERATOR).count();
        if (target.get().role() == Role.OPERATOR && operators == 1) {
            throw new VersionConflict("key " + id + " is the last operator key; create another operator key first");
        }
        repository.delete(id);
        refresh();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("role", target.get().role().wireName());
        detail.put("tenant", target.get().tenant());
        audit.record(by, "key.delete", id, detail);
    }

    /**
     * On a key store without keys: creates one operator key for tenant {@code default}. Without
     * {@code providedKeyFile}, the key is random and written, readable only by this user, to
     * {@code <dataDir>/operator.key} (replacing an older file, whose key the empty store no longer knows); with
     * it, the key is the one that file holds (a Kubernetes Secret, say) and nothing is written. On a store that
     * has keys the provided file is still read and checked, so a broken one stops start-up, but not installed.
     * Logs the files' paths, never a key.
     *
     * @param providedKeyFile TORPOR_BOOTSTRAP_KEY_FILE, or null
     * @return whether a key was created
     * @throws IllegalArgumentException when the provided file does not hold exactly one well-formed key
     */
    public synchronized boolean bootstrap(Path dataDir, @Nullable Path providedKeyFile) {
        String provided = providedKeyFile == null ? null : readProvidedKey(providedKeyFile);
        if (!repository.all().isEmpty()) {
            if (provided != null) {
                LOG.info("The database has keys: the key in {} (TORPOR_BOOTSTRAP_KEY_FILE) is not installed;"
                        + " manage keys with /admin/keys.", providedKeyFile);
            }
            refresh();
            return false;
        }
        Caller system = new Caller(null, Role.OPERATOR, Caller.DEFAULT_TENANT);
        if (provided != null) {
            Created created = install(system, Role.OPERATOR, Caller.DEFAULT_TENANT, provided);
            LOG.warn("Installed the first operator key ({}, tenant default) from {} (TORPOR_BOOTSTRAP_KEY_FILE).",
                    created.stored().id(), providedKeyFile);
            return true;
        }
        Created created = create(system, Role.OPERATOR, Caller.DEFAULT_TENANT);
        Path file = dataDir.resolve(OPERATOR_KEY_FILE);
        writeOwnerOnly(file, created.key() + "\n");
        LOG.warn("Created the first operator key ({}, tenant default) and wrote it to {} (readable only by this user)."
                + " Use it as 'Authorization: Bearer <key>' to create further keys with POST /admin/keys.",
                created.stored().id(), file.toAbsolutePath());
        return true;
    }

    private static String readProvidedKey(Path file) {
        String key;
        try {
            key = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException unreadable) {
            throw new IllegalArgumentException("TORPOR_BOOTSTRAP_KEY_FILE: cannot read " + file + ": "
                    + unreadable.getMessage(), unreadable);
        }
        if (!ApiKeyFormat.wellFormed(key)) {
            // The message never quotes the content: it may be a secret with a typo.
            throw new IllegalArgumentException("TORPOR_BOOTSTRAP_KEY_FILE: " + file + " must hold one API key, 'tpk_'"
                    + " and 43 URL-safe base64 characters");
        }
        return key;
    }

    private static void writeOwnerOnly(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path temporary = Files.createTempFile(file.getParent(), ".operator", ".key",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, content, StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot write the operator key to " + file + ": " + failed.getMessage(),
                    failed);
        }
    }
}
