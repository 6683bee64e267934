# third-party integrations (values pasted by ops)
slack:
  bot: ⟦xoxb-«d:11»-«d:13»-«a:24»⟧
  app_level: ⟦xapp-1-A«U:10»-«d:13»-«h:64»⟧
  webhook: https://hooks.slack.com/services/T«U:8»/B«U:10»/⟦«a:24»⟧
discord:
  alerts: https://discord.com/api/webhooks/«d:19»/⟦«u:68»⟧
telegram:
  bot: ⟦«d:10»:AA«u:33»⟧
  chat_id: "⟪-1001234567890⟫"
stripe:
  live: ⟦sk_live_51«a:97»⟧
  publishable: ⟪pk_live_51Hx2JkLmNoPqRsTuVwXyZ0123456789abcdefABCDEF⟫
huggingface: ⟦hf_«A:6»«L:28»⟧
linear: ⟦lin_api_«a:40»⟧
postman: ⟦PMAK-«h:24»-«h:34»⟧
newrelic:
  user: ⟦NRAK-«U:27»⟧
  license: ⟦«h:36»NRAL⟧
databricks: ⟦dapi«h:32»-2⟧
shopify: ⟦shpat_«h:32»⟧
square: ⟦EAAA«u:60»⟧
mailchimp: ⟦«h:32»-us21⟧
sendgrid: ⟦SG.«u:22».«u:43»⟧
twilio:
  account_sid: ⟪ACa1b2c3d4e5f60718293a4b5c6d7e8f90⟫
  auth: ⟦«h:32»⟧
