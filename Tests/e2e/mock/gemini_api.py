"""Gemini (Generative Language API): generateContent, streamGenerateContent (SSE with
alt=sse, else a streamed JSON array), embedContent, batchEmbedContents, countTokens, models."""
from __future__ import annotations

import json

from .common import JsonReply, StreamReply, count_tokens, embedding, new_id, pieces, schema_sample, sse, tool_args_for

_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL", 503: "UNAVAILABLE",
           504: "DEADLINE_EXCEEDED"}

# Google's SSE frames end in CRLF pairs; a gateway must accept them.
EOL = "\r\n"


def error(status: int, message: str) -> dict:
    return {"error": {"code": status, "message": message,
                      "status": _STATUS.get(status, "INTERNAL" if status >= 500 else "FAILED_PRECONDITION")}}


def _model_of(path: str) -> str:
    seg = path.rsplit("/models/", 1)[-1]
    return seg.split(":", 1)[0]


def _parts_text(parts) -> str:
    out = []
    for p in parts or []:
        if isinstance(p, dict):
            if isinstance(p.get("text"), str):
                out.append(p["text"])
            elif "functionResponse" in p:
                out.append(json.dumps(p["functionResponse"].get("response")))
    return " ".join(out)


def _plan(body, script):
    contents = body.get("contents")
    if isinstance(contents, dict):
        contents = [contents]
    if not isinstance(contents, list) or not contents:
        raise ValueError("* GenerateContentRequest.contents: contents is not specified")
    sys_text = _parts_text((body.get("systemInstruction") or body.get("system_instruction") or {}).get("parts"))
    prompt = count_tokens(sys_text, *[_parts_text(c.get("parts")) for c in contents])
    last = contents[-1]
    last_parts = last.get("parts") or []
    user_text = next((_parts_text(c.get("parts")) for c in reversed(contents)
                      if c.get("role", "user") == "user"
                      and not any("functionResponse" in p for p in c.get("parts") or [])), "")
    if script.text is not None:
        return [{"text": script.text}], prompt
    if any("functionResponse" in p for p in last_parts):
        return [{"text": "tool said: " + _parts_text(last_parts)}], prompt
    if script.parts is not None:
        return [dict(x) for x in script.parts], prompt
    if script.calls:
        return [{"functionCall": dict({"name": c["name"], "args": c["arguments"]}, **({"id": c["id"]} if c.get("id") else {}))}
                for c in script.calls], prompt
    decls = [d for t in body.get("tools") or [] for d in (t.get("functionDeclarations") or
                                                          t.get("function_declarations") or [])]
    mode = (((body.get("toolConfig") or {}).get("functionCallingConfig") or {}).get("mode") or "AUTO").upper()
    if decls and mode != "NONE":
        return [{"functionCall": {"name": decls[0]["name"], "args": tool_args_for(user_text)}}], prompt
    gen = body.get("generationConfig") or {}
    schema = gen.get("responseJsonSchema") or gen.get("responseSchema")
    if schema is not None and script.text is None:
        return [{"text": json.dumps(schema_sample(schema, user_text))}], prompt
    return [{"text": f"echo: {user_text}"}], prompt


def _grounded(body) -> bool:
    """Google Search grounding was asked for (`googleSearch` / `google_search` tool)."""
    return any(isinstance(t, dict) and ("googleSearch" in t or "google_search" in t) for t in body.get("tools") or [])


_GROUNDING = {"webSearchQueries": ["mock query"],
              "groundingChunks": [{"web": {"uri": "https://example.com/found", "title": "Found"}}]}


def _usage(prompt, out):
    return {"promptTokenCount": prompt, "candidatesTokenCount": out, "totalTokenCount": prompt + out,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}]}


def _parts_tokens(parts):
    return count_tokens(*[p.get("text") or json.dumps(p.get("functionCall")) for p in parts]) if parts else 1


def generate(rec, script):
    body = rec.body
    if not isinstance(body, dict):
        return JsonReply(400, error(400, "Invalid JSON payload received."))
    try:
        parts, prompt = _plan(body, script)
    except ValueError as e:
        return JsonReply(400, error(400, str(e)))
    model = _model_of(rec.path)
    cand = {"content": {"parts": parts, "role": "model"}, "finishReason": "STOP", "index": 0}
    if _grounded(body):
        cand["groundingMetadata"] = _GROUNDING
    return JsonReply(200, {
        "candidates": [cand],
        "usageMetadata": dict(_usage(prompt, _parts_tokens(parts)), **(script.usage or {})),
        "modelVersion": model, "responseId": new_id("gemini-mock-"),
    })


def stream_generate(rec, script):
    body = rec.body
    if not isinstance(body, dict):
        return JsonReply(400, error(400, "Invalid JSON payload received."))
    try:
        parts, prompt = _plan(body, script)
    except ValueError as e:
        return JsonReply(400, error(400, str(e)))
    model = _model_of(rec.path)
    rid = new_id("gemini-mock-")
    if len(parts) == 1 and "text" in parts[0]:
        deltas = [[{"text": p}] for p in pieces(parts[0]["text"])]
    elif script.calls or script.parts is not None:
        deltas = [[p] for p in parts]  # one part (function call) per chunk
    else:
        deltas = [parts]
    out = _parts_tokens(parts)
    chunks = []
    for i, d in enumerate(deltas):
        cand = {"content": {"parts": d, "role": "model"}, "index": 0}
        last = i == len(deltas) - 1
        if last:
            cand["finishReason"] = "STOP"
            if _grounded(body):
                cand["groundingMetadata"] = _GROUNDING
        chunks.append({"candidates": [cand],
                       "usageMetadata": dict(_usage(prompt, out), **(script.usage or {})) if last else
                       {"promptTokenCount": prompt, "totalTokenCount": prompt},
                       "modelVersion": model, "responseId": rid})
    if rec.query.get("alt") == "sse":
        return StreamReply(200, "text/event-stream", [sse(c, eol=EOL) for c in chunks])
    # without alt=sse Gemini streams one JSON array
    events = []
    for i, c in enumerate(chunks):
        events.append((("[" if i == 0 else ",\r\n") + json.dumps(c)).encode())
    events.append(b"]")
    return StreamReply(200, "application/json; charset=UTF-8", events)


def embed(rec, script):
    body = rec.body or {}
    text = _parts_text((body.get("content") or {}).get("parts"))
    return JsonReply(200, {"embedding": {"values": embedding(text, body.get("outputDimensionality") or 8)}})


def batch_embed(rec, script):
    body = rec.body
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        return JsonReply(400, error(400, "* BatchEmbedContentsRequest.requests: requests is not specified"))
    out = []
    for r in body["requests"]:
        text = _parts_text((r.get("content") or {}).get("parts"))
        out.append({"values": embedding(text, r.get("outputDimensionality") or 8)})
    return JsonReply(200, {"embeddings": out})


def count_tokens_endpoint(rec, script):
    body = rec.body or {}
    contents = body.get("contents") or (body.get("generateContentRequest") or {}).get("contents") or []
    return JsonReply(200, {"totalTokens": count_tokens(*[_parts_text(c.get("parts")) for c in contents])})


def list_models(rec, script):
    return JsonReply(200, {"models": [
        {"name": f"models/{m}", "displayName": m, "supportedGenerationMethods": ["generateContent"]}
        for m in ("gemini-2.0-flash", "gemini-1.5-pro", "text-embedding-004")]})
