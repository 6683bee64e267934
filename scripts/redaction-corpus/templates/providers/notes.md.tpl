# Incident 2024-11-05: payments outage

Timeline (UTC):
- ⟪09:12⟫ alerts from New Relic; the token expired for the CRM sync.
- 09:20 Bob pasted the Stripe key in chat to test: ⟦sk_live_«a:34»⟧ (rotated since).
- 09:25 tried with the restricted key ⟦rk_live_«a:34»⟧ instead
- 09:31 the GitHub token ⟦ghp_«a:36»⟧ from the old deploy box still worked (revoked 09:40)
- 09:45 ran `vault token lookup ⟦hvs.«u:24»⟧` to check its TTL
- 09:50 JWT from the failing request: ⟦jwt⟧
- 10:02 secret rotation failed for the Databricks job, token ⟦dapi«h:32»⟧
- 10:05 bot token ⟦«d:10»:AA«u:33»⟧ posted to #ops by mistake
- 10:10 Slack user token ⟦xoxp-«d:11»-«d:12»-«d:13»-«h:32»⟧

Commit ⟪8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d⟫ fixed it; see request ⟪req_01HF3ZK8XW5Y2A4B6C8D0E1F3G⟫.
