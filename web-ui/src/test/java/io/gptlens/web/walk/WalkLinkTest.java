package io.gptlens.web.walk;

import com.vaadin.flow.router.QueryParameters;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.web.explorer.QueryExpression;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The walk's link and the explorer's expressions, parsed and written back, without a server. */
class WalkLinkTest {

    @Test
    void aLinkSurvivesItsOwnQueryString() {
        WalkLink link = new WalkLink("stories260K", "Once upon a time & more", 0.8,
                List.of(StageSpec.of("top-k", "k", 40L), StageSpec.of("min-p", "p", 0.05)));
        WalkLink back = WalkLink.parse(QueryParameters.fromString(link.query().getQueryString()), "x");
        assertEquals(link, back);
        assertEquals("top-k:k=40;min-p:p=0.05", WalkLink.format(back.chain()));
    }

    @Test
    void missingPartsTakeDefaultsAndBadOnesAreNamed() {
        WalkLink empty = WalkLink.parse(QueryParameters.empty(), "Once");
        assertEquals(new WalkLink(null, "Once", 1, List.of()), empty);
        assertEquals(5, WalkLink.parse(QueryParameters.simple(Map.of("t", "99")), "x").temperature(), "T is clamped to the slider's range");
        assertEquals("t must be a number, got 'hot'",
                assertThrows(IllegalArgumentException.class, () -> WalkLink.parse(QueryParameters.simple(Map.of("t", "hot")), "x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> WalkLink.parse(QueryParameters.simple(Map.of("chain", "top-k:k")), "x"));
    }

    @Test
    void thePlaygroundsChainBecomesTheWalksTemperatureAndFilters() {
        WalkLink link = WalkLink.of("m", "p", io.gptlens.core.sampling.SamplerChains.standard(0.7, 40, 1, 0.05, 9));
        assertEquals(0.7, link.temperature(), 1e-12);
        assertEquals(List.of("top-k", "min-p"), link.chain().stream().map(StageSpec::name).toList(), "the pick (dist) is the walk's own");
        assertEquals(0, WalkLink.of("m", "p", io.gptlens.core.sampling.SamplerChains.standard(0, 0, 1, 0, 9)).temperature(), "greedy is T = 0");
        assertEquals(1, WalkLink.of("m", "p", List.of(StageSpec.of("top-k", "k", 5))).temperature(), "a chain without temperature walks at T = 1");
        assertEquals("walk?" + link.query().getQueryString(), link.href());
    }

    @Test
    void expressions() {
        assertEquals(new QueryExpression.Sum(List.of("king", "man", "woman"), List.of(1, -1, 1)), QueryExpression.parse(" king - man + woman "));
        assertEquals(new QueryExpression.Sum(List.of("well-known"), List.of(1)), QueryExpression.parse("well-known"));
        assertEquals(new QueryExpression.Cosine("king", "#12"), QueryExpression.parse("cos(king, #12)"));
        assertThrows(IllegalArgumentException.class, () -> QueryExpression.parse("king - "));
        assertThrows(IllegalArgumentException.class, () -> QueryExpression.parse("  "));
    }
}
