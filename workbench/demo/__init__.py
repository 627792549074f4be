"""Synthetic demo data: customers, transactions, contact history and hidden ground truth."""
