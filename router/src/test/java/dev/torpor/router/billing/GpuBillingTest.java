package dev.torpor.router.billing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GpuBillingTest {

    @Test
    void requestsOnAGpuAreBilledTheirEngineTimeAsGpuTimeAndCpuRequestsNone() {
        assertThat(RequestRecords.gpuMicros("gpu:1", 2)).isEqualTo(2_000); // the billed 2 ms, in µs
        assertThat(RequestRecords.gpuMicros("cpu", 2)).isZero();
        assertThat(RequestRecords.gpuMicros(null, 0)).isZero();
    }
}
