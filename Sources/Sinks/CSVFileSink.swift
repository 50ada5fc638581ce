import Events
import Simulation

/// Writes the spec's batch files for one period: `transactions_<start>_<end>.csv`, streamed as
/// the days are simulated, and `merchants_<start>_<end>.csv`, written whole (atomically) when
/// the period is complete, since it carries each merchant's last transaction date as of the
/// period's end.
public final class CSVFileSink: EventSink {
    public let period: Period
    private let folder: String
    private let transactions: BufferedFile
    /// Bytes of the transactions file that the last checkpoint covers.
    private var checkpointedSize = 0

    /// Creates the transactions file in `folder` (which must exist) and writes its header. With
    /// `continuing` (the run resumes a stopped day of this period) an existing file is continued:
    /// it already holds, to the byte, the rows the saved progress covers.
    public init(folder: String, period: Period, continuing: Bool) throws {
        self.folder = folder
        self.period = period
        let path = folder + "/" + period.fileName("transactions")
        let appending = continuing && BufferedFile.exists(path)
        transactions = try BufferedFile(creating: path, appending: appending)
        if !appending {
            Self.appendHeader(TransactionRow.columns, to: transactions.buffer)
            try transactions.flush()
        }
        checkpointedSize = transactions.size
    }

    public func write(_ slice: EventSlice) throws {
        let line = CSVLine(transactions.buffer)
        try slice.events.transactions.withUnsafeBufferPointer { rows in
            for index in slice.transactions {
                TransactionRow.write(rows[index], to: line)
                line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
                try transactions.flushIfFull()
            }
        }
    }

    public func checkpoint(_ state: SimulationState) throws {
        try transactions.flush()
        checkpointedSize = transactions.size
    }

    public func close(state: SimulationState, completed: Bool) throws {
        if !completed {
            // Rows past the last checkpoint are not in merchants.json: drop them, so that resuming
            // the day writes each row exactly once.
            try transactions.truncate(to: checkpointedSize)
        }
        try transactions.close()
        guard completed else { return }
        let line = CSVLine(ByteBuffer())
        Self.appendHeader(MerchantRow.columns, to: line.buffer)
        for row in period.merchantVersions(in: state) {
            MerchantRow.write(row.version, lastTransactionDate: row.merchant.lastTransactionDate, to: line)
            line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
        }
        try AtomicFile.write(line.buffer, to: folder + "/" + period.fileName("merchants"))
    }

    private static func appendHeader(_ columns: [String], to buffer: ByteBuffer) {
        buffer.append(columns.joined(separator: ",") + "\n")
    }
}
