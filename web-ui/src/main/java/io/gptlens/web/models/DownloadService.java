package io.gptlens.web.models;

import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Downloads GGUF files into the models folder with progress (bytes, rate, ETA), resumption after
 * an interruption (HTTP Range from the bytes already on disk in {@code <name>.gguf.part}), an
 * optional sha256 check, and a move into place only when complete. A Hugging Face name
 * {@code owner/repo/file.gguf} maps to its download address. Thread-safe.
 */
@ApplicationScoped
public class DownloadService {

    /** Attempts per download (the first plus resumptions after a dropped connection). */
    static final int ATTEMPTS = 5;
    private static final Pattern HF = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)/(.+\\.gguf)$");

    private final ModelRegistry registry;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20)).build();
    private final List<Download> downloads = new CopyOnWriteArrayList<>();

    public DownloadService(ModelRegistry registry) {
        this.registry = registry;
    }

    /**
     * Progress of one download.
     *
     * @param bytes           bytes on disk
     * @param total           expected size, or -1 if the server did not say
     * @param bytesPerSecond  recent rate
     * @param etaSeconds      estimated seconds left, or -1
     * @param state           where it stands
     * @param message         what happened, for people
     */
    public record Progress(long bytes, long total, double bytesPerSecond, double etaSeconds, State state, String message) {

        /** Where a download stands; on the page by its lower-case name. */
        public enum State {
            DOWNLOADING, VERIFYING, DONE, FAILED, CANCELLED;

            public String text() {
                return name().toLowerCase(Locale.ROOT);
            }
        }

        /** Fraction done (0..1), or -1 if unknown. */
        public double fraction() {
            return total > 0 ? Math.min(1, bytes / (double) total) : -1;
        }

        /** "12.3 MB of 45.6 MB · 3.2 MB/s · 10 s left". */
        public String describe() {
            StringBuilder sb = new StringBuilder(size(bytes));
            if (total > 0) {
                sb.append(" of ").append(size(total));
            }
            if (bytesPerSecond > 0) {
                sb.append(" · ").append(size((long) bytesPerSecond)).append("/s");
            }
            if (etaSeconds >= 0 && state == State.DOWNLOADING) {
                sb.append(" · ").append(String.format(Locale.ROOT, "%.0f s left", etaSeconds));
            }
            return sb.append(" · ").append(state.text()).append(message.isEmpty() ? "" : ": " + message).toString();
        }
    }

    /** A download in progress or finished. */
    public static final class Download {
        private final String url;
        private final Path target;
        private final AtomicBoolean cancel = new AtomicBoolean();
        private final CompletableFuture<Path> done = new CompletableFuture<>();
        private volatile Progress progress = new Progress(0, -1, 0, -1, Progress.State.DOWNLOADING, "");

        Download(String url, Path target) {
            this.url = url;
            this.target = target;
        }

        public String url() {
            return url;
        }

        public Path target() {
            return target;
        }

        public Progress progress() {
            return progress;
        }

        /** Completes with the file when it is in place (and verified), or exceptionally. */
        public CompletableFuture<Path> done() {
            return done;
        }

        /** Stops the download; the part file stays for a later resumption. */
        public void cancel() {
            cancel.set(true);
        }
    }

    /** Human-readable bytes. */
    public static String size(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] u = {"KB", "MB", "GB", "TB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
    }

    /**
     * The URL for a Hugging Face name ({@code owner/repo/path/file.gguf}), or the input itself when
     * it is an http(s) URL.
     *
     * @throws ModelException INVALID for anything else
     */
    public static URI resolve(String source) {
        String s = source == null ? "" : source.trim();
        if (s.startsWith("http://") || s.startsWith("https://")) {
            URI u;
            try {
                u = URI.create(s);
            } catch (IllegalArgumentException bad) {
                throw new ModelException(ModelException.Kind.INVALID, "Not a URL: '" + s + "' (" + bad.getMessage() + ")");
            }
            if (u.getHost() == null) {
                throw new ModelException(ModelException.Kind.INVALID, "No host in " + s);
            }
            return u;
        }
        var m = HF.matcher(s);
        if (m.matches()) {
            return URI.create("https://huggingface.co/" + m.group(1) + "/" + m.group(2) + "/resolve/main/" + m.group(3));
        }
        throw new ModelException(ModelException.Kind.INVALID, "Give an http(s) URL of a .gguf file or a Hugging Face name owner/repo/file.gguf, not '" + s + "'");
    }

    /** The file name a URL's path ends in, checked to be a plain .gguf name. */
    static String fileName(URI u) {
        String path = u.getPath() == null ? "" : u.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,200}\\.gguf")) {
            throw new ModelException(ModelException.Kind.INVALID, "The URL must end in a plain file name ending .gguf, got '" + name + "'");
        }
        return name;
    }

    /**
     * Starts downloading {@code source} into the models folder.
     *
     * @param sha256 expected sha256 (hex), or null/blank to skip the check
     * @throws ModelException INVALID for a bad source or sha256, CONFLICT for a name already in the folder
     */
    public Download start(String source, String sha256) {
        URI uri = resolve(source);
        String name = fileName(uri);
        String expected = sha256 == null || sha256.isBlank() ? null : sha256.trim().toLowerCase(Locale.ROOT);
        if (expected != null && !expected.matches("[0-9a-f]{64}")) {
            throw new ModelException(ModelException.Kind.INVALID, "sha256 must be 64 hex digits, got '" + sha256 + "'");
        }
        Path target = registry.modelsFolder().resolve(name);
        if (Files.exists(target)) {
            throw new ModelException(ModelException.Kind.CONFLICT, name + " is already in the models folder (" + target + "); load it from there");
        }
        Download d = new Download(uri.toString(), target);
        downloads.add(d);
        Executors.newVirtualThreadPerTaskExecutor().submit(() -> run(d, uri, expected));
        return d;
    }

    private void run(Download d, URI uri, String expected) {
        Path part = d.target.resolveSibling(d.target.getFileName() + ".part");
        try {
            Files.createDirectories(d.target.getParent());
            long total = -1;
            IOException last = null;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                try {
                    total = fetch(d, uri, part);
                    last = null;
                    break;
                } catch (IOException e) {
                    last = e;
                    if (d.cancel.get()) {
                        break;
                    }
                    long have = Files.exists(part) ? Files.size(part) : 0;
                    d.progress = new Progress(have, total, 0, -1, Progress.State.DOWNLOADING, "connection lost (" + e.getMessage() + "), resuming at "
                            + size(have) + ", attempt " + (attempt + 1) + " of " + ATTEMPTS);
                    Thread.sleep(Math.min(5000, 300L * attempt));
                }
            }
            if (d.cancel.get()) {
                d.progress = new Progress(Files.exists(part) ? Files.size(part) : 0, total, 0, -1, Progress.State.CANCELLED, "the part file stays for a resumption");
                d.done.completeExceptionally(new IOException("Cancelled"));
                return;
            }
            if (last != null) {
                throw last;
            }
            long size = Files.size(part);
            d.progress = new Progress(size, total, 0, -1, Progress.State.VERIFYING, expected == null ? "checking the GGUF header" : "sha256");
            checkMagic(part);
            if (expected != null) {
                String actual = FileHash.sha256(part);
                if (!actual.equals(expected)) {
                    Files.deleteIfExists(part);
                    throw new IOException("sha256 mismatch: expected " + expected + ", got " + actual + "; the download was deleted");
                }
            }
            Files.move(part, d.target, StandardCopyOption.ATOMIC_MOVE);
            d.progress = new Progress(size, size, 0, 0, Progress.State.DONE, expected == null ? "" : "sha256 verified");
            d.done.complete(d.target);
        } catch (Exception e) {
            long have = 0;
            try {
                have = Files.exists(part) ? Files.size(part) : 0;
            } catch (IOException ignored) {
                // best effort
            }
            d.progress = new Progress(have, d.progress.total(), 0, -1, Progress.State.FAILED, e.getMessage());
            d.done.completeExceptionally(e);
        }
    }

    /** One HTTP request, appending to {@code part} from its current size. Returns the total size. */
    private long fetch(Download d, URI uri, Path part) throws IOException, InterruptedException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET();
        if (have > 0) {
            rb.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        int status = resp.statusCode();
        long total;
        boolean append;
        if (status == 206) {
            append = true;
            total = resp.headers().firstValue("Content-Range").map(v -> v.substring(v.lastIndexOf('/') + 1))
                    .filter(v -> v.matches("\\d+")).map(Long::parseLong).orElse(-1L);
        } else if (status == 200) {
            append = false; // the server ignored the range: start again
            have = 0;
            total = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
        } else if (status == 416 && have > 0) {
            resp.body().close();
            return have; // already complete
        } else {
            resp.body().close();
            throw new IllegalStateException("HTTP " + status + " from " + uri);
        }
        long start = System.nanoTime();
        long startBytes = have;
        try (InputStream in = resp.body();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            long lastReport = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                if (d.cancel.get()) {
                    throw new IOException("cancelled");
                }
                out.write(buf, 0, n);
                have += n;
                long now = System.nanoTime();
                if (now - lastReport > 100_000_000L) {
                    double rate = (have - startBytes) / Math.max(1e-3, (now - start) / 1e9);
                    double eta = total > 0 && rate > 0 ? (total - have) / rate : -1;
                    d.progress = new Progress(have, total, rate, eta, Progress.State.DOWNLOADING, "");
                    lastReport = now;
                }
            }
        }
        if (total > 0 && have < total) {
            throw new IOException("connection closed at " + have + " of " + total + " bytes");
        }
        return total > 0 ? total : have;
    }

    private static void checkMagic(Path p) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(p)) {
            if (in.readNBytes(head, 0, 4) != 4 || head[0] != 'G' || head[1] != 'G' || head[2] != 'U' || head[3] != 'F') {
                Files.deleteIfExists(p);
                throw new IOException("The download is not a GGUF file (it does not start with 'GGUF'); it was deleted");
            }
        }
    }

}
