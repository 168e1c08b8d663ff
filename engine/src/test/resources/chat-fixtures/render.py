#!/usr/bin/env python3
"""Expected renderings of real chat templates, made as Hugging Face transformers' apply_chat_template makes them.

For every template of templates.json and every conversation of cases.json, with add_generation_prompt on and
off, this renders the template with Python's Jinja2 in the environment transformers builds for chat templates
(transformers/utils/chat_template_utils.py, _compile_jinja_template and render_jinja_template):

  ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                extensions=[AssistantTracker, jinja2.ext.loopcontrols])
  filters["tojson"] = json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)
  globals["raise_exception"] raises TemplateError(message); globals["strftime_now"] = datetime.now().strftime
  render(messages=..., tools=<list or None>, documents=None, add_generation_prompt=..., **special_tokens, **extra)

where special_tokens holds bos_token and eos_token when the model has them (transformers passes its
special_tokens_map, which leaves out unset tokens), and extra the case's template kwargs (enable_thinking). It
writes expected/<template>.json: per case and add_generation_prompt the output, or the exception the template
raised (type and message). Today's date, which Llama 3.2's template prints, is written as __TODAY__.

It also renders expressions.json (small templates exercising Jinja2's semantics) into expected/expressions.json.

Qwen3's template is read from the shared test data, ../shared/tokenizers/qwen3/tokenizer_config.json beside the
repository (third-party data: never copied into the repository).

The committed expected/ files were made with Python 3.11.7 and Jinja2 3.1.6, from the repository root, by:

    python3 engine/src/test/resources/chat-fixtures/render.py
"""
import json
import os
import sys
from datetime import datetime
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = Path(__file__).resolve().parent


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # transformers' own tojson: Jinja2's escapes HTML characters, this one does not.
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


class AssistantTracker(Extension):
    """transformers' {% generation %} block; outside return_assistant_tokens_mask it renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render_assistant"), [], [], body).set_lineno(lineno)

    def _render_assistant(self, caller):
        return caller()


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def find_shared():
    for directory in [Path.cwd(), *Path.cwd().parents]:
        candidate = directory / "shared"
        if (candidate / "tokenizers").is_dir():
            return candidate
    sys.exit("shared test data not found: no shared/tokenizers above " + str(Path.cwd()))


def token_text(value):
    return value.get("content") if isinstance(value, dict) else value


def load_template(spec):
    if "shared" in spec:
        directory = find_shared() / spec["shared"]
        jinja_file = directory / "chat_template.jinja"
        config = json.loads((directory / "tokenizer_config.json").read_text(encoding="utf-8"))
        if jinja_file.is_file():
            source = jinja_file.read_text(encoding="utf-8")
        else:
            source = config["chat_template"]
            if isinstance(source, list):
                named = {t["name"]: t["template"] for t in source}
                source = named.get("default", source[0]["template"])
        return source, token_text(config.get("bos_token")), token_text(config.get("eos_token"))
    if "robin" in spec:  # a template of Robin's own (its synthetic models'), from the repository's main code
        return (HERE.parents[4] / spec["robin"]).read_text(encoding="utf-8"), spec.get("bos_token"), spec.get("eos_token")
    return (HERE / spec["file"]).read_text(encoding="utf-8"), spec.get("bos_token"), spec.get("eos_token")


def outcome(render):
    try:
        return {"output": render()}
    except Exception as e:  # the template's own refusal (TemplateError) or a Python error it runs into
        return {"error": type(e).__name__, "message": str(e)}


def main():
    env = environment()
    today = strftime_now("%d %b %Y")
    cases = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))["cases"]
    templates = json.loads((HERE / "templates.json").read_text(encoding="utf-8"))["templates"]
    (HERE / "expected").mkdir(exist_ok=True)
    for spec in templates:
        source, bos, eos = load_template(spec)
        template = env.from_string(source)
        special = {k: v for k, v in (("bos_token", bos), ("eos_token", eos)) if v is not None}
        renders = []
        for case in cases:
            for generation in (True, False):
                variables = dict(special, **case.get("extra", {}))
                result = outcome(lambda: template.render(
                    messages=case["messages"], tools=case.get("tools"), documents=None,
                    add_generation_prompt=generation, **variables))
                if "output" in result:
                    result["output"] = result["output"].replace(today, "__TODAY__")
                renders.append({"case": case["name"], "add_generation_prompt": generation, **result})
        write(spec["name"], {"jinja2": jinja2.__version__, "template": spec["name"], "renders": renders})
        errors = sum("error" in r for r in renders)
        print(f"{spec['name']}: {len(renders)} renderings, {errors} raised")

    expressions = json.loads((HERE / "expressions.json").read_text(encoding="utf-8"))
    results = []
    for source in expressions["templates"]:
        try:
            template = env.from_string(source)
        except jinja2.exceptions.TemplateSyntaxError as e:  # TemplateAssertionError too (unknown filter or test)
            results.append({"template": source, "error": "TemplateSyntaxError", "message": e.message})
            continue
        results.append({"template": source, **outcome(lambda: template.render(**expressions["variables"]))})
    write("expressions", {"jinja2": jinja2.__version__, "results": results})
    print(f"expressions: {len(results)} templates")


def write(name, data):
    with open(HERE / "expected" / (name + ".json"), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
