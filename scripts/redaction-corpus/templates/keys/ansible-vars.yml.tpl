---
nginx_server_name: shop.example.com
nginx_tls_cert_path: ⟪/etc/ssl/certs/shop.crt⟫
nginx_tls_key: |
  ⟦pem:ENCRYPTED PRIVATE KEY:6⟧
deploy_user: deploy
deploy_ssh_key_passphrase: ⟦«a:20»⟧
