package dev.torpor.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.store.DataType;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batcher's policy with time passed in by hand (nothing sleeps), and its stacking and splitting. */
class BatcherTest {
    private static final long MS = 1_000_000;

    @Test
    void aBatchIsDueWhenFullOrWhenItsOldestRequestHasWaitedTheDelay() {
        Batcher<String> batcher = new Batcher<>(4, 2 * MS);
        batcher.add("a", "k", 1, 0);
        batcher.add("b", "k", 1, MS / 2);
        assertThat(batcher.poll(MS, false)).isNull();
        assertThat(batcher.dueAtNanos()).isEqualTo(2 * MS);
        assertThat(batcher.poll(2 * MS - 1, false)).isNull();
        assertThat(batcher.poll(2 * MS, false)).containsExactly("a", "b");
        assertThat(batcher.isEmpty()).isTrue();
        assertThat(batcher.dueAtNanos()).isEqualTo(Long.MAX_VALUE);

        batcher.add("c", "k", 2, 10 * MS);
        batcher.add("d", "k", 2, 10 * MS);
        batcher.add("e", "k", 1, 10 * MS);
        // Full at once: four rows, without waiting; "e" waits for the next batch.
        assertThat(batcher.poll(10 * MS, false)).containsExactly("c", "d");
        assertThat(batcher.poll(10 * MS, false)).isNull();
        assertThat(batcher.poll(12 * MS, false)).containsExactly("e");
    }

    @Test
    void aDueBatchIsSharedAmongIdleThreadsAndItsRestIsDueAtOnce() {
        Batcher<String> batcher = new Batcher<>(8, 2 * MS);
        for (int i = 0; i < 8; i++) {
            batcher.add("r" + i, "k", 1, i);
        }
        // Full: two idle threads take four each; the second does not wait for company.
        assertThat(batcher.poll(10, false, 2)).containsExactly("r0", "r1", "r2", "r3");
        assertThat(batcher.poll(10, false, 1)).containsExactly("r4", "r5", "r6", "r7");
        assertThat(batcher.isEmpty()).isTrue();

        // Three rows on two idle threads: two and one; a request arriving after the split waits as usual.
        batcher.add("a", "k", 1, 100);
        batcher.add("b", "k", 1, 101);
        batcher.add("c", "k", 1, 102);
        assertThat(batcher.poll(100 + 2 * MS, false, 2)).containsExactly("a", "b");
        batcher.add("late", "k", 1, 100 + 2 * MS);
        assertThat(batcher.poll(100 + 2 * MS, false, 2)).containsExactly("c");
        assertThat(batcher.poll(100 + 2 * MS, false, 2)).isNull();
        assertThat(batcher.poll(100 + 4 * MS, false, 2)).containsExactly("late");
    }

