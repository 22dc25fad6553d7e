import Catalog
import Foundation
import ServiceKit

/// The demo's catalog graph: categories, cars and appliances with the parts that fit them, and older
/// parts that newer ones replace — so the quick start can ask "what fits my car?".
extension DemoData {
    /// The category of each demo part, by SKU prefix (first match).
    static let categoryByPrefix: [(String, String)] = [
        ("BRK-PAD", "Brakes › Pads"), ("BRK-DSC", "Brakes › Discs"), ("BRK-SNS", "Brakes › Sensors"),
        ("BRK-FLD", "Brakes › Fluids"), ("FLT-OIL", "Engine › Filters › Oil"), ("FLT-AIR", "Engine › Filters › Air"),
        ("FLT-FUEL", "Engine › Filters › Fuel"), ("FLT-CAB", "Interior › Cabin filters"), ("IGN", "Engine › Ignition"),
        ("OIL", "Engine › Oils"), ("BLT", "Engine › Belts"), ("SNS", "Engine › Sensors"), ("WPR", "Body › Wipers"),
        ("LMP", "Lighting › Bulbs"), ("SUS", "Suspension › Shock absorbers"), ("BAT", "Electrics › Batteries"),
        ("WM", "Appliances › Washing machines"), ("DW", "Appliances › Dishwashers"), ("FR", "Appliances › Fridges"),
        ("OV", "Appliances › Ovens"), ("VC", "Appliances › Vacuum cleaners"), ("KIT-BRK", "Brakes › Kits"),
        ("KIT-SRV", "Engine › Service kits"), ("KIT-WM", "Appliances › Washing machines"),
    ]

    /// (id, kind, make, model, variant, engine, from, to, model number)
    static let models: [(String, ModelKind, String, String, String?, String?, Int?, Int?, String?)] = [
        ("VW-GOLF7-10TSI", .car, "Volkswagen", "Golf", "VII", "1.0 TSI", 2015, 2020, nil),
        ("VW-GOLF7-14TSI", .car, "Volkswagen", "Golf", "VII", "1.4 TSI", 2013, 2020, nil),
        ("VW-GOLF7-15TSI", .car, "Volkswagen", "Golf", "VII", "1.5 TSI", 2017, 2020, nil),
        ("VW-GOLF7-16TDI", .car, "Volkswagen", "Golf", "VII", "1.6 TDI", 2013, 2020, nil),
        ("VW-GOLF7-20TDI", .car, "Volkswagen", "Golf", "VII", "2.0 TDI", 2013, 2020, nil),
        ("VW-GOLF7-GTI", .car, "Volkswagen", "Golf", "VII GTI", "2.0 TSI", 2013, 2020, nil),
        ("VW-GOLF8-15TSI", .car, "Volkswagen", "Golf", "VIII", "1.5 TSI", 2020, 2026, nil),
        ("VW-POLO6-10TSI", .car, "Volkswagen", "Polo", "VI", "1.0 TSI", 2017, 2026, nil),
        ("VW-PASSAT-B8-20TDI", .car, "Volkswagen", "Passat", "B8", "2.0 TDI", 2014, 2023, nil),
        ("VW-TIGUAN2-14TSI", .car, "Volkswagen", "Tiguan", "II", "1.4 TSI", 2016, 2020, nil),
        ("AUDI-A3-8V-14TFSI", .car, "Audi", "A3", "8V", "1.4 TFSI", 2012, 2020, nil),
        ("SKODA-OCTAVIA3-14TSI", .car, "Skoda", "Octavia", "III", "1.4 TSI", 2013, 2020, nil),
        ("SKODA-OCTAVIA3-20TDI", .car, "Skoda", "Octavia", "III", "2.0 TDI", 2013, 2020, nil),
        ("SEAT-LEON3-14TSI", .car, "Seat", "Leon", "III", "1.4 TSI", 2012, 2020, nil),
        ("TOYOTA-COROLLA-E21-18H", .car, "Toyota", "Corolla", "E21", "1.8 Hybrid", 2019, 2026, nil),
        ("FORD-FOCUS4-10ECO", .car, "Ford", "Focus", "IV", "1.0 EcoBoost", 2018, 2025, nil),
        ("RENAULT-CLIO5-10TCE", .car, "Renault", "Clio", "V", "1.0 TCe", 2019, 2026, nil),
        ("MAN-TGX-D2676", .truck, "MAN", "TGX", "18.480", "D2676 480 hp", 2012, 2020, nil),
        ("BOSCH-WAW28440", .appliance, "Bosch", "Serie 8", "washing machine", nil, 2014, 2019, "WAW28440"),
        ("BOSCH-WAN28281", .appliance, "Bosch", "Serie 4", "washing machine", nil, 2017, 2023, "WAN28281"),
        ("SIEMENS-WM14T480", .appliance, "Siemens", "iQ500", "washing machine", nil, 2015, 2020, "WM14T480"),
        ("WHIRLPOOL-AWE6516", .appliance, "Whirlpool", "AWE 6516", "washing machine", nil, 2009, 2014, "AWE6516"),
        ("SAMSUNG-WW80J5555", .appliance, "Samsung", "EcoBubble", "washing machine", nil, 2016, 2021, "WW80J5555FW"),
        ("BOSCH-SMS46GI01E", .appliance, "Bosch", "Serie 4", "dishwasher", nil, 2016, 2022, "SMS46GI01E"),
        ("SIEMENS-SN236I00ME", .appliance, "Siemens", "iQ100", "dishwasher", nil, 2018, 2024, "SN236I00ME"),
        ("WHIRLPOOL-W7821O", .appliance, "Whirlpool", "W7 821O", "fridge freezer", nil, 2019, 2025, "W7821OOX"),
        ("LIEBHERR-CNEF4835", .appliance, "Liebherr", "Comfort", "fridge freezer", nil, 2015, 2021, "CNef4835"),
        ("BOSCH-HBA5370B0", .appliance, "Bosch", "Serie 6", "oven", nil, 2016, 2023, "HBA5370B0"),
        ("AEG-BPE535120M", .appliance, "AEG", "SteamBake", "oven", nil, 2018, 2025, "BPE535120M"),
        ("MIELE-C3-COMPLETE", .appliance, "Miele", "Complete C3", "vacuum cleaner", nil, 2012, 2024, "SGDA3"),
    ]

