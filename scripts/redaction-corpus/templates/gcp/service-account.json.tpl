{
  "type": "service_account",
  "project_id": "⟪acme-shop-prod⟫",
  "private_key_id": "«h:40»",
  "private_key": "⟦pemjson:PRIVATE KEY:20⟧\n",
  "client_email": "⟪shop-backend@acme-shop-prod.iam.gserviceaccount.com⟫",
  "client_id": "⟪104857392018273645012⟫",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/shop-backend%40acme-shop-prod.iam.gserviceaccount.com",
  "universe_domain": "googleapis.com"
}
