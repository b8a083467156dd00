import TollgateJSON

/// Output items and the response object, as both the whole-response encoder and the stream
/// encoder write them. The field set is what openai-python's models require (it reads
/// `parallel_tool_calls`, `tool_choice`, `tools` on every response object).
enum ResponsesItems {
    static func message(id: String, text: String, status: String = "completed") -> JSON {
        [
            "id": .string(id), "type": "message", "status": .string(status), "role": "assistant",
            "content": status == "in_progress" ? [] : [outputText(text)],
        ]
    }

    static func outputText(_ text: String) -> JSON {
        ["type": "output_text", "text": .string(text), "annotations": []]
    }

    static func reasoning(id: String, summary: String?, signature: String?) -> JSON {
        var o: JSONObject = ["id": .string(id), "type": "reasoning"]
        o.append("summary", .array(summary.map { [summaryText($0)] } ?? []))
        if let signature { o.append("encrypted_content", .string(signature)) }
        return .object(o)
    }

    static func summaryText(_ text: String) -> JSON { ["type": "summary_text", "text": .string(text)] }

    static func functionCall(id: String, callID: String, name: String, arguments: String, status: String = "completed") -> JSON {
        [
            "id": .string(id), "type": "function_call", "status": .string(status), "call_id": .string(callID),
            "name": .string(name), "arguments": .string(arguments),
        ]
    }

    static func response(id: String, model: String, created: Int, status: String, incompleteReason: String? = nil,
                          output: [JSON], usage: Usage?) -> JSON {
        var o: JSONObject = ["id": .string(id), "object": "response", "created_at": JSON(created)]
        o.append("status", .string(status))
        o.append("error", nil)
        o.append("incomplete_details", incompleteReason.map { ["reason": .string($0)] } ?? nil)
        o.append("model", .string(model))
        o.append("output", .array(output))
        o.append("parallel_tool_calls", true)
        o.append("tool_choice", "auto")
        o.append("tools", [])
        o.append("usage", usage.map(ResponsesUsage.encode) ?? nil)
        return .object(o)
    }
}
