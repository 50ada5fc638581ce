import Events
import Simulation

/// Writes the spec's batch files for one period: `transactions_<start>_<end>.csv`, streamed as
/// the days are simulated, and `merchants_<start>_<end>.csv`, written whole (atomically) when
/// the period is complete, since it carries each merchant's last transaction date as of the
/// period's end. A shard of a sharded run (`ownership`) writes only the rows of the merchants it
/// owns: transactions by the transactions stream's rule, merchants by the merchants stream's.
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

    /// Creates the transactions file in `folder` (which must exist) and writes its header. When
    /// `resumingFrom` (the byte lengths a checkpoint recorded) names the file, the existing file
    /// is cut back to that length and continued: rows a killed run wrote after its last checkpoint
    /// are dropped, and the run writes them again.
    public init(folder: String, period: Period, resumingFrom lengths: [String: Int] = [:],
                ownership: ShardOwnership = ShardOwnership(shard: .whole, partitionCounts: nil)) throws {
        self.folder = folder
        self.period = period
        self.ownership = ownership
        writesEveryRow = ownership.shard.isWhole
        transactionsName = period.fileName("transactions")
        let path = folder + "/" + transactionsName
        if let length = lengths[transactionsName] {
            transactions = try BufferedFile(creating: path, appending: true)
            guard transactions.size >= length else {
                throw SinkError("\(path) holds \(transactions.size) bytes, fewer than the \(length) that merchants.json says were written: "
                    + "the folder was changed since; pass -f to start the run over")
            }
            try transactions.truncate(to: length)
        } else {
            transactions = try BufferedFile(creating: path)
            Self.appendHeader(TransactionRow.columns, to: transactions.buffer)
        }
        try transactions.flush()
        durableSize = transactions.size
    }

    public var durableLengths: [String: Int] { [transactionsName: durableSize] }

    public func write(_ slice: EventSlice) throws {
        let line = CSVLine(transactions.buffer)
        try slice.events.transactions.withUnsafeBufferPointer { rows in
            for index in slice.transactions
            where writesEveryRow || ownership.owns(.transactions, merchantNumber: Int(rows[index].merchantNumber)) {
                TransactionRow.write(rows[index], to: line)
                transactionRows += 1
                line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
                try transactions.flushIfFull()
            }
        }
    }

    public func makeDurable() throws {
        try transactions.sync()
        durableSize = transactions.size
    }

    public func complete(state: SimulationState) throws {
        try transactions.close()
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
        if !completed { try transactions.truncate(to: durableSize) }
        try transactions.close()
    }

    private static func appendHeader(_ columns: [String], to buffer: ByteBuffer) {
        buffer.append(columns.joined(separator: ",") + "\n")
    }
}