    /// Which models each part fits, with the position where it matters.
    static let fitments: [(sku: String, models: [String], position: String?)] = {
        let golf7 = ["VW-GOLF7-10TSI", "VW-GOLF7-14TSI", "VW-GOLF7-15TSI", "VW-GOLF7-16TDI", "VW-GOLF7-20TDI"]
        let mqbPetrol = [
            "VW-GOLF7-14TSI", "AUDI-A3-8V-14TFSI", "SKODA-OCTAVIA3-14TSI", "SEAT-LEON3-14TSI", "VW-TIGUAN2-14TSI",
        ]
        let mqb =
            golf7 + [
                "VW-GOLF7-GTI", "AUDI-A3-8V-14TFSI", "SKODA-OCTAVIA3-14TSI", "SKODA-OCTAVIA3-20TDI", "SEAT-LEON3-14TSI",
            ]
        let diesel = ["VW-GOLF7-16TDI", "VW-GOLF7-20TDI", "SKODA-OCTAVIA3-20TDI", "VW-PASSAT-B8-20TDI"]
        let washers = ["BOSCH-WAW28440", "BOSCH-WAN28281", "SIEMENS-WM14T480"]
        return [
            ("BRK-PAD-VW-1K0698151", mqb, "front axle"), ("BRK-PAD-VW-5Q0698451", mqb, "rear axle"),
            ("BRK-DSC-VW-5Q0615301", golf7 + ["SKODA-OCTAVIA3-14TSI", "SEAT-LEON3-14TSI"], "front axle"),
            ("BRK-DSC-VW-5Q0615601", golf7, "rear axle"), ("BRK-SNS-VW-1K0907637", mqb, "front axle"),
            ("FLT-OIL-VW-04E115561", mqbPetrol + ["VW-GOLF7-10TSI", "VW-POLO6-10TSI"], nil),
            ("FLT-AIR-VW-5Q0129620", golf7, nil), ("FLT-CAB-VW-5Q0819653", mqb + ["VW-GOLF8-15TSI"], nil),
            ("FLT-FUEL-VW-5Q0127177", diesel, nil), ("IGN-PLG-NGK-ILKAR7B11", mqbPetrol, nil),
            ("IGN-COIL-VW-04E905110", mqbPetrol, nil), ("OIL-5W30-VW504-5L", mqb + diesel, nil),
            ("BLT-RIB-6PK1070", ["VW-GOLF7-14TSI", "AUDI-A3-8V-14TFSI"], nil), ("BLT-TIM-KIT-CT1168", diesel, nil),
            ("WPR-BLD-600-475", golf7 + ["VW-GOLF7-GTI"], "windscreen"),
            ("SNS-O2-VW-04E906262", mqbPetrol, "downstream"),
            ("SUS-SHK-VW-5Q0413031", golf7, "front axle"),
            ("BAT-AGM-70AH", mqb + ["VW-PASSAT-B8-20TDI", "FORD-FOCUS4-10ECO"], nil),
            ("WM-PMP-BOSCH-00145787", washers, nil), ("WM-BLT-1192J5", washers + ["WHIRLPOOL-AWE6516"], nil),
            ("WM-BRS-SET-481236248004", ["WHIRLPOOL-AWE6516"], nil),
            ("WM-SHK-WHIRLPOOL-481252", ["WHIRLPOOL-AWE6516"], nil),
            ("WM-GSK-DOOR-SAMSUNG-DC64", ["SAMSUNG-WW80J5555"], "door"),
            ("DW-SEAL-BOSCH-00754866", ["BOSCH-SMS46GI01E", "SIEMENS-SN236I00ME"], "door"),
            ("DW-PMP-CIRC-00651956", ["BOSCH-SMS46GI01E", "SIEMENS-SN236I00ME"], nil),
            ("DW-SPR-ARM-00611475", ["BOSCH-SMS46GI01E"], "lower basket"),
            ("FR-THM-RANCO-K59", ["LIEBHERR-CNEF4835"], nil), ("FR-FAN-EVAP-W10312695", ["WHIRLPOOL-W7821O"], nil),
            ("OV-ELM-BOTTOM-2000W", ["BOSCH-HBA5370B0", "AEG-BPE535120M"], "bottom"),
            ("OV-ELM-FAN-2500W", ["BOSCH-HBA5370B0"], "rear"),
            ("OV-LMP-25W-300C", ["BOSCH-HBA5370B0", "AEG-BPE535120M"], nil),
            ("VC-BAG-SET-10", ["MIELE-C3-COMPLETE"], nil),
        ]
    }()

