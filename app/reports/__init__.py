"""Reports rendered from the figures: the shared tables, the charts (ReportLab graphics) and the PDF."""
