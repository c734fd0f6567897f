extension JSONObject {
    /// Builds an object from members whose names the code fixes (so they are known to be distinct).
    public init(uniqueMembers members: [(String, JSONValue)]) {
        self.init()
        for (key, value) in members { _ = updateValue(value, forKey: key) }
    }
}
