import TollgateJSON

extension JSONObject {
    /// Gemini's REST API reads proto field names in camelCase or snake_case; google-genai sends
    /// camelCase, hand-written clients (and Google's curl samples) often snake_case.
    func gemini(_ camel: String, _ snake: String) -> JSON? { self[camel] ?? self[snake] }
}

extension JSON {
    func gemini(_ camel: String, _ snake: String) -> JSON? { object?.gemini(camel, snake) }
}
