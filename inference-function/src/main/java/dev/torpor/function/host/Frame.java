package dev.torpor.function.host;

import java.nio.ByteBuffer;

/**
 * One message between the router and a function process: a type, the request it belongs to (0 for the
 * process as a whole) and a little-endian payload. On the wire a frame is {@code int32 length} (of what
 * follows), {@code int8 type}, {@code int64 id}, then the payload; {@link Wire} writes and reads payloads.
 */
public record Frame(byte type, long id, ByteBuffer payload) {
    /** Function process → router, once connected: pid, ONNX Runtime version and start-up timings. */
    public static final byte HELLO = 1;
    /** Router → function process: load this model (only one per process). */
    public static final byte LOAD = 2;
    /** Function process → router: the model is loaded, with how long it took. */
    public static final byte LOADED = 3;
    /** Router → function process: run one request. */
    public static final byte INFER = 4;
    /** Function process → router: a request's outputs and compute time. */
    public static final byte RESULT = 5;
    /** Function process → router: a request (or the load, id 0) failed; kind and message. */
    public static final byte ERROR = 6;
    /** Router → function process: stop the run of a request (its client went away or its deadline passed). */
    public static final byte CANCEL = 7;
    /** Router → function process: are you alive? */
    public static final byte PING = 8;
    /** Function process → router: yes. */
    public static final byte PONG = 9;
    /** Router → function process: close the session and exit. */
    public static final byte STOP = 10;
    /** Router → listening host, the first frame of a connection: the host's token ({@code TORPOR_FUNCTION_TOKEN}). */
    public static final byte TOKEN = 11;
    /** Router → host: a model file it will need (model key, relative name, sha256, size); id names the file. */
    public static final byte FILE_OFFER = 12;
    /** Router → host: the next bytes of an offered file the host asked for (in order, at most 1 MiB each). */
    public static final byte FILE_CHUNK = 13;
    /** Host → router: send the offered file's bytes (it is not in the host's cache). */
    public static final byte FILE_WANTED = 14;
    /** Host → router: the offered file is in place, sha256-checked; where it is on the host. */
    public static final byte FILE_STORED = 15;

    /** The header's size after the length field: type and id. */
    static final int HEADER = 1 + 8;
}
