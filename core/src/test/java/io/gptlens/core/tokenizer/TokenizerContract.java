package io.gptlens.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every tokenizer meets, built-in or plugin. Extend it and return the tokenizer under
 * test; published in core's test-jar for plugin authors.
 */
public abstract class TokenizerContract {

    /** The tokenizer under test. */
    protected abstract Tokenizer tokenizer();

    /** Texts that must survive encode then decode unchanged (plain text by default). */
    protected List<String> roundTrips() {
        return List.of("Hello world", "The quick brown fox jumps over the lazy dog.", "numbers 12345 and symbols #@!");
    }

    @Test
    void encodeThenDecodeGivesTheTextBack() {
        Tokenizer t = tokenizer();
        for (String s : roundTrips()) {
            int[] ids = t.encode(s, false, false);
            assertTrue(ids.length > 0, "'" + s + "' has tokens");
            for (int id : ids) {
                assertTrue(id >= 0 && id < t.vocabularySize(), "id " + id + " inside the vocabulary");
            }
            // equal up to a leading space: SentencePiece vocabularies add one in front of the text
            assertEquals(s.stripLeading(), t.decode(ids, false, false).stripLeading(), "decode(encode('" + s + "'))");
        }
    }

    @Test
    void everyTokenHasAPieceAndAType() {
        Tokenizer t = tokenizer();
        assertTrue(t.vocabularySize() > 0);
        for (int id = 0; id < t.vocabularySize(); id++) {
            assertNotNull(t.piece(id, true));
            assertNotNull(t.type(id));
        }
    }

    @Test
    void specialTokensAreInsideTheVocabulary() {
        Tokenizer t = tokenizer();
        SpecialTokens s = t.specialTokens();
        for (int id : new int[]{s.bos(), s.eos(), s.eot(), s.sep(), s.nl(), s.pad()}) {
            assertTrue(id == -1 || (id >= 0 && id < t.vocabularySize()), "special token " + id);
        }
    }

    @Test
    void idsOutsideTheVocabularyAreRefused() {
        Tokenizer t = tokenizer();
        assertThrows(IllegalArgumentException.class, () -> t.piece(t.vocabularySize(), false));
        assertThrows(IllegalArgumentException.class, () -> t.piece(-1, false));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[]{t.vocabularySize()}, false, false));
    }
}
