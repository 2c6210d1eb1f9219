package dev.torpor.pool;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which kind of device a model's instances may run on: its model config's {@code device} (API.md).
 * {@link #ANY} prefers a GPU and falls back to the CPU.
 */
public enum DevicePreference {
    CPU("cpu"),
    GPU("gpu"),
    ANY("any");

    private final String wireName;

    DevicePreference(String wireName) {
        this.wireName = wireName;
    }

    /** The name in a model config and in API answers: {@code cpu}, {@code gpu} or {@code any}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The preference named exactly (lower case) by {@code text}.
     *
     * @param setting what the text is, for the message (e.g. {@code device})
     * @throws IllegalArgumentException naming the setting and the allowed values
     */
    public static DevicePreference parse(String setting, String text) {
        for (DevicePreference preference : values()) {
            if (preference.wireName.equals(text)) {
                return preference;
            }
        }
        throw new IllegalArgumentException(setting + " must be one of " + Arrays.stream(values())
                .map(DevicePreference::wireName).collect(Collectors.joining(", ")) + "; got '" + text + "'");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
