package io.gptlens.web.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptlens.web.api.ErrorMappers;
import io.gptlens.web.config.GptLensConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The guards in front of everything the server answers (the Vaadin UI, static files and the API):
 * Vert.x filters that run before any route.
 *
 * <ul>
 *   <li>Host check (priority 400, before CORS at 300): a request whose {@code Host} is not a name
 *       of this server ({@link HostCheck}) gets 403, JSON on API paths, plain text elsewhere.</li>
 *   <li>API key (priority 250, after CORS, so a configured CORS answers preflights first): with
 *       {@code gptlens.api-key} set, API paths need {@code Authorization: Bearer <key>} (or the
 *       admin token), else 401 JSON. {@code /health} and the UI stay open.</li>
 *   <li>A route after the REST resources and before the UI's servlet: an API path that no resource
 *       took gets a JSON 404 instead of the UI's page.</li>
 * </ul>
 * At start, a server that listens beyond the loopback address without an API key logs a warning.
 */
@ApplicationScoped
public class AccessFilters {

    private static final System.Logger LOG = System.getLogger(AccessFilters.class.getName());

    /** The first path segments of the API (besides {@code /health}, which stays open). */
    static final Set<String> API_ROOTS = Set.of("v1", "api", "tokenize", "detokenize", "props", "completion", "completions",
            "chat", "apply-template", "metrics");
    /** Filter priorities: higher runs first; Quarkus's CORS filter has 300. */
    static final int HOST_PRIORITY = 400;
    static final int API_KEY_PRIORITY = 250;
    /** Route order of the JSON 404: after the REST resources (1500 beside a servlet), before the UI's servlet (10000). */
    static final int API_NOT_FOUND_ORDER = 5000;

    private final ListenAddress listen;
    private final HostCheck hosts;
    private final Optional<String> apiKey;
    private final AdminGuard admin;
    private final ObjectMapper json;

    public AccessFilters(ListenAddress listen, GptLensConfig config, AdminGuard admin, ObjectMapper json) {
        this.listen = listen;
        this.hosts = HostCheck.of(listen, config.allowedHosts().orElse(List.of()));
        this.apiKey = config.apiKey().map(String::trim).filter(k -> !k.isEmpty());
        this.admin = admin;
        this.json = json;
    }

    void register(@Observes Filters filters) {
        filters.register(this::checkHost, HOST_PRIORITY);
        filters.register(this::checkApiKey, API_KEY_PRIORITY);
    }

    void routes(@Observes Router router) {
        router.route().order(API_NOT_FOUND_ORDER).handler(ctx -> {
            if (isApi(ctx.normalizedPath())) {
                refuse(ctx, 404, "No API endpoint " + ctx.request().method() + " " + ctx.normalizedPath()
                        + "; the endpoints are listed in GPTLens's README (REST API)");
            } else {
                ctx.next();
            }
        });
    }

    void warnIfOpen(@Observes StartupEvent e) {
        if (listen.loopbackOnly() || apiKey.isPresent()) {
            return;
        }
        List<String> lines = List.of(
                "**********************************************************************",
                "GPTLens listens on " + listen.host() + ", beyond this machine, and has no API key:",
                "anyone who can reach this machine on the network can use its API (completions, models, plugins, training).",
                "Set a key: ./gptlens --api-key KEY (or -Dgptlens.api-key=KEY, or the environment variable GPTLENS_API_KEY);",
                "clients then send 'Authorization: Bearer KEY'. The browser UI stays open to whoever reaches it:",
                admin.required() ? "its actions that change the server need the admin token (gptlens.admin-token)."
                        : "set gptlens.admin-token too, so that loading models, plugins and training need a token.",
                "To serve this machine only, start with --host 127.0.0.1 (the default).",
                "**********************************************************************");
        lines.forEach(l -> LOG.log(System.Logger.Level.WARNING, l));
    }

    private void checkHost(RoutingContext ctx) {
        String host = ctx.request().getHeader(HttpHeaders.HOST);
        if (host == null && ctx.request().authority() != null) {
            host = ctx.request().authority().host(); // HTTP/2's :authority
        }
        if (hosts.allows(host)) {
            ctx.next();
            return;
        }
        String message = HostCheck.refusal(HostCheck.name(host));
        if (isApi(ctx.normalizedPath())) {
            refuse(ctx, 403, message);
        } else {
            ctx.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(message + "\n");
        }
    }

    private void checkApiKey(RoutingContext ctx) {
        if (apiKey.isEmpty() || !isApi(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        String given = AdminGuard.bearer(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (given != null && (AdminGuard.same(apiKey.get(), given) || admin.isToken(given))) {
            ctx.next();
            return;
        }
        refuse(ctx, 401, given == null
                ? "This server needs an API key: send Authorization: Bearer <key> (the key is set with gptlens.api-key)"
                : "The API key given is wrong (Authorization: Bearer <key>; the key is set with gptlens.api-key)");
    }

    /**
     * Whether a path belongs to the API: its first segment, percent-decoded and without matrix
     * parameters ({@code /v1;x/models} and {@code /v1%3Bx/models} are {@code /v1/models} to the
     * REST layer), is one of {@link #API_ROOTS}, in any case.
     */
    static boolean isApi(String path) {
        String p = path == null ? "" : path;
        for (int i = 0; i < 4 && p.indexOf('%') >= 0; i++) { // encoded twice or more decodes further
            p = percentDecoded(p);
        }
        int start = 0;
        while (start < p.length() && p.charAt(start) == '/') {
            start++;
        }
        int end = start;
        while (end < p.length() && p.charAt(end) != '/' && p.charAt(end) != ';') {
            end++;
        }
        return API_ROOTS.contains(p.substring(start, end).toLowerCase(Locale.ROOT));
    }

    /** {@code s} with each {@code %XX} replaced by the character it encodes (bytes as ISO-8859-1: only ASCII matters here). */
    private static String percentDecoded(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                b.append((char) Integer.parseInt(s, i + 1, i + 3, 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private void refuse(RoutingContext ctx, int status, String message) {
        String body;
        try {
            body = json.writeValueAsString(ErrorMappers.body(status, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        var r = ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (status == 401) {
            r.putHeader("WWW-Authenticate", "Bearer");
        }
        r.end(body);
    }
}
