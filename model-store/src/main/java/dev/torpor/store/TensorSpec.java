package dev.torpor.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * One input or output of a model's signature: its name, datatype and shape, where -1 marks a dimension
 * that varies per request (a batch dimension, a sequence length).
 */
public record TensorSpec(String name, DataType datatype, long[] shape) {

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(datatype, "datatype");
        shape = shape.clone();
        for (long dim : shape) {
            if (dim < -1) {
                throw new IllegalArgumentException("dimension " + dim + " of " + name + " is below -1");
            }
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The rank: how many dimensions the tensor has (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Whether a concrete shape fits this spec: same rank, and equal wherever this spec is not -1. */
    public boolean accepts(long[] concrete) {
        if (concrete.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != -1 && shape[i] != concrete[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec that && name.equals(that.name) && datatype == that.datatype
                && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, datatype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + ":" + datatype + Arrays.toString(shape);
    }
}
