package dev.torpor.router.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.images.PullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * One real PostgreSQL for the whole test JVM, started with Testcontainers on first use, and a fresh database in it
 * for every test ({@link #freshUrl()}: {@code CREATE DATABASE} takes a few milliseconds).
 *
 * <p>The image is a setting: system property {@code torpor.test.postgres-image}, else the environment variable
 * {@code TORPOR_TEST_POSTGRES_IMAGE}, else the stock {@code postgres:15}. CI (.ci/docker-up.sh) builds
 * {@code local/postgres:15} because no registry is reachable there; a local image is never pulled.
 *
 * <p>Without Docker these tests <b>fail</b>, with a message saying how to start it: a PostgreSQL suite that skips
 * proves nothing. A developer without Docker can opt out explicitly with {@code -Dtorpor.test.postgres=skip}
 * (README, "Tests and Docker"); CI never does.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgreSQLContainer<?> container;

    private TestPostgres() {
    }

    /** Whether the developer opted out of the PostgreSQL suite ({@code -Dtorpor.test.postgres=skip}). */
    public static boolean optedOut() {
        return "skip".equals(System.getProperty("torpor.test.postgres"));
    }

    /** The image the suite runs against. */
    public static String image() {
        String image = System.getProperty("torpor.test.postgres-image");
        if (image == null || image.isBlank()) {
            image = System.getenv("TORPOR_TEST_POSTGRES_IMAGE");
        }
        return image == null || image.isBlank() ? "postgres:15" : image.trim();
    }

    /** A JDBC URL (credentials included) of a new, empty database in the shared container. */
    public static String freshUrl() {
        PostgreSQLContainer<?> pg = container();
        String name = "t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl(), pg.getUsername(), pg.getPassword());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return "jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(5432) + "/" + name
                + "?user=" + pg.getUsername() + "&password=" + pg.getPassword();
    }

    /** A migrated {@link Database} on a new, empty PostgreSQL database. */
    public static Database freshDatabase() {
        return new Database(freshUrl());
    }

    private static synchronized PostgreSQLContainer<?> container() {
        if (container != null) {
            return container;
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("Docker is not available, so the PostgreSQL ledger tests cannot run. "
                    + "Start Docker (CI: .ci/docker-up.sh does it; see README \"Tests and Docker\"), set DOCKER_HOST "
                    + "if its socket is not the default, or opt out explicitly with -Dtorpor.test.postgres=skip.");
        }
        String image = image();
        DockerImageName name = DockerImageName.parse(image).asCompatibleSubstituteFor("postgres");
        PostgreSQLContainer<?> pg = new PostgreSQLContainer<>(name);
        if (!image.startsWith("postgres:")) {
            ImagePullPolicy never = imageName -> false; // a locally built image: never pulled
            pg.withImagePullPolicy(never);
        } else {
            pg.withImagePullPolicy(PullPolicy.defaultPolicy());
        }
        pg.start();
        Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "test-postgres-stop"));
        container = pg;
        return pg;
    }
}
