[user]
	name = Deploy Bot
	email = deploy@example.com
[http "https://git.example.com/"]
	extraheader = AUTHORIZATION: basic ⟦b64:x-token-auth:«a:24»⟧
[url "https://oauth2:⟦glpat-«u:20»⟧@gitlab.example.com/"]
	insteadOf = https://gitlab.example.com/
[core]
	editor = vim
[commit]
	gpgsign = false
