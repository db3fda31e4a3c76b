package io.gptlens.web.completion;

/** A prompt as the APIs take it: text, or token ids (OpenAI's array of integers, llama-server's token list). */
public sealed interface PromptInput {

    /** Text, tokenized by the request's tokenizer; special tokens written in it are recognised. */
    record Text(String text) implements PromptInput {
        public Text {
            text = text == null ? "" : text;
        }
    }

    /** Token ids, used as they are (no start token is added). */
    record Tokens(int[] ids) implements PromptInput {
        public Tokens {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }
    }
}
