"""Helpers shared by the provider modules: text extraction, token counts,
deterministic embeddings, SSE/NDJSON framing, ids."""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import re
import struct
import time
from dataclasses import dataclass, field

_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


def now() -> int:
    return int(time.time())


def text_of(content) -> str:
    """Text of an OpenAI/Anthropic/Ollama message content: a string or a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    out.append(part["text"])
                elif part.get("type") in ("tool_result", "function_call_output"):
                    out.append(text_of(part.get("content") or part.get("output")))
        return " ".join(t for t in out if t)
    if isinstance(content, dict):
        return text_of([content])
    return str(content)


def count_tokens(*texts: str) -> int:
    """A stand-in tokenizer: one token per whitespace-separated word, at least 1."""
    return max(1, sum(len((t or "").split()) for t in texts))


def pieces(text: str) -> list[str]:
    """Split a reply into stream deltas: 'echo: a b' -> ['echo:', ' a', ' b']."""
    words = text.split(" ")
    return [words[0]] + [" " + w for w in words[1:]]


def split_n(s: str, n: int = 3) -> list[str]:
    """Split a string into about n fragments (for streamed tool-call arguments)."""
    if not s:
        return [""]
    size = max(1, -(-len(s) // n))
    return [s[i:i + size] for i in range(0, len(s), size)]


def embedding(text: str, dims: int = 8) -> list[float]:
    """Deterministic unit-ish vector derived from the text, so answers differ per input."""
    dims = max(1, int(dims))
    raw = b""
    counter = 0
    while len(raw) < dims * 4:
        raw += hashlib.sha256(f"{counter}:{text}".encode()).digest()
        counter += 1
    vals = [((b - 128) / 128.0) for b in raw[:dims]]
    return [round(v, 6) for v in vals]


# Words a bag-of-words embedding leaves out: articles, copulas, question words, role names.
BOW_STOP_WORDS = frozenset("""
a an the is are was were be been am do does did of to in on at by for from with and or
what s me my please tell i you it this that user system assistant
""".split())
BOW_DIMS = 256


def bow_embedding(text: str, dims: int = BOW_DIMS) -> list[float]:
    """A bag-of-words vector: deterministic in the text and close for paraphrases. The text is
    lower-cased and split into words ([a-z0-9]+, so "what's" is "what" and "s"); stop words are
    dropped; each word is hashed (sha256) into one of `dims` dimensions and counted; the vector
    is L2-normalised (all zeros when no word is left)."""
    dims = max(1, int(dims))
    vec = [0.0] * dims
    for word in re.findall(r"[a-z0-9]+", (text or "").lower()):
        if word in BOW_STOP_WORDS:
            continue
        vec[int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "big") % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vec))
    return [v / norm for v in vec] if norm else vec


def embedding_for(model, text: str, dims=None) -> list[float]:
    """The mock's embedding of `text` for an embedding model: a model whose name contains
    "bow" (e.g. `text-embedding-bow`) gets `bow_embedding` (256 dimensions unless asked), any
    other model the hash vector of `embedding` (8 unless asked)."""
    if "bow" in str(model or "").lower():
        return bow_embedding(text, dims or BOW_DIMS)
    return embedding(text, dims or 8)


def cosine(a: list[float], b: list[float]) -> float:
    """Cosine similarity of two vectors (0 when either is all zeros)."""
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(x * x for x in b))
    return sum(x * y for x, y in zip(a, b)) / (na * nb) if na and nb else 0.0


def embedding_b64(vec: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode()


def sse(data, event: str | None = None, eol: str = "\n") -> bytes:
    """One SSE event. data may be a dict (JSON-encoded) or a raw string like '[DONE]'."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}{eol}" if event else ""
    return f"{head}data: {payload}{eol}{eol}".encode()


def ndjson(obj) -> bytes:
    return (json.dumps(obj, separators=(",", ":")) + "\n").encode()


def tool_args_for(user_text: str) -> dict:
    return {"query": user_text}


@dataclass
class JsonReply:
    status: int
    body: object
    headers: dict = field(default_factory=dict)


@dataclass
class StreamReply:
    """A streamed answer: each item of `events` is written (as one HTTP chunk) as a unit,
    with the script's `gap` between units."""
    status: int
    content_type: str
    events: list
    headers: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- agent features

def mint_signature(thinking: str) -> str:
    """The mock's signature for a thinking block: opaque base64 (with '+', '/' and '=' in it,
    like Anthropic's), derived from the thinking text so that a replayed block can be checked."""
    digest = hashlib.sha512(b"mock-thinking:" + thinking.encode()).digest()
    return "Eq+/" + base64.b64encode(digest * 3 + b"\xfb\xff").decode()


def signature_ok(thinking: str, signature) -> bool:
    return isinstance(signature, str) and signature == mint_signature(thinking)


def schema_sample(schema, text: str):
    """A value that fits a (simple) JSON schema: strings are `text`, numbers 1, booleans true."""
    if not isinstance(schema, dict):
        return text
    typ = schema.get("type")
    if isinstance(typ, list):
        typ = next((t for t in typ if t != "null"), "string")
    typ = (typ or ("object" if "properties" in schema else "string")).lower()
    if typ == "object":
        props = schema.get("properties") or {}
        return {k: schema_sample(v, text) for k, v in props.items()}
    if typ == "array":
        return [schema_sample(schema.get("items") or {}, text)]
    if typ in ("integer", "number"):
        return 1
    if typ == "boolean":
        return True
    if schema.get("enum"):
        return schema["enum"][0]
    return text
