/// The kind of value a field holds. Each form of a record (CSV column, JSON value, JSON Schema,
/// Avro schema, Avro binary) is derived from it, so that they cannot drift apart.
public enum FieldType: Sendable, Equatable {
    /// Free or generated text: a CSV field, a JSON string, an Avro `string`.
    case text
    /// US dollars to the cent: `45.50` in CSV and JSON, an Avro `decimal` (bytes, scale 2).
    case money
    /// A rate with up to four decimals (`0.032`): an Avro `decimal` (bytes, scale 4).
    case rate
    /// Degrees with six decimals: a JSON number, an Avro `double`.
    case coordinate
    /// A whole number: a JSON integer, an Avro `int`.
    case integer
    /// `YYYY-MM-DD`: a JSON string of format `date`, an Avro `int` of logical type `date`.
    case date
    /// `YYYY-MM-DDTHH:MM:SS`, wall-clock time in the run's `--timezone` without an offset: a JSON
    /// string, an Avro `long` of logical type `local-timestamp-millis`.
    case localTimestamp
}

/// One field of a record: its name (the CSV column and the JSON and Avro field name), its type,
/// whether it may be absent (an empty CSV field, JSON `null`, an Avro union with `null`), its
/// documentation (units, zones, formats) and, for text, the values it can take or its pattern.
public struct Field: Sendable {
    public let name: String
    public let type: FieldType
    public let nullable: Bool
    public let doc: String
    /// The only values a text field takes (a JSON Schema `enum`; Avro keeps a `string`, so that a
    /// new value is not a breaking change).
    public let values: [String]?
    /// A regular expression every value of a text field matches (JSON Schema `pattern`).
    public let pattern: String?

    public init(_ name: String, _ type: FieldType, nullable: Bool = false, values: [String]? = nil,
                pattern: String? = nil, doc: String) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.doc = doc
        self.values = values
        self.pattern = pattern
    }
}

/// The one description of a record's fields, in order, from which the CSV header, the JSON keys,
/// the JSON Schema and the Avro schema are derived.
public struct RecordFields: Sendable {
    /// The Avro record name and the JSON Schema title (`Transaction`).
    public let name: String
    public let doc: String
    public let fields: [Field]
    /// Bit `i` is set when field `i` is nullable.
    public let nullableMask: UInt64

    public init(name: String, doc: String, fields: [Field]) {
        precondition(fields.count <= 64)
        self.name = name
        self.doc = doc
        self.fields = fields
        nullableMask = fields.enumerated().reduce(0) { $1.element.nullable ? $0 | 1 << UInt64($1.offset) : $0 }
    }

    /// The field names in order (the CSV header's columns).
    public var names: [String] { fields.map(\.name) }

    /// The same record with `more` fields after these ones.
    public func adding(name: String, doc: String, _ more: [Field]) -> RecordFields {
        RecordFields(name: name, doc: doc, fields: fields + more)
    }

    /// The Avro namespace of both records.
    public static let namespace = "replay.payments"
}
