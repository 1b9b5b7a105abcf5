"""The waiting-list register in the database: stations, requests, claims, allocation moments,
scenario import and export, dashboards.
"""
