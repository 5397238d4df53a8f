"""Billing exports (FOCUS, CUR 2.0, legacy CUR; files, S3, Athena) -> one internal table of actual spend."""
