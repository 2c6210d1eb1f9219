package dev.torpor.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.pool.PlacementDecision.Place;
import dev.torpor.pool.PlacementDecision.Refuse;
import dev.torpor.pool.PlacementDecision.Wait;
import dev.torpor.pool.PooledInstance.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement over fake devices: two GPUs of 16 GB and a CPU budget of 8 GB. */
class PlacementTest {
    static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    static final Device CPU = Device.cpu(8192);
    static final Device GPU0 = Device.gpu(0, "Fake", 16384);
    static final Device GPU1 = Device.gpu(1, "Fake", 16384);
    static final List<Device> DEVICES = List.of(CPU, GPU0, GPU1);

    private final List<PooledInstance> instances = new ArrayList<>();

    private PooledInstance idle(String id, String model, String device, long memoryMb, int secondsIdle) {
        PooledInstance instance = new PooledInstance(id, model, device, memoryMb, Phase.READY, 0, T0.minusSeconds(secondsIdle));
        instances.add(instance);
        return instance;
    }

    private PooledInstance busy(String id, String model, String device, long memoryMb) {
        PooledInstance instance = new PooledInstance(id, model, device, memoryMb, Phase.READY, 2, null);
        instances.add(instance);
        return instance;
    }

    private PoolState state() {
        return new PoolState(DEVICES, instances);
    }

    private static PlacementRequest wants(String preference, long memoryMb) {
        return new PlacementRequest("m/1", DevicePreference.parse("device", preference), memoryMb, 4, true);
    }

    @Test
    void theModelsPreferenceChoosesTheKindOfDevice() {
        assertThat(Placement.place(wants("cpu", 100), state(), PoolLimits.UNLIMITED))
                .isEqualTo(new Place(CPU, List.of()));
        assertThat(((Place) Placement.place(wants("gpu", 100), state(), PoolLimits.UNLIMITED)).device().isGpu()).isTrue();
        assertThat(((Place) Placement.place(wants("any", 100), state(), PoolLimits.UNLIMITED)).device().isGpu()).isTrue();
    }

    @Test
    void anyFallsBackToTheCpuWhenTheGpusAreFullOrUnusable() {
        busy("a", "a/1", "gpu:0", 16000);
        busy("b", "b/1", "gpu:1", 16000);
        assertThat(Placement.place(wants("any", 1000), state(), PoolLimits.UNLIMITED)).isEqualTo(new Place(CPU, List.of()));
        instances.clear();
        assertThat(Placement.place(new PlacementRequest("m/1", DevicePreference.ANY, 100, 4, false), state(), PoolLimits.UNLIMITED))
                .isEqualTo(new Place(CPU, List.of()));
    }

    @Test
    void memoryIsBinPackedOnTheFullestDeviceThatFits() {
        busy("a", "a/1", "gpu:0", 4000);
        busy("b", "b/1", "gpu:1", 10000);
        // 6000 MiB fits both; gpu:1 is left with the smaller hole, so gpu:0 keeps room for a big model.
        assertThat(Placement.place(wants("gpu", 6000), state(), PoolLimits.UNLIMITED)).isEqualTo(new Place(GPU1, List.of()));
        assertThat(Placement.place(wants("gpu", 7000), state(), PoolLimits.UNLIMITED)).isEqualTo(new Place(GPU0, List.of()));
    }

