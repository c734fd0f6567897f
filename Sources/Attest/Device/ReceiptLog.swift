/// Where a device keeps its signed receipts. One storage type hides the format: `SQLiteReceiptLog`, an audit
/// log (RFC 9162 tree, signed checkpoints) in the state directory, fed through a receipt queue.
public protocol ReceiptStore {
    /// Appends one receipt envelope (canonical bytes); durable when this returns.
    func append(_ envelope: [UInt8]) throws(AttestError)
    /// Moves receipts held back for speed into their final store; a store without such a stage does nothing.
    @discardableResult
    func flush() throws(AttestError) -> ReceiptQueue.Drained
    /// Every complete receipt, oldest first.
    func entries() throws(AttestError) -> [[UInt8]]
}
