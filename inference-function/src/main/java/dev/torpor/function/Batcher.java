package dev.torpor.function;

import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Dynamic batching: which waiting requests go into one engine call, and when; and how they are stacked
 * along the first dimension and the outputs split back. Pure: time is passed in (nanoseconds, any origin),
 * nothing sleeps, nothing is thread-safe (the caller locks).
 *
 * <p><b>Which.</b> Requests are grouped by a {@linkplain #key key}: the same input names, datatypes and
 * shapes apart from the first dimension, and the same requested outputs. A batch is one group's requests in
 * arrival order, as many as fit in {@code maxRows} rows; a request never overtakes an older one of its group.
 * A request with more rows than {@code maxRows} runs alone.
 *
 * <p><b>When.</b> A group's batch is due as soon as it is full (the next request of the group would not fit)
 * or its oldest request has waited {@code maxDelayNanos} for company. Groups are considered in the order of
 * their oldest request.
 *
 * <p><b>Split across idle engine threads.</b> A due batch is shared among the engine threads that are idle
 * ({@code parallel}): the taker gets its fair part ({@code ceil(rows / parallel)}), and the rest of that batch is
 * due at once for the next idle thread instead of waiting for more company. On a CPU, where a batch costs about
 * as much as its requests one by one, this keeps every core busy: 8 requests on 2 idle threads run as two
 * batches of 4 side by side, not one batch of 8 on one core while the other idles.
 *
 * @param <T> what the caller queues (a request and its future)
 */
public final class Batcher<T> {
    private final int maxRows;
    private final long maxDelayNanos;
    private final List<Entry<T>> pending = new ArrayList<>();
    /** Per group: requests that arrived no later than this are due now (the rest of a split batch). */
    private final Map<Object, Long> releasedUpTo = new HashMap<>();

    private record Entry<T>(T item, Object key, int rows, long arrivedNanos) {
    }

    public Batcher(int maxRows, long maxDelayNanos) {
        if (maxRows < 1 || maxDelayNanos < 0) {
            throw new IllegalArgumentException("maxRows must be at least 1 and maxDelayNanos not negative");
        }
        this.maxRows = maxRows;
        this.maxDelayNanos = maxDelayNanos;
    }

    /**
     * Queues {@code item}.
     *
     * @param key  requests with equal keys may share a batch ({@link #key}); a fresh object runs alone
     * @param rows its first dimension ({@link #rows})
     */
    public void add(T item, Object key, int rows, long nowNanos) {
        pending.add(new Entry<>(item, Objects.requireNonNull(key), rows, nowNanos));
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }

    public int size() {
        return pending.size();
    }

    /**
     * Removes and returns the first batch that is due at {@code nowNanos} (or, with {@code flush}, the first
     * batch whatever its age), or null when none is.
     */
    public List<T> poll(long nowNanos, boolean flush) {
        return poll(nowNanos, flush, 1);
    }

    /**
     * As {@link #poll(long, boolean)}, sharing a due batch among {@code parallel} idle engine threads: the
     * returned batch holds at most {@code ceil(rows / parallel)} rows of it (at least one request), and what
     * remains of it is due at once.
     *
     * @param parallel the idle engine threads that could run a batch now, this one included (at least 1)
     */
    public List<T> poll(long nowNanos, boolean flush, int parallel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        }
        Map<Object, Entry<T>> oldestByKey = new LinkedHashMap<>();
        for (Entry<T> entry : pending) {
            oldestByKey.putIfAbsent(entry.key(), entry);
        }
        for (Entry<T> oldest : oldestByKey.values()) {
            List<Entry<T>> batch = new ArrayList<>();
            int rows = 0;
            boolean full = false;
            for (Entry<T> entry : pending) {
                if (!entry.key().equals(oldest.key())) {
                    continue;
                }
                if (!batch.isEmpty() && rows + (long) entry.rows() > maxRows) {
                    full = true;
                    break;
                }
                batch.add(entry);
                rows += entry.rows();
                if (rows >= maxRows) {
                    full = true;
                    break;
                }
            }
            long releasedBound = releasedUpTo.getOrDefault(oldest.key(), Long.MIN_VALUE);
            boolean due = full || flush || nowNanos - oldest.arrivedNanos() >= maxDelayNanos;
            if (!due && oldest.arrivedNanos() <= releasedBound) {
                // Only the rest of a split batch is due; later arrivals wait for their own batch.
                batch.removeIf(entry -> entry.arrivedNanos() > releasedBound);
                rows = batch.stream().mapToInt(Entry::rows).sum();
                due = true;
            }
            if (due) {
                List<Entry<T>> share = fairShare(batch, rows, parallel);
                pending.removeAll(share);
                if (share.size() < batch.size()) {
                    releasedUpTo.put(oldest.key(), batch.get(batch.size() - 1).arrivedNanos());
                } else {
                    releasedUpTo.remove(oldest.key());
                }
                return share.stream().map(Entry::item).toList();
            }
        }
        return null;
    }

    /** The first requests of {@code batch} that make up its {@code parallel}-th part of the rows (at least one). */
    private static <T> List<Entry<T>> fairShare(List<Entry<T>> batch, int rows, int parallel) {
        if (parallel == 1 || batch.size() == 1) {
            return batch;
        }
        long part = (rows + (long) parallel - 1) / parallel;
        int taken = 0;
        long sum = 0;
        while (taken < batch.size() && (taken == 0 || sum < part)) {
            sum += batch.get(taken).rows();
            taken++;
        }
        return new ArrayList<>(batch.subList(0, taken));
    }

    /**
     * When the next batch falls due by age (it may be due earlier by filling up): the oldest arrival + the delay.
     * The rest of a split batch is due at once, which {@link #poll} already says: ask it first.
     */
    public long dueAtNanos() {
        if (pending.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return pending.get(0).arrivedNanos() + maxDelayNanos;
    }

    /** Removes and returns everything queued. */
    public List<T> drain() {
        List<T> all = pending.stream().map(Entry::item).toList();
        pending.clear();
        releasedUpTo.clear();
        return all;
    }

    /**
     * Whether a model can be batched: every input and output has at least one dimension and its first is
     * dynamic (-1), so requests can be stacked along it and the outputs split back.
     */
    public static boolean batchable(Signature signature) {
        if (signature.inputs().isEmpty() || signature.outputs().isEmpty()) {
            return false;
        }
        for (List<TensorSpec> specs : List.of(signature.inputs(), signature.outputs())) {
            for (TensorSpec spec : specs) {
                if (spec.rank() < 1 || spec.shape()[0] != -1) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A request's rows: the first dimension its inputs share, or -1 when they do not share one. */
    public static int rows(InferenceRequest request) {
        long rows = -1;
        for (Tensor input : request.inputs()) {
            long[] shape = input.shape();
            if (shape.length == 0 || (rows >= 0 && shape[0] != rows)) {
                return -1;
            }
            rows = shape[0];
        }
        return rows < 0 || rows > Integer.MAX_VALUE ? -1 : (int) rows;
    }

    /**
     * The key under which requests may share a batch: inputs (name, datatype, shape without its first
     * dimension, in the request's order) and requested outputs.
     */
    public static Object key(InferenceRequest request) {
        List<Object> key = new ArrayList<>();
        for (Tensor input : request.inputs()) {
            long[] shape = input.shape();
            key.add(input.name());
            key.add(input.datatype());
            key.add(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
        }
        key.add(request.requestedOutputs());
        return key;
    }

    /**
     * One request holding {@code requests}' inputs stacked along the first dimension, in order. The requests
     * share a {@link #key} (same inputs in the same order); the batch has no id.
     */
    public static InferenceRequest stack(List<InferenceRequest> requests) {
        InferenceRequest first = requests.get(0);
        if (requests.size() == 1) {
            return first;
        }
        List<Tensor> stacked = new ArrayList<>(first.inputs().size());
        for (int i = 0; i < first.inputs().size(); i++) {
            Tensor model = first.inputs().get(i);
            long rows = 0;
            int elements = 0;
            for (InferenceRequest request : requests) {
                Tensor input = request.inputs().get(i);
                rows += input.shape()[0];
                elements += input.size();
            }
            Object data = java.lang.reflect.Array.newInstance(model.data().getClass().getComponentType(), elements);
            int at = 0;
            for (InferenceRequest request : requests) {
                Tensor input = request.inputs().get(i);
                System.arraycopy(input.data(), 0, data, at, input.size());
                at += input.size();
            }
            long[] shape = model.shape();
            shape[0] = rows;
            stacked.add(new Tensor(model.name(), model.datatype(), shape, data));
        }
        return new InferenceRequest(null, stacked, first.requestedOutputs());
    }

    /**
     * Splits a batch's outputs back by each request's rows, in order.
     *
     * @throws IllegalStateException when an output's first dimension is not the batch's total rows
     */
    public static List<List<Tensor>> split(List<Tensor> outputs, int[] rows) {
        long total = 0;
        for (int r : rows) {
            total += r;
        }
        List<List<Tensor>> parts = new ArrayList<>(rows.length);
        for (int r = 0; r < rows.length; r++) {
            parts.add(new ArrayList<>(outputs.size()));
        }
        for (Tensor output : outputs) {
            long[] shape = output.shape();
            if (shape.length == 0 || shape[0] != total) {
                throw new IllegalStateException("output '" + output.name() + "' of a batch of " + total
                        + " rows has shape " + Arrays.toString(shape) + ": it cannot be split by rows");
            }
            int perRow = total == 0 ? 0 : (int) (output.size() / total);
            int at = 0;
            for (int r = 0; r < rows.length; r++) {
                int count = perRow * rows[r];
                Object data = java.lang.reflect.Array.newInstance(output.data().getClass().getComponentType(), count);
                System.arraycopy(output.data(), at, data, 0, count);
                at += count;
                long[] part = shape.clone();
                part[0] = rows[r];
                parts.get(r).add(new Tensor(output.name(), output.datatype(), part, data));
            }
        }
        return parts;
    }

    /**
     * Each request's share of a batch's compute time, proportional to its rows; the shares add up to
     * {@code nanos} exactly (the rounding remainder goes to the last request).
     */
    public static long[] shares(long nanos, int[] rows) {
        long total = 0;
        for (int r : rows) {
            total += r;
        }
        long[] shares = new long[rows.length];
        long given = 0;
        for (int r = 0; r < rows.length; r++) {
            shares[r] = r == rows.length - 1 ? nanos - given
                    : total == 0 ? nanos / rows.length : nanos / total * rows[r] + nanos % total * rows[r] / total;
            given += shares[r];
        }
        return shares;
    }

    /** Removes {@code item} if still queued (a request cancelled while it waited); true when it was. */
    public boolean remove(T item) {
        for (Iterator<Entry<T>> it = pending.iterator(); it.hasNext(); ) {
            if (it.next().item() == item) {
                it.remove();
                return true;
            }
        }
        return false;
    }
}
