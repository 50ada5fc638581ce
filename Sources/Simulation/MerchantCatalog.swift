/// Industries and the words that realistic merchant names and street addresses are made of.
enum MerchantCatalog {
    struct Industry {
        let code: String
        let weight: Double
        /// Words a business of this industry calls itself.
        let nouns: [String]
    }

    static let industries: [Industry] = [
        Industry(code: "restaurant", weight: 16, nouns: ["Grill", "Kitchen", "Bistro", "Diner", "Taqueria", "Pizzeria", "Eatery"]),
        Industry(code: "retail", weight: 14, nouns: ["Market", "Goods", "Outfitters", "Supply", "Emporium", "Store"]),
        Industry(code: "grocery", weight: 9, nouns: ["Grocery", "Foods", "Fresh Market", "Provisions"]),
        Industry(code: "cafe", weight: 8, nouns: ["Coffee", "Cafe", "Bakery", "Roasters", "Tea House"]),
        Industry(code: "apparel", weight: 7, nouns: ["Boutique", "Apparel", "Clothing Co", "Threads"]),
        Industry(code: "health_beauty", weight: 6, nouns: ["Salon", "Spa", "Barbershop", "Beauty Bar"]),
        Industry(code: "pharmacy", weight: 4, nouns: ["Pharmacy", "Drugs", "Apothecary"]),
        Industry(code: "gas_station", weight: 5, nouns: ["Fuel", "Gas & Go", "Service Station"]),
        Industry(code: "electronics", weight: 4, nouns: ["Electronics", "Tech", "Wireless", "Computers"]),
        Industry(code: "home_garden", weight: 5, nouns: ["Hardware", "Home Center", "Garden Supply", "Furniture"]),
        Industry(code: "automotive", weight: 5, nouns: ["Auto Repair", "Tire & Lube", "Auto Parts", "Car Wash"]),
        Industry(code: "entertainment", weight: 4, nouns: ["Cinema", "Arcade", "Bowling", "Music Hall"]),
        Industry(code: "fitness", weight: 3, nouns: ["Fitness", "Gym", "Yoga Studio", "Athletic Club"]),
        Industry(code: "travel", weight: 3, nouns: ["Travel", "Inn", "Hotel", "Tours"]),
        Industry(code: "professional_services", weight: 4, nouns: ["Consulting", "Printing", "Dry Cleaners", "Accounting"]),
        Industry(code: "healthcare", weight: 3, nouns: ["Dental", "Family Clinic", "Vision Center", "Veterinary"]),
    ]

    static let industrySampler = WeightedTable(industries.map(\.weight))

    static let surnames = [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
        "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker",
        "Young", "Allen", "King", "Wright", "Scott", "Nguyen", "Hill", "Flores", "Green", "Adams",
        "Nelson", "Baker", "Campbell", "Mitchell", "Carter", "Roberts", "Kim", "Patel", "Chen", "Murphy",
    ]

    static let adjectives = [
        "Golden", "Blue", "Silver", "Red", "Green", "Sunny", "Happy", "Royal", "Little", "Big",
        "Urban", "Main Street", "Corner", "Hometown", "Evergreen", "Lucky", "Bright", "Harbor",
        "Summit", "Prairie", "Coastal", "Liberty", "Pioneer", "Maple", "Oak", "Cedar",
    ]

    static let streetNames = [
        "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
        "Sunset", "Lincoln", "Jackson", "Church", "Highland", "Madison", "River", "Spring", "Center",
        "Franklin", "Broadway", "Market", "Union", "Jefferson", "Walnut", "Chestnut", "Adams", "Ridge",
    ]

    static let streetSuffixes = ["St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Pkwy"]

    /// Local parts of the contact address; the first one is every merchant's initial address.
    static let emailLocalParts = ["contact", "info", "hello", "billing", "sales", "office", "support"]

    static func name(industry: Int, city: USCity, _ random: inout SimRandom) -> String {
        let nouns = industries[industry].nouns
        let noun = nouns[random.below(nouns.count)]
        switch random.below(4) {
        case 0: return surnames[random.below(surnames.count)] + "'s " + noun
        case 1: return adjectives[random.below(adjectives.count)] + " " + noun
        case 2: return city.name + " " + noun
        default:
            let first = surnames[random.below(surnames.count)]
            let second = surnames[random.below(surnames.count)]
            return first == second ? first + " " + noun : first + " & " + second + " " + noun
        }
    }

    static func streetAddress(_ random: inout SimRandom) -> String {
        String(random.int(in: 1...9_899)) + " " + streetNames[random.below(streetNames.count)] + " "
            + streetSuffixes[random.below(streetSuffixes.count)]
    }
}
