import Checkpoints
import Records
import Simulation

/// Writes the batch files of one period: for each of the run's streams its
/// `<stem>_<start>_<end>.csv`. A file written `.eachEvent` (transactions) is streamed as the days
/// are simulated; one written `.atPeriodEnd` (merchants) is written whole (atomically) when the
/// period is complete, since it carries each merchant's last transaction date as of the period's
/// end. A shard of a sharded run (`ownership`) writes only the rows of the merchants it owns, by
/// each stream's rule. With a `disorderLog` plan, `disorder_<start>_<end>.csv` lists, beside each
/// row of the delivered stream, its late and duplicate deliveries (the plan decides them from the
/// event alone, as the run does), so the log is complete when the period's files are, whenever
/// the deliveries themselves happen.
public final class CSVFileSink: PeriodFiles {
    public let period: Period
    private let folder: String
    private let streams: [any EventStream]
    /// Per stream, its file when it is written `.eachEvent`.
    private let files: [StreamFile?]
    private let ownership: ShardOwnership
    /// An unsharded run writes every row: no ownership call per row on the hot path.
    private let writesEveryRow: Bool
    /// Rows this process wrote per stream (a shard writes only those it owns).
    public private(set) var rowsWritten: [Int]
    private let disorderLog: DisorderLog?

    /// Creates the files written `.eachEvent` in `folder` (which must exist) and writes their
    /// headers. When `resumingFrom` (the byte lengths a checkpoint recorded) names a file, the
    /// existing file is cut back to that length and continued: rows a killed run wrote after its
    /// last checkpoint are dropped, and the run writes them again.
    public init(folder: String, period: Period, resumingFrom lengths: [String: Int] = [:], streams: [any EventStream],
                ownership: ShardOwnership = ShardOwnership(shard: .whole, partitionCounts: nil), disorderLog: DeliveryPlan? = nil) throws {
        self.folder = folder
        self.period = period
        self.streams = streams
        self.ownership = ownership
        writesEveryRow = ownership.shard.isWhole
        rowsWritten = Array(repeating: 0, count: streams.count)
        files = try streams.map { stream in
            guard stream.batchFile.writing == .eachEvent else { return nil }
            return try StreamFile(open: folder, period.fileName(stream.batchFile.stem), header: stream.batchFile.fields.names, resumingFrom: lengths)
        }
        self.disorderLog = try disorderLog.map { plan in
            DisorderLog(plan: plan, file: try StreamFile(open: folder, period.fileName("disorder"), header: DisorderLogRow.columns, resumingFrom: lengths))
        }
    }

    public var durableLengths: [String: Int] {
        var lengths: [String: Int] = [:]
        for file in files.compactMap({ $0 }) + (disorderLog.map { [$0.file] } ?? []) { lengths[file.name] = file.durableSize }
        return lengths
    }

    /// Transaction rows this process wrote, for a shard's summary.
    public var transactionRows: Int { rowsWritten[EventStreams.deliveredIndex] }

    public func write(_ slice: EventSlice) throws {
        for (index, stream) in streams.enumerated() {
            guard let file = files[index], !slice.ranges[index].isEmpty else { continue }
            let owns: (Int) -> Bool = writesEveryRow ? { _ in true } : { [ownership] in ownership.owns(index, merchantNumber: $0) }
            rowsWritten[index] += try stream.writeRows(slice.ranges[index], of: slice.events, to: CSVLine(file.file.buffer), owns: owns,
                                                       flush: file.file.flushIfFull)
        }
        if let disorderLog { try logDeliveries(slice, disorderLog) }
    }

    /// The log rows of the late and duplicate deliveries of the delivered stream's events in the slice.
    private func logDeliveries(_ slice: EventSlice, _ log: DisorderLog) throws {
        let delivered = EventStreams.deliveredIndex
        let line = CSVLine(log.file.file.buffer)
        func row(_ transaction: Transaction, _ deliveredAt: Int64, _ kind: DeliveryKind) {
            DisorderLogRow.write(transaction, deliveredAt: deliveredAt, kind: kind, to: line)
            line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
        }
        let day = slice.events.day
        // The plan decides by the transaction's index in the whole day.
        let first = slice.events.earlier[keyPath: streams[delivered].delivered]
        try slice.events.transactions.withUnsafeBufferPointer { transactions in
            for index in slice.ranges[delivered]
            where writesEveryRow || ownership.owns(delivered, merchantNumber: Int(transactions[index].merchantNumber)) {
                let decision = log.plan.decide(day: day, index: first + index)
                let at = log.plan.deliveredAt(eventTime: transactions[index].timestamp, decision)
                if decision.isLate { row(transactions[index], at.first, .late) }
                if let second = at.second { row(transactions[index], second, .duplicate) }
                try log.file.file.flushIfFull()
            }
        }
    }

    public func makeDurable() throws {
        for file in files.compactMap({ $0 }) + (disorderLog.map { [$0.file] } ?? []) { try file.sync() }
    }

    public func complete(state: SimulationState) throws {
        for file in files.compactMap({ $0 }) + (disorderLog.map { [$0.file] } ?? []) { try file.file.close() }
        for (index, stream) in streams.enumerated() where stream.batchFile.writing == .atPeriodEnd {
            try AtomicFile.write(to: folder + "/" + period.fileName(stream.batchFile.stem)) { file in
                file.buffer.append(stream.batchFile.fields.names.joined(separator: ",") + "\n")
                try stream.writePeriodRows(of: period, state: state, to: CSVLine(file.buffer), owns: { ownership.owns(index, merchantNumber: $0) },
                                           flush: file.flushIfFull)
            }
        }
    }

    public func close(completed: Bool) throws {
        for file in files.compactMap({ $0 }) + (disorderLog.map { [$0.file] } ?? []) {
            // Rows past the last durable point are not in merchants.json: drop them (a re-run writes them again).
            if !completed { try file.file.truncate(to: file.durableSize) }
            try file.file.close()
        }
    }
}

/// A file written as the events happen, and how much of it the last `sync` made durable.
private final class StreamFile {
    let name: String
    let file: BufferedFile
    private(set) var durableSize: Int

    /// Creates file `name` in `folder` with its header, or, when `lengths` names it, cuts the existing file back to that length.
    init(open folder: String, _ name: String, header: [String], resumingFrom lengths: [String: Int]) throws {
        let path = folder + "/" + name
        self.name = name
        if let length = lengths[name] {
            file = try BufferedFile(creating: path, appending: true)
            guard file.size >= length else {
                throw SinkError("\(path) holds \(file.size) bytes, fewer than the \(length) that merchants.json says were written: "
                    + "the folder was changed since; pass -f to start the run over")
            }
            try file.truncate(to: length)
        } else {
            file = try BufferedFile(creating: path)
            file.buffer.append(header.joined(separator: ",") + "\n")
        }
        try file.flush()
        durableSize = file.size
    }

    func sync() throws {
        try file.sync()
        durableSize = file.size
    }
}

/// `disorder_<start>_<end>.csv`: the plan that decides each delivery and the file it is logged in.
private struct DisorderLog {
    let plan: DeliveryPlan
    let file: StreamFile
}
