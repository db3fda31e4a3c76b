package io.gptlens.core.generation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns token bytes into text as it streams: holds back an incomplete UTF-8 character and any
 * tail that could be the start of a stop string, and finds stop strings that span tokens.
 * Not thread-safe.
 */
final class TextAssembler {

    private final List<String> stops;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private int stopAt = -1;

    TextAssembler(List<String> stops) {
        this.stops = stops;
    }

    /** Adds a token's bytes; returns the text that became final. */
    String add(byte[] bytes) {
        pending.writeBytes(bytes);
        byte[] all = pending.toByteArray();
        int complete = completePrefix(all);
        text.append(new String(all, 0, complete, StandardCharsets.UTF_8));
        pending.reset();
        pending.write(all, complete, all.length - complete);
        for (String s : stops) {
            int idx = text.indexOf(s, Math.max(0, emitted - s.length()));
            if (idx >= 0 && (stopAt < 0 || idx < stopAt)) {
                stopAt = idx;
            }
        }
        if (stopAt >= 0) {
            return take(stopAt);
        }
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length()); k > hold; k--) {
                if (text.substring(text.length() - k).equals(s.substring(0, k))) {
                    hold = k;
                    break;
                }
            }
        }
        return take(Math.max(emitted, text.length() - hold));
    }

    /** True once a stop string was found. */
    boolean stopped() {
        return stopAt >= 0;
    }

    /** Releases everything held back (an incomplete character becomes U+FFFD). */
    String flush() {
        if (stopAt >= 0) {
            return "";
        }
        if (pending.size() > 0) {
            text.append(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
        }
        return take(text.length());
    }

    /** The final text so far (up to a stop string). */
    String text() {
        return text.substring(0, stopAt >= 0 ? stopAt : emitted);
    }

    private String take(int end) {
        String s = text.substring(emitted, end);
        emitted = end;
        return s;
    }

    /** Length of the longest prefix of {@code b} that does not end inside a UTF-8 sequence. */
    static int completePrefix(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead
            }
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
