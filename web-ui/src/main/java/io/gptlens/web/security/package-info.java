/**
 * The web surface's guards, each in one place: {@link io.gptlens.web.security.HostCheck} (the
 * names the server answers to, against DNS rebinding), {@link io.gptlens.web.security.AccessFilters}
 * (the Vert.x filters in front of the UI, static files and the API: host check, API key, JSON 404
 * for unknown API paths; the warning at start when the server is open to the network),
 * {@link io.gptlens.web.security.AdminGuard} (the admin token that actions changing the server
 * need, for REST resources and views alike) and {@link io.gptlens.web.security.ListenAddress}
 * (whether the server listens beyond the loopback address). See docs/reliability.md, "The web surface".
 */
package io.gptlens.web.security;
