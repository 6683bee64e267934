https://deploy-bot:⟦ghp_«a:36»⟧@github.com
https://x-access-token:⟦ghs_«a:36»⟧@github.com
https://oauth2:⟦glpat-«u:20»⟧@⟪gitlab.example.com⟫
https://jdoe:⟦«a:12»⟧@bitbucket.org
