[client]
user=backup
password="⟦«p:18»⟧"
host=⟪mysql-primary.internal⟫
port=3306

[mysqldump]
user = root
password = ⟦«a:20»⟧
single-transaction
max_allowed_packet=⟪64M⟫
