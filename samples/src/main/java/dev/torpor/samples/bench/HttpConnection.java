package dev.torpor.samples.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;

/**
 * The load generator's HTTP/1.1 client: one blocking keep-alive socket, one request at a time, requests written
 * as ready-made bytes ({@link WireRequest}). Chosen over the JDK's HttpClient because that client hands every
 * exchange between its selector thread and an executor and allocates per call, which on a 2-core machine would
 * compete with the server it measures; here a request costs one write, a few reads and no hand-off, on the
 * worker's own thread, and its CPU is what the suite reports as the client's. Reconnects after an error.
 */
final class HttpConnection implements AutoCloseable {
    /** A response: status, the two headers the bench looks at, and the body (read whole, by Content-Length or chunked). */
    record Response(int status, String headerLength, String coldStart, byte[] body) {
    }

    private final InetSocketAddress address;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    HttpConnection(InetSocketAddress address) {
        this.address = address;
    }

    Response exchange(WireRequest request) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(request.bytes());
            out.flush();
            return read();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        socket.connect(address, 5_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 65536);
    }

    private Response read() throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closes = false;
        String headerLength = null;
        String coldStart = null;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closes = value.equalsIgnoreCase("close");
                case "inference-header-content-length" -> headerLength = value;
                case "torpor-cold-start" -> coldStart = value;
                default -> { }
            }
        }
        byte[] body = chunked ? chunks() : in.readNBytes((int) Math.max(0, length));
        if (!chunked && body.length != Math.max(0, length)) {
            throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
        }
        if (closes) {
            close();
        }
        return new Response(status, headerLength, coldStart, body);
    }

    private byte[] chunks() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
             size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
            body.writeBytes(in.readNBytes(size));
            line();
        }
        while (!line().isEmpty()) {
            // trailers
        }
        return body.toByteArray();
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken socket
            }
            socket = null;
        }
    }
}
