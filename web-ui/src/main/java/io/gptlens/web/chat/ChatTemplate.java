package io.gptlens.web.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * A Hugging Face chat template (Jinja), rendered with HubSpot's jinjava configured to match
 * Jinja2 as {@code transformers} configures it: {@code trim_blocks}, {@code lstrip_blocks},
 * {@code raise_exception}, {@code strftime_now}, {@code tojson}, and Python's string and dict
 * methods that templates call. A template that raises, or that jinjava cannot render, fails with
 * a {@link ChatTemplateException}, never with half its output. Immutable and thread-safe.
 */
public final class ChatTemplate {

    private static final Jinjava JINJAVA = createJinjava();

    private final String source;
    private final Clock clock;

    private ChatTemplate(String source, Clock clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A template over {@code source}, with {@code strftime_now} reading the system clock. */
    public static ChatTemplate of(String source) {
        return of(source, Clock.systemDefaultZone());
    }

    /** A template over {@code source}, with {@code strftime_now} reading {@code clock}. */
    public static ChatTemplate of(String source, Clock clock) {
        return new ChatTemplate(precedence(source), clock);
    }

    /**
     * {@code namespace(n=messages|length - 1)}: jinjava binds {@code n=messages|length} first and
     * then subtracts from the named parameter; Jinja2 takes the whole expression as the value, so
     * each value of a {@code namespace(...)} call gets parentheses.
     */
    static String namedArguments(String block) {
        int at = block.indexOf("namespace(");
        if (at < 0) {
            return block;
        }
        StringBuilder out = new StringBuilder(block.substring(0, at + 10));
        int i = at + 10;
        int depth = 0;
        char quote = 0;
        int start = i;
        List<String> parts = new ArrayList<>();
        for (; i < block.length(); i++) {
            char c = block.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(block.substring(start, i));
                start = i + 1;
            } else if (c == ')' && depth == 0) {
                break;
            }
        }
        if (i >= block.length()) {
            return block; // unbalanced: leave it to jinjava's own error
        }
        parts.add(block.substring(start, i));
        List<String> fixed = new ArrayList<>();
        for (String part : parts) {
            java.util.regex.Matcher named = java.util.regex.Pattern.compile("^(\\s*[A-Za-z_]\\w*\\s*)=(?!=)(.*)$", java.util.regex.Pattern.DOTALL)
                    .matcher(part);
            fixed.add(named.matches() ? named.group(1) + "=(" + named.group(2) + ")" : part);
        }
        out.append(String.join(",", fixed)).append(namedArguments(block.substring(i)));
        return out.toString();
    }

    /** {@code x[::-1]}, a reversed copy in Python, which jinjava's parser does not take: {@code (x|reverse|list)}. */
    private static final java.util.regex.Pattern REVERSED = java.util.regex.Pattern.compile("([A-Za-z_][\\w.]*)\\[::-1\\]");

    /** {@code {% ... %}} and {@code {{ ... }}} blocks, where expressions live. */
    private static final java.util.regex.Pattern BLOCK = java.util.regex.Pattern.compile("\\{[%{].*?[%}]\\}", java.util.regex.Pattern.DOTALL);
    /** {@code not x is [not] test}: Jinja2 reads it as {@code not (x is test)}, jinjava as {@code (not x) is test}. */
    private static final java.util.regex.Pattern NOT_IS =
            java.util.regex.Pattern.compile("\\bnot\\s+([A-Za-z_][\\w.]*(?:\\[[^\\]]*\\])*)\\s+is\\s+(not\\s+)?([A-Za-z_]\\w*)");

