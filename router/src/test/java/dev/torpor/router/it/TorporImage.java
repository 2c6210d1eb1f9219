package dev.torpor.router.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.testcontainers.DockerClientFactory;

/**
 * Torpor's container image for the tests: {@code deploy/docker/Dockerfile} built, once per test JVM, from the jar
 * this build has just packaged ({@code router/target/torpor.jar}; failsafe runs after the package phase), exactly as
 * the README's command builds it (the same context layout, the classic builder, the host's network for
 * {@code apt-get}). The image stays after the tests under its name, and the image that name had before is removed,
 * so repeated builds do not pile up 300 MB layers in a cached data-root.
 *
 * <p>Settings, each a system property, else an environment variable, else the default:
 * <ul>
 *   <li>{@code torpor.test.image-name} / {@code TORPOR_TEST_IMAGE_NAME}: the name and tag, by default
 *       {@code torpor:<project version>} (the default of {@code TORPOR_K8S_IMAGE});
 *   <li>{@code torpor.test.image-base} / {@code TORPOR_TEST_IMAGE_BASE}: the Dockerfile's {@code BASE}, by default
 *       the stock {@code debian:bookworm-slim}; CI ({@code .ci/docker-up.sh}) sets its debootstrapped
 *       {@code local/debian:bookworm}, because it cannot pull.
 * </ul>
 *
 * <p>Without Docker the image tests <b>fail</b>, saying how to start it, like the PostgreSQL suite: a developer
 * without Docker opts out explicitly with {@code -Dtorpor.test.image=skip}; CI never does. Thread-safe: {@link #build()}
 * is synchronized, the rest only reads settings.
 */
final class TorporImage {
    /** Where the Dockerfile puts the jar, and what both entry points name. */
    static final String JAR = "/opt/torpor/torpor.jar";
    /** The router's data directory in the image (a volume). */
    static final String DATA_DIR = "/var/lib/torpor";
    private static String built;

    private TorporImage() {
    }

    /** Whether the developer opted out of the image tests ({@code -Dtorpor.test.image=skip}). */
    static boolean optedOut() {
        return "skip".equals(System.getProperty("torpor.test.image"));
    }

    /** The name the image is built as. */
    static String name() {
        return setting("torpor.test.image-name", "TORPOR_TEST_IMAGE_NAME",
                "torpor:" + System.getProperty("torpor.version", "dev"));
    }

    /** The Debian bookworm image the Dockerfile starts from. */
    static String base() {
        return setting("torpor.test.image-base", "TORPOR_TEST_IMAGE_BASE", "debian:bookworm-slim");
    }

    /** Builds the image once (later calls return at once) and returns its name; fails loudly without Docker. */
    static synchronized String build() {
        if (built != null) {
            return built;
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("Docker is not available, so the container image tests cannot run. "
                    + "Start Docker (CI: .ci/docker-up.sh does it; see README \"Container image\"), set DOCKER_HOST "
                    + "if its socket is not the default, or opt out explicitly with -Dtorpor.test.image=skip.");
        }
        Path jar = file("torpor.image.jar", "the router jar (mvn package makes it)");
        Path dockerfile = file("torpor.image.dockerfile", "deploy/docker/Dockerfile");
        String name = name();
        DockerClient docker = DockerClientFactory.instance().client();
        String previous = imageId(docker, name);
        long begin = System.nanoTime();
        try (InputStream context = BuildContext.of(Map.of(
                "deploy/docker/Dockerfile", dockerfile,
                "router/target/torpor.jar", jar))) {
            docker.buildImageCmd(context)
                    .withDockerfilePath("deploy/docker/Dockerfile")
                    .withTags(Set.of(name))
                    .withBuildArg("BASE", base())
                    .withPull(false)
                    // The classic builder's RUN containers use the host's network: the CI daemon has no NAT.
                    .withNetworkMode("host")
                    .exec(new BuildImageResultCallback())
                    .awaitImageId();
        } catch (IOException unreadable) {
            throw new UncheckedIOException("cannot send the build context", unreadable);
        }
        System.out.printf("container image %s built on %s in %.1f s%n", name, base(),
                (System.nanoTime() - begin) / 1e9);
        String current = imageId(docker, name);
        if (previous != null && !previous.equals(current)) {
            remove(docker, previous);
        }
        built = name;
        return name;
    }

    private static String setting(String property, String variable, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static Path file(String property, String what) {
        String value = System.getProperty(property);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException("no " + what + " at " + value + " (system property " + property
                    + "; the image tests run in `mvn verify`, after the package phase)");
        }
        return Path.of(value);
    }

    private static String imageId(DockerClient docker, String name) {
        try {
            return docker.inspectImageCmd(name).exec().getId();
        } catch (NotFoundException absent) {
            return null;
        }
    }

    /** The image this name had before: unused now; kept only if something still uses it (a running container). */
    private static void remove(DockerClient docker, String id) {
        try {
            docker.removeImageCmd(id).exec();
        } catch (DockerException inUse) {
            System.out.println("container image: kept the previous " + id + ": " + inUse.getMessage());
        }
    }
}
