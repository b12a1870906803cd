"""The orgs app's pages, one module per concept (urls.py maps each URL to one of them): `orgs`
(units, people, accounts, the profile, log-in), `imports` (the org-people workbook in and out),
and core's `audit` log and working-day `calendar`, whose readers are decided by orgs' roles."""
