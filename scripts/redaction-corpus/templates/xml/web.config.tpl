<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="Default" connectionString="Server=⟪sql01.corp.local⟫;Database=Shop;User Id=shop_app;Password=⟦«a:18»⟧;Encrypt=True" providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="Environment" value="Production" />
    <add key="ApiKey" value="⟦«h:32»⟧" />
    <add key="StorageAccountKey" value="⟦«b:86»==⟧" />
    <add key="PasswordResetPath" value="⟪/accounts/password/reset/⟫" />
    <add key="ClientSecret" value="⟦«a:3»8Q~«u:31»⟧" />
    <add key="BuildId" value="⟪20241105.3⟫" />
  </appSettings>
  <system.web>
    <machineKey validationKey="⟦«H:128»⟧" decryptionKey="⟦«H:64»⟧" validation="HMACSHA256" decryption="AES" />
  </system.web>
</configuration>
