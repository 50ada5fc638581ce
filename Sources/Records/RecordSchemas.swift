/// The JSON Schema (draft 2020-12) and the Avro schema of a record's value, both derived from its
/// `RecordFields`.
extension RecordFields {
    /// A JSON Schema that every JSON value of this record validates against: an object with
    /// exactly these fields, each with its type, format or pattern, allowed values and doc.
    public var jsonSchema: SchemaJSON {
        .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("title", .string(name)),
            ("description", .string(doc)),
            ("type", .string("object")),
            ("properties", .object(fields.map { ($0.name, $0.jsonSchema) })),
            ("required", .array(fields.map { .string($0.name) })),
            ("additionalProperties", .bool(false)),
        ])
    }

    /// The Avro record schema (Avro 1.11) of this record's binary values.
    public var avroSchema: SchemaJSON {
        .object([
            ("type", .string("record")),
            ("name", .string(name)),
            ("namespace", .string(Self.namespace)),
            ("doc", .string(doc)),
            ("fields", .array(fields.map { field in
                var members: [(String, SchemaJSON)] = [("name", .string(field.name))]
                members.append(("type", field.nullable ? .array([.string("null"), field.avroType]) : field.avroType))
                if field.nullable { members.append(("default", .null)) }
                members.append(("doc", .string(field.doc)))
                return .object(members)
            })),
        ])
    }
}

extension Field {
    /// This field's JSON Schema.
    var jsonSchema: SchemaJSON {
        let base: String
        var members: [(String, SchemaJSON)] = []
        switch type {
        case .text:
            base = "string"
            if let pattern { members.append(("pattern", .string(pattern))) }
        case .money, .rate, .coordinate:
            base = "number"
        case .integer:
            base = "integer"
        case .date:
            base = "string"
            members.append(("format", .string("date")))
        case .localTimestamp:
            base = "string"
            members.append(("pattern", .string("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$")))
        }
        if let values { members.append(("enum", .array(values.map(SchemaJSON.string) + (nullable ? [.null] : [])))) }
        let type: SchemaJSON = nullable ? .array([.string(base), .string("null")]) : .string(base)
        return .object([("type", type)] + members + [("description", .string(doc))])
    }

    /// This field's Avro type, without the union that makes it nullable.
    var avroType: SchemaJSON {
        switch type {
        case .text: .string("string")
        case .money: Self.decimal(precision: 12, scale: 2)
        case .rate: Self.decimal(precision: 5, scale: 4)
        case .coordinate: .string("double")
        case .integer: .string("int")
        case .date: .object([("type", .string("int")), ("logicalType", .string("date"))])
        case .localTimestamp: .object([("type", .string("long")), ("logicalType", .string("local-timestamp-millis"))])
        }
    }

    private static func decimal(precision: Int, scale: Int) -> SchemaJSON {
        .object([("type", .string("bytes")), ("logicalType", .string("decimal")), ("precision", .integer(precision)), ("scale", .integer(scale))])
    }
}
