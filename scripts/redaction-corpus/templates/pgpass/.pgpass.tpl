# hostname:port:database:username:password
⟪pg-primary.prod.internal⟫:5432:shop:shop_app:⟦«a:20»⟧
pg-replica.prod.internal:5432:*:shop_ro:⟦«a:18»⟧
localhost:*:*:postgres:⟦«a:8»\:«a:8»⟧
*:*:*:backup:⟦«p:22»⟧
