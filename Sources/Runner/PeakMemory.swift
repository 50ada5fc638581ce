import Foundation

/// The process's peak resident set size (VmHWM in /proc/self/status), in MiB; nil where unknown.
public enum PeakMemory {
    public static func mebibytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return nil }
        return kilobytes / 1024
    }
}
