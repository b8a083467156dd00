"""OpenAI (and Azure OpenAI, and every OpenAI-compatible provider): Chat Completions,
Responses (and its input-token count), Embeddings, legacy Completions, Models."""
from __future__ import annotations

import json

from .common import (JsonReply, StreamReply, count_tokens, embedding_b64, embedding_for, mint_signature, new_id, now, pieces, sse,
                     split_n, text_of, tool_args_for)

_ERR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("requests", "rate_limit_exceeded"),
}


def error(status: int, message: str) -> dict:
    typ, code = _ERR_TYPES.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
    return {"error": {"message": message, "type": typ, "param": None, "code": code}}


# --------------------------------------------------------------------------- chat

def _chat_plan(body: dict, script):
    """What the answer says: (text or None, tool_call or None, prompt_tokens)."""
    msgs = body.get("messages") or []
    if not isinstance(msgs, list) or not msgs:
        raise ValueError("messages must be a non-empty list")
    all_text = [text_of(m.get("content")) for m in msgs if isinstance(m, dict)]
    last = msgs[-1]
    user_text = next((text_of(m.get("content")) for m in reversed(msgs) if m.get("role") == "user"), "")
    tools = body.get("tools") or []
    if body.get("functions") and not tools:
        tools = [{"type": "function", "function": f} for f in body["functions"]]
    prompt = count_tokens(*all_text)
    if script.text is not None:
        return script.text, None, prompt
    if script.calls and last.get("role") == "user":
        return None, [{"id": c.get("id") or new_id("call_mock"), "type": "function",
                       "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
                      for c in script.calls], prompt
    if last.get("role") == "tool":
        return f"tool said: {text_of(last.get('content'))}", None, prompt
    if tools and body.get("tool_choice") != "none" and last.get("role") == "user":
        fn = tools[0].get("function", tools[0])
        choice = body.get("tool_choice")
        if isinstance(choice, dict) and choice.get("function", {}).get("name"):
            fn = next((t.get("function", t) for t in tools
                       if t.get("function", t).get("name") == choice["function"]["name"]), fn)
        call = {"id": new_id("call_mock"), "type": "function",
                "function": {"name": fn.get("name", "tool"), "arguments": json.dumps(tool_args_for(user_text))}}
        return None, call, prompt
    return f"echo: {user_text}", None, prompt


def chat(rec, script, model_override: str | None = None):
    body = rec.body
    if not isinstance(body, dict):
        return JsonReply(400, error(400, "We could not parse the JSON body of your request."))
    if not body.get("model") and not model_override:
        return JsonReply(400, error(400, "you must provide a model parameter"))
    model = model_override or body["model"]
    text, call, prompt = _chat_plan(body, script)
    calls = call if isinstance(call, list) else None  # the script's several calls
    if calls:
        call = None
    completion = (count_tokens(text) if text is not None else
                  count_tokens(*[c["function"]["arguments"] for c in (calls or [call])]))
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
             "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                           "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}
    usage.update(script.usage or {})
    cid = new_id("chatcmpl-mock")
    finish = "tool_calls" if call or calls else "stop"
    if not body.get("stream"):
        message = {"role": "assistant", "content": text, "refusal": None, "annotations": []}
        if call:
            message["tool_calls"] = [call]
        if calls:
            message["tool_calls"] = calls
        return JsonReply(200, {
            "id": cid, "object": "chat.completion", "created": now(), "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": usage, "service_tier": "default", "system_fingerprint": "fp_mock",
        })

    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    created = now()

    def chunk(delta, finish_reason=None):
        c = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
             "service_tier": "default", "system_fingerprint": "fp_mock",
             "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}
        if include_usage:
            c["usage"] = None
        return sse(c)

    events = []
    if calls:
        # several calls, their deltas interleaved: both heads, then the argument fragments in
        # turn, one chunk carrying a fragment of every call
        events.append(chunk({"role": "assistant", "content": None, "refusal": None}))
        for i, c in enumerate(calls):
            events.append(chunk({"tool_calls": [{"index": i, "id": c["id"], "type": "function",
                                                 "function": {"name": c["function"]["name"], "arguments": ""}}]}))
        frags = [split_n(c["function"]["arguments"], 3) for c in calls]
        for k in range(max(len(f) for f in frags)):
            part = [{"index": i, "function": {"arguments": f[k]}} for i, f in enumerate(frags) if k < len(f)]
            if k == 1:
                events.append(chunk({"tool_calls": part}))
            else:
                events.extend(chunk({"tool_calls": [x]}) for x in part)
    elif call:
        events.append(chunk({"role": "assistant", "content": None, "tool_calls": [
            {"index": 0, "id": call["id"], "type": "function",
             "function": {"name": call["function"]["name"], "arguments": ""}}], "refusal": None}))
        for frag in split_n(call["function"]["arguments"], 3):
            events.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": frag}}]}))
    else:
        events.append(chunk({"role": "assistant", "content": "", "refusal": None}))
        for p in pieces(text):
            events.append(chunk({"content": p}))
    events.append(chunk({}, finish))
    if include_usage:
        events.append(sse({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                           "service_tier": "default", "system_fingerprint": "fp_mock", "choices": [],
                           "usage": usage}))
    events.append(sse("[DONE]"))
    return StreamReply(200, "text/event-stream; charset=utf-8", events)


