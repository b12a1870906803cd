"""In-app notices, e-mail and webhooks;
infrastructure below the domain apps (imports no domain app).
"""
