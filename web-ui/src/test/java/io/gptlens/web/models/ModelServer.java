package io.gptlens.web.models;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 server on a raw socket for download tests: serves the same bytes at any path,
 * honours {@code Range: bytes=N-} with 206, can drop the connection in the middle of the first
 * response (to test resumption) and can pace its output (to make progress visible).
 */
public final class ModelServer implements AutoCloseable {

    private final ServerSocket socket;
    private final byte[] body;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int cutFirstAt = -1;
    private volatile int pauseMillisPerChunk;

    public ModelServer(byte[] body) throws IOException {
        this.body = body;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    /** The first response stops after {@code n} bytes and the connection drops. */
    public ModelServer cutFirstResponseAt(int n) {
        cutFirstAt = n;
        return this;
    }

    /** Sleeps this long after each 64 KiB chunk. */
    public ModelServer pace(int millis) {
        pauseMillisPerChunk = millis;
        return this;
    }

    public String url(String name) {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/models/" + name;
    }

    public int requests() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String line = in.readLine();
            if (line == null) {
                return;
            }
            int from = 0;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                String lower = line.toLowerCase();
                if (lower.startsWith("range: bytes=") && lower.endsWith("-")) {
                    from = Integer.parseInt(line.substring(13, line.length() - 1).trim());
                }
            }
            int n = requests.incrementAndGet();
            OutputStream out = s.getOutputStream();
            String head = from > 0
                    ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + from + "-" + (body.length - 1) + "/" + body.length + "\r\n"
                    : "HTTP/1.1 200 OK\r\n";
            head += "Content-Length: " + (body.length - from) + "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            int end = n == 1 && cutFirstAt > 0 ? cutFirstAt : body.length;
            for (int off = from; off < end; off += 65536) {
                out.write(body, off, Math.min(65536, end - off));
                out.flush();
                if (pauseMillisPerChunk > 0) {
                    Thread.sleep(pauseMillisPerChunk);
                }
            }
            out.flush();
            // returning closes the socket: after a cut, the client sees the body end early
        } catch (IOException | InterruptedException | NumberFormatException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
