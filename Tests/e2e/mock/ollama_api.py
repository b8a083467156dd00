"""Ollama native API: /api/chat (NDJSON stream by default), /api/embed, /api/tags."""
from __future__ import annotations

from .common import JsonReply, StreamReply, count_tokens, embedding, ndjson, pieces, text_of, tool_args_for

_CREATED = "2024-07-22T20:33:28.123648Z"


def error(status: int, message: str) -> dict:
    return {"error": message}


def chat(rec, script):
    body = rec.body
    if not isinstance(body, dict):
        return JsonReply(400, error(400, "invalid character in JSON"))
    model = body.get("model")
    if not model:
        return JsonReply(400, error(400, "model is required"))
    msgs = body.get("messages") or []
    prompt = count_tokens(*[text_of(m.get("content")) for m in msgs])
    user_text = next((text_of(m.get("content")) for m in reversed(msgs) if m.get("role") == "user"), "")
    last = msgs[-1] if msgs else {}
    calls = None
    if script.text is not None:
        text = script.text
    elif last.get("role") == "tool":
        text = f"tool said: {text_of(last.get('content'))}"
    elif body.get("tools"):
        fn = body["tools"][0].get("function", body["tools"][0])
        calls = [{"function": {"name": fn.get("name", "tool"), "arguments": tool_args_for(user_text)}}]
        text = ""
    else:
        text = f"echo: {user_text}"
    out = count_tokens(text or str(calls))
    final = {"model": model, "created_at": _CREATED, "done": True, "done_reason": "stop",
             "total_duration": 5_000_000, "load_duration": 1_000_000, "prompt_eval_count": prompt,
             "prompt_eval_duration": 1_000_000, "eval_count": out, "eval_duration": 2_000_000}
    if body.get("stream") is False:
        msg = {"role": "assistant", "content": text}
        if calls:
            msg["tool_calls"] = calls
        return JsonReply(200, dict(final, message=msg))
    lines = []
    if calls:
        lines.append(ndjson({"model": model, "created_at": _CREATED,
                             "message": {"role": "assistant", "content": "", "tool_calls": calls}, "done": False}))
    else:
        for p in pieces(text):
            lines.append(ndjson({"model": model, "created_at": _CREATED,
                                 "message": {"role": "assistant", "content": p}, "done": False}))
    lines.append(ndjson(dict(final, message={"role": "assistant", "content": ""})))
    return StreamReply(200, "application/x-ndjson", lines)


def embed(rec, script):
    body = rec.body
    if not isinstance(body, dict) or "input" not in body:
        return JsonReply(400, error(400, "input is required"))
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    return JsonReply(200, {"model": body.get("model", ""), "embeddings": [embedding(str(x), 8) for x in inputs],
                           "total_duration": 1_000_000, "load_duration": 100_000,
                           "prompt_eval_count": count_tokens(*map(str, inputs))})


def tags(rec, script):
    return JsonReply(200, {"models": [{"name": "llama3.1:8b", "model": "llama3.1:8b", "size": 4_661_224_676}]})
