import Foundation
import TollgateJSON
import TollgateProtocols
import TollgateStore

/// The answer to a submission, and to a poll while the job runs: the surface's own response
/// type with no content yet (spec section 9), so an SDK parses it into its usual object.
enum AsyncShapes {
    static func pending(_ job: AsyncJob, model: String?, protocol proto: WireProtocol) -> [UInt8] {
        var o = JSONObject()
        o.append("id", .string(job.id))
        switch proto {
        case .openAIChat:
            o.append("object", "chat.completion")
            o.append("created", .int(Int64(job.createdAt.timeIntervalSince1970)))
            if let model { o.append("model", .string(model)) }
            o.append("choices", .array([]))
        case .openAIResponses:
            o.append("object", "response")
            o.append("created_at", .int(Int64(job.createdAt.timeIntervalSince1970)))
            o.append("status", .string(job.state == .running ? "in_progress" : "queued"))
            if let model { o.append("model", .string(model)) }
            o.append("output", .array([]))
        case .anthropicMessages:
            o.append("type", "message")
            o.append("role", "assistant")
            if let model { o.append("model", .string(model)) }
            o.append("content", .array([]))
        case .openAIEmbeddings, .gemini, .ollama:
            // No empty form of their own; the job's state is what there is to say.
            o.append("object", "async.job")
            o.append("status", .string(job.state == .running ? "in_progress" : "queued"))
        }
        return JSON.object(o).serialized()
    }
}
