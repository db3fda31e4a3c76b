package io.gptlens.web.security;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Locale;

/**
 * The address the server listens on ({@code quarkus.http.host}) and what follows from it: on the
 * loopback address only this machine reaches the server; on any other (a wildcard such as
 * {@code 0.0.0.0} included) the network may. Immutable.
 */
@ApplicationScoped
public class ListenAddress {

    private final String host;

    public ListenAddress(@ConfigProperty(name = "quarkus.http.host", defaultValue = "127.0.0.1") String host) {
        this.host = host.trim();
    }

    /** {@code quarkus.http.host} as configured. */
    public String host() {
        return host;
    }

    /** Whether only this machine can connect: the host is {@code localhost}, {@code ::1} or in 127.0.0.0/8. */
    public boolean loopbackOnly() {
        return isLoopback(host);
    }

    /** Whether the server listens on every interface ({@code 0.0.0.0}, {@code ::}). */
    public boolean wildcard() {
        String h = bare(host);
        return h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
    }

    /** Whether {@code name} (a host name or an address, IPv6 with or without brackets) is a loopback name. */
    public static boolean isLoopback(String name) {
        String h = bare(name);
        return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    }

    /** {@code name} in lower case, without IPv6 brackets or a trailing dot. */
    static String bare(String name) {
        String h = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
