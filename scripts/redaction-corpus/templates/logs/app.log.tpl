⟪2024-11-05T09:50:00Z⟫ INFO  starting shop-web version=⟪2.14.3⟫ commit=⟪1a2b3c4d5e6f⟫ pid=812
2024-11-05T09:50:01Z INFO  connected to postgres at ⟪10.0.5.10:5432⟫ (user=shop_app)
2024-11-05T09:50:02Z DEBUG loaded api key ⟦«a:32»⟧ for partner acme
2024-11-05T09:50:03Z WARN  login failed for user=jdoe password=⟦«p:12»⟧ from ⟪198.51.100.77⟫
2024-11-05T09:50:04Z DEBUG auth header was: Basic ⟦b64:jdoe:«a:14»⟧
2024-11-05T09:50:05Z INFO  session token: ⟦«h:64»⟧
2024-11-05T09:50:06Z INFO  the token expired, refreshing
2024-11-05T09:50:07Z INFO  using secret ⟦«u:40»⟧ to sign webhooks
2024-11-05T09:50:08Z ERROR secret rotation failed: AccessDenied (request id ⟪7d5a2f1e-3c4b-4d6e-8f9a-0b1c2d3e4f5a⟫)
2024-11-05T09:50:09Z INFO  GET /accounts/password/reset/done/ -> ⟪HTTP/1.1 200 OK⟫
2024-11-05T09:50:10Z INFO  image layer ⟪sha256:«h:64»⟫ pulled (⟪12.4MB⟫)
2024-11-05T09:50:11Z DEBUG passwd=⟦«a:16»⟧ accepted for replication
2024-11-05T09:50:12Z DEBUG pwd: ⟦«a:15»⟧
2024-11-05T09:50:13Z INFO  migration ⟪0012_alter_order_status_20241101_0930⟫ applied
2024-11-05T09:50:14Z INFO  container ⟪«h:64»⟫ healthy
