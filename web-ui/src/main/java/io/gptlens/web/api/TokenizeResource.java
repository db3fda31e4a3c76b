package io.gptlens.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.plugins.TokenizerRegistry;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** llama-server's {@code POST /tokenize} and {@code POST /detokenize}, with an optional {@code model}. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenizeResource {

    private final ModelRegistry registry;
    private final TokenizerRegistry tokenizers;

    public TokenizeResource(ModelRegistry registry, TokenizerRegistry tokenizers) {
        this.registry = registry;
        this.tokenizers = tokenizers;
    }

    /**
     * Tokenize request.
     *
     * @param content      the text
     * @param addSpecial   add BOS and the like (default false, as llama-server)
     * @param parseSpecial recognise special tokens in the text (default true, as llama-server)
     * @param withPieces   return {@code {"id", "piece"}} objects instead of bare ids (default false)
     * @param model        model id (default: the default model)
     * @param tokenizer    a tokenizer by name (see {@code GET /api/tokenizers}); default: the model's own
     */
    public record TokenizeRequest(String content, @JsonProperty("add_special") Boolean addSpecial,
                                  @JsonProperty("parse_special") Boolean parseSpecial, @JsonProperty("with_pieces") Boolean withPieces,
                                  String model, String tokenizer) {
    }

    /** Detokenize request. */
    public record DetokenizeRequest(List<Integer> tokens, String model, String tokenizer) {
    }

    /** The tokenizers that can cut a model: its own and every provider (built-in or plugin), each with whether it reads this model. */
    @jakarta.ws.rs.GET
    @Path("api/tokenizers")
    public List<Map<String, Object>> tokenizers(@jakarta.ws.rs.QueryParam("model") String model) {
        return tokenizers.choicesJson(registry.resolve(model));
    }

    @POST
    @Path("tokenize")
    public Map<String, Object> tokenize(TokenizeRequest r) {
        if (r == null || r.content() == null) {
            throw new ApiException(400, "'content' is required: the text to tokenize");
        }
        LoadedModel m = registry.resolve(r.model());
        Tokenizer t = tokenizers.forModel(m, r.tokenizer());
        int[] ids = t.encode(r.content(), Boolean.TRUE.equals(r.addSpecial()), r.parseSpecial() == null || r.parseSpecial());
        if (!Boolean.TRUE.equals(r.withPieces())) {
            return Map.of("tokens", ids);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int id : ids) {
            Piece p = t.piece(id, true);
            byte[] bytes = p.bytes();
            boolean validUtf8 = new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8).length == bytes.length
                    && !new String(bytes, StandardCharsets.UTF_8).contains("\uFFFD");
            Object piece;
            if (validUtf8) {
                piece = p.text();
            } else {
                List<Integer> b = new ArrayList<>();
                for (byte x : bytes) {
                    b.add(x & 0xFF);
                }
                piece = b; // as llama-server: a piece that is not valid UTF-8 is a list of byte values
            }
            out.add(Map.of("id", id, "piece", piece));
        }
        return Map.of("tokens", out);
    }

    @POST
    @Path("detokenize")
    public Map<String, Object> detokenize(DetokenizeRequest r) {
        if (r == null || r.tokens() == null) {
            throw new ApiException(400, "'tokens' is required: a list of token ids");
        }
        LoadedModel m = registry.resolve(r.model());
        int[] ids = r.tokens().stream().mapToInt(i -> {
            if (i == null) {
                throw new ApiException(400, "'tokens' must not contain null");
            }
            return i;
        }).toArray();
        return Map.of("content", tokenizers.forModel(m, r.tokenizer()).decode(ids, false, true));
    }
}
