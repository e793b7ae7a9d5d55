import DLCRuntime
import Foundation
import Testing

extension OutputTests {
    /// `AtomicFile` writes whole files, replaces by rename and leaves no temporary file behind.
    @Suite struct AtomicFileTests {
        /// The error `body` throws, or nil when it returns.
        private func atomicFileError(_ body: () throws -> Void) -> AtomicFileError? {
            do {
                try body()
                return nil
            } catch {
                return error as? AtomicFileError
            }
        }

        /// The inode number of the file at `path`.
        private func inode(_ path: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: path))?[.systemFileNumber] as? Int
        }

        @Test func writesTheBytesAndLeavesNoTemporaryFile() throws {
            let directory = OutputTestDirectory()
            let path = directory.file("metrics.csv")
            try AtomicFile.write([1, 2, 3], to: path)
            #expect(outputFileBytes(path) == [1, 2, 3])
            #expect(directory.contents() == ["metrics.csv"])
        }

        @Test func replacesAnExistingFileByRenameNotInPlace() throws {
            let directory = OutputTestDirectory()
            let path = directory.file("model.safetensors")
            try AtomicFile.write(Array(repeating: 7, count: 1000), to: path)
            let before = try #require(inode(path))
            try AtomicFile.write([9], to: path)
            #expect(outputFileBytes(path) == [9])
            // A new inode shows the old file was swapped out whole, never truncated and rewritten.
            #expect(inode(path) != before)
            #expect(directory.contents() == ["model.safetensors"])
        }

        @Test func writesStringsAndDataAndEmptyFiles() throws {
            let directory = OutputTestDirectory()
            try AtomicFile.write("épsilon\n", to: directory.file("text"))
            try AtomicFile.write(Data([4, 5]), to: directory.file("data"))
            try AtomicFile.write([UInt8](), to: directory.file("empty"))
            #expect(outputFileBytes(directory.file("text")) == Array("épsilon\n".utf8))
            #expect(outputFileBytes(directory.file("data")) == [4, 5])
            #expect(outputFileBytes(directory.file("empty")) == [])
            #expect(directory.contents() == ["data", "empty", "text"])
        }

        @Test func temporaryFileSitsBesideTheDestination() {
            let pid = ProcessInfo.processInfo.processIdentifier
            #expect(AtomicFile.temporaryPath(for: "runs/iris/model.safetensors") == "runs/iris/.model.safetensors.tmp-\(pid)")
            #expect(AtomicFile.temporaryPath(for: "summary.json") == ".summary.json.tmp-\(pid)")
            #expect(AtomicFile.temporaryPath(for: "/top") == "//.top.tmp-\(pid)")
        }

        @Test func replacesAStaleTemporaryFileOfAnEarlierRun() throws {
            let directory = OutputTestDirectory()
            let path = directory.file("summary.json")
            _ = FileManager.default.createFile(atPath: AtomicFile.temporaryPath(for: path), contents: Data([0, 0, 0, 0, 0, 0]))
            try AtomicFile.write([1], to: path)
            #expect(outputFileBytes(path) == [1])
            #expect(directory.contents() == ["summary.json"])
        }

        @Test func missingDirectoryFailsAtCreate() {
            let directory = OutputTestDirectory()
            let path = directory.file("missing/summary.json")
            let error = atomicFileError { try AtomicFile.write([1], to: path) }
            #expect(error?.step == .create)
            #expect(error?.path == path)
            #expect(error?.description.hasPrefix("cannot write `\(path)`: cannot create the temporary file: ") == true)
            #expect(directory.contents() == [])
        }

        @Test func failedRenameRemovesTheTemporaryFileAndKeepsTheDestination() throws {
            let directory = OutputTestDirectory()
            let path = directory.file("occupied")
            try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
            let error = atomicFileError { try AtomicFile.write([1, 2], to: path) }
            #expect(error?.step == .rename)
            #expect(directory.contents() == ["occupied"])
            #expect((try? FileManager.default.contentsOfDirectory(atPath: path)) == ["inside"])
        }
    }
}
