/// Creates merchants and their attribute changes from a random stream.
enum MerchantFactory {
    /// A new merchant onboarded on `day`.
    static func make(number: Int, on day: Day, _ random: inout SimRandom) -> Merchant {
        let size = SizeCategory(rawValue: UInt8(SizeCategory.sampler.pick(&random)))!
        let industry = MerchantCatalog.industrySampler.pick(&random)
        let city = USCity.all[USCity.byPopulation.pick(&random)]
        let id = Merchant.id(number: number)
        let version = MerchantVersion(
            merchantId: id,
            name: MerchantCatalog.name(industry: industry, city: city, &random),
            industry: MerchantCatalog.industries[industry].code,
            address: MerchantCatalog.streetAddress(&random),
            city: city.name,
            state: city.state,
            zipCode: city.zipCodes[random.below(city.zipCodes.count)],
            phone: phone(in: city, &random),
            email: MerchantCatalog.emailLocalParts[0] + "@" + id.lowercased() + ".com",
            mdrRate: random.int(in: size.mdrRange),
            size: size,
            creationDate: day,
            effectiveDate: day,
            status: .active,
            version: 1
        )
        // Within about 3 km of the city's centre.
        return Merchant(
            number: number,
            versions: [version],
            latitudeE6: city.latitudeE6 + Int32(random.int(in: -25_000...25_000)),
            longitudeE6: city.longitudeE6 + Int32(random.int(in: -30_000...30_000)),
            terminalCount: random.int(in: size.terminalCount),
            lastTransactionDate: nil
        )
    }

    /// The next version of `merchant` after one attribute (address, phone, email or name) changed on `day`.
    static func changedVersion(of merchant: Merchant, on day: Day, _ random: inout SimRandom) -> MerchantVersion {
        var next = merchant.current
        next.version += 1
        next.effectiveDate = day
        let city = USCity.all.first { $0.name == next.city && $0.state == next.state }
        switch random.below(4) {
        case 0:
            next.address = MerchantCatalog.streetAddress(&random)
            if let city { next.zipCode = city.zipCodes[random.below(city.zipCodes.count)] }
        case 1:
            if let city { next.phone = phone(in: city, &random) }
        case 2:
            let parts = MerchantCatalog.emailLocalParts.filter { !next.email.hasPrefix($0 + "@") }
            next.email = parts[random.below(parts.count)] + "@" + next.merchantId.lowercased() + ".com"
        default:
            let industry = MerchantCatalog.industries.firstIndex { $0.code == next.industry } ?? 0
            let renamedIn = city ?? USCity.all[0]
            next.name = MerchantCatalog.name(industry: industry, city: renamedIn, &random)
        }
        return next
    }

    /// The churned version of `merchant` on `day`.
    static func churnedVersion(of merchant: Merchant, on day: Day) -> MerchantVersion {
        var next = merchant.current
        next.version += 1
        next.effectiveDate = day
        next.status = .churned
        return next
    }

    /// `AAA-EEE-NNNN` with one of the city's area codes and a valid exchange (not 555).
    private static func phone(in city: USCity, _ random: inout SimRandom) -> String {
        let area = city.areaCodes.isEmpty ? "555" : city.areaCodes[random.below(city.areaCodes.count)]
        var exchange = random.int(in: 200...999)
        if exchange == 555 { exchange = 556 }
        return area + "-" + String(exchange) + "-" + String(zeroPadded: random.int(in: 0...9_999), width: 4)
    }
}
