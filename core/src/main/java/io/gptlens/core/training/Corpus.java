package io.gptlens.core.training;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A named collection of UTF-8 text documents to pre-train on. Documents keep their order; a
 * {@link #split(int) split} holds out whole documents for validation, so no validation text is
 * ever seen in training.
 *
 * @param name      names the corpus in model names and reports
 * @param documents the documents, in order
 */
public record Corpus(String name, List<Document> documents) {

    /** Files larger than this are refused (1 GiB): a corpus is read into memory. */
    public static final long MAX_BYTES = 1L << 30;

    /** One document: a speech, a book, a file. */
    public record Document(String name, String text) {
        public Document {
            Objects.requireNonNull(name);
            Objects.requireNonNull(text);
        }
    }

    /** The training documents and the held-out validation documents. */
    public record Split(Corpus train, Corpus validation) {
    }

    public Corpus {
        Objects.requireNonNull(name);
        documents = List.copyOf(documents);
    }

    /** Total UTF-8 bytes of all documents. */
    public long bytes() {
        long b = 0;
        for (Document d : documents) {
            b += d.text.getBytes(StandardCharsets.UTF_8).length;
        }
        return b;
    }

    /**
     * Holds out every {@code every}-th document (those at index {@code every/2}, {@code every/2 + every}, …)
     * for validation, spread over the corpus rather than taken from its end. A corpus of a single
     * document is first cut into {@code every * 2} parts at line breaks.
     *
     * @throws IllegalArgumentException if fewer than two documents (or parts) result
     */
    public Split split(int every) {
        if (every < 2) {
            throw new IllegalArgumentException("Hold out every n-th document needs n >= 2, got " + every);
        }
        List<Document> docs = documents.size() == 1 ? cut(documents.get(0), every * 2) : documents;
        List<Document> train = new ArrayList<>();
        List<Document> val = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            (i % every == every / 2 ? val : train).add(docs.get(i));
        }
        if (train.isEmpty() || val.isEmpty()) {
            throw new IllegalArgumentException("Corpus " + name + " has " + docs.size() + " documents: too few to hold out every "
                    + every + "-th for validation (add more text)");
        }
        return new Split(new Corpus(name, train), new Corpus(name + " (validation)", val));
    }

    private static List<Document> cut(Document d, int parts) {
        String t = d.text;
        List<Document> out = new ArrayList<>();
        int start = 0;
        for (int p = 1; p <= parts && start < t.length(); p++) {
            int end = p == parts ? t.length() : Math.max(start, (int) ((long) t.length() * p / parts));
            int nl = t.indexOf('\n', end);
            end = p == parts || nl < 0 ? (p == parts ? t.length() : end) : nl + 1;
            if (end > start) {
                out.add(new Document(d.name + " part " + p, t.substring(start, end)));
            }
            start = end;
        }
        return out;
    }

    /**
     * Reads a corpus from a UTF-8 text file (one document) or a folder (every {@code .txt} file in
     * it and below, in path order, one document each).
     *
     * @throws IOException if nothing can be read, a file is not valid UTF-8 (the message names the file), or it is too large
     */
    public static Corpus load(Path fileOrFolder) throws IOException {
        if (!Files.exists(fileOrFolder)) {
            throw new IOException("No corpus at " + fileOrFolder + ": give a UTF-8 text file or a folder of .txt files");
        }
        List<Path> files;
        if (Files.isDirectory(fileOrFolder)) {
            try (Stream<Path> s = Files.walk(fileOrFolder)) {
                files = s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".txt"))
                        .sorted(Comparator.comparing(Path::toString)).toList();
            }
            if (files.isEmpty()) {
                throw new IOException("The folder " + fileOrFolder + " has no .txt files to train on");
            }
        } else {
            files = List.of(fileOrFolder);
        }
        long total = 0;
        List<Document> docs = new ArrayList<>();
        for (Path f : files) {
            total += Files.size(f);
            if (total > MAX_BYTES) {
                throw new IOException("The corpus at " + fileOrFolder + " is larger than " + MAX_BYTES + " bytes, the most GPTLens trains on");
            }
            String text = readUtf8(f);
            if (!text.isBlank()) {
                docs.add(new Document(fileOrFolder.relativize(f).toString().isEmpty() ? f.getFileName().toString()
                        : fileOrFolder.relativize(f).toString(), text));
            }
        }
        if (docs.isEmpty()) {
            throw new IOException("The corpus at " + fileOrFolder + " holds no text");
        }
        String name = fileOrFolder.getFileName() == null ? "text" : fileOrFolder.getFileName().toString().replaceFirst("\\.txt$", "");
        return new Corpus(name, docs);
    }

    /** Decodes a file as strict UTF-8 (a byte-order mark is dropped). */
    static String readUtf8(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (MalformedInputException e) {
            throw new IOException(f + " is not UTF-8 text (" + e.getMessage() + "); save it as UTF-8 to train on it", e);
        } catch (CharacterCodingException e) {
            throw new IOException(f + " is not UTF-8 text: " + e, e);
        }
    }
}
