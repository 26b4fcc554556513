"""logidesk add-in: ribbon handlers, notices, ledger, reports and the headless command line."""
