package dev.torpor.store;

import dev.torpor.error.BadRequest;
import java.util.regex.Pattern;

/**
 * A model version's identity. Names and versions match {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}} and are
 * never {@code .} or {@code ..}, so they are always safe as a single path segment.
 */
public record ModelId(String name, String version) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    public ModelId {
        requireValidName(name, "model name");
        requireValidName(version, "model version");
    }

    /**
     * Throws {@link BadRequest} unless {@code value} is a valid model name or version.
     *
     * @param what how the value is called in the error message ("model name", "model version")
     * @return the value, for chaining
     */
    public static String requireValidName(String value, String what) {
        if (value == null || !VALID.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new BadRequest("invalid " + what + " '" + abbreviate(value)
                    + "': it must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
        }
        return value;
    }

    private static String abbreviate(String value) {
        if (value == null) {
            return "";
        }
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 64 ? printable : printable.substring(0, 64) + "…";
    }

    @Override
    public String toString() {
        return name + "/" + version;
    }
}