def azure_chat(rec, script):
    if "api-version" not in rec.query:
        return JsonReply(404, {"error": {"code": "404", "message": "Resource not found"}})
    deployment = rec.path.split("/openai/deployments/")[1].split("/")[0]
    return chat(rec, script, model_override=(rec.body or {}).get("model") or deployment)


# --------------------------------------------------------------------------- responses

def _responses_input(body):
    """(all texts, last user text, last item) of a Responses `input`."""
    inp = body.get("input")
    if isinstance(inp, str):
        return [inp], inp, {"role": "user", "content": inp}
    if not isinstance(inp, list) or not inp:
        raise ValueError("input must be a string or a non-empty list")
    texts, user_text = [], ""
    for item in inp:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "function_call_output":
            texts.append(text_of(item.get("output")))
            continue
        t = text_of(item.get("content"))
        texts.append(t)
        if item.get("role") == "user":
            user_text = t
    if body.get("instructions"):
        texts.append(body["instructions"])
    return texts, user_text, inp[-1]


def responses(rec, script):
    body = rec.body
    if not isinstance(body, dict):
        return JsonReply(400, error(400, "We could not parse the JSON body of your request."))
    model = body.get("model")
    if not model:
        return JsonReply(400, error(400, "Missing required parameter: 'model'."))
    texts, user_text, last = _responses_input(body)
    prompt = count_tokens(*texts)
    tools = [t for t in (body.get("tools") or []) if t.get("type") == "function"]
    call = None
    calls = []
    if script.text is not None:
        text = script.text
    elif script.calls and not (isinstance(last, dict) and last.get("type") == "function_call_output"):
        text = None
        calls = [{"type": "function_call", "id": new_id("fc_mock"), "call_id": c.get("id") or new_id("call_mock"),
                  "name": c["name"], "arguments": json.dumps(c["arguments"]), "status": "completed"}
                 for c in script.calls]
        call = calls[0]
    elif isinstance(last, dict) and last.get("type") == "function_call_output":
        text = f"tool said: {text_of(last.get('output'))}"
    elif tools and body.get("tool_choice") != "none":
        text = None
        call = {"type": "function_call", "id": new_id("fc_mock"), "call_id": new_id("call_mock"),
                "name": tools[0]["name"], "arguments": json.dumps(tool_args_for(user_text)),
                "status": "completed"}
    else:
        text = f"echo: {user_text}"
    calls = calls or ([call] if call else [])
    completion = count_tokens(text) if text is not None else count_tokens(*[c["arguments"] for c in calls])
    # a reasoning model thinks when asked to: a reasoning item first, its summary text only when
    # `reasoning.summary` asks for one, its encrypted content only when `include` asks for it
    reasoning_cfg = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else {}
    reasoning = None
    reasoning_tokens = 0
    if reasoning_cfg.get("effort") not in (None, "none") and script.text is None:
        thought = f"reasoning about: {user_text}"
        reasoning = {"type": "reasoning", "id": new_id("rs_mock"), "summary": []}
        if reasoning_cfg.get("summary") in ("auto", "concise", "detailed"):
            reasoning["summary"] = [{"type": "summary_text", "text": thought}]
        if "reasoning.encrypted_content" in (body.get("include") or []):
            reasoning["encrypted_content"] = "gAAAAB" + mint_signature(thought)
        reasoning_tokens = count_tokens(thought)
        completion += reasoning_tokens
    usage = {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": completion, "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
             "total_tokens": prompt + completion}
    usage.update(script.usage or {})
    rid = new_id("resp_mock")
    msg_id = new_id("msg_mock")
    created = now()

    def envelope(status, output, use):
        return {"id": rid, "object": "response", "created_at": created, "status": status,
                "background": False, "error": None, "incomplete_details": None,
                "instructions": body.get("instructions"), "max_output_tokens": body.get("max_output_tokens"),
                "model": model, "output": output, "parallel_tool_calls": True,
                "previous_response_id": body.get("previous_response_id"), "reasoning": {"effort": None, "summary": None},
                "store": body.get("store", True), "temperature": body.get("temperature", 1.0),
                "text": {"format": {"type": "text"}}, "tool_choice": body.get("tool_choice", "auto"),
                "tools": body.get("tools") or [], "top_p": body.get("top_p", 1.0), "truncation": "disabled",
                "usage": use, "user": None, "metadata": body.get("metadata") or {}}

    def message_item(t, status="completed"):
        return {"type": "message", "id": msg_id, "status": status, "role": "assistant",
                "content": [{"type": "output_text", "text": t, "annotations": [], "logprobs": []}] if t is not None else []}

    final_output = ([reasoning] if reasoning else []) + (calls if calls else [message_item(text)])
    if not body.get("stream"):
        return JsonReply(200, envelope("completed", final_output, usage))

    seq = iter(range(10_000))
    events = []

    def ev(typ, **fields):
        events.append(sse({"type": typ, "sequence_number": next(seq), **fields}, event=typ))

    ev("response.created", response=envelope("in_progress", [], None))
    ev("response.in_progress", response=envelope("in_progress", [], None))
    o = 0
    if reasoning:
        ev("response.output_item.added", output_index=o, item=dict(reasoning, summary=[]))
        for si, part in enumerate(reasoning["summary"]):
            ev("response.reasoning_summary_part.added", item_id=reasoning["id"], output_index=o, summary_index=si,
               part={"type": "summary_text", "text": ""})
            for p in pieces(part["text"]):
                ev("response.reasoning_summary_text.delta", item_id=reasoning["id"], output_index=o,
                   summary_index=si, delta=p)
            ev("response.reasoning_summary_text.done", item_id=reasoning["id"], output_index=o, summary_index=si,
               text=part["text"])
            ev("response.reasoning_summary_part.done", item_id=reasoning["id"], output_index=o, summary_index=si,
               part=part)
        ev("response.output_item.done", output_index=o, item=reasoning)
        o += 1
    for c in calls:
        added = dict(c, arguments="", status="in_progress")
        ev("response.output_item.added", output_index=o, item=added)
        for frag in split_n(c["arguments"], 3):
            ev("response.function_call_arguments.delta", item_id=c["id"], output_index=o, delta=frag)
        ev("response.function_call_arguments.done", item_id=c["id"], output_index=o,
           arguments=c["arguments"])
        ev("response.output_item.done", output_index=o, item=c)
        o += 1
    if not calls:
        ev("response.output_item.added", output_index=o, item=message_item(None, "in_progress"))
        ev("response.content_part.added", item_id=msg_id, output_index=o, content_index=0,
           part={"type": "output_text", "text": "", "annotations": [], "logprobs": []})
        for p in pieces(text):
            ev("response.output_text.delta", item_id=msg_id, output_index=o, content_index=0, delta=p, logprobs=[])
        ev("response.output_text.done", item_id=msg_id, output_index=o, content_index=0, text=text, logprobs=[])
        ev("response.content_part.done", item_id=msg_id, output_index=o, content_index=0,
           part={"type": "output_text", "text": text, "annotations": [], "logprobs": []})
        ev("response.output_item.done", output_index=o, item=message_item(text))
    ev("response.completed", response=envelope("completed", final_output, usage))
    return StreamReply(200, "text/event-stream; charset=utf-8", events)


