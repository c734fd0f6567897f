/// Typed-throws wrappers over Array's `withUnsafeBytes`: the standard library's versions rethrow untyped
/// errors, and every throwing call in this module throws `CryptoError`.
func withBytes<T>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(CryptoError) -> T) throws(CryptoError) -> T {
    let result: Result<T, CryptoError> = bytes.withUnsafeBytes { raw in
        do throws(CryptoError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

func withMutableBytes<T>(
    _ bytes: inout [UInt8], _ body: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> T
) throws(CryptoError) -> T {
    let result: Result<T, CryptoError> = bytes.withUnsafeMutableBytes { raw in
        do throws(CryptoError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

extension UnsafeRawBufferPointer {
    /// The start as `UInt8`, for OpenSSL's `const unsigned char *` parameters; nil when empty.
    var bytePointer: UnsafePointer<UInt8>? { baseAddress?.assumingMemoryBound(to: UInt8.self) }
}

extension UnsafeMutableRawBufferPointer {
    var bytePointer: UnsafeMutablePointer<UInt8>? { baseAddress?.assumingMemoryBound(to: UInt8.self) }
}
