$ aws configure list
      Name                    Value             Type    Location
      ----                    -----             ----    --------
   profile                <not set>             None    None
access_key     ⟪****************QX7A⟫ shared-credentials-file
secret_key     ****************9fKe shared-credentials-file
    region                ⟪eu-west-1⟫      config-file    ~/.aws/config
$ aws sts get-caller-identity
{
    "UserId": "⟪AIDAJQABLZS4A3QDU576Q⟫",
    "Account": "⟪123456789012⟫",
    "Arn": "arn:aws:iam::123456789012:user/ops"
}
$ aws sts get-session-token --duration-seconds 3600
{
    "Credentials": {
        "AccessKeyId": "⟦ASIA«u2:16»⟧",
        "SecretAccessKey": "⟦«b:40»⟧",
        "SessionToken": "⟦FwoGZXIvYXdzE«b:200»⟧",
        "Expiration": "⟪2024-11-05T10:15:00+00:00⟫"
    }
}
$ aws configure get aws_secret_access_key
⟦«b:40»⟧
