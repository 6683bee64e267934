{
	"auths": {
		"https://index.docker.io/v1/": {
			"auth": "⟦b64:acmeci:dckr_pat_«u:27»⟧"
		},
		"⟪registry.example.com⟫": {
			"auth": "⟦b64:deploy:«a:20»⟧"
		},
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com": {
			"auth": "⟦b64:AWS:«b:300»⟧"
		},
		"myregistry.azurecr.io": {
			"auth": "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==",
			"identitytoken": "⟦jwt⟧"
		}
	},
	"credsStore": "desktop",
	"currentContext": "⟪default⟫",
	"plugins": {
		"-x-cli-hints": {
			"enabled": "true"
		}
	}
}