    @Test
    void anIdleThreadStillWaitsForCompanyWhenNothingIsDue() {
        Batcher<String> batcher = new Batcher<>(8, 2 * MS);
        batcher.add("a", "k", 1, 0);
        assertThat(batcher.poll(MS, false, 2)).isNull();
        assertThat(batcher.poll(2 * MS, false, 2)).containsExactly("a");
        assertThatThrownBy(() -> batcher.poll(0, false, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zeroDelayMeansNoWaitingAndFlushTakesWhateverIsQueued() {
        Batcher<String> now = new Batcher<>(8, 0);
        now.add("a", "k", 1, 5);
        assertThat(now.poll(5, false)).containsExactly("a");
        Batcher<String> slow = new Batcher<>(8, 60_000 * MS);
        slow.add("a", "k", 1, 0);
        assertThat(slow.poll(1, false)).isNull();
        assertThat(slow.poll(1, true)).containsExactly("a");
    }

    @Test
    void differentKeysAreNeverMixedAndTheOldestGroupGoesFirst() {
        Batcher<String> batcher = new Batcher<>(3, MS);
        batcher.add("x1", "x", 1, 0);
        batcher.add("y1", "y", 1, 10);
        batcher.add("x2", "x", 1, 20);
        batcher.add("y2", "y", 1, 30);
        batcher.add("y3", "y", 1, 40);
        // "y" is full (3 rows) before "x" has waited its delay.
        assertThat(batcher.poll(50, false)).containsExactly("y1", "y2", "y3");
        assertThat(batcher.poll(MS, false)).containsExactly("x1", "x2");
    }

    @Test
    void aRequestLargerThanTheBatchRunsAloneAndNobodyOvertakesWithinAGroup() {
        Batcher<String> batcher = new Batcher<>(4, MS);
        batcher.add("big", "k", 10, 0);
        batcher.add("small", "k", 1, 0);
        assertThat(batcher.poll(0, false)).containsExactly("big");
        batcher.add("three", "k", 3, 1);
        batcher.add("two", "k", 2, 2);
        batcher.add("one", "k", 1, 3);
        // small(1) + three(3) = 4: full; "one" would fit by rows but may not overtake "two".
        assertThat(batcher.poll(3, false)).containsExactly("small", "three");
        assertThat(batcher.poll(MS + 2, false)).containsExactly("two", "one");
    }

    @Test
    void removeTakesACancelledRequestOutOfTheQueue() {
        Batcher<String> batcher = new Batcher<>(4, MS);
        batcher.add("a", "k", 1, 0);
        batcher.add("b", "k", 1, 0);
        assertThat(batcher.remove("a")).isTrue();
        assertThat(batcher.remove("a")).isFalse();
        assertThat(batcher.drain()).containsExactly("b");
    }

    private static Tensor floats(String name, long[] shape, float... values) {
        return new Tensor(name, DataType.FP32, shape, values);
    }

    private static InferenceRequest request(Tensor... inputs) {
        return new InferenceRequest(null, List.of(inputs), List.of());
    }

    @Test
    void stacksAlongTheFirstDimensionAndSplitsBackByRows() {
        InferenceRequest a = request(floats("x", new long[] {1, 2}, 1, 2),
                new Tensor("s", DataType.BYTES, new long[] {1}, new String[] {"p"}));
        InferenceRequest b = request(floats("x", new long[] {2, 2}, 3, 4, 5, 6),
                new Tensor("s", DataType.BYTES, new long[] {2}, new String[] {"q", "r"}));
        assertThat(Batcher.key(a)).isEqualTo(Batcher.key(b));
        assertThat(Batcher.rows(a)).isEqualTo(1);
        assertThat(Batcher.rows(b)).isEqualTo(2);
        InferenceRequest stacked = Batcher.stack(List.of(a, b));
        assertThat(stacked.inputs()).containsExactly(floats("x", new long[] {3, 2}, 1, 2, 3, 4, 5, 6),
                new Tensor("s", DataType.BYTES, new long[] {3}, new String[] {"p", "q", "r"}));

        List<Tensor> outputs = List.of(floats("y", new long[] {3, 1, 2}, 10, 11, 20, 21, 30, 31),
                new Tensor("n", DataType.INT64, new long[] {3}, new long[] {7, 8, 9}));
        List<List<Tensor>> parts = Batcher.split(outputs, new int[] {1, 2});
        assertThat(parts.get(0)).containsExactly(floats("y", new long[] {1, 1, 2}, 10, 11),
                new Tensor("n", DataType.INT64, new long[] {1}, new long[] {7}));
        assertThat(parts.get(1)).containsExactly(floats("y", new long[] {2, 1, 2}, 20, 21, 30, 31),
                new Tensor("n", DataType.INT64, new long[] {2}, new long[] {8, 9}));
        assertThatThrownBy(() -> Batcher.split(List.of(floats("z", new long[] {2}, 1, 2)), new int[] {1, 2}))
                .hasMessageContaining("cannot be split");
    }

    @Test
    void differentNonBatchShapesDatatypesOrOutputsHaveDifferentKeys() {
        InferenceRequest base = request(floats("x", new long[] {1, 2}, 1, 2));
        assertThat(Batcher.key(request(floats("x", new long[] {1, 3}, 1, 2, 3)))).isNotEqualTo(Batcher.key(base));
        assertThat(Batcher.key(request(new Tensor("x", DataType.FP64, new long[] {1, 2}, new double[] {1, 2}))))
                .isNotEqualTo(Batcher.key(base));
        assertThat(Batcher.key(new InferenceRequest(null, base.inputs(), List.of("y")))).isNotEqualTo(Batcher.key(base));
        // Inputs that do not share a first dimension cannot be stacked.
        assertThat(Batcher.rows(request(floats("a", new long[] {1}, 1), floats("b", new long[] {2}, 1, 2)))).isEqualTo(-1);
        assertThat(Batcher.rows(request(new Tensor("s", DataType.INT64, new long[] {}, new long[] {1})))).isEqualTo(-1);
    }

    @Test
    void sharesAreProportionalToRowsAndAddUpExactly() {
        assertThat(Batcher.shares(1000, new int[] {1, 1, 2})).containsExactly(250, 250, 500);
        long[] odd = Batcher.shares(1001, new int[] {1, 1, 1});
        assertThat(odd).containsExactly(333, 333, 335);
        assertThat(Batcher.shares(7, new int[] {0, 0})).containsExactly(3, 4);
    }

    @Test
    void onlyModelsWhoseTensorsAllHaveADynamicFirstDimensionAreBatchable() {
        TensorSpec x = new TensorSpec("x", DataType.FP32, new long[] {-1, 3, 48, 192});
        TensorSpec y = new TensorSpec("y", DataType.FP32, new long[] {-1, 2});
        assertThat(Batcher.batchable(new Signature(List.of(x), List.of(y)))).isTrue();
        TensorSpec state = new TensorSpec("state", DataType.FP32, new long[] {2, -1, 128});
        assertThat(Batcher.batchable(new Signature(List.of(x, state), List.of(y)))).isFalse();
        TensorSpec scalar = new TensorSpec("sr", DataType.INT64, new long[] {});
        assertThat(Batcher.batchable(new Signature(List.of(x), List.of(y, scalar)))).isFalse();
    }
}
