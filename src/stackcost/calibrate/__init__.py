"""`cost calibrate`: re-derive the sizing from what the account actually used (issue #16)."""
