; legacy service configuration
[server]
host = ⟪0.0.0.0⟫
port: ⟪8080⟫
base_url = https://shop.example.com/app

[database]
driver = postgresql
host: db.internal
user = reporting
password = ⟦«a:8» «a:8» «a:6»⟧
password_file = ⟪/run/secrets/db_password⟫

[smtp]
user: alerts@example.com
pass: ⟦«a:14»⟧
secret key = ⟦«a:12» «a:10»⟧

[api]
client_id = ⟪shop-reporting⟫
client_secret=⟦«a:40»⟧
token_url = https://sso.example.com/oauth/token
token_expiry = 3600

[paths]
reset_page = /accounts/password/reset/
