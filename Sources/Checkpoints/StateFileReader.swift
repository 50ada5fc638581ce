import Foundation
import Simulation

/// Reads `merchants.json` into a checkpoint in two parts: the sections that grow with the
/// population with `JSONReader` (`SimulationState.readLargeSections`, and with the lifecycle
/// `readFollowUpSections`), and the rest of the text, with those sections emptied, through
/// `Decodable` as before.
///
/// Measured on the 286 MB state of --scale 1000: `JSONDecoder` on the whole text took 15 s and
/// about 1.3 GiB (its map of the document); see the Performance article for this reader's figures.
/// Whatever this reader refuses, `StateSnapshot` decodes the whole text with `JSONDecoder`, so a
/// file is accepted or refused, and explained, as before.
enum StateFileReader {
    static func checkpoint(from data: Data) throws -> Checkpoint {
        try data.withUnsafeBytes { bytes in
            let keys = SimulationState.largeSectionKeys
            let followUps = SimulationState.followUpSectionKeys
            let large = [keys.histories, keys.details, keys.cards, followUps.refunds, followUps.disputes]
            var spans: [String: Range<Int>] = [:]
            var reader = JSONReader(bytes)
            try reader.members { reader, key in
                let span = try reader.skipValue()
                if large.contains(key), spans.updateValue(span, forKey: key) != nil {
                    throw JSONReader.Malformed("\(key) comes twice")
                }
            }
            guard reader.isAtEnd(), let histories = spans[keys.histories], let details = spans[keys.details],
                  let cards = spans[keys.cards] else { throw JSONReader.Malformed("not the layout of a state") }
            var rest = Data()
            var from = 0
            let lists = [followUps.refunds, followUps.disputes].compactMap { spans[$0] }
            for span in ([histories, details, cards] + lists).sorted(by: { $0.lowerBound < $1.lowerBound }) {
                rest.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[from..<span.lowerBound]))
                rest.append(contentsOf: (lists.contains(span) ? "[]" : "{}").utf8)
                from = span.upperBound
            }
            rest.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[from...]))
            var checkpoint = try JSONDecoder().decode(CheckpointFile.self, from: rest).checkpoint
            try checkpoint.state.readLargeSections(histories: UnsafeRawBufferPointer(rebasing: bytes[histories]),
                                                   details: UnsafeRawBufferPointer(rebasing: bytes[details]),
                                                   cards: UnsafeRawBufferPointer(rebasing: bytes[cards]))
            try checkpoint.state.readFollowUpSections(refunds: spans[followUps.refunds].map { UnsafeRawBufferPointer(rebasing: bytes[$0]) },
                                                      disputes: spans[followUps.disputes].map { UnsafeRawBufferPointer(rebasing: bytes[$0]) })
            return checkpoint
        }
    }
}
