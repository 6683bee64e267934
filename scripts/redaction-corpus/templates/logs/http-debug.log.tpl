send: b'POST /oauth/token HTTP/1.1\r\nHost: sso.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\ngrant_type=client_credentials&client_id=shop&client_secret=⟦«a:36»⟧'
reply: 'HTTP/1.1 200 OK\r\n'
header: Content-Type: application/json
send: b'GET /v2/orders HTTP/1.1\r\nHost: ⟪api.partner.example⟫\r\nAuthorization: Bearer ⟦«a:44»⟧\r\nX-Request-Id: ⟪6f1c2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f⟫\r\n\r\n'
reply: 'HTTP/1.1 401 Unauthorized\r\n'
send: b'GET /v1/me HTTP/1.1\r\nHost: api.partner.example\r\nX-Auth-Token: ⟦«h:48»⟧\r\nCookie: sessionid=⟦«l:32»⟧; csrftoken=⟦«a:32»⟧\r\n\r\n'
reply: 'HTTP/1.1 200 OK\r\n'
header: Set-Cookie: sessionid=⟦«l:32»⟧; expires=Tue, 19 Nov 2024 09:40:00 GMT; HttpOnly; Path=/; SameSite=Lax
header: ETag: "⟪33a64df551425fcc55e4d42a148795d9f25f89d4⟫"
DEBUG:urllib3.connectionpool:https://api.partner.example:443 "GET /v2/orders?signature=⟦«u:43»⟧ HTTP/1.1" 200 512
