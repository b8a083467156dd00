/// Gemini and Ollama pair tool results to calls by function name (ids are optional or absent),
/// while the canonical model pairs by id. Walking a conversation in order, this hands out an
/// id to each call and gives each result the oldest open call it can answer.
/// Shared by the Gemini and Ollama request decoders.
struct ToolCallLedger {
    private var count = 0
    private var open: [(name: String, id: String)] = []

    /// The id the next call without one gets: `call_<n>`, n counting calls in the conversation.
    var nextID: String { "call_\(count)" }

    /// Records a call under `id` (the caller passes `nextID` when the wire has none).
    mutating func call(name: String, id: String) -> String {
        count += 1
        open.append((name, id))
        return id
    }

    /// The id of the call a result answers: the open call with the given id (compared without
    /// any embedded signature), else the oldest open call with this name, else the oldest open
    /// call of any name (Ollama clients may omit `tool_name`), else a fresh id.
    mutating func result(name: String?, id: String?) -> String {
        if let id {
            if let k = open.firstIndex(where: { GeminiToolCallID.split($0.id).id == id }) { return open.remove(at: k).id }
            return id
        }
        if let name, let k = open.firstIndex(where: { $0.name == name }) { return open.remove(at: k).id }
        if name == nil, !open.isEmpty { return open.removeFirst().id }
        defer { count += 1 }
        return nextID
    }
}
