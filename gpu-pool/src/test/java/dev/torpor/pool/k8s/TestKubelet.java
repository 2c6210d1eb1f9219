package dev.torpor.pool.k8s;

import dev.torpor.function.host.FunctionHost;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A kubelet for tests, against fabric8's mock API server in CRUD mode: it watches the function pods of one namespace
 * (label {@code app.kubernetes.io/component=function}) and runs each as a local process, so the launcher's tests
 * exercise the real client, watches, protocol and function host while the scheduler, kubelet, networking and image
 * are simulated.
 *
 * <p>What it simulates, for each new pod: scheduling is instant (unless {@link #leaveUnschedulable} matches the pod:
 * then it stays {@code Pending} with {@code PodScheduled=False Unschedulable} and no process starts); the pod gets its
 * own loopback address (127.0.0.2, 127.0.0.3, … from the first address given; all of 127/8 is loopback on Linux) as
 * {@code status.podIP}; the first container's {@code command}+{@code args} start as a local process, with {@code java}
 * (or a path ending in {@code /java}) replaced by this JVM's java, {@code -cp /opt/torpor/torpor.jar} by the
 * configured class path, {@code -jar /opt/torpor/torpor.jar} by {@code -cp <class path> <main class>}, and
 * {@code -Djava.io.tmpdir=<the pod's own directory>} added (a pod's own filesystem); its env is the container's plain
 * values and the downward API's {@code status.podIP}, {@code metadata.name} and {@code metadata.namespace}, plus
 * {@code PATH} and {@code LANG}. The pod turns {@code Running} with {@code Ready=True} once the readiness probe's
 * {@code tcpSocket} port (by number or name; else the first {@code containerPort}) accepts TCP connections on its
 * address; when the process exits the pod turns {@code Succeeded} (exit 0) or {@code Failed} with the container's
 * {@code terminated} state (exit code, reason {@code Completed} / {@code Error}). A deleted pod's process gets
 * SIGTERM, then SIGKILL after {@link #KILL_GRACE}.
 *
 * <p>What it does not simulate: images and their pulls (any image runs this JVM's class path), resources, limits and
 * OOM kills, node selectors, tolerations and GPUs, restarts ({@code restartPolicy} is taken as {@code Never}), more than
 * one container, probes other than one TCP readiness check until first success, volumes, secrets and config maps.
 *
 * <p>Thread-safety: status writes are serialised on one thread; the hook may be set from any thread. {@link #close()}
 * stops the watch and kills every process it started; the kubelet owns those processes.
 */
public final class TestKubelet implements AutoCloseable {
    /** The path the image holds the Torpor jar at, replaced by the class path here. */
    public static final String IMAGE_JAR = "/opt/torpor/torpor.jar";
    /** The label every function pod carries. */
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    /** Between SIGTERM and SIGKILL for a deleted pod (a real kubelet's grace period is 30 s by default). */
    public static final Duration KILL_GRACE = Duration.ofSeconds(2);
    /** How long a pod's port may take to accept connections; after that it stays Running but not Ready. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final KubernetesClient client;
    private final String namespace;
    private final String classPath;
    private final String mainClass;
    private final Path workDir;
    private final byte[] firstAddress;
    private final AtomicInteger nextAddress = new AtomicInteger();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Map<String, Boolean> deleted = new ConcurrentHashMap<>();
    private final ExecutorService statusWriter = Executors.newSingleThreadExecutor(daemon("kubelet-status"));
    private final ExecutorService probes = Executors.newCachedThreadPool(daemon("kubelet-probe"));
    private volatile boolean closed;
    private volatile Predicate<Pod> unschedulable = pod -> false;
    private volatile String unschedulableMessage = "";
    private final SharedIndexInformer<Pod> informer;

    /**
     * Starts watching with this JVM's class path, {@link FunctionHost} as the main class of {@code -jar}, and
     * addresses from 127.0.0.2.
     */
    public static TestKubelet start(KubernetesClient client, String namespace, Path workDir) {
        return new TestKubelet(client, namespace, System.getProperty("java.class.path"),
                FunctionHost.class.getName(), workDir, address("127.0.0.2"));
    }

    /**
     * Starts watching {@code namespace}.
     *
     * @param classPath    what replaces {@link #IMAGE_JAR} in commands
     * @param mainClass    the main class a {@code -jar} command runs
     * @param workDir      each pod's directory (working directory, {@code java.io.tmpdir}, {@code container.log})
     * @param firstAddress the first pod's address; each next pod gets the next one
     */
    public TestKubelet(KubernetesClient client, String namespace, String classPath, String mainClass, Path workDir,
                       InetAddress firstAddress) {
        this.client = client;
        this.namespace = namespace;
        this.classPath = classPath;
        this.mainClass = mainClass;
        this.workDir = workDir;
        this.firstAddress = firstAddress.getAddress();
        this.informer = client.pods().inNamespace(namespace).withLabel(COMPONENT_LABEL, "function")
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        statusWriter.execute(() -> admit(pod));
                    }

                    @Override
                    public void onUpdate(Pod before, Pod after) {
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        kill(pod.getMetadata().getName());
                    }
                });
    }

    /** Pods matching {@code which}, created from now on, stay Pending: {@code PodScheduled=False Unschedulable}. */
    public void leaveUnschedulable(Predicate<Pod> which, String message) {
        this.unschedulableMessage = message;
        this.unschedulable = which;
    }

    /** The process running {@code podName}'s container, if one was started (it may have ended). */
    public Optional<Process> process(String podName) {
        return Optional.ofNullable(processes.get(podName));
    }

    /** The container's output (stdout and stderr) of {@code podName}. */
    public Path log(String podName) {
        return workDir.resolve(podName).resolve("container.log");
    }

    private void admit(Pod pod) {
        String name = pod.getMetadata().getName();
        if (deleted.containsKey(name) || processes.containsKey(name)) {
            return;
        }
        if (unschedulable.test(pod)) {
            String message = unschedulableMessage;
            writeStatus(name, status -> new PodStatusBuilder(status).withPhase("Pending")
                    .withConditions(condition("PodScheduled", "False", "Unschedulable", message)).build());
            return;
        }
        String ip = nextIp();
        Container container = pod.getSpec().getContainers().get(0);
        try {
            Path dir = Files.createDirectories(workDir.resolve(name));
            ProcessBuilder builder = new ProcessBuilder(command(container, dir))
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log(name).toFile());
            builder.environment().clear();
            builder.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"));
            builder.environment().putAll(env(pod, container, ip));
            Process process = builder.start();
            processes.put(name, process);
            if (deleted.containsKey(name)) {
                kill(name); // deleted while it was starting
                return;
            }
            writeStatus(name, status -> new PodStatusBuilder(status).withPhase("Pending").withPodIP(ip)
                    .withConditions(condition("PodScheduled", "True", null, null),
                            condition("Ready", "False", "ContainersNotReady", null)).build());
            process.onExit().thenRun(() -> statusWriter.execute(() -> ended(name, process.exitValue())));
            probes.execute(() -> probe(name, process, new InetSocketAddress(ip, readinessPort(container))));
        } catch (IOException | RuntimeException e) {
            writeStatus(name, status -> new PodStatusBuilder(status).withPhase("Failed").withReason("KubeletError")
                    .withMessage(String.valueOf(e.getMessage())).build());
        }
    }

    private void probe(String name, Process process, InetSocketAddress at) {
        long until = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (process.isAlive() && System.nanoTime() < until) {
            try (Socket socket = new Socket()) {
                socket.connect(at, 500);
                statusWriter.execute(() -> {
                    if (process.isAlive()) {
                        writeStatus(name, status -> new PodStatusBuilder(status).withPhase("Running")
                                .withConditions(condition("PodScheduled", "True", null, null),
                                        condition("Ready", "True", null, null)).build());
                    }
                });
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void ended(String name, int exitCode) {
        writeStatus(name, status -> new PodStatusBuilder(status).withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withConditions(condition("PodScheduled", "True", null, null),
                        condition("Ready", "False", "PodCompleted", null))
                .withContainerStatuses(new ContainerStatusBuilder().withName("function").withReady(false)
                        .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode)
                                .withReason(exitCode == 0 ? "Completed" : "Error").endTerminated().build())
                        .build())
                .build());
    }

    private void kill(String name) {
        deleted.put(name, true);
        Process process = processes.get(name);
        if (process != null && process.isAlive()) {
            process.destroy();
            process.onExit().completeOnTimeout(process, KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                    .thenAccept(Process::destroyForcibly);
        }
    }

    /** Reads the pod, changes its status and writes it back, again on a conflict; a deleted pod is left alone. */
    private void writeStatus(String name, UnaryOperator<PodStatus> change) {
        for (int attempt = 0; attempt < 5 && !deleted.containsKey(name) && !closed; attempt++) {
            Pod current;
            try {
                current = client.pods().inNamespace(namespace).withName(name).get();
            } catch (KubernetesClientException e) {
                if (closed) {
                    return; // the read was interrupted by close()
                }
                throw e;
            }
            if (current == null) {
                return;
            }
            current.setStatus(change.apply(current.getStatus() == null ? new PodStatus() : current.getStatus()));
            try {
                client.pods().inNamespace(namespace).resource(current).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (closed) {
                    return; // the write was interrupted by close()
                }
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }

    private List<String> command(Container container, Path dir) {
        List<String> given = new ArrayList<>(container.getCommand());
        given.addAll(container.getArgs());
        List<String> command = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String word = given.get(i);
            boolean jarNext = i + 1 < given.size() && IMAGE_JAR.equals(given.get(i + 1));
            if (i == 0 && (word.equals("java") || word.endsWith("/java"))) {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.add("-Djava.io.tmpdir=" + dir);
            } else if (jarNext && word.equals("-jar")) {
                command.addAll(List.of("-cp", classPath, mainClass));
                i++;
            } else if (jarNext && (word.equals("-cp") || word.equals("-classpath"))) {
                command.addAll(List.of("-cp", classPath));
                i++;
            } else {
                command.add(word);
            }
        }
        return command;
    }

    private static Map<String, String> env(Pod pod, Container container, String ip) {
        Map<String, String> env = new java.util.HashMap<>();
        for (EnvVar variable : container.getEnv()) {
            if (variable.getValueFrom() == null) {
                env.put(variable.getName(), variable.getValue() == null ? "" : variable.getValue());
                continue;
            }
            String field = variable.getValueFrom().getFieldRef() == null ? null
                    : variable.getValueFrom().getFieldRef().getFieldPath();
            String value = switch (String.valueOf(field)) {
                case "status.podIP" -> ip;
                case "metadata.name" -> pod.getMetadata().getName();
                case "metadata.namespace" -> pod.getMetadata().getNamespace();
                default -> throw new IllegalArgumentException("the test kubelet does not resolve env "
                        + variable.getName() + " from " + variable.getValueFrom());
            };
            env.put(variable.getName(), value);
        }
        return env;
    }

    private static int readinessPort(Container container) {
        List<ContainerPort> ports = container.getPorts();
        IntOrString probed = container.getReadinessProbe() == null
                || container.getReadinessProbe().getTcpSocket() == null ? null
                : container.getReadinessProbe().getTcpSocket().getPort();
        if (probed != null && probed.getIntVal() != null) {
            return probed.getIntVal();
        }
        return ports.stream().filter(port -> probed == null || probed.getStrVal().equals(port.getName()))
                .findFirst().map(ContainerPort::getContainerPort)
                .orElseThrow(() -> new IllegalArgumentException("no port to probe"));
    }

    private String nextIp() {
        byte[] bytes = firstAddress.clone();
        int n = nextAddress.getAndIncrement();
        int last = (bytes[3] & 0xff) + n;
        bytes[3] = (byte) (last % 256);
        bytes[2] = (byte) ((bytes[2] & 0xff) + last / 256);
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    private static PodCondition condition(String type, String status, String reason, String message) {
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(Instant.now().toString()).build();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stops watching and kills every process this kubelet started, waiting for each (bounded). */
    @Override
    public void close() {
        closed = true;
        informer.close();
        statusWriter.shutdownNow();
        probes.shutdownNow();
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
