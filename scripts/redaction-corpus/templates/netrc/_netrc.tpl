machine github.com login acme-ci password ⟦github_pat_11«U:20»_«a:59»⟧
machine ⟪dev.azure.com⟫ login PAT password ⟦«l:52»⟧
machine nexus.corp.local
login jenkins
password ⟦«a:14»⟧
