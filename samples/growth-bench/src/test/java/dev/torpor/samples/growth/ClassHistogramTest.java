package dev.torpor.samples.growth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassHistogramTest {
    private static final List<String> BEFORE = List.of(
            "12345:",
            " num     #instances         #bytes  class name (module)",
            "-------------------------------------------------------",
            "   1:         10000         800000  [B (java.base@17.0.15)",
            "   2:          2000          48000  java.lang.String (java.base@17.0.15)",
            "   3:            10            400  dev.torpor.store.ModelManifest",
            "Total         12010         848400");
    private static final List<String> AFTER = List.of(
            "12345:",
            " num     #instances         #bytes  class name (module)",
            "-------------------------------------------------------",
            "   1:         11000         900000  [B (java.base@17.0.15)",
            "   2:          1000          40000  dev.torpor.store.ModelManifest",
            "   3:          2100          50400  java.lang.String (java.base@17.0.15)",
            "Total         14100         990400");

    @Test
    void readsTheTotalAndTheBytesOfEachClass() {
        ClassHistogram histogram = ClassHistogram.parse(AFTER);

        assertThat(histogram.totalBytes()).isEqualTo(990400);
        assertThat(histogram.bytesByClass()).containsEntry("[B", 900000L)
                .containsEntry("dev.torpor.store.ModelManifest", 40000L).hasSize(3);
    }

    @Test
    void ranksClassesByTheirGrowth() {
        List<Map.Entry<String, Long>> growth = ClassHistogram.parse(AFTER)
                .largestGrowthSince(ClassHistogram.parse(BEFORE), 2);

        assertThat(growth).containsExactly(Map.entry("[B", 100000L),
                Map.entry("dev.torpor.store.ModelManifest", 39600L));
    }

    @Test
    void refusesOutputWithoutATotal() {
        assertThatThrownBy(() -> ClassHistogram.parse(List.of("12345:", "Could not attach")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Could not attach");
    }
}
