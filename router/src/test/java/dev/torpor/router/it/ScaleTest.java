package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.InstanceState;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.InstanceView;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Concurrency autoscaling on a real router and a real model (the OCR classifier): a step load of
 * concurrency 1 → 16 → 0 (concurrencyPerInstance 1, target 0.7) scales the model up to its maxInstances, then back to one and, after the idle
 * timeout, to zero. The instances over time are written to {@code target/scale-trace.txt}.
 *
 * <p>Short windows so the test is quick: a decision every 200 ms, 1 s panic window, 4 s stable window.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleTest implements TorporTestProperties {
    private static final int MAX = 4;

    @Inject
    EmbeddedServer server;
    @Inject
    Activator activator;

    @Override
    public Map<String, String> extraProperties() {
        return Map.of("torpor.scale.tick-ms", "200", "torpor.scale.panic-window-seconds", "1",
                "torpor.scale.stable-window-seconds", "4");
    }

    private static String oneImage() {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 3 * 48 * 192; i++) {
            data.append(i == 0 ? "" : ",").append((i % 192) / 192.0f);
        }
        return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3,48,192],\"data\":[" + data + "]}]}";
    }

    private int count(InstanceState state) {
        return (int) activator.instances("ocr").stream().map(InstanceView::state).filter(s -> s == state).count();
    }

    @Test
    void aStepLoadScalesUpToMaxThenBackToZero() throws Exception {
        Http http = Http.operator(server);
        assertThat(http.putFile("/v2/repository/models/ocr/versions/1", SampleModels.ocrClassifier()).status())
                .isEqualTo(201);
        assertThat(http.putJson("/v2/repository/models/ocr/config", "{\"concurrencyPerInstance\": 1, \"maxInstances\": "
                + MAX + ", \"idleTimeoutSeconds\": 2}").status()).isEqualTo(200);
        String request = oneImage();

        AtomicInteger clients = new AtomicInteger(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService load = Executors.newCachedThreadPool();
        Runnable client = () -> {
            int me = clients.incrementAndGet();
            while (!stop.get() && me <= clients.get()) {
                int status = http.post("/v2/models/ocr/infer", request).status();
                (status == 200 ? ok : failed).incrementAndGet();
            }
        };

        List<String> trace = new ArrayList<>();
        trace.add("ms\tclients\tloading\tready\tdraining");
        long start = System.nanoTime();
        long[] stepAt = {-1};
        long[] firstExtraReady = {-1};
        long[] allReady = {-1};
        int peak = 0;
        boolean stepped = false;
        boolean released = false;
        long releasedAt = -1;
        long zeroAt = -1;
        load.submit(client);
        while (true) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            int loading = count(InstanceState.LOADING);
            int ready = count(InstanceState.READY);
            int draining = count(InstanceState.DRAINING);
            trace.add(ms + "\t" + (released ? 0 : clients.get()) + "\t" + loading + "\t" + ready + "\t" + draining);
            peak = Math.max(peak, ready);
            if (!stepped && ms >= 3000) {
                stepped = true;
                stepAt[0] = ms;
                for (int i = 0; i < 15; i++) {
                    load.submit(client);
                }
            }
            if (stepped && firstExtraReady[0] < 0 && ready >= 2) {
                firstExtraReady[0] = ms;
            }
            if (stepped && allReady[0] < 0 && ready >= MAX) {
                allReady[0] = ms;
            }
            if (!released && stepped && ms >= stepAt[0] + 6000) {
                released = true;
                releasedAt = ms;
                stop.set(true);
            }
            if (released && loading + ready + draining == 0) {
                zeroAt = ms;
                break;
            }
            assertThat(ms).as("did not scale back to zero").isLessThan(40_000);
            Thread.sleep(100);
        }
        load.shutdown();

        trace.add("# step at " + stepAt[0] + " ms; second instance READY " + (firstExtraReady[0] - stepAt[0])
                + " ms after the step; all " + MAX + " READY " + (allReady[0] < 0 ? "never" : (allReady[0] - stepAt[0])
                + " ms after the step") + "; load stopped at " + releasedAt + " ms; zero instances "
                + (zeroAt - releasedAt) + " ms later; requests ok " + ok.get() + ", failed " + failed.get());
        Path out = Path.of("target", "scale-trace.txt");
        Files.write(out, trace);
        System.out.println(String.join("\n", trace));

        assertThat(failed.get()).isZero();
        assertThat(peak).as("scaled up to maxInstances").isEqualTo(MAX);
        assertThat(zeroAt).isPositive();
    }
}
