package io.gptlens.core.plugin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Providers of one kind found through {@link ServiceLoader}, looked up by name.
 *
 * <p>Two providers that claim the same name are both reported in {@link #conflicts()}; the first
 * found is used. An unknown name fails with the list of known names. Immutable after construction
 * and thread-safe; build a new instance to pick up new jars.
 *
 * @param <T> the provider type
 */
public final class NamedProviders<T extends NamedProvider> {

    private final String kind;
    private final Map<String, T> byName;
    private final List<String> conflicts;

    private NamedProviders(String kind, Map<String, T> byName, List<String> conflicts) {
        this.kind = kind;
        this.byName = Collections.unmodifiableMap(byName);
        this.conflicts = List.copyOf(conflicts);
    }

    /** Loads every {@code type} visible to {@code loader}. Providers that fail to load are reported as conflicts. */
    public static <T extends NamedProvider> NamedProviders<T> load(Class<T> type, ClassLoader loader) {
        List<T> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        var it = ServiceLoader.load(type, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                problems.add("could not load a " + type.getSimpleName() + ": " + e.getMessage());
            }
        }
        return of(type.getSimpleName(), found, problems);
    }

    /** A registry over the given providers, in order. */
    public static <T extends NamedProvider> NamedProviders<T> of(String kind, List<? extends T> providers) {
        return of(kind, providers, List.of());
    }

    private static <T extends NamedProvider> NamedProviders<T> of(String kind, List<? extends T> providers, List<String> problems) {
        Map<String, T> byName = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>(problems);
        for (T p : providers) {
            T prev = byName.putIfAbsent(p.name(), p);
            if (prev != null) {
                conflicts.add("'" + p.name() + "' is claimed by both " + prev.getClass().getName() + " and " + p.getClass().getName()
                        + "; using " + prev.getClass().getName());
            }
        }
        return new NamedProviders<>(kind, byName, conflicts);
    }

    /**
     * The provider called {@code name}.
     *
     * @throws IllegalArgumentException listing the known names and how to add more
     */
    public T get(String name) {
        T p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("Unknown " + kind + " '" + name + "'; known: " + String.join(", ", byName.keySet())
                    + ". To add one, put its plugin jar on the classpath or in the plugins folder.");
        }
        return p;
    }

    /** The provider called {@code name}, if known. */
    public Optional<T> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** All providers by name, in discovery order. */
    public Map<String, T> all() {
        return byName;
    }

    /** Names claimed twice and providers that failed to load. */
    public List<String> conflicts() {
        return conflicts;
    }
}
