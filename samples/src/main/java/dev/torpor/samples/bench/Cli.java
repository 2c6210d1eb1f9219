package dev.torpor.samples.bench;

/** How the bench's commands end: a bad option exits 2 with its message, any other failure 1 with its trace. */
final class Cli {
    /** A command's body. */
    interface Body {
        void run() throws Exception;
    }

    private Cli() {
    }

    /** Prints a report on stdout and, when {@code out} is set, writes it there too (saying so on stderr). */
    static void publish(String markdown, java.nio.file.Path out, String name) throws java.io.IOException {
        System.out.print(markdown);
        System.out.flush();
        if (out != null) {
            java.nio.file.Files.writeString(out, markdown, java.nio.charset.StandardCharsets.UTF_8);
            System.err.println(name + ": report written to " + out);
        }
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
