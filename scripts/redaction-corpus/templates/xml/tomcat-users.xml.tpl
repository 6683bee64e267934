<?xml version="1.0" encoding="UTF-8"?>
<tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
  <role rolename="manager-gui"/>
  <role rolename="manager-script"/>
  <user username="admin" password="⟦«a:16»⟧" roles="manager-gui"/>
  <user username="deployer" password="⟦«a:10»!«a:6»⟧" roles="manager-script"/>
</tomcat-users>
<!-- datasource -->
<Resource name="jdbc/shop" auth="Container" type="javax.sql.DataSource"
          username="shop" password="⟦«a:20»⟧"
          url="jdbc:postgresql://⟪db.internal:5432⟫/shop"/>
<credentials>
  <apiToken>⟦«h:40»⟧</apiToken>
  <secret>⟦«a:32»⟧</secret>
  <password>⟦«a:8»&lt;«a:8»⟧</password>
  <tokenEndpoint>⟪https://sso.example.com/oauth2/token⟫</tokenEndpoint>
</credentials>
