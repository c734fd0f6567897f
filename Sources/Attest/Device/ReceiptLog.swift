/// Where a device keeps its signed receipts. One storage type hides the format: `SQLiteReceiptLog`, an audit
/// log (RFC 9162 tree, signed checkpoints) in the state directory.
public protocol ReceiptStore {
    /// Appends one receipt envelope (canonical bytes); durable when this returns.
    func append(_ envelope: [UInt8]) throws(AttestError)
    /// Every complete receipt, oldest first.
    func entries() throws(AttestError) -> [[UInt8]]
}
