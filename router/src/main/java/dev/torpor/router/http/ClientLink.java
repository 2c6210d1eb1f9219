package dev.torpor.router.http;

/**
 * The connection a request came on, seen only as "has the client gone away?". The edge implements it on
 * the Netty channel; tests on a plain object.
 */
interface ClientLink {
    ClientLink NONE = new ClientLink() {
        @Override
        public void onGone(Runnable action) {
        }

        @Override
        public void release() {
        }
    };

    /** Runs {@code action} once if the client disconnects before {@link #release()}. */
    void onGone(Runnable action);

    /** The request is answered: stop watching the connection (it may carry further requests). */
    void release();
}
