#!/usr/bin/env python3
"""Renders every template here with Python's jinja2 exactly as Hugging Face transformers does
(ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True), {% generation %}, loopcontrols, HF's tojson,
raise_exception, strftime_now) and writes the expectations to expected.json.

Run from this directory: python3 gen_expected.py   (Jinja2 3.1.6 produced the committed file)
"""
import json
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


class TemplateError(Exception):
    pass


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # transformers' own tojson: no HTML escaping, non-ASCII kept.
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return datetime.now().strftime(fmt)


class AssistantTracker(Extension):
    """transformers' {% generation %} block, minus the index tracking: renders its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

TOKENS = {
    "llama3": ("<|begin_of_text|>", "<|eot_id|>"),
    "llama3.2": ("<|begin_of_text|>", "<|eot_id|>"),
    "qwen2.5": ("", "<|im_end|>"),
    "mistral-v0.3": ("<s>", "</s>"),
    "smollm2": ("<|im_start|>", "<|im_end|>"),
    "python-isms": ("<s>", "</s>"),
}

SYS = {"role": "system", "content": "You are a terse assistant."}
CONVERSATIONS = {
    "user": [{"role": "user", "content": "Hello!"}],
    "system_user": [SYS, {"role": "user", "content": "What is 2+2?"}],
    "multi_turn": [
        SYS,
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "  Hello! How can I help?  "},
        {"role": "user", "content": "Tell me a joke?"},
    ],
    "unicode_whitespace": [
        {"role": "user", "content": "  Café 🙂 你好 — “quotes” \"dq\" 'sq' \\ <tag>\n"},
        {"role": "assistant", "content": "\nNaïve\t"},
        {"role": "user", "content": "ok"},
    ],
    "roles_not_alternating": [{"role": "user", "content": "one"}, {"role": "user", "content": "two"}],
}

# Templates that take tools: tool definitions, assistant tool calls and tool results.
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                                                    "unit": {"type": "string", "enum": ["°C", "°F"]}},
                   "required": ["city"]}}}
TOOL_CONVERSATIONS = {
    "llama3.2": [
        SYS,
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "",
         "tool_calls": [{"type": "function", "function": {"name": "get_weather",
                                                          "arguments": {"city": "Paris", "unit": "°C"}}}]},
        {"role": "tool", "content": "{\"temp\": 21}"},
        {"role": "user", "content": "Thanks"},
    ],
    "qwen2.5": [
        SYS,
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "",
         "tool_calls": [{"type": "function", "function": {"name": "get_weather",
                                                          "arguments": {"city": "Paris", "unit": "°C"}}}]},
        {"role": "tool", "content": "{\"temp\": 21}"},
        {"role": "user", "content": "Thanks"},
    ],
    "mistral-v0.3": [
        SYS,
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "",
         "tool_calls": [{"id": "abc123XYZ", "type": "function",
                         "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "°C"}}}]},
        {"role": "tool", "content": "{\"temp\": 21}", "tool_call_id": "abc123XYZ"},
        {"role": "assistant", "content": "It is 21 °C."},
        {"role": "user", "content": "Thanks"},
    ],
}

cases = []
for name, messages in TOOL_CONVERSATIONS.items():
    bos, eos = TOKENS[name]
    template = env.from_string(open(name + ".jinja", encoding="utf-8").read())
    for gen in (True, False):
        cases.append({"template": name, "conversation": "tools", "messages": messages, "tools": [WEATHER_TOOL],
                      "add_generation_prompt": gen, "bos_token": bos, "eos_token": eos,
                      "expected": template.render(messages=messages, tools=[WEATHER_TOOL], documents=None,
                                                  add_generation_prompt=gen, bos_token=bos, eos_token=eos)})

for name, (bos, eos) in TOKENS.items():
    source = open(name + ".jinja", encoding="utf-8").read()
    template = env.from_string(source)
    for conv_name, messages in CONVERSATIONS.items():
        for gen in (True, False):
            case = {"template": name, "conversation": conv_name, "messages": messages,
                    "add_generation_prompt": gen, "bos_token": bos, "eos_token": eos}
            try:
                case["expected"] = template.render(messages=messages, tools=None, documents=None,
                                                   add_generation_prompt=gen, bos_token=bos, eos_token=eos)
            except TemplateError as e:
                case["error"] = str(e)
            cases.append(case)

TODAY = strftime_now("%d %b %Y")
for case in cases:
    if "expected" in case:
        case["expected"] = case["expected"].replace(TODAY, "__TODAY__")

with open("expected.json", "w", encoding="utf-8") as f:
    json.dump({"jinja2": jinja2.__version__, "cases": cases}, f, ensure_ascii=False, indent=1)
print(len(cases), "cases;", sum("error" in c for c in cases), "raise_exception")
