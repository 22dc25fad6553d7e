import ServiceKit
import Testing

@Suite("Services' own options on a command line")
struct ServiceOptionsTests {
    static let options = [
        ServiceOption("tax-rates", default: "", help: "rates"),
        ServiceOption("auto-confirm", default: "true", help: "confirm", problem: ServiceOption.boolean),
        ServiceOption("bcrypt-cost", default: "12", help: "cost", problem: ServiceOption.integer(4...31)),
    ]

    @Test func flagsAreTakenOffTheCommandLineThenVariablesThenDefaults() throws {
        var arguments = [
            "serve", "--tax-rates", "GB=20", "--port", "8080", "--auto-confirm=false", "--", "--bcrypt-cost", "5",
        ]
        let values = try ServiceOptions.extract(
            Self.options, from: &arguments, environment: ["SPROCKET_BCRYPT_COST": "6", "SPROCKET_TAX_RATES": "DE=7"])
        #expect(values == ["tax-rates": "GB=20", "auto-confirm": "false", "bcrypt-cost": "6"])
        #expect(arguments == ["serve", "--port", "8080", "--", "--bcrypt-cost", "5"])
        var none: [String] = []
        #expect(
            try ServiceOptions.extract(Self.options, from: &none, environment: [:])
                == ["tax-rates": "", "auto-confirm": "true", "bcrypt-cost": "12"])
    }

    @Test func aValueThatBreaksItsRuleOrIsMissingNamesTheFlag() {
        for arguments in [["--auto-confirm", "maybe"], ["--bcrypt-cost=3"], ["--tax-rates"]] {
            var arguments = arguments
            #expect(throws: ServiceOptions.Invalid.self) {
                try ServiceOptions.extract(Self.options, from: &arguments, environment: [:])
            }
        }
        var fromEnvironment: [String] = []
        #expect(throws: ServiceOptions.Invalid.self) {
            try ServiceOptions.extract(Self.options, from: &fromEnvironment, environment: ["SPROCKET_BCRYPT_COST": "x"])
        }
        #expect(Self.options[1].variable == "SPROCKET_AUTO_CONFIRM")
    }
}
