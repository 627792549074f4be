"""`workbench report`: the supervisor's figures as one self-contained HTML file or CSV tables.

A face like `cli/` and `tui/`: it lays out `services.report_data.ReportData` and reads no
database itself.
"""
