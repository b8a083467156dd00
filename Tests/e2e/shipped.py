"""The shipped routes.yaml, run as a user runs it, with the provider endpoints pointed at the mock.

The shipped file reads every provider key from the environment (OPENAI_API_KEY, ...) and leaves
the endpoints at the providers' real URLs. A test takes the file as it is, with only:
  - its `admin.listen` moved to a free port (the shipped 127.0.0.1:9091 would collide),
  - a top-level `providers:` block (replacing the shipped one, if it grows one) that points each
    provider at the mock (`endpoint:` only, plus what a provider cannot go without: vertex's
    project and region; and a test's own additions, e.g. configured `models:`),
and the provider keys given in the gateway's environment (KEY_ENV).

`enable_direct_keys()` and `add_plugin_before_ai_proxy()` make the two changes a user makes to
the shipped file when the docs tell them to: "Allow Direct API keys" and the `anthropic-beta`
allowlist.
"""
from __future__ import annotations

import re

from conftest import ROOT

SHIPPED = ROOT / "routes.yaml"

OPENAI_KEY = "sk-openai-upstream"
ANTHROPIC_KEY = "sk-ant-upstream"
GEMINI_KEY = "gemini-upstream"
AZURE_KEY = "azure-upstream"
VERTEX_TOKEN = "ya29.vertex-upstream"
VERTEX_PROJECT, VERTEX_REGION = "proj-7", "us-central1"

# the keys a user exports before `make run`
KEY_ENV = {"OPENAI_API_KEY": OPENAI_KEY, "ANTHROPIC_API_KEY": ANTHROPIC_KEY, "GEMINI_API_KEY": GEMINI_KEY,
           "AZURE_API_KEY": AZURE_KEY, "VERTEX_ACCESS_TOKEN": VERTEX_TOKEN}

PROVIDERS = {
    "openai": 'endpoint: "{{MOCK}}/v1"',
    "anthropic": 'endpoint: "{{MOCK}}"',
    "gemini": 'endpoint: "{{MOCK}}"',
    "vertex": f'endpoint: "{{{{MOCK}}}}", project: {VERTEX_PROJECT}, region: {VERTEX_REGION}',
    "azure": 'endpoint: "{{MOCK}}"',
    "ollama": 'endpoint: "{{MOCK}}"',
}

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*:", re.M)


def shipped_text() -> str:
    return SHIPPED.read_text()


def _drop_top_level_block(text: str, key: str) -> str:
    """`text` without its top-level `key:` block (the key's line up to the next top-level key)."""
    m = re.search(rf"^{re.escape(key)}:.*$", text, re.M)
    if not m:
        return text
    nxt = _TOP_KEY.search(text, m.end())
    return text[:m.start()] + (text[nxt.start():] if nxt else "")


def _admin_on_free_port(text: str) -> str:
    m = re.search(r"^admin:[^\n]*\n((?:[ \t]+[^\n]*\n|[ \t]*\n)*)", text, re.M)
    if m and re.search(r"^[ \t]+listen:", m.group(1), re.M):
        block = re.sub(r"(?m)^([ \t]+listen:)[^\n]*", r"\1 {{ADMIN}}", m.group(1), count=1)
        return text[:m.start(1)] + block + text[m.end(1):]
    if m:
        return text[:m.start(1)] + "  listen: {{ADMIN}}\n" + text[m.start(1):]
    return text + "\nadmin:\n  listen: {{ADMIN}}\n"


def shipped_config(text: str | None = None, providers: dict | None = None) -> str:
    """A template (see conftest) of the shipped routes.yaml (or `text`, a changed copy of it)
    with the providers pointed at the mock. `providers`: name -> flow-mapping body, merged
    over PROVIDERS (None as a value drops that provider's entry)."""
    text = shipped_text() if text is None else text
    text = _admin_on_free_port(_drop_top_level_block(text, "providers"))
    entries = dict(PROVIDERS)
    for k, v in (providers or {}).items():
        if v is None:
            entries.pop(k, None)
        else:
            entries[k] = v
    block = "providers:\n" + "".join(f"  {k}: {{{v}}}\n" for k, v in entries.items())
    if not text.endswith("\n"):
        text += "\n"
    return text + "\n# added by the e2e suite: the providers point at the mock upstream\n" + block


