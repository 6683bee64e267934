[default]
access_key = ⟦AKIA«u2:16»⟧
secret_key = ⟦«b:40»⟧
bucket_location = ⟪EU⟫
host_base = s3.amazonaws.com
host_bucket = %(bucket)s.s3.amazonaws.com
gpg_passphrase = ⟦«a:16»⟧
signature_v2 = False
use_https = True