    /**
     * The rewrites of a template's text, inside tags only, where jinjava reads Jinja2 differently:
     * {@code not x is defined} gets the parentheses Jinja2's precedence implies (jinjava binds
     * {@code not} tighter than {@code is}); the values of {@code namespace(...)} are parenthesised
     * (see {@link #namedArguments}); {@code x[::-1]} becomes {@code (x|reverse|list)}.
     */
    static String precedence(String source) {
        java.util.regex.Matcher m = BLOCK.matcher(source);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String block = namedArguments(NOT_IS.matcher(m.group()).replaceAll("not ($1 is $2$3)"));
            block = REVERSED.matcher(block).replaceAll("($1|reverse|list)");
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(block));
        }
        m.appendTail(out);
        return out.toString();
    }

    public String render(
        List<Map<String, Object>> messages,
        boolean addGenerationPrompt,
        String bosToken,
        String eosToken
    ) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        return render(vars);
    }

    public String render(Map<String, Object> variables) {
        Map<String, Object> vars = new HashMap<>(variables);
        // the two functions are also variables, so that `strftime_now is defined` holds as in Hugging Face's environment
        vars.putIfAbsent("strftime_now", "strftime_now");
        vars.putIfAbsent("raise_exception", "raise_exception");
        RenderResult result = JINJAVA.renderForResult(source, vars, config(clock));
        for (TemplateError error : result.getErrors()) {
            Throwable t = error.getException();
            while (t != null) {
                if (t instanceof ChatTemplateException cte) {
                    throw cte;
                }
                t = t.getCause();
            }
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException(
                    "cannot render chat template (line " + error.getLineno() + "): " + error.getMessage()
                );
            }
        }
        return result.getOutput();
    }

    private static JinjavaConfig config(Clock clock) {
        return JinjavaConfig
            .newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .withEnableRecursiveMacroCalls(true)
            .withMaxMacroRecursionDepth(1000)
            .withFailOnUnknownTokens(false)
            .withTimeZone(clock.getZone())
            .withDateTimeProvider(clock::millis)
            .withLocale(Locale.ROOT)
            .withElResolver(RESOLVER)
            .withLegacyOverrides(
                LegacyOverrides
                    .newBuilder()
                    .withEvaluateMapKeys(true)
                    .withIterateOverMapKeys(true)
                    .withUsePyishObjectMapper(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withAllowAdjacentTextNodes(true)
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withKeepNullableLoopValues(true)
                    .build()
            )
            .build();
    }

    private static final ELResolver RESOLVER = new CompositeELResolver() {
        {
            add(new PythonMethods());
            add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        }
    };

    private static Jinjava createJinjava() {
        Jinjava jinjava = new Jinjava(config(Clock.systemDefaultZone()));
        try {
            jinjava.registerFunction(
                new ELFunctionDefinition("", "raise_exception", Functions.class, "raiseException", Object.class)
            );
            jinjava.registerFunction(
                new ELFunctionDefinition("", "strftime_now", Functions.class, "strftimeNow", String.class)
            );
            jinjava.registerTag(new GenerationTag());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return jinjava;
    }

    /**
     * Hugging Face's {@code {% generation %}...{% endgeneration %}}: marks the assistant's tokens for
     * training masks and renders its body unchanged.
     */
    static final class GenerationTag implements com.hubspot.jinjava.lib.tag.Tag {

        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(com.hubspot.jinjava.tree.TagNode node, JinjavaInterpreter interpreter) {
            StringBuilder out = new StringBuilder();
            for (com.hubspot.jinjava.tree.Node child : node.getChildren()) {
                out.append(child.render(interpreter).getValue());
            }
            return out.toString();
        }
    }

    public static final class Functions {

        private Functions() {}

        public static Object raiseException(Object message) {
            throw ChatTemplateException.raisedByTemplate(String.valueOf(message));
        }

        public static String strftimeNow(String format) {
            JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
            long millis = interpreter.getConfig().getDateTimeProvider().getCurrentTimeMillis();
            ZonedDateTime now = ZonedDateTime.ofInstant(
                java.time.Instant.ofEpochMilli(millis),
                interpreter.getConfig().getTimeZone()
            );
            return com.hubspot.jinjava.objects.date.StrftimeFormatter.format(now, format, Locale.ENGLISH);
        }
    }

    /** Python str / dict / list methods used by chat templates. */
    static final class PythonMethods extends ELResolver {

        @Override
        public Object invoke(ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
            if (base == null || method == null) {
                return null;
            }
            String name = method.toString();
            Object[] args = params == null ? new Object[0] : params;
            Object result;
            if (base instanceof CharSequence cs) {
                String s = cs.toString();
                switch (name) {
                    case "strip" -> result = args.length == 0 || args[0] == null ? s.strip() : stripChars(s, args[0].toString(), true, true);
                    case "lstrip" -> result = args.length == 0 || args[0] == null ? s.stripLeading() : stripChars(s, args[0].toString(), true, false);
                    case "rstrip" -> result = args.length == 0 || args[0] == null ? s.stripTrailing() : stripChars(s, args[0].toString(), false, true);
                    case "startswith" -> result = s.startsWith(String.valueOf(args[0]));
                    case "endswith" -> result = s.endsWith(String.valueOf(args[0]));
                    case "upper" -> result = s.toUpperCase(Locale.ROOT);
                    case "lower" -> result = s.toLowerCase(Locale.ROOT);
                    case "replace" -> result = s.replace(String.valueOf(args[0]), String.valueOf(args[1]));
                    case "split" -> result = split(s, args.length == 0 ? null : (String) args[0], args.length > 1 ? ((Number) args[1]).intValue() : -1);
                    default -> {
                        return null;
                    }
                }
            } else if (base instanceof Map<?, ?> map) {
                switch (name) {
                    case "get" -> result = map.containsKey(args[0]) ? map.get(args[0]) : (args.length > 1 ? args[1] : null);
                    case "items" -> {
                        List<Object> items = new ArrayList<>();
                        for (Map.Entry<?, ?> e : map.entrySet()) {
                            items.add(new ArrayList<>(List.of(e.getKey(), e.getValue())));
                        }
                        result = items;
                    }
                    case "keys" -> result = new ArrayList<>(map.keySet());
                    case "values" -> result = new ArrayList<>(map.values());
                    default -> {
                        return null;
                    }
                }
            } else {
                return null;
            }
            context.setPropertyResolved(true);
            return result;
        }

        static String stripChars(String s, String chars, boolean left, boolean right) {
            int a = 0, b = s.length();
            while (left && a < b && chars.indexOf(s.charAt(a)) >= 0) a++;
            while (right && b > a && chars.indexOf(s.charAt(b - 1)) >= 0) b--;
            return s.substring(a, b);
        }

        static List<Object> split(String s, String sep, int maxsplit) {
            List<Object> out = new ArrayList<>();
            if (sep == null) {
                for (String p : s.strip().split("\\s+")) if (!p.isEmpty()) out.add(p);
                return out;
            }
            int from = 0;
            while (maxsplit < 0 || out.size() < maxsplit) {
                int i = s.indexOf(sep, from);
                if (i < 0) break;
                out.add(s.substring(from, i));
                from = i + sep.length();
            }
            out.add(s.substring(from));
            return out;
        }

        @Override
        public Object getValue(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public Class<?> getType(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public void setValue(ELContext context, Object base, Object property, Object value) {}

        @Override
        public boolean isReadOnly(ELContext context, Object base, Object property) {
            return true;
        }

        @Override
        public java.util.Iterator<java.beans.FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
            return null;
        }

        @Override
        public Class<?> getCommonPropertyType(ELContext context, Object base) {
            return null;
        }
    }
}
