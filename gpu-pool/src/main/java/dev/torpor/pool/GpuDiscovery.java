package dev.torpor.pool;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the pool finds its GPUs, once at start-up (the router's {@code TORPOR_GPUS}): {@code auto} asks
 * {@code nvidia-smi}, {@code none} means CPU only, and {@code fake:COUNTxMB} pretends COUNT GPUs of MB MiB each
 * (for tests and demos: instances placed on them fail to start unless ONNX Runtime's CUDA provider is present).
 */
public sealed interface GpuDiscovery {
    /** Up to 999 fake GPUs of up to 999,999,999 MiB each. */
    Pattern FAKE = Pattern.compile("fake:([1-9][0-9]{0,2})x([1-9][0-9]{0,8})");

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

    /** {@code count} pretend GPUs of {@code memoryMb} MiB each, {@code gpu:0} upwards. */
    record Fake(int count, long memoryMb) implements GpuDiscovery {
        public Fake {
            if (count < 1 || memoryMb < 1) {
                throw new IllegalArgumentException("fake GPUs need a count and a memory of at least 1; got "
                        + count + "x" + memoryMb);
            }
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
     * The discovery {@code text} names exactly: {@code auto}, {@code none} or {@code fake:COUNTxMB}.
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
        Matcher fake = text == null ? null : FAKE.matcher(text);
        if (fake != null && fake.matches()) {
            return new Fake(Integer.parseInt(fake.group(1)), Long.parseLong(fake.group(2)));
        }
        throw new IllegalArgumentException(setting + " must be auto, none or fake:COUNTxMB (e.g. fake:2x16384); got '"
                + text + "'");
    }
}
