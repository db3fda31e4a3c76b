package io.gptlens.web.plugins;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A plugin jar is built here, dropped into the running server's plugins folder, used by name, and removed again. */
@QuarkusTest
public class PluginsTest {

    @Inject
    PluginManager plugins;

    @Inject
    io.gptlens.web.models.ModelRegistry registry;

    static final String SOURCE = """
            package test.plugin;

            import io.gptlens.core.distribution.Candidates;
            import io.gptlens.core.sampling.BaseSamplerProvider;
            import io.gptlens.core.sampling.Sampler;
            import java.util.List;

            /** Keeps the two most likely tokens. */
            public final class KeepTwo implements Sampler {
                public String name() { return "keep-two"; }
                public void apply(Candidates c) { c.keepTopK(2); }
                public Sampler copy() { return this; }

                public static final class Provider extends BaseSamplerProvider {
                    public Provider() {
                        super("keep-two", Kind.RESHAPE, "Keeps the two most likely tokens (a test plugin).", List.of(), p -> new KeepTwo());
                    }
                }
            }
            """;

    /**
     * The source of a tokenizer plugin: llama.cpp's tokenizer ({@code t}) under {@code name},
     * except that {@code encode(s, a, p)} runs {@code encodeBody}.
     */
    public static String tokenizerPlugin(String className, String name, String encodeBody) {
        return """
                package test.plugin;

                import io.gptlens.core.gguf.GgufFile;
                import io.gptlens.core.tokenizer.*;
                import io.gptlens.llamacpp.LlamaTokenizerProvider;

                public final class CLASS {
                    public static final class Provider implements TokenizerProvider {
                        public String name() { return "NAME"; }
                        public String description() { return "llama.cpp's tokenizer with its own encode (a test plugin)."; }
                        public boolean supports(GgufFile f) { return new LlamaTokenizerProvider().supports(f); }
                        public Tokenizer create(GgufFile f) {
                            Tokenizer t = new LlamaTokenizerProvider().create(f);
                            return new Tokenizer() {
                                public int[] encode(String s, boolean a, boolean p) { ENCODE }
                                public String decode(int[] ids, boolean r, boolean u) { return t.decode(ids, r, u); }
                                public Piece piece(int id, boolean sp) { return t.piece(id, sp); }
                                public TokenType type(int id) { return t.type(id); }
                                public int vocabularySize() { return t.vocabularySize(); }
                                public SpecialTokens specialTokens() { return t.specialTokens(); }
                                public boolean isEndOfGeneration(int id) { return t.isEndOfGeneration(id); }
                            };
                        }
                    }
                }
                """.replace("CLASS", className).replace("NAME", name).replace("ENCODE", encodeBody);
    }

    public static Path buildJar(Path dir, String name, boolean withServices) throws Exception {
        return buildJar(dir, name, withServices, SOURCE);
    }

    static Path buildJar(Path dir, String name, boolean withServices, String source) throws Exception {
        return buildJar(dir, name, "KeepTwo", source, withServices ? "io.gptlens.core.sampling.SamplerProvider" : null);
    }

    /**
     * Compiles {@code source} (class {@code test.plugin.<className>} with a nested {@code Provider})
     * against the test class path and packs it into {@code dir/name}, listing the provider under
     * {@code service} in META-INF/services unless that is null.
     */
    public static Path buildJar(Path dir, String name, String className, String source, String service) throws Exception {
        Path src = dir.resolve("src/test/plugin/" + className + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the test plugin compiles");
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             var compiled = Files.list(classes.resolve("test/plugin"))) {
            for (Path cls : compiled.sorted().toList()) {
                j.putNextEntry(new JarEntry("test/plugin/" + cls.getFileName()));
                j.write(Files.readAllBytes(cls));
                j.closeEntry();
            }
            if (service != null) {
                j.putNextEntry(new JarEntry("META-INF/services/" + service));
                j.write(("test.plugin." + className + "$Provider\n").getBytes());
                j.closeEntry();
            }
        }
        return jar;
    }

