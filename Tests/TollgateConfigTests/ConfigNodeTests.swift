import Testing
import TollgateJSON

@testable import TollgateConfig

@Suite struct ConfigNodeTests {
    func node(_ yaml: String) throws -> ConfigNode { try ConfigNode.parse(yaml: yaml, file: "n.yaml") }

    @Test func parsesAFragment() throws {
        let m = try node("{provider: openai, n: 3}").mapping("ai-proxy", allowed: ["provider", "n"])
        #expect(try m.requiredString("provider") == "openai")
        #expect(try m.int("n") == 3)
        #expect(m.keys == ["provider", "n"])
        #expect(m.mark == SourceMark(file: "n.yaml", line: 1, column: 1))
    }

    @Test func typedReaders() throws {
        let m = try node("""
            a: 8080
            b: "8080"
            c: 1_000
            d: 0x1F
            e: 2.5
            f: yes
            g: Off
            h: 2024-10-21
            i: [x, y]
            j: solo
            """).mapping("t", allowed: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])
        #expect(try m.int("a") == 8080)
        #expect(try m.int("b") == 8080)  // quoting does not matter to the typed readers
        #expect(try m.int("c") == 1000)
        #expect(try m.int("d") == 31)
        #expect(try m.double("e") == 2.5)
        #expect(try m.double("a") == 8080)
        #expect(try m.bool("f") == true)
        #expect(try m.bool("g") == false)
        #expect(try m.string("h") == "2024-10-21")
        #expect(try m.string("a") == "8080")
        #expect(try m.stringList("i") == ["x", "y"])
        #expect(try m.stringList("j") == ["solo"])
        #expect(try m.string("missing") == nil)
    }

    @Test func readerErrorsAreAtTheValue() throws {
        let m = try node("""
            port: abc
            ratio: 1.5.2
            flag: maybe
            list: {a: 1}
            name: [x]
            n: 010x
            """).mapping("t", allowed: ["port", "ratio", "flag", "list", "name", "n"])
        #expect(throws: ConfigError("expected an integer, got \"abc\"", at: SourceMark(file: "n.yaml", line: 1, column: 7))) { try m.int("port") }
        #expect(throws: ConfigError("expected a number, got \"1.5.2\"", at: SourceMark(file: "n.yaml", line: 2, column: 8))) { try m.double("ratio") }
        #expect(throws: ConfigError("expected true or false, got \"maybe\"", at: SourceMark(file: "n.yaml", line: 3, column: 7))) { try m.bool("flag") }
        #expect(throws: ConfigError("expected a list of strings, got a mapping", at: SourceMark(file: "n.yaml", line: 4, column: 7))) { try m.stringList("list") }
        #expect(throws: ConfigError("expected a string, got a list", at: SourceMark(file: "n.yaml", line: 5, column: 7))) { try m.string("name") }
        #expect(throws: ConfigError("expected an integer, got \"010x\"", at: SourceMark(file: "n.yaml", line: 6, column: 4))) { try m.int("n") }
        #expect(throws: ConfigError("missing required key 'model'", at: SourceMark(file: "n.yaml", line: 1, column: 1))) { try m.requiredString("model") }
    }

    @Test func integersAreDecimalAsWritten() {
        #expect(ScalarTyping.int("010") == 10)
        #expect(ScalarTyping.int("-42") == -42)
        #expect(ScalarTyping.int("+7") == 7)
        #expect(ScalarTyping.int("0o17") == 15)
        #expect(ScalarTyping.int("1:30") == nil)
        #expect(ScalarTyping.int("") == nil)
        #expect(ScalarTyping.int("-") == nil)
        #expect(ScalarTyping.int("99999999999999999999") == nil)
        #expect(ScalarTyping.double("nan") == nil)
        #expect(ScalarTyping.double("inf") == nil)
        #expect(ScalarTyping.double("1e3") == 1000)
    }

    @Test func unknownKeyIsAtTheKey() throws {
        let n = try node("provider: openai\nmodle: gpt-4o\n")
        #expect(throws: ConfigError("unknown key 'modle' in ai-proxy (allowed: provider, model)", at: SourceMark(file: "n.yaml", line: 2, column: 1))) {
            try n.mapping("ai-proxy", allowed: ["provider", "model"])
        }
        var all: [ConfigError] = []
        _ = try node("a: 1\nb: 2\nc: 3\n").mapping("x", allowed: ["b"], collecting: &all)
        #expect(all.map(\.description) == [
            "n.yaml:1:1: unknown key 'a' in x (allowed: b)",
            "n.yaml:3:1: unknown key 'c' in x (allowed: b)",
        ])
    }

    @Test func emptyValueIsAnEmptyMapping() throws {
        let m = try node("telemetry:\n").mapping("t", allowed: ["telemetry"])
        let inner = try #require(m["telemetry"])
        #expect(inner.isNull)
        #expect(try inner.mapping("telemetry", allowed: []).keys.isEmpty)
        #expect(throws: ConfigError("expected a mapping for telemetry, got \"on\"", at: SourceMark(file: "n.yaml", line: 1, column: 1))) {
            try node("on").mapping("telemetry", allowed: [])
        }
    }

    @Test func jsonTypesScalarsAsYAMLWould() throws {
        let j = try node("""
            i: 3
            f: 0.5
            b: true
            n: ~
            s: hello
            q: "3"
            d: 2024-10-21
            l: [1, two]
            o: {k: null}
            """).json()
        #expect(j == ["i": 3, "f": 0.5, "b": true, "n": nil, "s": "hello", "q": "3", "d": "2024-10-21", "l": [1, "two"], "o": ["k": nil]])
    }

    @Test func jsonTypesInterpolatedScalars() throws {
        let j = try ConfigNode.parse(yaml: "n: ${N}\ns: \"${N}\"\nt: ${T:-true}", environment: ["N": "42"]).json()
        #expect(j == ["n": 42, "s": "42", "t": true])
    }

    @Test func mergeKeysShareSettings() throws {
        let n = try node("""
            base: &proxy {provider: openai, model: gpt-4o}
            route:
              <<: *proxy
              model: gpt-4o-mini
            """)
        let route = try #require(try n.mapping("t", allowed: ["base", "route"])["route"])
        #expect(try route.json() == ["model": "gpt-4o-mini", "provider": "openai"])
    }

    @Test func emptyDocumentIsNull() throws {
        #expect(try node("# nothing\n").isNull)
    }
}
