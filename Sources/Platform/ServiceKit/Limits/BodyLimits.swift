/// How large a request body may be: small JSON everywhere, larger uploads where a contract takes a
/// file (`POST /imports` takes CSV). ``BodyLimitMiddleware`` picks the limit from the matched route.
public enum BodyLimits {
    /// A JSON body.
    public static let standard = 1 << 20
    /// An upload (an operation whose contract takes anything but JSON).
    public static let upload = 32 << 20
    /// A body sent to a path no contract or route declares (it is read only to answer 404).
    public static let unrouted = 64 << 10
}
