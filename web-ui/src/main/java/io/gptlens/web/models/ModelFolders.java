package io.gptlens.web.models;

import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.security.ListenAddress;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where models may be loaded from by a path that a client names (REST {@code POST /api/models},
 * the models page's path field). On the loopback address any path loads, as the person at the
 * machine could open the file anyway; beyond it, only files inside the models folders: the models
 * folder ({@code <data>/models}, where downloads and uploads go) and {@code gptlens.models-folders}.
 * The check follows symbolic links and {@code ..} to the real file, so neither escapes a folder.
 * Files given at start ({@code gptlens.models}) are not checked: the operator chose them.
 * Thread-safe.
 */
@ApplicationScoped
public class ModelFolders {

    private final ModelRegistry registry;
    private final ListenAddress listen;
    private final List<Path> configured;

    public ModelFolders(ModelRegistry registry, GptLensConfig config, ListenAddress listen) {
        this.registry = registry;
        this.listen = listen;
        this.configured = config.modelsFolders().orElse(List.of()).stream().filter(s -> !s.isBlank())
                .map(s -> Path.of(s.trim()).toAbsolutePath().normalize()).toList();
    }

    /** Whether loading by path is confined to {@link #folders()}: the server listens beyond the loopback address. */
    public boolean confining() {
        return !listen.loopbackOnly();
    }

    /** The models folder, then the configured folders. */
    public List<Path> folders() {
        List<Path> all = new ArrayList<>();
        all.add(registry.modelsFolder().toAbsolutePath().normalize());
        all.addAll(configured);
        return all;
    }

    /**
     * The file to load for {@code requested}: itself when nothing is confined, else its real path,
     * which must lie inside one of the {@link #folders()}. A file that does not exist inside a
     * folder is left to the registry to report.
     *
     * @throws ModelException REFUSED for a path outside the folders
     */
    public Path confine(Path requested) {
        if (!confining()) {
            return requested;
        }
        Path abs = requested.toAbsolutePath().normalize();
        List<Path> real = new ArrayList<>();
        for (Path f : folders()) {
            try {
                real.add(f.toRealPath());
            } catch (IOException e) {
                // a folder that does not exist holds nothing
            }
        }
        if (real.stream().noneMatch(abs::startsWith) && folders().stream().noneMatch(abs::startsWith)) {
            throw refused(requested);
        }
        Path file;
        try {
            file = abs.toRealPath();
        } catch (NoSuchFileException e) {
            return abs;
        } catch (IOException e) {
            throw new ModelException(ModelException.Kind.INVALID, "Cannot read " + abs + ": " + e.getMessage());
        }
        if (real.stream().noneMatch(file::startsWith)) {
            throw refused(requested);
        }
        return file;
    }

    private ModelException refused(Path requested) {
        return new ModelException(ModelException.Kind.REFUSED, "Loading " + requested + " is refused: the server listens on " + listen.host()
                + ", beyond this machine, so models load by path only from the models folders " + folders()
                + ". To allow another folder: ./gptlens --models-folder /path, or -Dgptlens.models-folders=/path (comma-separated)");
    }
}
