import CatalogAPI
import Foundation
import ServiceKit

extension CatalogHandler {
    func createImport(_ input: Operations.CreateImport.Input) async throws -> Operations.CreateImport.Output {
        _ = try await authenticator.require(.admin)
        throw Problem.malformed("not yet")
    }

    func getImport(_ input: Operations.GetImport.Input) async throws -> Operations.GetImport.Output {
        _ = try await authenticator.require(.admin)
        throw Problem.malformed("not yet")
    }
}
