DEBUG ⟪2024-11-04T08:00:01.123456+00:00⟫ django.db.backends (0.002) SELECT "auth_user"."id" FROM "auth_user" WHERE "auth_user"."username" = 'jdoe' LIMIT 21; args=('jdoe',); alias=default
DEBUG 2024-11-04T08:00:01.200000+00:00 shop.api request.META={'HTTP_HOST': 'api.shop.example.com', 'HTTP_AUTHORIZATION': 'Token ⟦«h:40»⟧', 'HTTP_X_REQUEST_ID': '⟪0f8fad5b-d9cb-469f-a165-70867728950e⟫', 'REMOTE_ADDR': '⟪203.0.113.7⟫'}
DEBUG 2024-11-04T08:00:01.300000+00:00 shop.integrations.crm calling CRM with Client(base_url='https://crm.example.net', api_key='⟦«a:40»⟧', timeout=10)
DEBUG 2024-11-04T08:00:01.350000+00:00 shop.integrations.crm kwargs: {"token": "⟦«u:36»⟧", "page": 2}
INFO 2024-11-04T08:00:02.000000+00:00 shop.accounts password reset requested for user_id=4211
INFO 2024-11-04T08:00:02.100000+00:00 shop.accounts the token expired (issued ⟪2024-11-03T08:00:00Z⟫)
DEBUG 2024-11-04T08:00:03.000000+00:00 shop.auth decoded session: {'_auth_user_id': '4211', '_auth_user_hash': '«h:64»', '_auth_user_backend': 'django.contrib.auth.backends.ModelBackend'}
DEBUG 2024-11-04T08:00:04.000000+00:00 shop.payments Settings(secret_key='⟦«a:32»⟧', webhook_secret=SecretStr('**********'), mode='live')
DEBUG 2024-11-04T08:00:04.500000+00:00 shop.payments stripe.Charge.create(..., idempotency_key='⟪a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d⟫')
DEBUG 2024-11-04T08:00:05.000000+00:00 urllib3.connectionpool https://api.stripe.com:443 "POST /v1/charges HTTP/1.1" 200 1830
DEBUG 2024-11-04T08:00:06.000000+00:00 shop.sso OAuth2Session token={'access_token': '⟦ya29.«u:120»⟧', 'refresh_token': '⟦1//«u:100»⟧', 'token_type': 'Bearer', 'expires_in': 3599}
