package dev.torpor.router.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GpuBillingTest {

    @Test
    void requestsOnAGpuAreBilledTheirEngineTimeAsGpuTimeAndCpuRequestsNone() {
        assertThat(InferenceService.gpuMicros("gpu:1", 1_234)).isEqualTo(1_234);
        assertThat(InferenceService.gpuMicros("cpu", 1_234)).isZero();
        assertThat(InferenceService.gpuMicros(null, 0)).isZero();
    }
}
