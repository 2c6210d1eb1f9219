package dev.torpor.router.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads a manifest into fabric8's typed model and fails on any field the model does not know. fabric8 cannot be
 * told to do that: every model class keeps unknown properties in its {@code additionalProperties} map (a Jackson
 * any-setter, which {@code FAIL_ON_UNKNOWN_PROPERTIES} never sees), so after reading, every object of the model
 * is walked and each such map must be empty. A value of the wrong type (e.g. {@code replicas: one}) already fails
 * while reading. Not thread-safe; one per test.
 */
final class StrictManifestReader {
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    /** The one resource {@code yaml} holds. */
    HasMetadata read(String name, String yaml) {
        Object read = serialization.unmarshal(yaml);
        if (!(read instanceof HasMetadata resource)) {
            throw new AssertionError(name + " must hold exactly one Kubernetes resource, got " + read);
        }
        List<String> unknown = new ArrayList<>();
        collectUnknown(resource, resource.getKind(), unknown);
        if (!unknown.isEmpty()) {
            throw new AssertionError(name + ": fields the Kubernetes model does not know: " + unknown);
        }
        return resource;
    }

    private static void collectUnknown(Object value, String path, List<String> unknown) {
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknown(item, path + "[" + i++ + "]", unknown);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> collectUnknown(item, path + "[" + key + "]", unknown));
        } else if (value != null && value.getClass().getName().startsWith("io.fabric8.")) {
            for (Class<?> type = value.getClass(); type != Object.class; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers())) {
                        continue;
                    }
                    Object content = get(field, value);
                    if (field.getName().equals("additionalProperties") && content instanceof Map<?, ?> extra) {
                        extra.keySet().forEach(key -> unknown.add(path + "." + key));
                    } else {
                        collectUnknown(content, path + "." + field.getName(), unknown);
                    }
                }
            }
        }
    }

    private static Object get(Field field, Object owner) {
        try {
            field.setAccessible(true);
            return field.get(owner);
        } catch (IllegalAccessException impossible) {
            throw new IllegalStateException("cannot read " + field, impossible);
        }
    }
}
