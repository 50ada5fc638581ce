#if canImport(Glibc)
import Glibc
#endif

/// The benchmark's ceiling for the file path: the tightest plain Swift we could write that formats
/// `count` rows of the transactions file's shape (same 18 columns, same widths and number formats,
/// values from a cheap counter-based mix) and writes them to `path` in 1 MiB blocks. It shares no
/// code with the product.
enum FileWriteBaseline {
    static func write(rows count: Int, to path: String) -> Int {
        let capacity = 1 << 20
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 1_024)
        defer { block.deallocate() }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var used = 0
        var bytes = 0

        @inline(__always) func byte(_ value: UInt8) { block[used] = value; used &+= 1 }
        @inline(__always) func text(_ value: StaticString) {
            (block + used).update(from: value.utf8Start, count: value.utf8CodeUnitCount)
            used &+= value.utf8CodeUnitCount
        }
        @inline(__always) func digits(_ value: Int, _ width: Int) {
            var rest = value
            var position = used &+ width &- 1
            while position >= used { block[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 48; rest /= 10; position &-= 1 }
            used &+= width
        }
        @inline(__always) func decimal(_ value: Int, _ intWidth: Int, _ fraction: Int, _ scale: Int) {
            digits(value / scale, intWidth); byte(46); digits(value % scale, fraction)
        }

        for row in 0..<count {
            let mix = row &* 0x9E37_79B9 &+ 0x7F4A_7C15
            text("TXN"); digits(row + 1, 10); byte(44)
            text("2024-01-"); digits(1 + row % 28, 2); byte(84); digits(8 + mix % 14, 2); byte(58); digits(mix % 60, 2); byte(58); digits(mix / 7 % 60, 2); byte(44)
            decimal(40_712_800 + mix % 50_000, 2, 6, 1_000_000); byte(44)
            byte(45); decimal(74_006_000 + mix % 50_000, 2, 6, 1_000_000); byte(44)
            decimal(500 + mix % 99_500, 3, 2, 100); byte(44)
            text("card_present,T"); digits(mix % 999_999, 6); digits(1 + mix % 20, 2); byte(44)
            text("debit,Bank of America,Visa,CARD"); digits(mix % 9_999_999_999, 10); byte(44)
            digits(400_000 + mix % 99_999, 6); text(",approved,M"); digits(mix % 999_999, 6); text(",0.005,")
            decimal(mix % 1_000, 1, 2, 100); byte(44); decimal(mix % 3_000, 1, 2, 100); byte(44); decimal(mix % 2_000, 1, 2, 100); byte(10)
            if used >= capacity {
                bytes += Glibc.write(descriptor, block, used)
                used = 0
            }
        }
        bytes += Glibc.write(descriptor, block, used)
        return bytes
    }
}
