extension Array {
    /// The first index whose element satisfies `belongs`, for an array where the elements that do
    /// all come after those that do not (a binary search); `count` when none does.
    public func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
