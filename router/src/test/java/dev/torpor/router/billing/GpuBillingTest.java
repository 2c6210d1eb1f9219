package dev.torpor.router.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GpuBillingTest {

    @Test
    void requestsOnAGpuAreBilledTheirEngineTimeAsGpuTimeAndCpuRequestsNone() {
        assertThat(InferenceService.gpuMicros("gpu:1", 2)).isEqualTo(2_000); // the billed 2 ms, in µs
        assertThat(InferenceService.gpuMicros("cpu", 2)).isZero();
        assertThat(InferenceService.gpuMicros(null, 0)).isZero();
    }
}
