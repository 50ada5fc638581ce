/// A real US city that merchants are placed in.
public struct USCity: Sendable {
    public let name: String
    public let state: String
    public let population: Int
    /// Latitude and longitude in millionths of a degree.
    public let latitudeE6: Int32
    public let longitudeE6: Int32
    public let zipCodes: [String]
    public let areaCodes: [String]

    /// Every city of the embedded table, in the table's order (most populous first).
    public static let all: [USCity] = parseTable(usCitiesCSV)

    /// Samples cities with probability proportional to population.
    public static let byPopulation = WeightedTable(all.map { Double($0.population) })

    static func parseTable(_ text: String) -> [USCity] {
        text.split(separator: "\n").dropFirst().map { line in
            let field = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return USCity(
                name: field[0], state: field[1], population: Int(field[2])!,
                latitudeE6: microdegrees(field[3]), longitudeE6: microdegrees(field[4]),
                zipCodes: field[6].split(separator: " ").map(String.init),
                areaCodes: field[7].split(separator: " ").map(String.init)
            )
        }
    }

    private static func microdegrees(_ text: String) -> Int32 {
        Int32((Double(text)! * 1_000_000).rounded())
    }
}
