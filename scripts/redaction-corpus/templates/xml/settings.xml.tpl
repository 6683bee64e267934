<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0 https://maven.apache.org/xsd/settings-1.0.0.xsd">
  <localRepository>⟪/home/ci/.m2/repository⟫</localRepository>
  <servers>
    <server>
      <id>artifactory-releases</id>
      <username>ci-deployer</username>
      <password>⟦AKCp«a:69»⟧</password>
    </server>
    <server>
      <id>github</id>
      <username>acme-ci</username>
      <password>⟦ghp_«a:36»⟧</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployment</username>
      <password>⟦«a:8»&amp;«a:8»⟧</password>
    </server>
    <server>
      <id>signing</id>
      <passphrase>⟦«a:20»⟧</passphrase>
    </server>
  </servers>
  <mirrors>
    <mirror>
      <id>central-proxy</id>
      <url>⟪https://artifactory.example.com/artifactory/maven-remote⟫</url>
      <mirrorOf>central</mirrorOf>
    </mirror>
  </mirrors>
</settings>
