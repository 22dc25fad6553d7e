/// What this build is, by the versioning policy in docs/VERSIONING.md: `sprocket --version`, the
/// `/version` endpoint of every process, and the image's tag.
public enum Release {
    /// The semantic version of the binary and its image (CHANGELOG.md's newest entry).
    public static let version = "0.2.0"
    /// The REST API's major version: the `/api/v1` prefix.
    public static let apiVersion = "v1"
    /// The oldest release this one runs beside on one database and one broker during a rolling upgrade.
    public static let upgradesFrom = "0.1.0"

    /// `/version`'s body.
    public static var json: String {
        #"{"version":"\#(version)","api":"\#(apiVersion)","upgradesFrom":"\#(upgradesFrom)"}"#
    }
}
