/// The print style of Sprocket's printable pages (packing slips, pick lists, invoices): self-contained
/// CSS for A4 and US Letter, used as the `style` partial of their Mustache templates.
public enum PrintStyle {
    public static let css = #"""
        /* Fits A4 (210 × 297 mm) and US Letter (8.5 × 11 in): the printer's paper, 12 mm margins, content at most 180 mm wide. */
        @page { size: auto; margin: 12mm; }
        * { box-sizing: border-box; }
        body { font: 11pt/1.35 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #000; margin: 0 auto; max-width: 180mm; padding: 8mm 0; }
        .mono, .order { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; }
        header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #000; padding-bottom: 4mm; margin-bottom: 5mm; }
        .order { font-size: 26pt; font-weight: 700; letter-spacing: 0.5pt; }
        .label { font-size: 8pt; text-transform: uppercase; letter-spacing: 0.8pt; color: #444; }
        .meta { text-align: right; }
        .address { margin-bottom: 6mm; }
        table { width: 100%; border-collapse: collapse; }
        th { text-align: left; font-size: 8pt; text-transform: uppercase; letter-spacing: 0.8pt; border-bottom: 1px solid #000; padding: 2mm 1.5mm; }
        td { padding: 2mm 1.5mm; border-bottom: 1px solid #bbb; vertical-align: baseline; }
        tr { page-break-inside: avoid; break-inside: avoid; }
        thead { display: table-header-group; }
        .qty { text-align: right; white-space: nowrap; }
        td.mono { white-space: nowrap; font-size: 9.5pt; }
        .check { width: 7mm; font-size: 13pt; }
        tr.kit td { font-weight: 600; background: #eee; border-bottom: none; }
        tr.component td:nth-child(4) { padding-left: 6mm; }
        .note { font-weight: 400; font-size: 9pt; }
        footer { margin-top: 6mm; font-size: 9pt; color: #444; }
        @media print { body { padding: 0; } tr.kit td { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
        .parties { display: flex; justify-content: space-between; gap: 10mm; margin-bottom: 6mm; }
        .totals { margin-left: auto; margin-top: 4mm; width: 80mm; }
        .totals td { border-bottom: none; padding: 1mm 1.5mm; }
        .totals tr.grand td { border-top: 2px solid #000; font-weight: 700; }
        .stamp { margin-top: 6mm; padding: 3mm; border: 2px solid #000; font-weight: 700; }
        """#
}
