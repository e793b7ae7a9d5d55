import DLCSpec
import Foundation
import Testing

/// The committed `grammar/dlc-spec.schema.json` is what `dlc schema` prints now.
struct SchemaTests {
    static let schemaURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grammar/dlc-spec.schema.json")

    @Test func committedSchemaIsCurrent() throws {
        let committed = try String(contentsOf: Self.schemaURL, encoding: .utf8)
        #expect(committed == SpecSchema.jsonSchema(), "grammar/dlc-spec.schema.json is stale: run `swift run dlc schema > grammar/dlc-spec.schema.json`")
    }

    @Test func schemaNamesEveryLayerKindAndOptimizer() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SpecSchema.jsonSchema().utf8)) as? [String: Any])
        let text = SpecSchema.jsonSchema()
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        for kind in Vocabulary.layers.map(\.name) + Vocabulary.optimizers.map(\.name) + Vocabulary.losses.map(\.name) {
            #expect(text.contains("\"\(kind)\""), "the schema does not mention `\(kind)`")
        }
    }
}
