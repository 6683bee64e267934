*** Starting uWSGI ⟪2.0.23⟫ (64bit) on [Tue Nov  5 09:00:00 2024] ***
compiled with version: 12.2.0 on 01 January 2024 10:00:00
detected number of CPU cores: 2
current working directory: /srv/app
uwsgi socket 0 bound to UNIX address /run/uwsgi/shop.sock fd 3
*** Operational MODE: preforking ***
WSGI app 0 (mountpoint='') ready in 2 seconds on interpreter ⟪0x55d1c2a3b4c0⟫ pid: 1201 (default app)
[pid: 1203|app: 0|req: 1/1] ⟪10.0.2.2⟫ () {42 vars in 812 bytes} [Tue Nov  5 09:01:00 2024] GET /api/v1/feed?token=⟦«a:32»⟧ => generated 1234 bytes in 12 msecs (HTTP/1.1 200) 4 headers in 130 bytes (1 switches on core 0)
[pid: 1203|app: 0|req: 2/2] 10.0.2.2 () {40 vars in 700 bytes} [Tue Nov  5 09:01:01 2024] POST /api/v1/login => generated 40 bytes in 80 msecs (HTTP/1.1 401) 3 headers in 120 bytes (1 switches on core 0)
{address space usage: 412000256 bytes/392MB} {rss usage: 98000000 bytes/93MB} [pid: 1203|app: 0|req: 3/3] 10.0.2.2 () {44 vars in 900 bytes} [Tue Nov  5 09:01:02 2024] GET /webhooks/stripe?secret=⟦«a:24»⟧ => generated 2 bytes in 5 msecs (HTTP/1.1 200) 2 headers in 64 bytes (1 switches on core 0)
