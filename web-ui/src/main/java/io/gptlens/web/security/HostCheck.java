package io.gptlens.web.security;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names the server answers to, checked against each request's {@code Host} header (the name
 * part; the port is ignored). A DNS-rebinding page gets a browser to send requests to this server
 * under the attacker's own name; answering only to known names turns them away.
 *
 * <p>Always allowed: {@code localhost}, any IP address (rebinding needs a name, and an address is
 * what a client on the network types for a server started with {@code --host 0.0.0.0}), and
 * {@code quarkus.http.host} unless it is a wildcard. {@code gptlens.allowed-hosts} adds names;
 * {@code *} there turns the check off. A request without a {@code Host} (HTTP/1.0) passes.
 * Immutable and thread-safe.
 */
public final class HostCheck {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:]*:[0-9a-f:.]*(%[0-9a-z._-]+)?");

    private final Set<String> names;
    private final boolean off;

    private HostCheck(Set<String> names, boolean off) {
        this.names = names;
        this.off = off;
    }

    /**
     * The check for a server listening on {@code listen} with the extra names {@code allowed}
     * ({@code gptlens.allowed-hosts}; entries may carry a port, which is ignored).
     */
    public static HostCheck of(ListenAddress listen, List<String> allowed) {
        Set<String> names = new LinkedHashSet<>();
        names.add("localhost");
        if (!listen.wildcard()) {
            names.add(name(listen.host()));
        }
        boolean off = false;
        for (String a : allowed) {
            if (a.trim().equals("*")) {
                off = true;
            } else if (!a.isBlank()) {
                names.add(name(a));
            }
        }
        return new HostCheck(Set.copyOf(names), off);
    }

    /** Whether a request with this {@code Host} header (null when absent) is answered. */
    public boolean allows(String hostHeader) {
        if (off || hostHeader == null) {
            return true;
        }
        String n = name(hostHeader);
        return names.contains(n) || IPV4.matcher(n).matches() || IPV6.matcher(n).matches();
    }

    /**
     * The name part of a {@code Host} header value, in lower case: {@code Example.org:8686} →
     * {@code example.org}, {@code [::1]:8686} → {@code ::1}; a bare IPv6 address stays whole.
     */
    public static String name(String hostHeader) {
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            h = close < 0 ? h.substring(1) : h.substring(1, close);
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            h = h.substring(0, h.indexOf(':'));
        }
        return ListenAddress.bare(h);
    }

    /** What a refused request is told: the name, why, and how to allow it. */
    public static String refusal(String name) {
        return "GPTLens does not answer to the host name '" + name + "' (a guard against DNS rebinding: it answers to localhost, "
                + "its IP addresses and the names it is configured with). If this is your server's name, allow it: "
                + "./gptlens --allowed-host " + name + ", or -Dgptlens.allowed-hosts=" + name + " (comma-separated; * turns the check off)";
    }
}
