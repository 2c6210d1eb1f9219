package dev.torpor.function.host;

import dev.torpor.error.BadInput;
import dev.torpor.error.BadRequest;
import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.Forbidden;
import dev.torpor.error.InstanceCrashed;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.ModelNotFound;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.QueueFull;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.ShuttingDown;
import dev.torpor.error.TorporException;
import dev.torpor.error.Unauthenticated;
import dev.torpor.error.VersionConflict;
import dev.torpor.store.DataType;
import java.time.Duration;

/**
 * The fixed numbers the frame protocol gives datatypes and error kinds. Explicit codes, never
 * {@code ordinal()}: reordering or adding an enum constant must not change what a frame means. Each table
 * is one exhaustive switch (the compiler names a constant that was added without a code); decoding looks
 * the code up in the table built from it, and an unknown code is a corrupt frame. Thread-safe.
 */
public final class WireCodes {
    private static final DataType[] DATATYPES = new DataType[32];
    private static final ErrorKind[] ERROR_KINDS = new ErrorKind[32];

    static {
        for (DataType type : DataType.values()) {
            register(DATATYPES, code(type), type);
        }
        for (ErrorKind kind : ErrorKind.values()) {
            register(ERROR_KINDS, code(kind), kind);
        }
    }

    private WireCodes() {
    }

    private static <T> void register(T[] table, int code, T value) {
        if (table[code] != null) {
            throw new ExceptionInInitializerError("wire code " + code + " is given twice");
        }
        table[code] = value;
    }

    /** A datatype's wire code (1..13). */
    public static int code(DataType type) {
        return switch (type) {
            case BOOL -> 1;
            case UINT8 -> 2;
            case UINT16 -> 3;
            case UINT32 -> 4;
            case UINT64 -> 5;
            case INT8 -> 6;
            case INT16 -> 7;
            case INT32 -> 8;
            case INT64 -> 9;
            case FP16 -> 10;
            case FP32 -> 11;
            case FP64 -> 12;
            case BYTES -> 13;
        };
    }

    /** @throws IllegalArgumentException for a code no datatype has (a corrupt frame) */
    public static DataType datatype(int code) {
        return lookUp(DATATYPES, code, "datatype");
    }

    /** An error kind's wire code (1..15); the first six kept the numbers they had before the table. */
    public static int code(ErrorKind kind) {
        return switch (kind) {
            case BAD_INPUT -> 1;
            case ENGINE_FAILURE -> 2;
            case REQUEST_CANCELLED -> 3;
            case MODEL_LOAD_FAILED -> 4;
            case DEADLINE_EXCEEDED -> 5;
            case PAYLOAD_TOO_LARGE -> 6;
            case BAD_REQUEST -> 7;
            case UNAUTHENTICATED -> 8;
            case FORBIDDEN -> 9;
            case MODEL_NOT_FOUND -> 10;
            case VERSION_CONFLICT -> 11;
            case QUEUE_FULL -> 12;
            case CAPACITY_EXHAUSTED -> 13;
            case SHUTTING_DOWN -> 14;
            case INSTANCE_CRASHED -> 15;
        };
    }

    /** @throws IllegalArgumentException for a code no error kind has (a corrupt frame) */
    public static ErrorKind errorKind(int code) {
        return lookUp(ERROR_KINDS, code, "error kind");
    }

    /**
     * The exception of {@code kind} with {@code message}, and {@code retryAfter} (null: none) where the kind
     * carries one: what an ERROR frame turns back into on the other side.
     */
    public static TorporException exception(ErrorKind kind, String message, Duration retryAfter) {
        return switch (kind) {
            case BAD_REQUEST -> new BadRequest(message);
            case UNAUTHENTICATED -> new Unauthenticated(message);
            case FORBIDDEN -> new Forbidden(message);
            case MODEL_NOT_FOUND -> new ModelNotFound(message);
            case VERSION_CONFLICT -> new VersionConflict(message);
            case PAYLOAD_TOO_LARGE -> new PayloadTooLarge(message);
            case BAD_INPUT -> new BadInput(message);
            case QUEUE_FULL -> new QueueFull(message, retryAfter);
            case MODEL_LOAD_FAILED -> new ModelLoadFailed(message, retryAfter);
            case CAPACITY_EXHAUSTED -> new CapacityExhausted(message, retryAfter);
            case SHUTTING_DOWN -> new ShuttingDown(message, retryAfter);
            case INSTANCE_CRASHED -> new InstanceCrashed(message, retryAfter);
            case DEADLINE_EXCEEDED -> new DeadlineExceeded(message);
            case REQUEST_CANCELLED -> new RequestCancelled(message);
            case ENGINE_FAILURE -> new EngineFailure(message);
        };
    }

    private static <T> T lookUp(T[] table, int code, String what) {
        T value = code > 0 && code < table.length ? table[code] : null;
        if (value == null) {
            throw new IllegalArgumentException("corrupt frame: unknown " + what + " code " + code);
        }
        return value;
    }
}
