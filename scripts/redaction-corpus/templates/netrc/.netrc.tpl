machine ⟪api.heroku.com⟫
  login ops@example.com
  password ⟦«h:8»-«h:4»-«h:4»-«h:4»-«h:12»⟧
machine git.heroku.com
  login ops@example.com
  password ⟦«h:8»-«h:4»-«h:4»-«h:4»-«h:12»⟧
machine ftp.example.com login backup password ⟦«a:16»⟧
machine artifactory.example.com login ci password ⟦AKCp«a:69»⟧ port 443
default login anonymous password ⟦«a:12»⟧
