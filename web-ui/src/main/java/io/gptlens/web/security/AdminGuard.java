package io.gptlens.web.security;

import io.gptlens.web.config.GptLensConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The one check for actions that change the server (everything but completions and reads):
 * loading and unloading models, downloads, switching and configuring plugins, uploading and
 * removing plugin jars, starting, cancelling and resuming training runs, uploading corpora. REST
 * resources pass the token of the {@code Authorization: Bearer} header ({@link #bearer}); views
 * pass what was typed into their {@code AdminTokenField}. Tokens are compared in constant time.
 * Thread-safe.
 */
@ApplicationScoped
public class AdminGuard {

    private final Optional<String> token;
    private final Optional<String> apiKey;

    public AdminGuard(GptLensConfig config) {
        this.token = config.adminToken().map(String::trim).filter(t -> !t.isEmpty());
        this.apiKey = config.apiKey().map(String::trim).filter(k -> !k.isEmpty());
    }

    /** Whether an admin token is configured ({@code gptlens.admin-token}), so that the guarded actions need it. */
    public boolean required() {
        return token.isPresent();
    }

    /**
     * Lets {@code action} ("Loading a model") through if no admin token is configured or
     * {@code given} is the admin token.
     *
     * @param given the token the client sent, or null
     * @throws AccessDenied MISSING or WRONG otherwise
     */
    public void check(String given, String action) {
        if (token.isPresent()) {
            compare(token.get(), given, action);
        }
    }

    /**
     * Like {@link #check}, but refuses when no admin token is configured: for actions that run
     * code given by the client (uploading a plugin jar) or delete files.
     *
     * @throws AccessDenied DISABLED when no admin token is configured, MISSING or WRONG otherwise
     */
    public void checkStrict(String given, String action) {
        compare(token.orElseThrow(() -> new AccessDenied(AccessDenied.Reason.DISABLED,
                action + " is disabled: no admin token is configured (gptlens.admin-token)")), given, action);
    }

    /** Whether {@code given} is the admin token (false when none is configured). */
    boolean isToken(String given) {
        return token.isPresent() && given != null && same(token.get(), given);
    }

    private void compare(String expected, String given, String action) {
        if (given == null || given.isBlank()) {
            throw new AccessDenied(AccessDenied.Reason.MISSING, action + " needs the admin token (gptlens.admin-token)");
        }
        if (apiKey.isPresent() && same(apiKey.get(), given.trim()) && !same(expected, given.trim())) {
            throw new AccessDenied(AccessDenied.Reason.MISSING, action + " needs the admin token (gptlens.admin-token), not the API key");
        }
        if (!same(expected, given.trim())) {
            throw new AccessDenied(AccessDenied.Reason.WRONG, "The admin token given for " + action.toLowerCase(java.util.Locale.ROOT)
                    + " is wrong");
        }
    }

    /** Constant-time comparison of two secrets. */
    static boolean same(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    /** The token of an {@code Authorization: Bearer <token>} header value, or null for none or another scheme. */
    public static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String t = authorization.substring(7).trim();
        return t.isEmpty() ? null : t;
    }
}