    public static void await(BooleanSupplier c) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(20));
        while (!c.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(end), "timed out");
            Thread.sleep(100);
        }
    }

    /** A jar dropped into the running server's plugins folder; closing it removes the jar and waits until the server has unloaded it. */
    public record Dropped(PluginManager plugins, Path path) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            Files.deleteIfExists(path);
            await(() -> plugins.jar(path).isEmpty());
        }
    }

    /** Copies {@code jar} into the plugins folder of the running server and waits until it has been scanned. */
    public static Dropped dropIn(PluginManager plugins, Path jar) throws Exception {
        Files.createDirectories(plugins.folder());
        Path dropped = plugins.folder().resolve(jar.getFileName().toString());
        Files.copy(jar, dropped);
        await(() -> plugins.jar(dropped).isPresent());
        return new Dropped(plugins, dropped);
    }

    static List<String> names() {
        return given().get("/api/plugins").then().statusCode(200).extract().jsonPath().getList("name", String.class);
    }

    @Test
    void dropInUseAndRemoveAPlugin() throws Exception {
        Path jar = buildJar(Files.createTempDirectory("plugin-build"), "keep-two.jar", true);
        try (var dropped = dropIn(plugins, jar)) {
            assertTrue(names().contains("keep-two"));
            given().get("/api/plugins").then().body("find { it.name == 'keep-two' }.kind", equalTo("sampler"))
                    .body("find { it.name == 'keep-two' }.status", equalTo("active"))
                    .body("find { it.name == 'keep-two' }.source", equalTo("keep-two.jar"))
                    .body("find { it.name == 'top-p' }.source", equalTo("built-in"));
            var r = given().contentType(ContentType.JSON).body(Map.of("prompt", "Once upon a time", "max_tokens", 8, "seed", 3,
                    "samplers", List.of(Map.of("name", "keep-two"), Map.of("name", "dist")))).post("/v1/completions");
            r.then().statusCode(200).body("samplers[0].name", equalTo("keep-two"));
            // between llama.cpp's own samplers, with llama.cpp running the chain: same seed, same text
            List<Map<String, Object>> mixed = List.of(Map.of("name", "llama.top-k", "params", Map.of("k", 40)), Map.of("name", "keep-two"),
                    Map.of("name", "llama.temperature", "params", Map.of("t", 1.5)), Map.of("name", "llama.dist"));
            String inJava = given().contentType(ContentType.JSON).body(Map.of("prompt", "Once upon a time", "max_tokens", 24, "seed", 5,
                    "samplers", mixed)).post("/v1/completions").then().statusCode(200)
                    .body("sampler_runtime", equalTo("java")).extract().path("choices[0].text");
            String inC = given().contentType(ContentType.JSON).body(Map.of("prompt", "Once upon a time", "max_tokens", 24, "seed", 5,
                    "samplers", mixed, "sampler_runtime", "llama.cpp")).post("/v1/completions").then().statusCode(200)
                    .body("sampler_runtime", equalTo("llama.cpp"))
                    .body("chain", equalTo("llama.top-k [C] -> keep-two [Java] -> llama.temperature [C] -> llama.dist [C] (run by llama.cpp)"))
                    .extract().path("choices[0].text");
            assertEquals(inJava, inC);
            assertTrue(inC.length() > 20, inC);
            given().contentType(ContentType.JSON).body(Map.of("prompt", "Once", "samplers", mixed, "sampler_runtime", "cuda"))
                    .post("/v1/completions").then().statusCode(400).body("error.message", containsString("sampler_runtime must be 'java'"));
        }
        assertFalse(names().contains("keep-two"));
        given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "samplers", List.of(Map.of("name", "keep-two"))))
                .post("/v1/completions").then().statusCode(400).body("error.message", containsString("known:"));
    }

    @Test
    void configuredDefaultsApplyToEveryChainAndAreKept() throws Exception {
        given().get("/api/plugins/top-k/config").then().statusCode(200)
                .body("params[0].name", equalTo("k")).body("params[0].default", equalTo(40)).body("params[0].value", equalTo(40))
                .body("params[0].configured", equalTo(false));
        Map<String, Object> request = Map.of("prompt", "Once upon a time", "max_tokens", 20, "seed", 9,
                "samplers", List.of(Map.of("name", "top-k"), Map.of("name", "dist", "params", Map.of("seed", 9))));
        try {
            given().contentType(ContentType.JSON).body(Map.of("k", 1)).put("/api/plugins/top-k/config").then().statusCode(401)
                    .body("error.message", containsString("Configuring a sampler needs the admin token"));
            given().delete("/api/plugins/top-k/config").then().statusCode(401);
            given().header("Authorization", "Bearer test-secret").contentType(ContentType.JSON).body(Map.of("k", 1)).put("/api/plugins/top-k/config").then().statusCode(200)
                    .body("params[0].value", equalTo(1)).body("params[0].configured", equalTo(true));
            // top-k named without parameters now keeps one token: dist has nothing left to draw, the text is llama.cpp's greedy one
            String text = given().contentType(ContentType.JSON).body(request).post("/v1/completions").then().statusCode(200)
                    .extract().path("choices[0].text");
            assertEquals(io.gptlens.web.api.ApiTest.KNOWN.substring(0, text.length()), text);
            // an explicit value still wins
            given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "max_tokens", 1,
                    "samplers", List.of(Map.of("name", "top-k", "params", Map.of("k", 7))))).post("/v1/completions").then().statusCode(200);
            given().get("/api/samplers").then().body("find { it.name == 'top-k' }.params[0].default", equalTo(1));
            given().get("/api/plugins").then().body("find { it.name == 'top-k' }.settings.k", equalTo(1));
            String saved = Files.readString(plugins.folder().resolve("settings.properties"));
            assertTrue(saved.contains("top-k.k=1"), saved);
            given().header("Authorization", "Bearer test-secret").contentType(ContentType.JSON).body(Map.of("k", -5)).put("/api/plugins/top-k/config").then().statusCode(400)
                    .body("error.message", containsString("outside"));
            given().header("Authorization", "Bearer test-secret").contentType(ContentType.JSON).body(Map.of("kk", 3)).put("/api/plugins/top-k/config").then().statusCode(400)
                    .body("error.message", containsString("Unknown parameter 'kk'"));
            given().header("Authorization", "Bearer test-secret").contentType(ContentType.JSON).body(Map.of("k", 3)).put("/api/plugins/no-such/config").then().statusCode(404)
                    .body("error.message", containsString("known:"));
            given().get("/api/plugins/top-k/config").then().body("params[0].value", equalTo(1));
        } finally {
            given().header("Authorization", "Bearer test-secret").delete("/api/plugins/top-k/config").then().statusCode(200).body("params[0].value", equalTo(40));
        }
        given().get("/api/samplers").then().body("find { it.name == 'top-k' }.params[0].default", equalTo(40));
    }

    @Test
    void aJarThatIsNotAPluginIsRejectedWithTheReason() throws Exception {
        Path jar = buildJar(Files.createTempDirectory("plugin-build"), "not-a-plugin.jar", false);
        try (var dropped = dropIn(plugins, jar)) {
            given().get("/api/plugins").then().body("find { it.name == 'not-a-plugin.jar' }.status", equalTo("rejected"))
                    .body("find { it.name == 'not-a-plugin.jar' }.error", containsString("no SamplerProvider or TokenizerProvider"));
        }
        assertFalse(names().contains("not-a-plugin.jar"));
    }

    @Test
    void aPluginThatIgnoresItsBudgetHoldsOneThreadAndIsRefusedUntilItReturns() throws Exception {
        // the first call sleeps 3 s and swallows the interrupt the budget sends
        String stubborn = "if (System.getProperties().putIfAbsent(\"gptlens.test.stubborn\", \"busy\") == null) {"
                + " long end = System.nanoTime() + 3_000_000_000L;"
                + " while (System.nanoTime() < end) { try { Thread.sleep(20); } catch (InterruptedException e) { } } }"
                + " c.keepTopK(2);";
        String source = SOURCE.replace("\"keep-two\"", "\"stubborn\"").replace("c.keepTopK(2);", stubborn);
        Path jar = buildJar(Files.createTempDirectory("plugin-build"), "stubborn.jar", true, source);
        Map<String, Object> request = Map.of("prompt", "Once", "max_tokens", 3,
                "samplers", List.of(Map.of("name", "stubborn"), Map.of("name", "greedy")));
        try (var dropped = dropIn(plugins, jar)) {
            long t0 = System.nanoTime();
            given().contentType(ContentType.JSON).body(request).post("/v1/completions").then().statusCode(500)
                    .body("error.message", containsString("longer than its budget"));
            long t1 = System.nanoTime();
            given().contentType(ContentType.JSON).body(request).post("/v1/completions").then().statusCode(500)
                    .body("error.message", containsString("still running a call that exceeded its budget"));
            assertTrue(System.nanoTime() - t1 < 500_000_000L, "refused at once, not after another budget");
            await(() -> System.nanoTime() - t0 > 3_500_000_000L);
            given().contentType(ContentType.JSON).body(request).post("/v1/completions").then().statusCode(200);
        } finally {
            System.getProperties().remove("gptlens.test.stubborn");
        }
    }

    @Test
    void hostileJarsAreRejectedWithTheReasonAndTheScannerGoesOn() throws Exception {
        String provider = "super(\"keep-two\", Kind.RESHAPE, \"Keeps the two most likely tokens (a test plugin).\", List.of(), p -> new KeepTwo());";
        assertTrue(SOURCE.contains(provider));
        Map<String, String> hostile = Map.of(
                "ctor-throws", provider + " if (Boolean.TRUE) throw new IllegalStateException(\"refuses to start\");",
                "ctor-hangs", provider + " try { Thread.sleep(60_000); } catch (InterruptedException e) { }",
                "bad-name", provider.replace("\"keep-two\"", "\"two words\""));
        Map<String, String> expected = Map.of("ctor-throws", "refuses to start", "ctor-hangs", "longer than its budget of 2000 ms",
                "bad-name", "declares the name 'two words'");
        for (var h : hostile.entrySet()) {
            String jarName = h.getKey() + ".jar";
            Path jar = buildJar(Files.createTempDirectory("plugin-build"), jarName, true, SOURCE.replace(provider, h.getValue()));
            try (var dropped = dropIn(plugins, jar)) {
                given().get("/api/plugins").then().body("find { it.name == '" + jarName + "' }.status", equalTo("rejected"))
                        .body("find { it.name == '" + jarName + "' }.error", containsString(expected.get(h.getKey())));
            }
            assertFalse(names().contains(jarName));
        }
        // the scanner still works: a good plugin dropped in now is picked up
        try (var good = dropIn(plugins, buildJar(Files.createTempDirectory("plugin-build"), "keep-two.jar", true))) {
            assertTrue(names().contains("keep-two"));
        }
    }

    @Test
    void faultyPluginsEndTheirGenerationWithAClearErrorAndTheServerGoesOn() throws Exception {
        Map<String, String> faults = Map.of(
                "throws", "throw new IllegalStateException(\"boom\");",
                "nan", "c.setLogit(0, Float.NaN);",
                "sleeps", "try { Thread.sleep(5000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }",
                "twice", "c.replace(new int[]{c.id(0), c.id(0)}, new float[]{1, 1}, new float[]{0, 0}, 2, false, false);",
                "foreign", "c.replace(new int[]{99999}, new float[]{1}, new float[]{0}, 1, false, false);");
        Map<String, String> expected = Map.of("throws", "threw java.lang.IllegalStateException: boom", "nan", "NaN logit",
                "sleeps", "longer than its budget", "twice", "twice", "foreign", "token 99999, which was not among the candidates");
        for (var f : faults.entrySet()) {
            String name = "faulty-" + f.getKey();
            String source = SOURCE.replace("\"keep-two\"", "\"" + name + "\"").replace("c.keepTopK(2);", f.getValue());
            Path jar = buildJar(Files.createTempDirectory("plugin-build"), name + ".jar", true, source);
            try (var dropped = dropIn(plugins, jar)) {
                given().contentType(ContentType.JSON).body(Map.of("prompt", "Once", "max_tokens", 3,
                                "samplers", List.of(Map.of("name", name), Map.of("name", "greedy")))).post("/v1/completions")
                        .then().statusCode(500).body("error.message", containsString("Sampler '" + name + "'"))
                        .body("error.message", containsString("(plugin " + name + ".jar)"))
                        .body("error.message", containsString(expected.get(f.getKey())));
                // the same fault inside a chain that llama.cpp runs (the plugin is called back from C)
                given().contentType(ContentType.JSON).body(Map.of("prompt", "Once", "max_tokens", 3, "sampler_runtime", "llama.cpp",
                                "samplers", List.of(Map.of("name", "llama.top-k"), Map.of("name", name), Map.of("name", "llama.greedy"))))
                        .post("/v1/completions")
                        .then().statusCode(500).body("error.message", containsString("Sampler '" + name + "'"))
                        .body("error.message", containsString("(plugin " + name + ".jar)"))
                        .body("error.message", containsString(expected.get(f.getKey())));
                given().get("/api/plugins").then().body("find { it.name == '" + name + "' }.status", equalTo("failed"))
                        .body("find { it.name == '" + name + "' }.error", containsString(expected.get(f.getKey())));
                // the next request succeeds
                given().contentType(ContentType.JSON).body(Map.of("prompt", "Once", "max_tokens", 3, "temperature", 0))
                        .post("/v1/completions").then().statusCode(200);
            }
            assertFalse(names().contains(name));
        }
        given().get("/health").then().statusCode(200);
    }

    /** A sampler plugin that keeps two tokens for {@code calls} calls, then does {@code then}. */
    static String failsAfter(String name, int calls, String then) {
        return SOURCE.replace("\"keep-two\"", "\"" + name + "\"")
                .replace("public Sampler copy()", "private int calls; public Sampler copy()")
                .replace("c.keepTopK(2);", "if (++calls > " + calls + ") { " + then + " } c.keepTopK(2);");
    }

    @Test
    void aPluginThatFailsMidStreamEndsTheStreamWithAnErrorEventNamingIt() throws Exception {
        String name = "mid-stream";
        Path jar = buildJar(Files.createTempDirectory("plugin-build"), name + ".jar", true,
                failsAfter(name, 3, "throw new IllegalStateException(\"gave up\");"));
        try (var dropped = dropIn(plugins, jar)) {
            for (String runtime : List.of("java", "llama.cpp")) {
                List<Map<String, Object>> chain = runtime.equals("java")
                        ? List.of(Map.of("name", name), Map.of("name", "greedy"))
                        : List.of(Map.of("name", "llama.top-k", "params", Map.of("k", 40)), Map.of("name", name), Map.of("name", "llama.greedy"));
                String body = given().contentType(ContentType.JSON).body(Map.of("prompt", "Once upon a time", "max_tokens", 20, "stream", true,
                        "samplers", chain, "sampler_runtime", runtime)).post("/v1/completions").then().statusCode(200)
                        .contentType(containsString("text/event-stream")).extract().asString();
                List<String> events = body.lines().filter(l -> l.startsWith("data: ")).toList();
                assertTrue(events.size() >= 4, body);
                assertTrue(events.subList(0, 3).stream().allMatch(e -> e.contains("\"text_completion\"")), "three tokens first: " + body);
                String last = events.getLast();
                assertTrue(last.startsWith("data: {\"error\":"), body);
                var error = io.restassured.path.json.JsonPath.from(last.substring("data: ".length()));
                assertEquals(500, error.getInt("error.code"));
                assertEquals("server_error", error.getString("error.type"));
                assertTrue(error.getString("error.message").contains("Sampler '" + name + "' (plugin " + name + ".jar) threw"), last);
                assertTrue(error.getString("error.message").contains("gave up"), last);
                assertFalse(body.contains("[DONE]"), body);
                // the plugin is marked failed, and the server goes on
                given().get("/api/plugins").then().body("find { it.name == '" + name + "' }.status", equalTo("failed"));
                given().contentType(ContentType.JSON).body(Map.of("prompt", "Once", "max_tokens", 3, "temperature", 0, "stream", true))
                        .post("/v1/completions").then().statusCode(200).body(containsString("data: [DONE]"));
            }
        }
    }

    @Test
    void aClientThatGoesAwayMidStreamStopsItsGenerationWithoutAnError() throws Exception {
        String name = "slow-stream";
        var model = registry.resolve("stories260K");
        // 20 ms a token, and never the end token: 400 tokens take 8 s unless the generation stops
        int eos = model.model().tokenizer().specialTokens().eos();
        Path jar = buildJar(Files.createTempDirectory("plugin-build"), name + ".jar", true, SOURCE.replace("\"keep-two\"", "\"" + name + "\"")
                .replace("c.keepTopK(2);", "try { Thread.sleep(20); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }"
                        + " c.retain(t -> t != " + eos + "); c.keepTopK(2);"));
        int free = model.slots().availablePermits();
        List<java.util.logging.LogRecord> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler watch = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                    errors.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        try (var dropped = dropIn(plugins, jar)) {
            root.addHandler(watch);
            String request = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 400, \"stream\": true, \"samplers\": [{\"name\": \"" + name
                    + "\"}, {\"name\": \"greedy\"}]}";
            try (var socket = new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
                byte[] body = request.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body);
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                int events = 0;
                for (String line; events < 3 && (line = in.readLine()) != null; ) {
                    events += line.contains("\"text_completion\"") ? 1 : 0;
                }
                assertEquals(3, events, "the stream had begun");
                await(() -> model.slots().availablePermits() < free);
            } // the client goes away after three of 400 tokens (20 ms each)
            long t0 = System.nanoTime();
            await(() -> model.slots().availablePermits() == free);
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "the generation stopped, it did not run to its end");
            Thread.sleep(300);
            assertEquals(List.of(), errors.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList(), "nothing was logged as an error");
        } finally {
            root.removeHandler(watch);
        }
    }

    @Test
    void uploadDisableEnableAndRemoveNeedTheRightRights() throws Exception {
        byte[] jar = Files.readAllBytes(buildJar(Files.createTempDirectory("plugin-build"), "uploaded.jar", true));
        given().contentType("application/java-archive").body(jar).post("/api/plugins?name=uploaded.jar").then().statusCode(401)
                .body("error.message", containsString("admin token"));
        given().contentType("application/java-archive").header("Authorization", "Bearer wrong").body(jar)
                .post("/api/plugins?name=uploaded.jar").then().statusCode(401);
        given().contentType("application/java-archive").header("Authorization", "Bearer test-secret").body(jar)
                .post("/api/plugins?name=../evil.jar").then().statusCode(400);
        given().contentType("application/java-archive").header("Authorization", "Bearer test-secret").body("not a zip".getBytes())
                .post("/api/plugins?name=junk.jar").then().statusCode(422).body("error.message", containsString("Not a jar"));
        byte[] notAPlugin = Files.readAllBytes(buildJar(Files.createTempDirectory("plugin-build"), "np.jar", false));
        given().contentType("application/java-archive").header("Authorization", "Bearer test-secret").body(notAPlugin)
                .post("/api/plugins?name=np.jar").then().statusCode(422).body("error.message", containsString("no SamplerProvider"));
        assertTrue(!Files.exists(plugins.folder().resolve("np.jar")), "a rejected upload is not kept");
        given().contentType("application/java-archive").header("Authorization", "Bearer test-secret").body(jar)
                .post("/api/plugins?name=uploaded.jar").then().statusCode(201).body("providers", equalTo(List.of("keep-two")));
        try {
            Map<String, Object> req = Map.of("prompt", "Once", "max_tokens", 3, "samplers", List.of(Map.of("name", "keep-two"), Map.of("name", "greedy")));
            given().contentType(ContentType.JSON).body(req).post("/v1/completions").then().statusCode(200);
            given().post("/api/plugins/keep-two/disable").then().statusCode(401)
                    .body("error.message", containsString("Switching a plugin on or off needs the admin token"));
            given().header("Authorization", "Bearer wrong").post("/api/plugins/keep-two/disable").then().statusCode(401)
                    .body("error.message", containsString("is wrong"));
            given().get("/api/plugins").then().body("find { it.name == 'keep-two' }.status", equalTo("active"));
            given().header("Authorization", "Bearer test-secret").post("/api/plugins/keep-two/disable").then().statusCode(200).body("status", equalTo("disabled"));
            given().get("/api/plugins").then().body("find { it.name == 'keep-two' }.status", equalTo("disabled"));
            given().contentType(ContentType.JSON).body(req).post("/v1/completions").then().statusCode(400);
            given().header("Authorization", "Bearer test-secret").post("/api/plugins/keep-two/enable").then().statusCode(200);
            given().contentType(ContentType.JSON).body(req).post("/v1/completions").then().statusCode(200);
            given().header("Authorization", "Bearer test-secret").post("/api/plugins/top-p/disable").then().statusCode(404);
        } finally {
            given().header("Authorization", "Bearer test-secret").delete("/api/plugins/uploaded.jar").then().statusCode(204);
        }
        assertTrue(!names().contains("keep-two"));
        given().header("Authorization", "Bearer test-secret").delete("/api/plugins/uploaded.jar").then().statusCode(404);
    }
}
