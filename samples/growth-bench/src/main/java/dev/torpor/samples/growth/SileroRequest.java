package dev.torpor.samples.growth;

/**
 * One Silero VAD infer request as KServe V2 JSON: {@code input} FP32 [1,512] (a 440 Hz tone at 16 kHz),
 * {@code state} FP32 [2,1,128] of zeros, {@code sr} INT64 scalar 16000. Enough to wake an instance and run it.
 */
final class SileroRequest {
    private SileroRequest() {
    }

    static String json() {
        StringBuilder body = new StringBuilder(8192);
        body.append("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,512],\"data\":[");
        for (int i = 0; i < 512; i++) {
            body.append(i == 0 ? "" : ",").append((float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 16000.0)));
        }
        body.append("]},{\"name\":\"state\",\"datatype\":\"FP32\",\"shape\":[2,1,128],\"data\":[");
        for (int i = 0; i < 256; i++) {
            body.append(i == 0 ? "0" : ",0");
        }
        body.append("]},{\"name\":\"sr\",\"datatype\":\"INT64\",\"shape\":[],\"data\":[16000]}]}");
        return body.toString();
    }
}
