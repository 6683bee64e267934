apiVersion: v1
kind: Secret
metadata:
  name: shop-secrets
  namespace: shop
  uid: ⟪«h:8»-«h:4»-4«h:3»-a«h:3»-«h:12»⟫
  resourceVersion: "⟪48211093⟫"
type: Opaque
data:
  DB_PASSWORD: ⟦b64:«a:20»⟧
  SECRET_KEY: ⟦b64:«dj:50»⟧
  tls.key: ⟦b64:-----BEGIN EC PRIVATE KEY-----«b:64»⟧
stringData:
  REDIS_PASSWORD: ⟦«a:24»⟧
  config.yaml: |
    api:
      token: ⟦«a:40»⟧
    log_level: info
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ⟦b64:{"auths":{"registry.example.com":{"username":"ci","password":"«a:20»"}}}⟧
