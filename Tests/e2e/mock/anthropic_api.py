"""Anthropic Messages: /v1/messages (JSON and SSE), /v1/messages/count_tokens, GET /v1/models."""
from __future__ import annotations

import json

from .common import JsonReply, StreamReply, count_tokens, new_id, pieces, sse, split_n, text_of, tool_args_for

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


def _plan(body, script):
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise ValueError("messages: field required")
    if not body.get("max_tokens"):
        raise ValueError("max_tokens: field required")
    prompt = count_tokens(_system_text(body.get("system")), *[text_of(m.get("content")) for m in msgs])
    last = msgs[-1]
    user_text = next((text_of(m.get("content")) for m in reversed(msgs)
                      if m.get("role") == "user" and not _is_tool_result(m)), "")
    if script.text is not None:
        return [{"type": "text", "text": script.text}], "end_turn", prompt
    if _is_tool_result(last):
        results = [text_of(b.get("content")) for b in last["content"] if b.get("type") == "tool_result"]
        return [{"type": "text", "text": "tool said: " + " ".join(results)}], "end_turn", prompt
    tools = body.get("tools") or []
    choice = body.get("tool_choice") or {}
    if tools and choice.get("type") != "none":
        tool = tools[0]
        if choice.get("type") == "tool":
            tool = next((t for t in tools if t.get("name") == choice.get("name")), tool)
        return ([{"type": "text", "text": f"calling {tool['name']}"},
                 {"type": "tool_use", "id": new_id("toolu_mock"), "name": tool["name"],
                  "input": tool_args_for(user_text)}], "tool_use", prompt)
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
    out_tokens = count_tokens(*[b.get("text") or json.dumps(b.get("input")) for b in content])
    mid = new_id("msg_mock")
    model = body["model"]
    headers = {"request-id": new_id("req_mock")}
    if not body.get("stream"):
        return JsonReply(200, {
            "id": mid, "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": prompt, "output_tokens": out_tokens,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
        }, headers)

    events = []

    def ev(typ, **fields):
        events.append(sse({"type": typ, **fields}, event=typ))

    ev("message_start", message={
        "id": mid, "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": prompt, "output_tokens": 1,
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}})
    for i, block in enumerate(content):
        if block["type"] == "text":
            ev("content_block_start", index=i, content_block={"type": "text", "text": ""})
            if i == 0:
                ev("ping")
            for p in pieces(block["text"]):
                ev("content_block_delta", index=i, delta={"type": "text_delta", "text": p})
        else:
            ev("content_block_start", index=i,
               content_block={"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}})
            ev("content_block_delta", index=i, delta={"type": "input_json_delta", "partial_json": ""})
            for frag in split_n(json.dumps(block["input"]), 3):
                ev("content_block_delta", index=i, delta={"type": "input_json_delta", "partial_json": frag})
        ev("content_block_stop", index=i)
    ev("message_delta", delta={"stop_reason": stop, "stop_sequence": None}, usage={"output_tokens": out_tokens})
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
