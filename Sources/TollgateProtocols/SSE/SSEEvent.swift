/// One dispatched server-sent event: the `event:` name if the server gave one, and its `data:`
/// lines joined by "\n". `id:` and `retry:` are not kept: no provider stream we read relies on
/// reconnection, so nothing would use them.
struct SSEEvent: Sendable, Equatable {
    var event: String?
    var data: String

    init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }
}
