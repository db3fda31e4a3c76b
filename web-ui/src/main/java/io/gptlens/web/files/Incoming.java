package io.gptlens.web.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file arriving from outside (an upload): written to a hidden {@code .NAME.part} beside its
 * target, checked as it streams (a size limit, the format's first bytes), and moved into place only
 * when whole. On any failure nothing is left behind.
 */
public final class Incoming {

    /** The stream was refused: too large, or not the expected kind of file. The message says which. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean tooLarge;

        Refused(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        /** True when the limit was passed, false when the first bytes were wrong. */
        public boolean tooLarge() {
            return tooLarge;
        }
    }

    private Incoming() {
    }

    /**
     * Stores {@code body} as {@code target} (whose folder is created), refusing more than
     * {@code maxBytes} or a stream that does not start with {@code magic}.
     *
     * @param tooLarge   the message when the limit is passed
     * @param wrongMagic the message when the first bytes differ
     * @throws Refused     as above
     * @throws IOException for a failed read or write
     */
    public static void store(InputStream body, Path target, long maxBytes, String magic, String tooLarge, String wrongMagic) throws IOException {
        byte[] want = magic.getBytes(StandardCharsets.US_ASCII);
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path part = target.resolveSibling("." + target.getFileName() + ".part");
        long n = 0;
        try (InputStream in = body; OutputStream out = Files.newOutputStream(part)) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; ) {
                n += k;
                if (n > maxBytes) {
                    throw new Refused(tooLarge, true);
                }
                if (n == k && !startsWith(buf, k, want)) {
                    throw new Refused(wrongMagic, false);
                }
                out.write(buf, 0, k);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean startsWith(byte[] buf, int k, byte[] want) {
        if (k < want.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (buf[i] != want[i]) {
                return false;
            }
        }
        return true;
    }
}
