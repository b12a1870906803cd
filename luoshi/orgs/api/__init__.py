"""The orgs app's JSON API, one router per concept, mounted by luoshi.api.api: `orgs` (tokens,
the account, units, people), `imports` (the org-people workbook) and core's `audit` log, whose
reader is decided by orgs' roles."""
