#!/usr/bin/env python3
"""Jinja2 oracle for the Java chat-template renderer (io.gptlens.web.chat.ChatTemplate).

What it does
    Renders every *.jinja chat template in a folder with Python's Jinja2, set up
    the way Hugging Face transformers sets it up for apply_chat_template
    (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, the loopcontrols
    extension, a {% generation %} block that just renders its body, HF's tojson
    filter, and the raise_exception / strftime_now globals), for a fixed set of
    conversations. It writes one JSON file:

        {
          "bos_token": "<s>", "eos_token": "</s>", "date": "2026-12-02",
          "conversations": {name: {"add_generation_prompt": bool, "messages": [...]}},
          "<template file name>.jinja": {conversation name: rendered text
                                         | {"error": "<ExceptionType>: <message>"}},
          ...
        }

    with sorted keys: every key ending in ".jinja" is a template, the other
    four keys are the shared inputs. The Java test reads the inputs (conversations, tokens, date)
    from the same file, so both sides render exactly the same thing.

    Deterministic on purpose: strftime_now formats the fixed date 2026-12-02
    00:00:00 (e.g. strftime_now("%d %b %Y") -> "02 Dec 2026"), bos_token and
    eos_token are the same for every template, and `tools` (like `documents`)
    is left undefined, as llama.cpp does when no tools are given. Messages are
    rendered with their keys in sorted order, the order in which the Java side
    reads them back from the (sorted) JSON file.

How to run (Python 3 with jinja2 only; no transformers needed)
    python3 web-ui/src/test/python/render_chat_templates.py \
        <folder with *.jinja templates> \
        web-ui/src/test/resources/chat-templates/jinja2-expected.json

    The templates used for the checked-in file are llama.cpp's
    models/templates/*.jinja. Without the second argument the JSON goes to stdout.
"""

import json
import sys
from datetime import datetime
from pathlib import Path

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

BOS_TOKEN = "<s>"
EOS_TOKEN = "</s>"
FIXED_NOW = datetime(2026, 12, 2, 0, 0, 0)

CONVERSATIONS = {
    "a_system_user": {
        "add_generation_prompt": True,
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Hello! Who are you?"},
        ],
    },
    "b_multi_turn": {
        "add_generation_prompt": True,
        "messages": [
            {"role": "user", "content": "What is 2+2?"},
            {"role": "assistant", "content": "2+2 equals 4."},
            {"role": "user", "content": "And 3+3?"},
        ],
    },
    "c_user_only_no_prompt": {
        "add_generation_prompt": False,
        "messages": [
            {"role": "user", "content": "Hi there"},
        ],
    },
    "d_special_chars": {
        "add_generation_prompt": True,
        "messages": [
            {"role": "system", "content": "You are a \"precise\" assistant.\nAnswer briefly."},
            {"role": "user", "content": "Caf\u00e9 au lait: what's in it?\nPlease list."},
            {"role": "assistant", "content": "Coffee and milk.\n\"Hot\" milk, in fact."},
            {"role": "user", "content": "Merci! \u00dcn\u00efc\u00f8d\u00e9 \u2713 \u65e5\u672c"},
        ],
    },
}


class GenerationBlock(jinja2.ext.Extension):
    """{% generation %}...{% endgeneration %}: HF marks assistant tokens with it; renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render_body"), [], [], body).set_lineno(lineno)

    def _render_body(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # HF overrides Jinja's tojson: no HTML escaping, json.dumps options exposed.
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return FIXED_NOW.strftime(fmt)


def make_env():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[GenerationBlock, jinja2.ext.loopcontrols],
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render_one(env, source, conversation):
    try:
        template = env.from_string(source)
        return template.render(
            # a fresh copy per render, with the key order the sorted JSON file gives the Java side
            messages=json.loads(json.dumps(conversation["messages"], sort_keys=True)),
            add_generation_prompt=conversation["add_generation_prompt"],
            bos_token=BOS_TOKEN,
            eos_token=EOS_TOKEN,
        )
    except Exception as e:  # the Java side must fail as well
        return {"error": f"{type(e).__name__}: {e}"}


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[1])
    env = make_env()
    templates = {}
    for path in sorted(folder.glob("*.jinja")):
        source = path.read_text(encoding="utf-8")
        templates[path.name] = {name: render_one(env, source, conv) for name, conv in CONVERSATIONS.items()}
    result = dict(templates)
    result.update({
        "bos_token": BOS_TOKEN,
        "eos_token": EOS_TOKEN,
        "date": FIXED_NOW.date().isoformat(),
        "conversations": CONVERSATIONS,
    })
    text = json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if len(argv) == 3:
        Path(argv[2]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
