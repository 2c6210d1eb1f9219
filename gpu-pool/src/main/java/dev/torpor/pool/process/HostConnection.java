package dev.torpor.pool.process;

import dev.torpor.error.EngineFailure;
import dev.torpor.error.InstanceCrashed;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.Batcher;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.host.Frame;
import dev.torpor.function.host.FrameChannel;
import dev.torpor.function.host.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's end of the conversation with one function host, over any byte stream: a Unix domain socket
 * to a child process or TCP to a pod ({@link HostListener} makes either). It sends frames, and a reader
 * thread takes the host's answers off the stream and completes their futures on the completion executor
 * (never on the reader, so that a completion that sends the next request can never stall the reading).
 * When the stream ends, its {@link Peer} says why, and every request still in flight fails with the
 * {@link InstanceCrashed} the peer describes (as {@link RemoteHost.NotStarted} when it cannot have started).
 * A host that does not share the router's file system is sent its model's files first ({@link ModelUpload}).
 *
 * <p>Thread-safe.
 */
final class HostConnection {
    private static final Duration CRASH_RETRY = Duration.ofSeconds(1);
    /** Where a frame's request id sits: after the int32 length and the int8 type. */
    private static final int ID_OFFSET = 4 + 1;

    /** What only the host's owner knows: why the conversation ended, and how to say so to a request. */
    interface Peer {
        /** Why the stream ended ({@code ended}: how the reader saw it); may wait a little for the host's exit. */
        String endReason(Exception ended);

        /** The failure a request in flight gets when the host ended for {@code reason}. */
        InstanceCrashed crashed(String reason);
    }

    private final FrameChannel channel;
    private final Wire.Hello hello;
    private final Executor completions;
    private final Peer peer;
    private final Map<Long, CompletableFuture<InferenceOutcome>> pending = new ConcurrentHashMap<>();
    /** Offered model files awaiting the host's FILE_WANTED or FILE_STORED (empty: wanted; else its path there). */
    private final Map<Long, CompletableFuture<Optional<String>>> files = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Object sendLock = new Object();
    /** Requests whose frame could not be written: the host never saw them. */
    private final Set<Long> unsent = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Duration> loaded = new CompletableFuture<>();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    /** Engine threads × batch size: how many of the oldest pending requests may have started. */
    private volatile int workers = 1;
    private volatile boolean closed;
    private volatile long pingSentAt;
    private volatile boolean pingOutstanding;

    /** @param hello what the host said first (read by whoever accepted the connection) */
    HostConnection(FrameChannel channel, Wire.Hello hello, Executor completions, Peer peer) {
        this.channel = channel;
        this.hello = hello;
        this.completions = completions;
        this.peer = peer;
    }

    /** Starts the reader thread; call once, after construction. */
    void startReading(String threadName) {
        Thread reader = new Thread(this::readLoop, threadName);
        reader.setDaemon(true);
        reader.start();
    }

    Wire.Hello hello() {
        return hello;
    }

    boolean isOpen() {
        return !closed;
    }

    /** Completes with the reason once the stream has ended. */
    CompletableFuture<String> ended() {
        return ended;
    }

    /** Sends LOAD; completes with the load time the host measured. */
    CompletableFuture<Duration> load(Wire.Load load) {
        // A batching host may have started every request its engine threads' batches hold.
        boolean batches = load.batching().enabled() && Batcher.batchable(load.manifest().signature());
        workers = Math.max(1, load.concurrency()) * (batches ? load.batching().maxBatchSize() : 1);
        try {
            channel.write(Wire.load(load));
        } catch (IOException gone) {
            // the reader sees the end of the stream and fails the load with the reason
        }
        return loaded;
    }

