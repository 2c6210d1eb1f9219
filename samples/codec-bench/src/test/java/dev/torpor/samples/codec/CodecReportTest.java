package dev.torpor.samples.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CodecReportTest {
    private static final String HEADER =
            "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\",\"Param: tensorBytes\"";

    @Test
    void payloadThroughputIsOpsPerSecondTimesTensorBytesInMebibytes() {
        List<CodecReport.Row> rows = CodecReport.parse(List.of(HEADER,
                "\"dev.torpor.samples.codec.JsonCodecBenchmark.decodeTorpor\",\"thrpt\",1,3,2.500000,0.1,\"ops/s\",1048576",
                "\"dev.torpor.samples.codec.JsonCodecBenchmark.decodeJacksonTree\",\"thrpt\",1,3,1.000000,0.1,\"ops/s\",1048576"));

        assertThat(rows).extracting(CodecReport.Row::benchmark)
                .containsExactly("JsonCodecBenchmark.decodeTorpor", "JsonCodecBenchmark.decodeJacksonTree");
        assertThat(rows.get(0).mibPerSecond()).isEqualTo(2.5);
        assertThat(new CodecReport(rows).markdown()).contains("| 1 MiB | 2.5 | 1.0 | 2.50× | – | – | – |");
    }

    @Test
    void refusesResultsThatAreNotThroughput() {
        assertThatThrownBy(() -> CodecReport.parse(List.of(HEADER,
                "\"dev.torpor.samples.codec.JsonCodecBenchmark.decodeTorpor\",\"avgt\",1,3,2.5,0.1,\"s/op\",1024")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ops/s");
    }
}
