import ArgumentParser
import DLCSpec
import Foundation

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the spec language (the file in grammar/)."
    )

    func run() throws {
        FileHandle.standardOutput.write(Data(SpecSchema.jsonSchema().utf8))
    }
}
