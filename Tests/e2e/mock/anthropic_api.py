"""Anthropic Messages: /v1/messages (JSON and SSE), /v1/messages/count_tokens, GET /v1/models."""
from __future__ import annotations

import json

from .common import (JsonReply, StreamReply, count_tokens, mint_signature, new_id, pieces, schema_sample, signature_ok, sse,
                     split_n, text_of, tool_args_for)

_ERR_TYPES = {
    400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
    404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
    500: "api_error", 529: "overloaded_error",
}


def error(status: int, message: str) -> dict:
    typ = _ERR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": typ, "message": message}}


def _system_text(system) -> str:
    return text_of(system) if system else ""


def _is_tool_result(msg) -> bool:
    c = msg.get("content")
    return isinstance(c, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in c)


def _thinking_on(body) -> bool:
    t = body.get("thinking")
    return isinstance(t, dict) and t.get("type") == "enabled"


def _check_thinking(body):
    """Anthropic's own checks on extended thinking (each a 400 there): the budget, forced tool
    choice, the signatures of replayed thinking blocks, and the rule that in a tool loop the
    last assistant turn starts with its thinking block."""
    msgs = body["messages"]
    for i, m in enumerate(msgs):
        c = m.get("content")
        if m.get("role") != "assistant" or not isinstance(c, list):
            continue
        for j, b in enumerate(c):
            if isinstance(b, dict) and b.get("type") == "thinking":
                if not signature_ok(b.get("thinking") or "", b.get("signature")):
                    raise ValueError(f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block")
            if isinstance(b, dict) and b.get("type") == "redacted_thinking" and not b.get("data"):
                raise ValueError(f"messages.{i}.content.{j}.data: Field required")
    if not _thinking_on(body):
        return
    budget = body["thinking"].get("budget_tokens")
    if not isinstance(budget, int) or budget < 1024:
        raise ValueError("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
    if budget >= body["max_tokens"]:
        raise ValueError("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
                         "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
                         "#max-tokens-and-context-window-size")
    if (body.get("tool_choice") or {}).get("type") in ("any", "tool"):
        raise ValueError("Thinking may not be enabled when tool_choice forces tool use.")
    if _is_tool_result(msgs[-1]):
        k = max((i for i, m in enumerate(msgs) if m.get("role") == "assistant"), default=None)
        c = msgs[k].get("content") if k is not None else None
        first = c[0] if isinstance(c, list) and c else {"type": "text"}
        if first.get("type") not in ("thinking", "redacted_thinking"):
            raise ValueError(f"messages.{k}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
                             f"`{first.get('type')}`. When `thinking` is enabled, a final `assistant` message must "
                             "start with a thinking block (preceeding the lastmost set of `tool_use` and "
                             "`tool_result` blocks). We recommend you include thinking blocks from previous turns. "
                             "To avoid this requirement, disable `thinking`.")


def _output_schema(body):
    """The JSON schema of a structured-output request (GA `output_config.format`, or the beta
    `output_format`), or None."""
    fmt = (body.get("output_config") or {}).get("format") or body.get("output_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        return fmt.get("schema")
    return None


def _with_thinking(body, script, content, user_text):
    """With thinking on, the answer starts with a signed thinking block (and a redacted one
    when the script asks for it)."""
    if not _thinking_on(body) or script.text is not None:
        return content
    thought = f"thinking about: {user_text}" if not _is_tool_result(body["messages"][-1]) else "thinking about the result"
    blocks = [{"type": "thinking", "thinking": thought, "signature": mint_signature(thought)}]
    if script.redacted_thinking is not None:
        blocks.append({"type": "redacted_thinking", "data": script.redacted_thinking})
    return blocks + content


def _plan(body, script):
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise ValueError("messages: field required")
    if not body.get("max_tokens"):
        raise ValueError("max_tokens: field required")
    _check_thinking(body)
    prompt = count_tokens(_system_text(body.get("system")), *[text_of(m.get("content")) for m in msgs])
    last = msgs[-1]
    user_text = next((text_of(m.get("content")) for m in reversed(msgs)
                      if m.get("role") == "user" and not _is_tool_result(m)), "")
    if script.text is not None:
        return [{"type": "text", "text": script.text}], "end_turn", prompt
    if _is_tool_result(last):
        results = [text_of(b.get("content")) for b in last["content"] if b.get("type") == "tool_result"]
        return [{"type": "text", "text": "tool said: " + " ".join(results)}], "end_turn", prompt
    all_tools = body.get("tools") or []
    tools = [t for t in all_tools if t.get("type") in (None, "custom")]  # not server tools
    choice = body.get("tool_choice") or {}
    if script.calls:
        return ([{"type": "text", "text": "calling " + ", ".join(c["name"] for c in script.calls)}] +
                [{"type": "tool_use", "id": c.get("id") or new_id("toolu_mock"), "name": c["name"], "input": c["arguments"]}
                 for c in script.calls], "tool_use", prompt)
    if tools and choice.get("type") != "none":
        tool = tools[0]
        if choice.get("type") == "tool":
            tool = next((t for t in tools if t.get("name") == choice.get("name")), tool)
        return ([{"type": "text", "text": f"calling {tool['name']}"},
                 {"type": "tool_use", "id": new_id("toolu_mock"), "name": tool["name"],
                  "input": tool_args_for(user_text)}], "tool_use", prompt)
    if any(str(t.get("type", "")).startswith("web_search_") for t in all_tools):
        sid = new_id("srvtoolu_mock")
        return ([{"type": "server_tool_use", "id": sid, "name": "web_search", "input": {"query": user_text}},
                 {"type": "web_search_tool_result", "tool_use_id": sid, "content": [
                     {"type": "web_search_result", "url": "https://example.com/found", "title": "Found",
                      "encrypted_content": "EqgfCioIARgBIiQ3", "page_age": None}]},
                 {"type": "text", "text": f"echo: {user_text}"}], "end_turn", prompt)
    schema = _output_schema(body)
    if schema is not None:
        return [{"type": "text", "text": json.dumps(schema_sample(schema, user_text))}], "end_turn", prompt
    return [{"type": "text", "text": f"echo: {user_text}"}], "end_turn", prompt


def _bad(e) -> JsonReply:
    return JsonReply(400, error(400, str(e)))


def messages(rec, script):
    body = rec.body
    if not isinstance(body, dict):
        return _bad("There was an error parsing the body of your request")
    if not body.get("model"):
        return _bad("model: field required")
    try:
        content, stop, prompt = _plan(body, script)
    except ValueError as e:
        return _bad(e)
    user_text = next((text_of(m.get("content")) for m in reversed(body["messages"])
                      if m.get("role") == "user" and not _is_tool_result(m)), "")
    content = _with_thinking(body, script, content, user_text)
    out_tokens = count_tokens(*[b.get("text") or b.get("thinking") or json.dumps(b.get("input"))
                                for b in content if b["type"] in ("text", "thinking", "tool_use", "server_tool_use")])
    mid = new_id("msg_mock")
    model = body["model"]
    headers = {"request-id": new_id("req_mock")}
    usage = {"input_tokens": prompt, "output_tokens": out_tokens,
             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    if any(b["type"] == "server_tool_use" for b in content):
        usage["server_tool_use"] = {"web_search_requests": 1}
    usage.update(script.usage or {})
    out_tokens = usage["output_tokens"]
    if not body.get("stream"):
        return JsonReply(200, {
            "id": mid, "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stop, "stop_sequence": None, "usage": usage,
        }, headers)

    events = []

    def ev(typ, **fields):
        events.append(sse({"type": typ, **fields}, event=typ))

    ev("message_start", message={
        "id": mid, "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None,
        "usage": dict({k: v for k, v in usage.items() if k != "server_tool_use"}, output_tokens=1)})
    for i, block in enumerate(content):
        if block["type"] == "text":
            ev("content_block_start", index=i, content_block={"type": "text", "text": ""})
            if i == 0:
                ev("ping")
            for p in pieces(block["text"]):
                ev("content_block_delta", index=i, delta={"type": "text_delta", "text": p})
        elif block["type"] == "thinking":
            ev("content_block_start", index=i, content_block={"type": "thinking", "thinking": "", "signature": ""})
            if i == 0:
                ev("ping")
            for p in pieces(block["thinking"]):
                ev("content_block_delta", index=i, delta={"type": "thinking_delta", "thinking": p})
            ev("content_block_delta", index=i, delta={"type": "signature_delta", "signature": block["signature"]})
        elif block["type"] in ("redacted_thinking", "web_search_tool_result"):
            ev("content_block_start", index=i, content_block=block)
        elif block["type"] == "server_tool_use":
            ev("content_block_start", index=i,
               content_block={"type": "server_tool_use", "id": block["id"], "name": block["name"], "input": {}})
            ev("content_block_delta", index=i, delta={"type": "input_json_delta", "partial_json": json.dumps(block["input"])})
        else:
            ev("content_block_start", index=i,
               content_block={"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}})
            ev("content_block_delta", index=i, delta={"type": "input_json_delta", "partial_json": ""})
            for frag in split_n(json.dumps(block["input"]), 3):
                ev("content_block_delta", index=i, delta={"type": "input_json_delta", "partial_json": frag})
        ev("content_block_stop", index=i)
    end_usage = {"output_tokens": out_tokens}
    if "server_tool_use" in usage:
        end_usage["server_tool_use"] = usage["server_tool_use"]
    ev("message_delta", delta={"stop_reason": stop, "stop_sequence": None}, usage=end_usage)
    ev("message_stop")
    return StreamReply(200, "text/event-stream; charset=utf-8", events, headers)


def count_tokens_endpoint(rec, script):
    body = rec.body
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return _bad("messages: field required")
    n = count_tokens(_system_text(body.get("system")), *[text_of(m.get("content")) for m in body["messages"]])
    return JsonReply(200, {"input_tokens": n})



MODELS = [("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
          ("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z")]


def list_models(rec, script):
    """GET /v1/models as Anthropic answers it (asked with anthropic-version)."""
    data = [{"type": "model", "id": m, "display_name": d, "created_at": c} for m, d, c in MODELS]
    return JsonReply(200, {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]})