    /** Sends one request (see {@link RemoteHost#infer}). */
    CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control) {
        CompletableFuture<InferenceOutcome> answer = new CompletableFuture<>();
        if (closed) {
            answer.completeExceptionally(new RemoteHost.NotStarted(peer.crashed(ended.getNow("has died"))));
            return answer;
        }
        ByteBuffer frame;
        try {
            frame = Wire.request(0, request);
        } catch (RuntimeException unencodable) {
            answer.completeExceptionally(new EngineFailure("cannot send the request: " + unencodable.getMessage()));
            return answer;
        }
        long id;
        // Ids are given in the order frames reach the stream, which is the order the host queues them in.
        synchronized (sendLock) {
            id = nextId.getAndIncrement();
            frame.putLong(ID_OFFSET, id);
            pending.put(id, answer);
            try {
                channel.write(frame);
            } catch (IOException gone) {
                // the reader notices the end of the stream and fails this request with the reason
                unsent.add(id);
            }
        }
        if (closed && pending.remove(id) != null) {
            // ended() may have drained pending before this id was added
            answer.completeExceptionally(new RemoteHost.NotStarted(peer.crashed(ended.getNow("has died"))));
            return answer;
        }
        control.onCancel(() -> {
            if (pending.containsKey(id)) {
                send(Frame.CANCEL, id);
            }
        });
        return answer;
    }

    /**
     * Offers a model file ({@link ModelUpload} does the rest); completes with the host's answer: empty when it
     * wants the bytes, else where the file is on the host. The same id then awaits {@link #awaitStored}.
     */
    CompletableFuture<Optional<String>> offerFile(long id, Wire.FileOffer offer) {
        CompletableFuture<Optional<String>> answer = awaitStored(id);
        try {
            channel.write(Wire.fileOffer(id, offer));
        } catch (IOException gone) {
            // the reader sees the end of the stream and fails the offer with the reason
        }
        return answer;
    }

    /** Registers for the host's next answer about file {@code id} (FILE_STORED after the last chunk). */
    CompletableFuture<Optional<String>> awaitStored(long id) {
        CompletableFuture<Optional<String>> answer = new CompletableFuture<>();
        files.put(id, answer);
        if (closed && files.remove(id) != null) {
            answer.completeExceptionally(peer.crashed(ended.getNow("has died")));
        }
        return answer;
    }

    /** A fresh id for a file, from the requests' sequence (so an ERROR's id names one or the other). */
    long newFileId() {
        return nextId.getAndIncrement();
    }

    /** Writes one frame (a file's chunk); fails when the stream is gone. */
    void write(ByteBuffer frame) throws IOException {
        channel.write(frame);
    }

    /** Whether the last ping has gone unanswered for longer than {@code timeout}. */
    boolean pingOverdue(Duration timeout) {
        return pingOutstanding && System.nanoTime() - pingSentAt > timeout.toNanos();
    }

    /** Sends a ping on {@code writer}, unless one is still unanswered. */
    void ping(Executor writer) {
        if (!pingOutstanding) {
            pingSentAt = System.nanoTime();
            pingOutstanding = true;
            writer.execute(() -> send(Frame.PING, 0));
        }
    }

    /** Sends STOP. */
    void sendStop() throws IOException {
        channel.write(Frame.STOP, 0);
    }

    /** Closes the stream; the reader then ends the conversation. */
    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    private void send(byte type, long id) {
        try {
            channel.write(type, id);
        } catch (IOException gone) {
            // the host is ending; the reader handles it
        }
    }

    private void readLoop() {
        try {
            while (true) {
                Frame frame = channel.read();
                switch (frame.type()) {
                    case Frame.RESULT -> {
                        var answer = pending.remove(frame.id());
                        if (answer != null) {
                            Wire.Result result = Wire.result(frame.payload());
                            completions.execute(() -> answer.complete(new InferenceOutcome(result.outputs(),
                                    result.computeNanos(), result.batchSize())));
                        }
                    }
                    case Frame.ERROR -> {
                        var failure = Wire.error(frame.payload());
                        var answer = frame.id() == 0 ? null : pending.remove(frame.id());
                        var file = frame.id() == 0 ? null : files.remove(frame.id());
                        if (frame.id() == 0) {
                            completions.execute(() -> loaded.completeExceptionally(failure));
                        } else if (answer != null) {
                            completions.execute(() -> answer.completeExceptionally(failure));
                        } else if (file != null) {
                            completions.execute(() -> file.completeExceptionally(failure));
                        }
                    }
                    case Frame.FILE_WANTED -> answerFile(frame.id(), Optional.empty());
                    case Frame.FILE_STORED -> answerFile(frame.id(), Optional.of(Wire.fileStored(frame.payload())));
                    case Frame.LOADED -> {
                        Duration took = Wire.loaded(frame.payload());
                        completions.execute(() -> loaded.complete(took));
                    }
                    case Frame.PONG -> pingOutstanding = false;
                    default -> throw new IOException("unexpected frame type " + frame.type());
                }
            }
        } catch (IOException | RuntimeException end) {
            end(end);
        }
    }

    private void answerFile(long id, Optional<String> stored) {
        var file = files.remove(id);
        if (file != null) {
            completions.execute(() -> file.complete(stored));
        }
    }

    private void end(Exception end) {
        closed = true;
        close();
        String reason = peer.endReason(end);
        InstanceCrashed crash = peer.crashed(reason);
        // The host queues requests in the order they arrived and runs them on its engine threads (in batches
        // of at most maxBatchSize when it batches), each of which writes its answers before it takes more; every
        // answer written has been read by now. So of the requests still pending, only the first `workers`
        // (threads × batch size) the host received can have started: the others (and any it never received)
        // fail as NotStarted, which the instance retries once.
        List<Long> ids;
        synchronized (sendLock) {
            closed = true;
            ids = new ArrayList<>(pending.keySet());
        }
        ids.sort(null);
        List<CompletableFuture<InferenceOutcome>> failed = new ArrayList<>();
        List<CompletableFuture<InferenceOutcome>> notStarted = new ArrayList<>();
        int mayHaveStarted = workers;
        for (Long id : ids) {
            var answer = pending.remove(id);
            if (answer == null) {
                continue;
            }
            if (!unsent.contains(id) && mayHaveStarted > 0) {
                mayHaveStarted--;
                failed.add(answer);
            } else {
                notStarted.add(answer);
            }
        }
        RemoteHost.NotStarted retryable = new RemoteHost.NotStarted(crash);
        List<CompletableFuture<Optional<String>>> offered = new ArrayList<>(files.values());
        files.clear();
        completions.execute(() -> {
            offered.forEach(file -> file.completeExceptionally(crash));
            failed.forEach(answer -> answer.completeExceptionally(crash));
            notStarted.forEach(answer -> answer.completeExceptionally(retryable));
            loaded.completeExceptionally(new ModelLoadFailed("the function process " + reason, CRASH_RETRY));
            ended.complete(reason);
        });
    }
}
