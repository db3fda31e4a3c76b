package io.gptlens.web.explorer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the explorer's search box takes besides a word or {@code #id}: a sum of words
 * ({@code king - man + woman}; the operators stand between spaces, so {@code well-known} stays one
 * word) whose vector's neighbours are wanted, or {@code cos(a, b)}, the cosine of two words' vectors.
 */
public sealed interface QueryExpression {

    /** {@code Σ coefficient_i · W[word_i]}; a single word has coefficient 1. */
    record Sum(List<String> words, List<Integer> signs) implements QueryExpression {
        public Sum {
            words = List.copyOf(words);
            signs = List.copyOf(signs);
        }
    }

    /** {@code cos(a, b)}. */
    record Cosine(String a, String b) implements QueryExpression {
    }

    Pattern COS = Pattern.compile("(?i)cos\\s*\\(\\s*(.+?)\\s*,\\s*(.+?)\\s*\\)");
    Pattern OPERATOR = Pattern.compile("\\s+([+-])\\s+");

    /**
     * Parses the box's text.
     *
     * @throws IllegalArgumentException for an empty text or an operator without a word beside it
     */
    static QueryExpression parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("Give a word, a #token-id, an expression such as 'king - man + woman', or cos(a, b)");
        }
        Matcher cos = COS.matcher(s);
        if (cos.matches()) {
            return new Cosine(cos.group(1), cos.group(2));
        }
        if (s.matches("(?s).*\\s[+-]") || s.matches("(?s)[+-]\\s.*")) {
            throw new IllegalArgumentException("An operator needs a word on each side in '" + s + "'");
        }
        List<String> words = new ArrayList<>();
        List<Integer> signs = new ArrayList<>();
        Matcher op = OPERATOR.matcher(s);
        int start = 0;
        int sign = 1;
        while (op.find()) {
            add(words, signs, s.substring(start, op.start()), sign, s);
            sign = op.group(1).equals("-") ? -1 : 1;
            start = op.end();
        }
        add(words, signs, s.substring(start), sign, s);
        return new Sum(words, signs);
    }

    private static void add(List<String> words, List<Integer> signs, String word, int sign, String whole) {
        if (word.isBlank()) {
            throw new IllegalArgumentException("An operator needs a word on each side in '" + whole + "'");
        }
        words.add(word.strip());
        signs.add(sign);
    }
}
