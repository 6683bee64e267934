[⟪2024-11-03 10:15:22,481⟫] ERROR [django.request:241] Internal Server Error: /accounts/login/
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py", line 55, in inner
    response = get_response(request)
  File "/srv/app/shop/accounts/views.py", line 88, in login_view
    user = authenticate(request, username=username, password=password)
  File "/usr/local/lib/python3.12/site-packages/django/contrib/auth/__init__.py", line 77, in authenticate
    user = backend.authenticate(request, **credentials)
  File "/srv/app/shop/accounts/backends.py", line 31, in authenticate
    return self._ldap_bind(username, password)
  File "/srv/app/shop/accounts/backends.py", line 54, in _ldap_bind
    conn.simple_bind_s(dn, password)
ldap.INVALID_CREDENTIALS: {'msgtype': 97, 'msgid': 1, 'result': 49, 'desc': 'Invalid credentials', 'ctrls': []}

Local variables:
    dn = 'uid=jdoe,ou=people,dc=example,dc=com'
    password = '⟦«p:14»⟧'
    self = <shop.accounts.backends.LDAPBackend object at 0x7f3a2c1d4e50>
    request = <WSGIRequest: POST '/accounts/login/'>
[⟪2024-11-03 10:15:22,483⟫] WARNING [django.request:241] Bad Request: /api/v1/orders/⟪7c9e6679-7425-40de-944b-e07fc1f90ae7⟫/
[2024-11-03 10:16:01,002] ERROR [shop.payments:112] charge failed for order ⟪ORD-2024-000123⟫
  request.POST = <QueryDict: {'csrfmiddlewaretoken': ['⟦«a:64»⟧'], 'username': ['jdoe'], 'password': ['⟦«p:16»⟧'], 'next': ['/checkout/']}>
  payload = {'amount': 1999, 'currency': 'eur', 'api_key': '⟦sk_live_«a:24»⟧', 'customer': 'cus_Q1w2e3r4t5y6'}
  headers = {'Content-Type': 'application/json', 'Authorization': 'Bearer ⟦«a:48»⟧', 'X-Request-ID': '⟪req_8f3a2b1c9d⟫'}
[2024-11-03 10:17:45,120] ERROR [django.security.csrf:156] Forbidden (CSRF token from POST incorrect.): /accounts/password/change/
[2024-11-03 10:18:10,900] ERROR [django.db.backends:134] (0.001) connection failed
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/psycopg/connection.py", line 119, in connect
    raise last_ex.with_traceback(None)
psycopg.OperationalError: connection failed: FATAL:  password authentication failed for user "shop_app"
    conn_params = {'dbname': 'shop', 'user': 'shop_app', 'password': '⟦«a:20»⟧', 'host': 'pg-primary.prod.internal', 'port': '5432'}
    settings_dict = {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'shop', 'USER': 'shop_app', 'PASSWORD': "⟦«a:6»'«a:8»⟧", 'HOST': 'pg-primary.prod.internal', 'PORT': '5432'}
[2024-11-03 10:19:00,000] INFO [django.server:161] "POST /accounts/password/reset/ HTTP/1.1" 302 0
[2024-11-03 10:19:03,511] INFO [django.server:161] "GET /accounts/reset/⟪MQ⟫/set-password/ HTTP/1.1" 200 3120
