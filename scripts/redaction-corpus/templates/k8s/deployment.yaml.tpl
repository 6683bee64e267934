apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-web
  labels:
    app.kubernetes.io/version: "⟪2.14.3⟫"
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/shop/web@⟪sha256:«h:64»⟫
          args: ["--db-password", "⟦«a:18»⟧", "--workers", "4"]
          env:
            - name: DJANGO_SETTINGS_MODULE
              value: shop.settings.production
            - name: DB_PASSWORD
              value: "⟦«a:20»⟧"
            - name: STRIPE_API_KEY
              value: ⟦sk_live_«a:24»⟧
            - name: SECRET_KEY
              valueFrom:
                secretKeyRef:
                  name: shop-secrets
                  key: SECRET_KEY
          ports:
            - containerPort: ⟪8000⟫