    @Test
    void refusalsSayWhyNothingCouldEverFit() {
        PoolState cpuOnly = new PoolState(List.of(CPU), List.of());
        assertThat(Placement.place(wants("gpu", 100), cpuOnly, PoolLimits.UNLIMITED))
                .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.reason()).contains("no GPU device"));
        assertThat(Placement.place(wants("gpu", 20000), state(), PoolLimits.UNLIMITED))
                .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.reason()).contains("needs 20000 MiB")
                        .contains("16384 MiB"));
        PoolLimits smallGpus = new PoolLimits(null, null, null, null, null, 2048L, null, null);
        assertThat(Placement.place(wants("gpu", 4096), state(), smallGpus))
                .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.reason()).contains("gpu.memoryMbPerDevice"));
        assertThat(Placement.place(wants("cpu", 1), state(), new PoolLimits(0, null, null, null, null, null, null, null)))
                .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.reason()).contains("maxInstances is 0"));
        assertThat(Placement.place(wants("cpu", 1), state(), new PoolLimits(null, null, 0, null, null, null, null, null)))
                .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.reason()).contains("cpu.maxInstances is 0"));
    }

    @Test
    void everyLimitBounds() {
        idle("a", "a/1", "cpu", 1000, 5);
        idle("b", "b/1", "cpu", 1000, 5);
        PoolState state = new PoolState(DEVICES, instances, Map.of("a/1", 1, "b/1", 1));
        assertThat(Placement.place(wants("cpu", 100), state, new PoolLimits(2, null, null, null, null, null, null, null)))
                .isInstanceOfSatisfying(Wait.class, w -> assertThat(w.reason()).contains("maxInstances 2"));
        assertThat(Placement.place(wants("cpu", 100), state, new PoolLimits(null, null, 2, null, null, null, null, null)))
                .isInstanceOf(Wait.class);
        assertThat(Placement.place(wants("cpu", 100), state, new PoolLimits(null, null, null, 2048L, null, null, null, null)))
                .isInstanceOfSatisfying(Wait.class, w -> assertThat(w.reason()).contains("48 MiB free"));
        assertThat(Placement.place(wants("cpu", 100), state, new PoolLimits(null, null, null, 2100L, null, null, null, null)))
                .isEqualTo(new Place(CPU, List.of()));
        assertThat(Placement.place(wants("gpu", 100), state, new PoolLimits(null, null, null, null, 0, null, null, null)))
                .isInstanceOf(Refuse.class);
    }

    @Test
    void aModelAtItsCapWaitsRatherThanEvictingOthers() {
        busy("m1", "m/1", "cpu", 100);
        idle("x", "x/1", "cpu", 100, 60);
        assertThat(Placement.place(wants("cpu", 100), state(), new PoolLimits(null, 1, null, null, null, null, null, null)))
                .isInstanceOfSatisfying(Wait.class, w -> assertThat(w.reason()).contains("maxInstancesPerModel 1"));
        assertThat(Placement.place(new PlacementRequest("m/1", DevicePreference.CPU, 100, 1, true), state(), PoolLimits.UNLIMITED))
                .isInstanceOfSatisfying(Wait.class, w -> assertThat(w.reason()).contains("maxInstances 1"));
    }

    @Test
    void evictionTakesTheLeastRecentlyUsedIdleInstanceOfAnotherModel() {
        idle("recent", "a/1", "cpu", 100, 5);
        idle("oldest", "b/1", "cpu", 100, 50);
        idle("mine", "m/1", "cpu", 100, 500);
        PoolLimits three = new PoolLimits(3, null, null, null, null, null, null, null);
        assertThat(Placement.place(wants("cpu", 100), state(), three)).isEqualTo(new Place(CPU, List.of("oldest")));
    }

    @Test
    void evictionNeverTakesABusyInstanceNorGoesBelowMinInstances() {
        busy("busy", "a/1", "cpu", 100);
        idle("warm", "b/1", "cpu", 100, 500);
        PoolLimits two = new PoolLimits(2, null, null, null, null, null, null, null);
        PoolState state = new PoolState(DEVICES, instances, Map.of("b/1", 1));
        assertThat(Placement.place(wants("cpu", 100), state, two))
                .isInstanceOfSatisfying(Wait.class, w -> assertThat(w.reason()).contains("maxInstances 2"));
        // Without minInstances the idle one goes.
        assertThat(Placement.place(wants("cpu", 100), state(), two)).isEqualTo(new Place(CPU, List.of("warm")));
    }

    @Test
    void evictionFreesMemoryOnTheDeviceThatNeedsIt() {
        idle("g0-old", "a/1", "gpu:0", 8000, 100);
        idle("g0-new", "b/1", "gpu:0", 8000, 10);
        idle("g1", "c/1", "gpu:1", 16000, 5);
        // 12000 MiB: gpu:1 needs one eviction, gpu:0 two; the fewest wins even though gpu:0's are older.
        assertThat(Placement.place(wants("gpu", 12000), state(), PoolLimits.UNLIMITED))
                .isEqualTo(new Place(GPU1, List.of("g1")));
        // 8000 MiB: one eviction on either; ties go to the first device, least recently used first.
        assertThat(Placement.place(wants("gpu", 8000), state(), PoolLimits.UNLIMITED))
                .isEqualTo(new Place(GPU0, List.of("g0-old")));
    }

    @Test
    void aStoppingInstanceStillHoldsItsMemoryAndIsNotEvictedTwice() {
        instances.add(new PooledInstance("leaving", "a/1", "cpu", 8000, Phase.STOPPING, 0, null));
        assertThat(Placement.place(wants("cpu", 1000), state(), PoolLimits.UNLIMITED))
                .isInstanceOfSatisfying(Wait.class, w -> assertThat(w.reason()).contains("192 MiB free"));
    }

    @Test
    void loweredLimitsDrainTheFewestInstancesIdleFirstThenTheLeastBusy() {
        idle("idle-new", "a/1", "cpu", 100, 5);
        idle("idle-old", "b/1", "cpu", 100, 50);
        busy("busy", "c/1", "cpu", 100);
        instances.add(new PooledInstance("loading", "d/1", "cpu", 100, Phase.LOADING, 0, null));
        assertThat(Placement.surplus(state(), PoolLimits.UNLIMITED)).isEmpty();
        assertThat(Placement.surplus(state(), new PoolLimits(2, null, null, null, null, null, null, null)))
                .containsExactly("idle-old", "idle-new");
        assertThat(Placement.surplus(state(), new PoolLimits(1, null, null, null, null, null, null, null)))
                .containsExactly("idle-old", "idle-new", "busy");
        assertThat(Placement.surplus(state(), new PoolLimits(null, null, null, 250L, null, null, null, null)))
                .containsExactly("idle-old", "idle-new");
    }

    @Test
    void loweringThePerModelLimitDrainsOnlyThatModelsSurplus() {
        busy("a1", "a/1", "cpu", 100);
        idle("a2", "a/1", "cpu", 100, 5);
        idle("b1", "b/1", "cpu", 100, 50);
        assertThat(Placement.surplus(state(), new PoolLimits(null, 1, null, null, null, null, null, null)))
                .containsExactly("a2");
    }

    @Test
    void limitsAreValidatedNamingTheField() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PoolLimits(-1, null, null, null, null, null, null, null))
                .isInstanceOfSatisfying(PoolLimits.InvalidLimit.class, e -> assertThat(e.field()).isEqualTo("maxInstances"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PoolLimits(null, null, null, null, null, -5L, null, null))
                .isInstanceOfSatisfying(PoolLimits.InvalidLimit.class,
                        e -> assertThat(e.field()).isEqualTo("gpu.memoryMbPerDevice"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PoolLimits(null, null, null, null, null, null, null, 0L))
                .isInstanceOf(PoolLimits.InvalidLimit.class);
    }
}
