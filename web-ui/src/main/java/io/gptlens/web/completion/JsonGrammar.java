package io.gptlens.web.completion;

/**
 * The GBNF grammar that {@code response_format: {"type": "json_object"}} turns into: one JSON
 * object (RFC 8259), with whitespace bounded so that a model cannot loop on blanks forever, and
 * numbers bounded to 16 digits per part. Written here for llama.cpp's GBNF dialect.
 */
final class JsonGrammar {

    static final String GBNF = """
            root    ::= object
            value   ::= object | array | string | number | "true" | "false" | "null"
            object  ::= "{" ws ( member ( "," ws member )* )? "}" ws
            member  ::= string ws ":" ws value ws
            array   ::= "[" ws ( value ws ( "," ws value ws )* )? "]" ws
            string  ::= "\\"" ( [^"\\\\\\x00-\\x1f] | "\\\\" ( ["\\\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\\""
            number  ::= "-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,16} )?
            ws      ::= ( " " | "\\n" [ \\t]{0,20} )?
            """;

    private JsonGrammar() {
    }
}