# --------------------------------------------------------------------------- embeddings & models

def embeddings(rec, script, model_override: str | None = None):
    body = rec.body
    if not isinstance(body, dict) or "input" not in body:
        return JsonReply(400, error(400, "'input' is a required property"))
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    if inputs and all(isinstance(x, int) for x in inputs):  # one tokenized input
        inputs = [inputs]
    dims = body.get("dimensions")  # None: the model's default (8; a "bow" model 256)
    b64 = body.get("encoding_format") == "base64"
    data = []
    for i, x in enumerate(inputs):
        vec = embedding_for(body.get("model"), x if isinstance(x, str) else json.dumps(x), dims)
        data.append({"object": "embedding", "index": i, "embedding": embedding_b64(vec) if b64 else vec})
    toks = count_tokens(*[x if isinstance(x, str) else " ".join(map(str, x)) for x in inputs])
    return JsonReply(200, {"object": "list", "data": data,
                                   "model": model_override or body.get("model", ""),
                                   "usage": {"prompt_tokens": toks, "total_tokens": toks}})


def azure_embeddings(rec, script):
    deployment = rec.path.split("/openai/deployments/")[1].split("/")[0]
    return embeddings(rec, script, model_override=deployment)


MODELS = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"]


def models(rec, script):
    return JsonReply(200, {"object": "list", "data": [
        {"id": m, "object": "model", "created": 1700000000, "owned_by": "openai"} for m in MODELS]})


