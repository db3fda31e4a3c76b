package io.gptlens.llamacpp.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Routes llama.cpp's and ggml's log to {@link System.Logger} "io.gptlens.llamacpp.native" (INFO
 * from llama.cpp becomes DEBUG: loading is chatty), and remembers the last warnings and errors
 * logged on each thread so that a failed call can say what llama.cpp complained about.
 */
public final class LlamaLog {

    private static final System.Logger LOG = System.getLogger("io.gptlens.llamacpp.native");
    private static final ThreadLocal<ArrayDeque<String>> RECENT = ThreadLocal.withInitial(ArrayDeque::new);
    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(StringBuilder::new);
    private static final int KEEP = 8;

    private LlamaLog() {
    }

    static void install(Linker linker, SymbolLookup lookup) throws Throwable {
        MethodHandle target = MethodHandles.lookup().findStatic(LlamaLog.class, "callback",
                MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
        // the stub must outlive every native call that may log: bound to the global arena on purpose
        MemorySegment stub = linker.upcallStub(target, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
        MethodHandle set = linker.downcallHandle(lookup.find("llama_log_set").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        set.invokeExact(stub, MemorySegment.NULL);
    }

    /** The upcall. Never throws: an exception escaping an upcall would end the JVM. */
    private static void callback(int level, MemorySegment text, MemorySegment userData) {
        try {
            String s = NativeLibrary.string(text);
            if (s == null) {
                return;
            }
            StringBuilder line = LINE.get();
            line.append(s);
            int nl;
            while ((nl = line.indexOf("\n")) >= 0) {
                String one = line.substring(0, nl);
                line.delete(0, nl + 1);
                emit(level, one);
            }
        } catch (Throwable ignored) {
            // nothing may escape
        }
    }

    private static void emit(int level, String line) {
        // ggml_log_level: 0 none, 1 debug, 2 info, 3 warn, 4 error, 5 cont
        System.Logger.Level l = switch (level) {
            case 3 -> System.Logger.Level.WARNING;
            case 4 -> System.Logger.Level.ERROR;
            case 2 -> System.Logger.Level.DEBUG;
            default -> System.Logger.Level.TRACE;
        };
        if (level == 3 || level == 4) {
            ArrayDeque<String> q = RECENT.get();
            q.addLast(line.strip());
            while (q.size() > KEEP) {
                q.removeFirst();
            }
        }
        if (LOG.isLoggable(l)) {
            LOG.log(l, line);
        }
    }

    /** Forgets this thread's remembered warnings and errors. */
    public static void clearRecent() {
        RECENT.get().clear();
    }

    /** This thread's warnings and errors since {@link #clearRecent()}, oldest first. */
    public static List<String> recent() {
        return new ArrayList<>(RECENT.get());
    }

    /** ": a; b" built from {@link #recent()}, or "" if there were none. */
    public static String recentSuffix() {
        List<String> r = recent();
        return r.isEmpty() ? "" : " (llama.cpp said: " + String.join("; ", r) + ")";
    }
}
