[alembic]
script_location = migrations
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = postgresql+psycopg2://analytics:⟦«a:20»⟧@⟪analytics-db.internal:5432⟫/analytics

[loggers]
keys = root,sqlalchemy,alembic

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine
