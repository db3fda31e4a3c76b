package io.gptlens.llamacpp;

import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Tests against stories260K: the model loaded once per test class (before the class's own set-up) and closed after it. */
abstract class StoriesTestBase {

    static Model model;

    @BeforeAll
    static void loadStories() throws Exception {
        model = new LlamaBackend().load(TestFiles.stories(), LoadOptions.defaults(), p -> { });
    }

    @AfterAll
    static void closeStories() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