# --------------------------------------------------------------------------- responses/input_tokens

def responses_input_tokens(rec, script):
    """POST /v1/responses/input_tokens: the input-token count of a Responses request."""
    body = rec.body
    if not isinstance(body, dict):
        return JsonReply(400, error(400, "We could not parse the JSON body of your request."))
    if not body.get("model"):
        return JsonReply(400, error(400, "Missing required parameter: 'model'."))
    try:
        texts, _, _ = _responses_input(body)
    except ValueError as e:
        return JsonReply(400, error(400, str(e)))
    return JsonReply(200, {"object": "response.input_tokens", "input_tokens": count_tokens(*texts)})


# --------------------------------------------------------------------------- legacy completions

def completions(rec, script):
    """POST /v1/completions: the legacy text completion (prompt in, text out), JSON or SSE."""
    body = rec.body
    if not isinstance(body, dict):
        return JsonReply(400, error(400, "We could not parse the JSON body of your request."))
    if not body.get("model"):
        return JsonReply(400, error(400, "you must provide a model parameter"))
    prompt = body.get("prompt")
    if isinstance(prompt, list):
        prompt = " ".join(p for p in prompt if isinstance(p, str))
    if not isinstance(prompt, str):
        return JsonReply(400, error(400, "'prompt' is a required property"))
    text = script.text if script.text is not None else f"echo: {prompt}"
    p_tok, c_tok = count_tokens(prompt), count_tokens(text)
    usage = {"prompt_tokens": p_tok, "completion_tokens": c_tok, "total_tokens": p_tok + c_tok}
    cid, created, model = new_id("cmpl-mock"), now(), body["model"]
    if not body.get("stream"):
        return JsonReply(200, {"id": cid, "object": "text_completion", "created": created, "model": model,
                               "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": "stop"}],
                               "usage": usage, "system_fingerprint": "fp_mock"})
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

    def chunk(t, finish=None):
        return sse({"id": cid, "object": "text_completion", "created": created, "model": model,
                    "choices": [{"text": t, "index": 0, "logprobs": None, "finish_reason": finish}],
                    "system_fingerprint": "fp_mock"})

    events = [chunk(p) for p in pieces(text)] + [chunk("", "stop")]
    if include_usage:
        events.append(sse({"id": cid, "object": "text_completion", "created": created, "model": model,
                           "choices": [], "usage": usage}))
    events.append(sse("[DONE]"))
    return StreamReply(200, "text/event-stream; charset=utf-8", events)
