package io.gptlens.llamacpp;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Background work (building an index, quantising a matrix) at the lowest CPU priority, so that it
 * takes only what llama.cpp's threads leave: Java's thread priorities are ignored on Linux, so the
 * thread's own nice value is raised to 19 with libc's {@code setpriority(PRIO_PROCESS, gettid(), 19)}
 * through FFM. A nice-19 thread gets about 1.5 % of a core that a nice-0 thread wants (the kernel's
 * weights 15 against 1024), and all of the time it leaves idle, e.g. while ggml's workers wait at a
 * barrier. Where that is not possible (not Linux, no glibc), threads run at normal priority.
 */
public final class LowPriority {

    private static final MethodHandle GETTID;
    private static final MethodHandle SETPRIORITY;

    static {
        MethodHandle gettid = null;
        MethodHandle setpriority = null;
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            var g = libc.find("gettid");
            var s = libc.find("setpriority");
            if (g.isPresent() && s.isPresent()) {
                gettid = linker.downcallHandle(g.get(), FunctionDescriptor.of(JAVA_INT));
                setpriority = linker.downcallHandle(s.get(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            }
        } catch (RuntimeException | LinkageError e) {
            gettid = null;
            setpriority = null;
        }
        GETTID = gettid;
        SETPRIORITY = setpriority;
    }

    private LowPriority() {
    }

    /** Lowers the calling thread to nice 19; returns whether it worked. Never throws. */
    public static boolean lowerCurrentThread() {
        if (GETTID == null || SETPRIORITY == null) {
            return false;
        }
        try {
            int tid = (int) GETTID.invokeExact();
            return (int) SETPRIORITY.invokeExact(0 /* PRIO_PROCESS: one thread, by its id */, tid, 19) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Daemon platform threads named {@code name-N} that lower themselves before they run anything. */
    public static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> Thread.ofPlatform().daemon().name(name + "-" + n.incrementAndGet()).unstarted(() -> {
            lowerCurrentThread();
            r.run();
        });
    }
}
