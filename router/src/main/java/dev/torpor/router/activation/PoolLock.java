package dev.torpor.router.activation;

/**
 * The pool's one lock: a plain monitor ({@code synchronized (book.lock)}) that guards every {@link ModelGate}
 * and the instances still stopping. Methods that must run holding it call {@link #assertHeld()} first, as
 * OkHttp's connection pool does: with assertions enabled (the tests run so) a call without the lock fails at
 * once instead of corrupting the book-keeping some time later; without them the check costs nothing.
 */
final class PoolLock {
    /** Fails, when assertions are enabled, unless the calling thread holds this lock. */
    void assertHeld() {
        assert Thread.holdsLock(this) : "the pool's lock must be held here";
    }
}
