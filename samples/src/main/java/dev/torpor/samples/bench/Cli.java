package dev.torpor.samples.bench;

/** How the bench's commands end: a bad option exits 2 with its message, any other failure 1 with its trace. */
final class Cli {
    /** A command's body. */
    interface Body {
        void run() throws Exception;
    }

    private Cli() {
    }

    static void run(String name, Body body) {
        try {
            body.run();
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println(name + ": FAILED: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }
}
