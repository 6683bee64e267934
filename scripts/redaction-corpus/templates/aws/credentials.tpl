[default]
aws_access_key_id = ⟦AKIA«u2:16»⟧
aws_secret_access_key = ⟦«b:40»⟧
region = ⟪eu-west-1⟫

[prod-admin]
aws_access_key_id=⟦ASIA«u2:16»⟧
aws_secret_access_key=⟦«b:40»⟧
aws_session_token=⟦IQoJb3JpZ2luX2VjE«b:300»⟧
output = json

[profile ci]
role_arn = ⟪arn:aws:iam::123456789012:role/ci-deploy⟫
source_profile = default
