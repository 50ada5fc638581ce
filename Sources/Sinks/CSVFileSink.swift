import Events
import Simulation

/// Writes the spec's batch files for one period: `transactions_<start>_<end>.csv`, streamed as
/// the days are simulated, and `merchants_<start>_<end>.csv`, written whole (atomically) when
/// the period is complete, since it carries each merchant's last transaction date as of the
/// period's end. A shard of a sharded run (`ownership`) writes only the rows of the merchants it
/// owns: transactions by the transactions stream's rule, merchants by the merchants stream's.
/// With a `disorderLog` plan, `disorder_<start>_<end>.csv` lists, beside each transaction row, its
/// late and duplicate deliveries (the plan decides them from the event alone, as the run does), so
/// the log is complete when the period's files are, whenever the deliveries themselves happen.
public final class CSVFileSink: PeriodFiles {
    public let period: Period
    private let folder: String
    private let transactions: BufferedFile
    private let transactionsName: String
    private let ownership: ShardOwnership
    /// An unsharded run writes every row: no ownership call per row on the hot path.
    private let writesEveryRow: Bool
    /// Transaction rows this process wrote (a shard writes only those it owns).
    public private(set) var transactionRows = 0
    /// Bytes of the transactions file that the last `makeDurable` covers.
    private var durableSize = 0
    private let disorderLog: DisorderLog?
    private var durableLogSize = 0

    /// Creates the transactions file in `folder` (which must exist) and writes its header. When
    /// `resumingFrom` (the byte lengths a checkpoint recorded) names the file, the existing file
    /// is cut back to that length and continued: rows a killed run wrote after its last checkpoint
    /// are dropped, and the run writes them again.
    public init(folder: String, period: Period, resumingFrom lengths: [String: Int] = [:],
                ownership: ShardOwnership = ShardOwnership(shard: .whole, partitionCounts: nil), disorderLog: DeliveryPlan? = nil) throws {
        self.folder = folder
        self.period = period
        self.ownership = ownership
        writesEveryRow = ownership.shard.isWhole
        transactionsName = period.fileName("transactions")
        transactions = try Self.open(folder, transactionsName, header: TransactionRow.columns, resumingFrom: lengths)
        durableSize = transactions.size
        if let plan = disorderLog {
            let name = period.fileName("disorder")
            self.disorderLog = DisorderLog(plan: plan, file: try Self.open(folder, name, header: DisorderLogRow.columns, resumingFrom: lengths),
                                           name: name)
            durableLogSize = self.disorderLog!.file.size
        } else {
            self.disorderLog = nil
        }
    }

    /// Creates file `name` with its header, or, when `lengths` names it, cuts the existing file back to that length.
    private static func open(_ folder: String, _ name: String, header: [String], resumingFrom lengths: [String: Int]) throws -> BufferedFile {
        let path = folder + "/" + name
        let file: BufferedFile
        if let length = lengths[name] {
            file = try BufferedFile(creating: path, appending: true)
            guard file.size >= length else {
                throw SinkError("\(path) holds \(file.size) bytes, fewer than the \(length) that merchants.json says were written: "
                    + "the folder was changed since; pass -f to start the run over")
            }
            try file.truncate(to: length)
        } else {
            file = try BufferedFile(creating: path)
            appendHeader(header, to: file.buffer)
        }
        try file.flush()
        return file
    }

    public var durableLengths: [String: Int] {
        var lengths = [transactionsName: durableSize]
        if let disorderLog { lengths[disorderLog.name] = durableLogSize }
        return lengths
    }

    public func write(_ slice: EventSlice) throws {
        let line = CSVLine(transactions.buffer)
        try slice.events.transactions.withUnsafeBufferPointer { rows in
            for index in slice.transactions
            where writesEveryRow || ownership.owns(.transactions, merchantNumber: Int(rows[index].merchantNumber)) {
                TransactionRow.write(rows[index], to: line)
                transactionRows += 1
                line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
                try transactions.flushIfFull()
                if let disorderLog { try logDeliveries(of: rows[index], day: slice.events.day, index: index, disorderLog) }
            }
        }
    }

    /// The log rows of one transaction's late and duplicate deliveries.
    private func logDeliveries(of transaction: Transaction, day: Day, index: Int, _ log: DisorderLog) throws {
        let decision = log.plan.decide(day: day, index: index)
        let at = log.plan.deliveredAt(eventTime: transaction.timestamp, decision)
        let line = CSVLine(log.file.buffer)
        func row(_ deliveredAt: Int64, _ kind: DeliveryKind) {
            DisorderLogRow.write(transaction, deliveredAt: deliveredAt, kind: kind, to: line)
            line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
        }
        if decision.isLate { row(at.first, .late) }
        if let second = at.second { row(second, .duplicate) }
        try log.file.flushIfFull()
    }

    public func makeDurable() throws {
        try transactions.sync()
        durableSize = transactions.size
        if let disorderLog {
            try disorderLog.file.sync()
            durableLogSize = disorderLog.file.size
        }
    }

    public func complete(state: SimulationState) throws {
        try transactions.close()
        try disorderLog?.file.close()
        let line = CSVLine(ByteBuffer())
        Self.appendHeader(MerchantRow.columns, to: line.buffer)
        for row in period.merchantVersions(in: state) where ownership.owns(.merchants, merchantNumber: row.merchant.number) {
            MerchantRow.write(row.version, lastTransactionDate: row.merchant.lastTransactionDate, to: line)
            line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
        }
        try AtomicFile.write(line.buffer, to: folder + "/" + period.fileName("merchants"))
    }

    public func close(completed: Bool) throws {
        // Rows past the last durable point are not in merchants.json: drop them (a re-run writes them again).
        if !completed {
            try transactions.truncate(to: durableSize)
            try disorderLog?.file.truncate(to: durableLogSize)
        }
        try transactions.close()
        try disorderLog?.file.close()
    }

    private static func appendHeader(_ columns: [String], to buffer: ByteBuffer) {
        buffer.append(columns.joined(separator: ",") + "\n")
    }
}

/// `disorder_<start>_<end>.csv`: the plan that decides each transaction's deliveries and the file they are logged in.
private struct DisorderLog {
    let plan: DeliveryPlan
    let file: BufferedFile
    let name: String
}