# --------------------------------------------------------------------------- user edits

def _route_blocks(text: str):
    """(start, end, uri) of each item of the top-level `routes:` list."""
    m = re.search(r"^routes:[^\n]*\n", text, re.M)
    if not m:
        return []
    nxt = _TOP_KEY.search(text, m.end())
    end = nxt.start() if nxt else len(text)
    body = text[m.end():end]
    starts = [x.start() + m.end() for x in re.finditer(r"^[ \t]*- ", body, re.M)
              if len(x.group(0)) - 2 == min(len(y.group(0)) - 2 for y in re.finditer(r"^[ \t]*- ", body, re.M))]
    out = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else end
        u = re.search(r"\buri:\s*([^\s,}]+)", text[s:e])
        out.append((s, e, u.group(1) if u else ""))
    return out


def _edit_routes(text: str, uri_prefix: str, edit) -> str:
    changed = 0
    for s, e, uri in reversed(_route_blocks(text)):
        if uri.startswith(uri_prefix):
            new = edit(text[s:e])
            if new != text[s:e]:
                text = text[:s] + new + text[e:]
                changed += 1
    assert changed, f"no route under {uri_prefix!r} with an ai-proxy in the shipped routes.yaml to change"
    return text


def enable_direct_keys(text: str, uri_prefix: str = "/") -> str:
    """The shipped file with `allow_direct_keys: true` in the ai-proxy of every route under
    `uri_prefix` (the docs' "Allow Direct API keys" option)."""
    def edit(block: str) -> str:
        if "allow_direct_keys" in block:
            return re.sub(r"allow_direct_keys:\s*false", "allow_direct_keys: true", block)
        b = re.sub(r"ai-proxy:\s*\{\s*\}", "ai-proxy: {allow_direct_keys: true}", block)
        if b != block:
            return b
        b = re.sub(r"ai-proxy:\s*\{", "ai-proxy: {allow_direct_keys: true, ", block, count=1)
        if b != block:
            return b
        m = re.search(r"^([ \t]*)- ai-proxy:[ \t]*(?:#[^\n]*)?\n([ \t]+)", block, re.M)
        if m and len(m.group(2)) > len(m.group(1)) + 2:  # a block mapping under ai-proxy
            return block[:m.end()] + "allow_direct_keys: true\n" + m.group(2) + block[m.end():]
        m = re.search(r"^([ \t]*)- ai-proxy:[ \t]*(?:~|null)?[ \t]*(?:#[^\n]*)?$", block, re.M)
        if m:  # ai-proxy with no settings
            return block[:m.start()] + f"{m.group(1)}- ai-proxy: {{allow_direct_keys: true}}" + block[m.end():]
        return block
    return _edit_routes(text, uri_prefix, edit)


def add_plugin_before_ai_proxy(text: str, uri_prefix: str, plugin: str) -> str:
    """The shipped file with `plugin` (e.g. "header-allowlist: {allow: [anthropic-beta]}")
    ahead of ai-proxy on every route under `uri_prefix`."""
    def edit(block: str) -> str:
        m = re.search(r"^([ \t]*)- ai-proxy:", block, re.M)
        if m:
            return block[:m.start()] + f"{m.group(1)}- {plugin}\n" + block[m.start():]
        b = re.sub(r"plugins:\s*\[", f"plugins: [{{{plugin}}}, ", block, count=1)
        return b
    return _edit_routes(text, uri_prefix, edit)


def with_top_level(text: str, key: str, block: str) -> str:
    """The file with its top-level `key:` block replaced by `block` (which starts with `key:`)."""
    text = _drop_top_level_block(text, key)
    if not text.endswith("\n"):
        text += "\n"
    return text + block if block.endswith("\n") else text + block + "\n"
