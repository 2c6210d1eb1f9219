package dev.torpor.pool;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the pool finds its GPUs, once at start-up (the router's {@code TORPOR_GPUS}): {@code auto} asks
 * {@code nvidia-smi}, {@code none} means CPU only, {@code declared:COUNTxMB} names COUNT GPUs of MB MiB each that are
 * not on the router's machine (the cluster's, for the kubernetes launcher: a pod placed on one asks for
 * {@code nvidia.com/gpu: 1}), and {@code fake:COUNTxMB} pretends COUNT GPUs (for tests and demos: instances placed on
 * them fail to start unless ONNX Runtime's CUDA provider is present).
 */
public sealed interface GpuDiscovery {
    /** Up to 999 fake or declared GPUs of up to 999,999,999 MiB each. */
    Pattern COUNTED = Pattern.compile("(fake|declared):([1-9][0-9]{0,2})x([1-9][0-9]{0,8})");

    /** The probe that finds the GPUs this way. */
    DeviceProbe probe();

    /** {@code nvidia-smi}; no GPU found means CPU only (said once in the log). */
    record Auto() implements GpuDiscovery {
        @Override
        public DeviceProbe probe() {
            return new NvidiaSmiProbe();
        }

        @Override
        public String toString() {
            return "auto";
        }
    }

    /** No GPUs: the pool is the CPU only. */
    record None() implements GpuDiscovery {
        @Override
        public DeviceProbe probe() {
            return new FakeDeviceProbe(List.of());
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    /**
     * {@code count} GPUs of {@code memoryMb} MiB each that the pool may place instances on though they are elsewhere
     * (the kubernetes launcher's cluster: its pods get them through {@code nvidia.com/gpu}), {@code gpu:0} upwards.
     */
    record Declared(int count, long memoryMb) implements GpuDiscovery {
        public Declared {
            requireCounted("declared", count, memoryMb);
        }

        @Override
        public DeviceProbe probe() {
            return FakeDeviceProbe.of(count, memoryMb, "Cluster GPU");
        }

        @Override
        public String toString() {
            return "declared:" + count + "x" + memoryMb;
        }
    }

    /** {@code count} pretend GPUs of {@code memoryMb} MiB each, {@code gpu:0} upwards. */
    record Fake(int count, long memoryMb) implements GpuDiscovery {
        public Fake {
            requireCounted("fake", count, memoryMb);
        }

        @Override
        public DeviceProbe probe() {
            return FakeDeviceProbe.of(count, memoryMb);
        }

        @Override
        public String toString() {
            return "fake:" + count + "x" + memoryMb;
        }
    }

    /**
     * The discovery {@code text} names exactly: {@code auto}, {@code none}, {@code declared:COUNTxMB} or
     * {@code fake:COUNTxMB}.
     *
     * @param setting what the text is, for the message (e.g. {@code TORPOR_GPUS})
     * @throws IllegalArgumentException naming the setting and the accepted forms
     */
    static GpuDiscovery parse(String setting, String text) {
        if ("auto".equals(text)) {
            return new Auto();
        }
        if ("none".equals(text)) {
            return new None();
        }
        Matcher counted = text == null ? null : COUNTED.matcher(text);
        if (counted != null && counted.matches()) {
            int count = Integer.parseInt(counted.group(2));
            long memoryMb = Long.parseLong(counted.group(3));
            return "fake".equals(counted.group(1)) ? new Fake(count, memoryMb) : new Declared(count, memoryMb);
        }
        throw new IllegalArgumentException(setting + " must be auto, none, declared:COUNTxMB (the cluster's GPUs, e.g."
                + " declared:4x81920) or fake:COUNTxMB (e.g. fake:2x16384); got '" + text + "'");
    }

    /** {@code kind} GPUs ({@code fake}, {@code declared}) need a count and a memory of at least 1. */
    private static void requireCounted(String kind, int count, long memoryMb) {
        if (count < 1 || memoryMb < 1) {
            throw new IllegalArgumentException(kind + " GPUs need a count and a memory of at least 1; got "
                    + count + "x" + memoryMb);
        }
    }
}