    /// Older parts (sku, name, price), discontinued and replaced by the second SKU.
    static let supersededParts: [(sku: String, name: String, price: String, by: String)] = [
        ("WM-PMP-BOSCH-00142370", "Drain pump, Bosch washing machine (old version)", "31.90", "WM-PMP-BOSCH-00145787"),
        ("FLT-OIL-VW-03C115562", "Oil filter, 1.4 TSI (old version)", "8.90", "FLT-OIL-VW-04E115561"),
        ("BRK-PAD-VW-1K0698151A", "Front brake pad set, VW Golf VII (earlier)", "37.50", "BRK-PAD-VW-1K0698151"),
        ("BRK-PAD-VW-1K0698151B", "Front brake pad set, VW Golf VI", "35.00", "BRK-PAD-VW-1K0698151A"),
    ]

    /// Adds the graph to the catalog (what exists already is left as it is).
    static func loadGraph(catalog: CatalogStore, currency: String) async throws {
        for sku in parts.map(\.0) + kits.map(\.0) where try await catalog.part(sku)?.categoryId == nil {
            if let path = categoryByPrefix.first(where: { sku.hasPrefix($0.0) })?.1 {
                try await catalog.setCategory(of: sku, to: path)
            }
        }
        for (id, kind, make, name, variant, engine, from, to, number) in models where try await catalog.model(id) == nil
        {
            _ = try await catalog.createModel(
                try VehicleModel.create(
                    kind: kind, make: make, model: name, variant: variant, engine: engine, yearFrom: from, yearTo: to,
                    modelNumber: number, id: id, now: Date()))
        }
        for (sku, modelIds, position) in fitments {
            for modelId in modelIds { try await catalog.fit(Fitment(sku: sku, modelId: modelId, position: position)) }
        }
        // Oldest last, so each successor exists when its predecessor is made.
        for old in supersededParts where try await catalog.part(old.sku) == nil {
            _ = try await catalog.create(
                PartDraft(
                    sku: old.sku, name: old.name, description: old.name, price: (old.price, currency),
                    category: categoryByPrefix.first(where: { old.sku.hasPrefix($0.0) })?.1))
            _ = try await catalog.update(old.sku, with: PartChanges(status: .discontinued))
            try await catalog.supersede(old.sku, by: old.by)
        }
    }
}
