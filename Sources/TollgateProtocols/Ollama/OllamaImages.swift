/// Ollama's `images` are bare base64 with no MIME type; other protocols need one. The first
/// base64 characters of each common format's magic number tell them apart.
enum OllamaImages {
    static func mediaType(ofBase64 data: String) -> String {
        if data.hasPrefix("iVBORw0KGgo") { return "image/png" }
        if data.hasPrefix("R0lGOD") { return "image/gif" }
        if data.hasPrefix("UklGR") { return "image/webp" }
        return "image/jpeg"  // "/9j/", and the safest guess for anything else
    }
}
