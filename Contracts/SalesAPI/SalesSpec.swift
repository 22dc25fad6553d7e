/// The sales service's OpenAPI document, as shipped in this target.
package enum SalesSpec {
    /// The YAML text of `openapi.yaml`.
    package static var yaml: String { String(decoding: PackageResources.openapi_yaml, as: UTF8.self) }
}
