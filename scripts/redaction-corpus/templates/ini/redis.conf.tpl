bind ⟪127.0.0.1⟫ -::1
port 6379
protected-mode yes
tcp-keepalive 300
requirepass ⟦«a:32»⟧
masterauth ⟦«a:28»⟧
user default on >⟦«a:24»⟧ ~* &* +@all
maxmemory ⟪2gb⟫
save 900 1
dir /var/lib/redis
