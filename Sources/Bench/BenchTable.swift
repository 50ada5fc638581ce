import Foundation
import Runner

/// What one benchmark row measured.
struct BenchResult {
    var count: Int
    var seconds: Double
    var peakMiB: Double = PeakMemory.mebibytes() ?? 0
    var p50: Double?
    var p99: Double?
    /// When the timed work began (Unix seconds), so that rows run at once can be timed together.
    var startedAt: Double = 0
    /// For the replay rows: the checkpoints committed, the bytes of `merchants.json` and
    /// `merchants.journal` they wrote, and the seconds they took (each making the sinks durable
    /// and committing), in all and at most.
    var checkpoints = 0
    var checkpointBytes = 0
    var checkpointSeconds = 0.0
    var checkpointMaxSeconds = 0.0

    var rate: Double { Double(count) / max(seconds, 1e-9) }

    init(count: Int, seconds: Double, p50: Double? = nil, p99: Double? = nil) {
        self.count = count
        self.seconds = seconds
        self.p50 = p50
        self.p99 = p99
    }

    /// `RESULT count seconds peakMiB p50 p99 startedAt checkpoints checkpointBytes checkpointSeconds checkpointMaxSeconds`,
    /// the line a row process prints.
    var line: String {
        "RESULT \(count) \(seconds) \(peakMiB) \(p50 ?? -1) \(p99 ?? -1) \(startedAt) \(checkpoints) \(checkpointBytes) \(checkpointSeconds) \(checkpointMaxSeconds)"
    }

    init?(line: String) {
        let fields = line.split(separator: "\n").last { $0.hasPrefix("RESULT ") }?.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard let fields, fields.count == 10 else { return nil }
        self.init(count: Int(fields[0]), seconds: fields[1], p50: fields[3] < 0 ? nil : fields[3], p99: fields[4] < 0 ? nil : fields[4])
        peakMiB = fields[2]
        startedAt = fields[5]
        checkpoints = Int(fields[6])
        checkpointBytes = Int(fields[7])
        checkpointSeconds = fields[8]
        checkpointMaxSeconds = fields[9]
    }

    /// The run with the median time, with the highest peak RSS of all runs.
    static func median(of runs: [BenchResult]) -> BenchResult {
        var middle = runs.sorted { $0.seconds < $1.seconds }[runs.count / 2]
        middle.peakMiB = runs.map(\.peakMiB).max() ?? middle.peakMiB
        return middle
    }
}

/// The benchmark's printed table.
struct BenchTable {
    private var lines: [String] = []

    mutating func add(_ label: String, _ result: BenchResult, unit: String) {
        lines.append(Self.pad(label, 48) + Self.pad(Self.group(Int(result.rate)) + " " + unit, 20)
            + Self.pad(Self.group(result.count), 12) + Self.pad(result.seconds.twoDecimals + " s", 10) + result.peakMiB.twoDecimals + " MiB")
    }

    mutating func lag(_ label: String, _ result: BenchResult) {
        lines.append(Self.pad(label, 48) + "p50 \((result.p50 ?? 0).twoDecimals) ms, p99 \((result.p99 ?? 0).twoDecimals) ms over \(result.count) events")
    }

    mutating func note(_ text: String) { lines.append("  → " + text) }

    func render(machine: String) -> String {
        let header = Self.pad("row", 48) + Self.pad("rate", 20) + Self.pad("count", 12) + Self.pad("time", 10) + "peak RSS"
        return (["machine: " + machine, header, String(repeating: "-", count: header.count + 4)] + lines).joined(separator: "\n")
    }

    static func ratio(_ a: Double, _ b: Double) -> String { (a / max(b, 1e-9)).twoDecimals + "x" }

    static func machine() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
    }


    static func group(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(character)
        }
        return result
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
