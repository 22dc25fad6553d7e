/// Which kits fit a model.
public enum FitmentRules {
    /// Kits this many levels above the fitted parts are the highest considered (``BundleRules/maxDepth``
    /// keeps real kits shallower).
    static let maxLevels = 16

    /// The kits of `recipes` (kit → component SKUs) that fit: a kit fitted itself, and a kit whose every
    /// component is fitted or a kit that fits, level by level up from the fitted parts. An empty recipe,
    /// a component with no recipe that is not fitted, and a cycle do not fit.
    public static func kitsThatFit(fitted: Set<String>, recipes: [String: [String]]) -> Set<String> {
        var fits = fitted
        var pending = recipes.filter { !$0.value.isEmpty && !fitted.contains($0.key) }
        for _ in 0..<maxLevels {
            let level = pending.filter { $0.value.allSatisfy(fits.contains) }.keys
            guard !level.isEmpty else { break }
            for kit in level {
                fits.insert(kit)
                pending[kit] = nil
            }
        }
        return Set(recipes.keys.filter(fits.contains))
    }
}
