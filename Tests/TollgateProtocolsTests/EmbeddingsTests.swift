import Testing
import TollgateJSON
@testable import TollgateProtocols

@Suite struct EmbeddingsRequestTests {
    @Test func openAIStringArrayAndFormat() throws {
        let one = try EmbeddingsTranslation.decodeRequest(try JSON.parse(#"{"model":"text-embedding-3-small","input":"hi"}"#), from: .openAIEmbeddings)
        #expect(one == EmbeddingRequest(model: "text-embedding-3-small", inputs: ["hi"]))
        let many = try EmbeddingsTranslation.decodeRequest(try JSON.parse(
            #"{"model":"m","input":["a","b"],"dimensions":256,"encoding_format":"base64","user":"u"}"#), from: .openAIEmbeddings)
        #expect(many == EmbeddingRequest(model: "m", inputs: ["a", "b"], dimensions: 256, encodingFormat: .base64, extra: ["user": "u"]))
    }

    @Test func openAIBadRequests() {
        func param(_ s: String) -> String? {
            do { _ = try EmbeddingsTranslation.decodeRequest(try JSON.parse(s), from: .openAIEmbeddings); return "no error" }
            catch let e as GatewayError { return e.param } catch { return "other" }
        }
        #expect(param(#"{"input":"x"}"#) == "model")
        #expect(param(#"{"model":"m"}"#) == "input")
        #expect(param(#"{"model":"m","input":[]}"#) == "input")
        #expect(param(#"{"model":"m","input":[[1,2,3]]}"#) == "input")  // token arrays
        #expect(param(#"{"model":"m","input":"x","encoding_format":"int8"}"#) == "encoding_format")
    }

    @Test func encodeEachProtocol() throws {
        let r = EmbeddingRequest(model: "emb", inputs: ["a", "b"], dimensions: 8, extra: ["taskType": "RETRIEVAL_QUERY", "user": "u"])
        #expect(try EmbeddingsTranslation.encodeRequest(r, for: .openAIEmbeddings).jsonString ==
            #"{"model":"emb","input":["a","b"],"encoding_format":"float","dimensions":8,"user":"u"}"#)
        #expect(try EmbeddingsTranslation.encodeRequest(r, for: .gemini).jsonString == """
            {"requests":[{"model":"models/emb","content":{"parts":[{"text":"a"}]},"outputDimensionality":8,"taskType":"RETRIEVAL_QUERY"},\
            {"model":"models/emb","content":{"parts":[{"text":"b"}]},"outputDimensionality":8,"taskType":"RETRIEVAL_QUERY"}]}
            """)
        #expect(try EmbeddingsTranslation.encodeRequest(r, for: .ollama).jsonString == #"{"model":"emb","input":["a","b"],"dimensions":8}"#)
        #expect(throws: GatewayError.self) { try EmbeddingsTranslation.encodeRequest(r, for: .anthropicMessages) }
    }

    @Test func geminiBatchDecode() throws {
        let r = try EmbeddingsTranslation.decodeRequest(try JSON.parse("""
            {"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"},{"text":"b"}]},
              "taskType":"SEMANTIC_SIMILARITY","outputDimensionality":768},
             {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"c"}]}}]}
            """), from: .gemini)
        #expect(r == EmbeddingRequest(model: "gemini-embedding-001", inputs: ["a b", "c"], dimensions: 768,
                                      extra: ["taskType": "SEMANTIC_SIMILARITY"]))
        #expect(throws: GatewayError.self) { try EmbeddingsTranslation.decodeRequest(["requests": []], from: .gemini) }
        #expect(throws: GatewayError.self) {
            try EmbeddingsTranslation.decodeRequest(try JSON.parse(#"{"requests":[{"content":{"parts":[{"inlineData":{}}]}}]}"#), from: .gemini)
        }
    }

    @Test func ollamaDecode() throws {
        let r = try EmbeddingsTranslation.decodeRequest(try JSON.parse(#"{"model":"nomic-embed-text","input":"x","keep_alive":"1m","truncate":false}"#), from: .ollama)
        #expect(r == EmbeddingRequest(model: "nomic-embed-text", inputs: ["x"], extra: ["truncate": false, "keep_alive": "1m"]))
        #expect(try EmbeddingsTranslation.encodeRequest(r, for: .ollama).jsonString ==
            #"{"model":"nomic-embed-text","input":["x"],"truncate":false,"keep_alive":"1m"}"#)
    }
}

@Suite struct EmbeddingsResponseTests {
    @Test func openAIDecodeSortsByIndexAndReadsBase64() throws {
        let b64 = Float32Base64.encode([0.5, -2])
        let body = try JSON.parse("""
            {"object":"list","data":[{"object":"embedding","index":1,"embedding":"\(b64)"},
              {"object":"embedding","index":0,"embedding":[0.25,1]}],"model":"m2","usage":{"prompt_tokens":5,"total_tokens":5}}
            """)
        let r = try EmbeddingsTranslation.decodeResponse(body, from: .openAIEmbeddings, model: "m")
        #expect(r == EmbeddingResponse(model: "m2", vectors: [[0.25, 1], [0.5, -2]], usage: Usage(inputTokens: 5)))
    }

    @Test func openAIEncodeFloatAndBase64() {
        let r = EmbeddingResponse(model: "m", vectors: [[0.5, 1]], usage: Usage(inputTokens: 3))
        #expect(EmbeddingsTranslation.encodeResponse(r, for: .openAIEmbeddings).jsonString == """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,1]}],"model":"m",\
            "usage":{"prompt_tokens":3,"total_tokens":3}}
            """)
        let b = EmbeddingsTranslation.encodeResponse(r, for: .openAIEmbeddings, format: .base64)
        // 0.5f = 00 00 00 3f, 1.0f = 00 00 80 3f (little-endian)
        #expect(b["data"]?[0]?["embedding"] == "AAAAPwAAgD8=")
    }

    @Test func geminiAndOllamaBothWays() throws {
        let g = try EmbeddingsTranslation.decodeResponse(try JSON.parse(#"{"embeddings":[{"values":[1,2]},{"values":[3]}]}"#),
                                                         from: .gemini, model: "gemini-embedding-001")
        #expect(g == EmbeddingResponse(model: "gemini-embedding-001", vectors: [[1, 2], [3]]))
        #expect(EmbeddingsTranslation.encodeResponse(g, for: .gemini).jsonString == #"{"embeddings":[{"values":[1,2]},{"values":[3]}]}"#)
        let o = try EmbeddingsTranslation.decodeResponse(try JSON.parse(
            #"{"model":"nomic","embeddings":[[0.1,0.2]],"total_duration":1,"prompt_eval_count":4}"#), from: .ollama, model: "x")
        #expect(o == EmbeddingResponse(model: "nomic", vectors: [[0.1, 0.2]], usage: Usage(inputTokens: 4)))
        #expect(EmbeddingsTranslation.encodeResponse(o, for: .ollama).jsonString ==
            #"{"model":"nomic","embeddings":[[0.1,0.2]],"prompt_eval_count":4}"#)
    }

    @Test func malformedUpstreamAnswersAre502() {
        for (p, s) in [(WireProtocol.openAIEmbeddings, #"{"data":[{"embedding":"@@"}]}"#), (.gemini, #"{"x":1}"#),
                       (.ollama, #"{"embeddings":["no"]}"#), (.openAIEmbeddings, "{}")] {
            do {
                _ = try EmbeddingsTranslation.decodeResponse(try JSON.parse(s), from: p, model: "m")
                Issue.record("expected an error for \(s)")
            } catch let e as GatewayError { #expect(e.status == 502) } catch { Issue.record("\(error)") }
        }
    }

    @Test func base64RoundTripsFloat32() {
        let v: [Double] = [0, 1, -1, 0.1, 3.4e38, -1e-7]
        let back = Float32Base64.decode(Float32Base64.encode(v))
        #expect(back == v.map { Double(Float($0)) })
        #expect(Float32Base64.decode("AAA") == nil)  // not a whole float
        #expect(Float32Base64.encode([]) == "")
    }

}
